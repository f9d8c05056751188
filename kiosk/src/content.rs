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
                Ok(p) => good.push(p),
                Err(e) => bad.push(e),
            },
            Err(e) => bad.push(ContentError { file, line: 0, field: "-".into(), message: e.to_string() }),
        }
    }
    (good, bad)
}

/// Parses and validates one procedure file.
pub fn parse(text: &str, file: &Path) -> Result<Procedure, ContentError> {
    let err = |span: Option<std::ops::Range<usize>>, field: &str, message: String| ContentError {
        file: file.to_owned(),
        line: span.map_or(0, |s| line_of(text, s.start)),
        field: field.to_owned(),
        message,
    };
    let proc: Procedure = toml::from_str(text).map_err(|e: toml::de::Error| {
        let message = e.message().to_owned();
        let field = field_in(&message).unwrap_or_else(|| "-".into());
        err(e.span(), &field, message)
    })?;
    let first_line = |needle: &str| text.find(needle).map(|i| i..i);
    if proc.id.is_empty() || !proc.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(err(first_line("id"), "id", "must be lowercase letters, digits and '-'".into()));
    }
    for (field, value) in [("title", &proc.title), ("summary", &proc.summary), ("organisation", &proc.organisation)] {
        if value.trim().is_empty() {
            return Err(err(first_line(field), field, "must not be empty".into()));
        }
    }
    if proc.steps.len() < 2 {
        return Err(err(first_line("[[steps]]"), "steps", "a procedure needs at least two steps".into()));
    }
    if proc.steps.last().map(|s| s.kind) != Some(StepKind::Done) {
        return Err(err(None, "steps", "the last step must be of kind \"done\"".into()));
    }
    for (i, step) in proc.steps.iter().enumerate() {
        let at = step_span(text, i);
        let field = |name: &str| format!("steps[{i}].{name}");
        if step.title.trim().is_empty() {
            return Err(err(at.clone(), &field("title"), "must not be empty".into()));
        }
        match step.kind {
            StepKind::Checklist if step.items.is_empty() => {
                return Err(err(at, &field("items"), "a checklist needs at least one item".into()));
            }
            StepKind::OfficialSite => match &step.url {
                None => return Err(err(at, &field("url"), "an official_site step needs a url".into())),
                Some(url) => check_url(url.get_ref()).map_err(|m| err(Some(url.span()), &field("url"), m))?,
            },
            StepKind::Info | StepKind::Done if step.text.trim().is_empty() => {
                return Err(err(at, &field("text"), "must not be empty".into()));
            }
            _ => {}
        }
        if step.url.is_some() && step.kind != StepKind::OfficialSite {
            return Err(err(at, &field("url"), "only official_site steps have a url".into()));
        }
    }
    Ok(proc)
}

/// An address is accepted only over https and on an official domain (or a subdomain).
pub fn check_url(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("https://").ok_or_else(|| format!("{url} is not an https address"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    let official = OFFICIAL_DOMAINS.iter().any(|d| host == *d || host.ends_with(&format!(".{d}")));
    if official { Ok(()) } else { Err(format!("{host} is not on the list of official domains")) }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Where the i-th `[[steps]]` table starts, for error lines.
fn step_span(text: &str, index: usize) -> Option<std::ops::Range<usize>> {
    text.match_indices("[[steps]]").nth(index).map(|(i, _)| i..i)
}

/// Pulls the field name out of serde's messages ("missing field `title`").
fn field_in(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}
