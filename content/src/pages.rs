//! The pages of an official site a step knows, so the guide can follow the person: when
//! the site in the kiosk's browser reaches one, the guide shows and says that page's
//! instruction.
//!
//! A pattern is written like the address it matches, with `*` for "anything here":
//! `https://wwwd.caf.fr/wps/portal/caffr/login*`. The host is exact, or `*.caf.fr` for any
//! subdomain of one; the path starts with `/`. The real address's query and fragment are
//! left out of the match unless the pattern has a `?`; then its query is matched too (a
//! site that tells its pages apart only by a parameter). Nothing else is special, so what
//! a content author writes is what is matched.

use serde::Deserialize;

use crate::OFFICIAL_DOMAINS;

/// One page of the site a step knows, and what to do there.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// The pattern its addresses match.
    pub url: String,
    /// Said and shown when the site reaches it: where the person is and what to do.
    pub text: String,
}

/// Whether `pattern` is one a step may name: https, a plain host on an official domain
/// (or `*.` and one), a path from `/`, and nothing a person could not read.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    let rest = pattern.strip_prefix("https://").ok_or_else(|| format!("{pattern} is not an https address"))?;
    if rest.chars().any(|c| c.is_whitespace() || c == '\\' || c == '@' || c == '#' || !c.is_ascii()) {
        return Err(format!("{pattern} holds characters a page pattern must not have"));
    }
    let (host, path) = rest.split_at(rest.find('/').ok_or_else(|| format!("{pattern} needs a path, at least /"))?);
    let plain = host.strip_prefix("*.").unwrap_or(host);
    if plain.is_empty()
        || plain != plain.to_ascii_lowercase()
        || !plain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err(format!("{host} is not a lowercase host name, or *. and one"));
    }
    if !OFFICIAL_DOMAINS.iter().any(|d| plain == *d || plain.ends_with(&format!(".{d}"))) {
        return Err(format!("{plain} is not on the list of official domains"));
    }
    if path.matches('?').count() > 1 {
        return Err(format!("{pattern} has more than one ?"));
    }
    Ok(())
}

/// Whether the address `url` is a page `pattern` names (a pattern `check_pattern` took).
pub fn matches(pattern: &str, url: &str) -> bool {
    let (Some(pattern), Some(url)) = (pattern.strip_prefix("https://"), url.strip_prefix("https://")) else {
        return false;
    };
    let url = url.split('#').next().unwrap_or_default();
    let url = if pattern.contains('?') { url } else { url.split('?').next().unwrap_or_default() };
    let Some((p_host, p_rest)) = pattern.find('/').map(|at| pattern.split_at(at)) else {
        return false;
    };
    let (host, rest) = url.find('/').map_or((url, "/"), |at| url.split_at(at));
    let host = host.to_ascii_lowercase();
    let host_ok = match p_host.strip_prefix("*.") {
        Some(domain) => host.ends_with(&format!(".{domain}")),
        None => host == p_host,
    };
    host_ok && glob(p_rest.as_bytes(), rest.as_bytes())
}

/// `*` matches any run of bytes; everything else itself. Iterative, with one point to
/// go back to, so a long address costs its length times the pattern's, never more.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_official_https_with_a_path() {
        assert_eq!(check_pattern("https://wwwd.caf.fr/wps/portal/*"), Ok(()));
        assert_eq!(check_pattern("https://*.ameli.fr/PortailAS/*?_pageLabel=as_login_page*"), Ok(()));
        assert!(check_pattern("http://www.caf.fr/*").unwrap_err().contains("https"));
        assert!(check_pattern("https://www.caf.fr").unwrap_err().contains("path"));
        assert!(check_pattern("https://caf.fr.evil.example/*").unwrap_err().contains("official"));
        assert!(check_pattern("https://www.caf.fr@evil.example/").unwrap_err().contains("characters"));
        assert!(check_pattern("https://*caf.fr/").unwrap_err().contains("host name"));
        assert!(check_pattern("https://WWW.caf.fr/").unwrap_err().contains("lowercase"));
        assert!(check_pattern("https://www.caf.fr/a#b").unwrap_err().contains("characters"));
    }

    #[test]
    fn an_address_matches_by_host_and_path_and_by_query_only_when_asked() {
        let login = "https://wwwd.caf.fr/wps/portal/caffr/login*";
        assert!(matches(login, "https://wwwd.caf.fr/wps/portal/caffr/login"));
        assert!(matches(login, "https://WWWD.caf.fr/wps/portal/caffr/login/!ut/p?x=1#top"));
        assert!(!matches(login, "https://wwwd.caf.fr/wps/portal/caffr/accueil"));
        assert!(!matches(login, "http://wwwd.caf.fr/wps/portal/caffr/login"));
        assert!(!matches(login, "https://wwwd.caf.fr.evil.example/wps/portal/caffr/login"));
        let any = "https://*.ameli.fr/*";
        assert!(matches(any, "https://assure.ameli.fr/"));
        assert!(matches(any, "https://assure.ameli.fr"));
        assert!(!matches(any, "https://ameli.fr.example/"));
        assert!(!matches(any, "https://notameli.fr/"));
        let by_query = "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?*_pageLabel=as_login_page*";
        assert!(matches(
            by_query,
            "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_nfpb=true&_pageLabel=as_login_page"
        ));
        assert!(!matches(
            by_query,
            "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_pageLabel=as_accueil_page"
        ));
    }

    #[test]
    fn stars_take_any_run_even_in_a_long_address() {
        assert!(glob(b"/a*b*c", b"/aXXbYYc"));
        assert!(glob(b"/a*", b"/a"));
        assert!(!glob(b"/a*b", b"/aXXc"));
        let long = format!("/{}", "a".repeat(10_000));
        assert!(!glob(b"/*a*a*a*a*a*b", long.as_bytes()));
    }
}
