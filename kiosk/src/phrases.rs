//! Small helpers for what is shown and said: sentences joined for speech, the
//! reception's phone and hours as lines. Used by every part that builds text.

use guichet_protocol::{SiteInfo, Weekday};

use crate::texts as t;

/// The reception's phone and opening hours, one line each, with translated day names.
pub fn site_lines(site: &SiteInfo, tr: &dyn Fn(&str) -> String) -> Vec<String> {
    let day = |d: Weekday| {
        tr(match d {
            Weekday::Mon => t::MONDAY,
            Weekday::Tue => t::TUESDAY,
            Weekday::Wed => t::WEDNESDAY,
            Weekday::Thu => t::THURSDAY,
            Weekday::Fri => t::FRIDAY,
            Weekday::Sat => t::SATURDAY,
            Weekday::Sun => t::SUNDAY,
        })
    };
    let mut lines = Vec::new();
    if !site.phone.is_empty() {
        // Isolated left to right: in an Arabic line, "01 23 45" would otherwise be laid
        // out as "45 23 01".
        lines.push(format!("{} \u{2066}{}\u{2069}", tr(t::SITE_PHONE), site.phone));
    }
    if !site.hours.is_empty() {
        lines.push(tr(t::SITE_HOURS));
    }
    for h in &site.hours {
        let days = if h.first == h.last { day(h.first) } else { format!("{} – {}", day(h.first), day(h.last)) };
        lines.push(format!("{days}, {} – {}", h.open, h.close));
    }
    lines
}

/// Joins spoken parts into sentences, skipping empty ones.
pub fn join<I: IntoIterator<Item = String>>(parts: I) -> String {
    let parts: Vec<String> = parts.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
    let mut out = String::new();
    for p in parts {
        if !out.is_empty() {
            out.push(if out.ends_with(['.', '?', '!', ':', '؟']) { ' ' } else { '.' });
            if !out.ends_with(' ') {
                out.push(' ');
            }
        }
        out.push_str(&p);
    }
    out
}
