//! Procedures: one TOML file each under `content/procedures/`, validated at load.
//!
//! A bad file is refused with its file name, line and field, and the others still load:
//! one typo in one procedure must not take the whole kiosk out of service.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// Addresses a procedure may send people to: official sites only.
pub const OFFICIAL_DOMAINS: &[&str] = &[
    "ameli.fr",
    "caf.fr",
    "impots.gouv.fr",
    "francetravail.fr",
    "ants.gouv.fr",
    "franceconnect.gouv.fr",
    "service-public.fr",
    "service-public.gouv.fr",
    "chequeenergie.gouv.fr",
    "msa.fr",
    "info-retraite.fr",
    "mesdroitssociaux.gouv.fr",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// Stable, lowercase, used in counters and file names: never shown.
    pub id: String,
    /// The body that runs the service ("Ameli", "CAF"), shown on the tile.
    pub organisation: String,
    pub title: String,
    /// One short sentence under the title on the home screen.
    pub summary: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub kind: StepKind,
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// Checklist items (papers to bring).
    #[serde(default)]
    pub items: Vec<String>,
    /// The official address, for `official_site` steps.
    #[serde(default)]
    pub url: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Something to read and hear.
    Info,
    /// Papers or things to have at hand, ticked on screen.
    Checklist,
    /// Do this part on the official site, whose exact address is shown.
    OfficialSite,
    /// The end: what was done and what comes next.
    Done,
}

impl Step {
    /// Every French string of the step a person sees or hears, for translation checks.
    pub fn strings(&self) -> impl Iterator<Item = &str> {
        [self.title.as_str(), self.text.as_str()]
            .into_iter()
            .chain(self.items.iter().map(String::as_str))
            .filter(|s| !s.is_empty())
    }
}

impl Procedure {
    pub fn strings(&self) -> impl Iterator<Item = &str> {
        [self.organisation.as_str(), self.title.as_str(), self.summary.as_str()]
            .into_iter()
            .chain(self.steps.iter().flat_map(Step::strings))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {field}: {message}")]
pub struct ContentError {
    pub file: PathBuf,
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// Loads every `*.toml` in `dir`, sorted by file name. Returns the good procedures and
/// one error per refused file.
pub fn load_dir(dir: &Path) -> (Vec<Procedure>, Vec<ContentError>) {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => {
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect()
        }
        Err(e) => {
            let err = ContentError { file: dir.into(), line: 0, field: "-".into(), message: e.to_string() };
            return (Vec::new(), vec![err]);
        }
    };
    files.sort();
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => match parse(&text, &file) {
                Ok(p) if good.iter().any(|g: &Procedure| g.id == p.id) => bad.push(ContentError {
                    line: key_line(&text, "id", None).unwrap_or(0),
                    file,
                    field: "id".into(),
                    message: format!("another procedure already has the id {}", p.id),
                }),
                Ok(p) => good.push(p),
                Err(e) => bad.push(e),
            },
            Err(e) => bad.push(ContentError { file, line: 0, field: "-".into(), message: e.to_string() }),
        }
    }
    (good, bad)
}

/// Parses and validates one procedure file. Its name must be `<id>.toml`.
pub fn parse(text: &str, file: &Path) -> Result<Procedure, ContentError> {
    let err = |line: Option<usize>, field: &str, message: String| ContentError {
        file: file.to_owned(),
        line: line.unwrap_or(0),
        field: field.to_owned(),
        message,
    };
    let proc: Procedure = toml::from_str(text).map_err(|e: toml::de::Error| {
        let line = e.span().map(|s| line_of(text, s.start));
        // The key on the faulty line names the field best ("kind" for a bad kind);
        // serde's message names it for a missing one.
        let field =
            line.and_then(|l| key_on_line(text, l)).or_else(|| field_in(e.message())).unwrap_or_else(|| "-".into());
        err(line, &field, e.message().trim().to_owned())
    })?;
    let top = |key: &str| key_line(text, key, None);
    let in_step = |i: usize, key: &str| key_line(text, key, Some(i)).or_else(|| step_line(text, i));
    if proc.id.is_empty()
        || proc.id.starts_with('-')
        || proc.id.ends_with('-')
        || !proc.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(err(top("id"), "id", "must be lowercase letters, digits and '-'".into()));
    }
    if let Some(stem) = file.file_stem().and_then(|s| s.to_str())
        && stem != proc.id
    {
        return Err(err(top("id"), "id", format!("must match the file name ({stem}.toml)")));
    }
    for (field, value) in [("title", &proc.title), ("summary", &proc.summary), ("organisation", &proc.organisation)] {
        if value.trim().is_empty() {
            return Err(err(top(field), field, "must not be empty".into()));
        }
    }
    if proc.steps.len() < 2 {
        return Err(err(step_line(text, 0), "steps", "a procedure needs at least two steps".into()));
    }
    let last = proc.steps.len() - 1;
    for (i, step) in proc.steps.iter().enumerate() {
        let field = |name: &str| format!("steps[{i}].{name}");
        if step.title.trim().is_empty() {
            return Err(err(in_step(i, "title"), &field("title"), "must not be empty".into()));
        }
        match step.kind {
            StepKind::Done if i != last => {
                return Err(err(in_step(i, "kind"), &field("kind"), "only the last step may be \"done\"".into()));
            }
            StepKind::Checklist if step.items.is_empty() || step.items.iter().any(|t| t.trim().is_empty()) => {
                return Err(err(in_step(i, "items"), &field("items"), "a checklist needs items, none empty".into()));
            }
            StepKind::OfficialSite => match &step.url {
                None => return Err(err(in_step(i, "url"), &field("url"), "an official_site step needs a url".into())),
                Some(url) => check_url(url.get_ref()).map_err(|m| err(in_step(i, "url"), &field("url"), m))?,
            },
            StepKind::Info | StepKind::Done if step.text.trim().is_empty() => {
                return Err(err(in_step(i, "text"), &field("text"), "must not be empty".into()));
            }
            _ => {}
        }
        if step.url.is_some() && step.kind != StepKind::OfficialSite {
            return Err(err(in_step(i, "url"), &field("url"), "only official_site steps have a url".into()));
        }
    }
    if proc.steps[last].kind != StepKind::Done {
        return Err(err(
            in_step(last, "kind"),
            &format!("steps[{last}].kind"),
            "the last step must be \"done\"".into(),
        ));
    }
    Ok(proc)
}

/// An address is accepted only over https and on an official domain (or a subdomain).
pub fn check_url(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("https://").ok_or_else(|| format!("{url} is not an https address"))?;
    // Characters a browser reads differently from a person (`\` as `/`, `@` before a
    // host) or that cannot be typed from the screen: refused outright.
    if rest.chars().any(|c| c.is_whitespace() || c == '\\' || c == '@' || !c.is_ascii()) {
        return Err(format!("{url} holds characters an address on screen must not have"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    if !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        return Err(format!("{host} is not a plain host name"));
    }
    let official = OFFICIAL_DOMAINS.iter().any(|d| host == *d || host.ends_with(&format!(".{d}")));
    if official { Ok(()) } else { Err(format!("{host} is not on the list of official domains")) }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The 1-based line of the i-th `[[steps]]` header (comments do not count).
fn step_line(text: &str, index: usize) -> Option<usize> {
    text.lines().enumerate().filter(|(_, l)| l.trim() == "[[steps]]").nth(index).map(|(n, _)| n + 1)
}

/// The 1-based line where `key = …` is set: at the top of the file (`step` None) or in
/// the given step's table.
fn key_line(text: &str, key: &str, step: Option<usize>) -> Option<usize> {
    let (from, to) = match step {
        None => (1, step_line(text, 0).unwrap_or(usize::MAX)),
        Some(i) => (step_line(text, i)?, step_line(text, i + 1).unwrap_or(usize::MAX)),
    };
    text.lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l))
        .filter(|(n, _)| *n >= from && *n < to)
        .find(|(_, l)| key_on(l) == Some(key))
        .map(|(n, _)| n)
}

fn key_on_line(text: &str, line: usize) -> Option<String> {
    text.lines().nth(line.checked_sub(1)?).and_then(key_on).map(str::to_owned)
}

/// The key a TOML line sets, if it sets one.
fn key_on(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')).then_some(key)
}

/// Pulls the field name out of serde's messages ("missing field `title`").
fn field_in(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "demo"
organisation = "CAF"
title = "Un titre"
summary = "Un résumé."

[[steps]]
kind = "official_site"
title = "Allez sur le site"
url = "https://www.caf.fr"

[[steps]]
kind = "done"
title = "C'est fait"
text = "Bravo."
"#;

    fn parse_demo(text: &str) -> Result<Procedure, ContentError> {
        parse(text, Path::new("content/procedures/demo.toml"))
    }

    fn refused(text: &str) -> ContentError {
        parse_demo(text).expect_err("should be refused")
    }

    #[test]
    fn good_file_loads() {
        let p = parse_demo(GOOD).unwrap();
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.strings().count(), 6);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = refused(&GOOD.replace("https://www.caf.fr", "http://www.caf.fr"));
        assert_eq!((e.line, e.field.as_str()), (10, "steps[0].url"));
        assert!(e.to_string().starts_with("content/procedures/demo.toml:10: steps[0].url: "), "{e}");

        let e = refused(&GOOD.replace("kind = \"done\"", "kind = \"finished\""));
        assert_eq!((e.line, e.field.as_str()), (13, "kind"), "{e}");

        let e = refused(&GOOD.replace("title = \"Un titre\"\n", ""));
        assert_eq!(e.field, "title", "{e}");

        let e = refused(&GOOD.replace("summary = \"Un résumé.\"", "summary = \"  \""));
        assert_eq!((e.line, e.field.as_str()), (5, "summary"));
    }

    #[test]
    fn structure_rules() {
        // The last step must be done, and only the last.
        let e = refused(&GOOD.replace("kind = \"official_site\"", "kind = \"done\"\ntext = \"x\""));
        assert_eq!(e.field, "steps[0].kind");
        let e = refused(&GOOD.replace("kind = \"done\"", "kind = \"info\""));
        assert_eq!(e.field, "steps[1].kind");
        // The id is the file's name.
        let e = parse(GOOD, Path::new("other.toml")).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "id"));
        assert_eq!(refused(&GOOD.replace("\"demo\"", "\"-demo\"")).field, "id");
        // A url only where it belongs; unknown keys refused.
        let e = refused(&GOOD.replace("text = \"Bravo.\"", "text = \"Bravo.\"\nurl = \"https://caf.fr\""));
        assert_eq!(e.field, "steps[1].url");
        assert_eq!(refused(&GOOD.replace("summary", "sumary")).field, "sumary");
    }

    #[test]
    fn only_official_https_addresses() {
        assert!(check_url("https://www.caf.fr/allocataires").is_ok());
        assert!(check_url("https://assure.ameli.fr").is_ok());
        assert!(check_url("https://impots.gouv.fr").is_ok());
        for bad in [
            "http://www.caf.fr",
            "https://caf.fr.evil.example",
            "https://evilcaf.fr",
            "https://evil.example\\.ameli.fr",
            "https://user@ameli.fr",
            "https://ameli.fr:8443/x",
            "https://améli.fr",
            " https://caf.fr",
        ] {
            assert!(check_url(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn a_bad_file_does_not_stop_the_others() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("demo.toml"), GOOD).unwrap();
        std::fs::write(dir.path().join("broken.toml"), "id = \"broken\"\ntitle = ").unwrap();
        std::fs::write(dir.path().join("twin.toml"), GOOD.replace("\"demo\"", "\"twin\"")).unwrap();
        let (good, bad) = load_dir(dir.path());
        assert_eq!(good.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["demo", "twin"]);
        assert_eq!(bad.len(), 1);
        assert!(bad[0].file.ends_with("broken.toml"));
        assert_eq!(bad[0].line, 2);
    }
}
