//! Procedures: one TOML file each under `content/procedures/`, validated at load.
//!
//! A bad file is refused with its file name, line and field, and the others still load:
//! one typo in one procedure must not take the whole kiosk out of service.
//!
//! A crate of its own because three programs read content: the kiosk shows it, the fleet
//! checks a bundle before signing it, and the agent checks one before installing it.

mod pages;
mod paths;

pub use pages::{Page, check_pattern, matches as page_matches};

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
    /// Shown before the others on the home screen: the kiosk's own services (photocopy,
    /// scanning), which people come for without any procedure.
    #[serde(default)]
    pub first: bool,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub kind: StepKind,
    /// Names the step, for `goto` and `next`.
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// Checklist items (papers to bring).
    #[serde(default)]
    pub items: Vec<String>,
    /// The official address, for `official_site` steps.
    #[serde(default)]
    pub url: Option<Spanned<String>>,
    /// The step after this one, when it is not the following one.
    #[serde(default)]
    pub next: Option<String>,
    /// The answers of a `question` step.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// What a `scan` step scans: `document` (the default), `photo` or `id_card`.
    #[serde(default)]
    pub preset: Option<guichet_protocol::ScanPreset>,
    /// The pages of the site an `official_site` step knows, in the order they are tried.
    #[serde(default)]
    pub pages: Vec<Page>,
}

/// One answer to a question: a big button leading to a step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub label: String,
    pub goto: String,
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
    /// One question with two to four big answers, each leading to its own step.
    Question,
    /// The end: what was done and what comes next.
    Done,
    /// Scan a document: the text says which and how; as many pages as needed.
    Scan,
    /// A part to do with a mediator beside you: the text says why, a big button calls one.
    Mediator,
    /// Print the pages scanned in this visit (a photocopy).
    Print,
}

impl Step {
    /// Every French string of the step a person sees or hears, for translation checks.
    pub fn strings(&self) -> impl Iterator<Item = &str> {
        [self.title.as_str(), self.text.as_str()]
            .into_iter()
            .chain(self.items.iter().map(String::as_str))
            .chain(self.choices.iter().map(|c| c.label.as_str()))
            .chain(self.pages.iter().map(|p| p.text.as_str()))
            .filter(|s| !s.is_empty())
    }

    /// The first of the step's pages whose pattern `url` matches.
    pub fn page_at(&self, url: &str) -> Option<usize> {
        self.pages.iter().position(|p| page_matches(&p.url, url))
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
            // The id is the file's name, so two procedures can never share one.
            Ok(text) => match parse(&text, &file) {
                Ok(p) => good.push(p),
                Err(e) => bad.push(e),
            },
            Err(e) => bad.push(ContentError { file, line: 0, field: "-".into(), message: e.to_string() }),
        }
    }
    // Stable: files keep their name order within each group.
    good.sort_by_key(|p: &Procedure| !p.first);
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
        // serde's message names it for a missing one, which is reported at the table's start.
        let missing = e.message().contains("missing field");
        let on_line = || line.and_then(|l| key_on_line(text, l));
        let field =
            if missing { field_in(e.message()).or_else(on_line) } else { on_line().or_else(|| field_in(e.message())) }
                .unwrap_or_else(|| "-".into());
        err(line, &field, e.message().trim().to_owned())
    })?;
    let top = |key: &str| key_line(text, key, None);
    let in_step = |i: usize, key: &str| key_line(text, key, Some(i)).or_else(|| step_line(text, i));
    if !valid_id(&proc.id) {
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
    let mut ids = std::collections::HashSet::new();
    for (i, step) in proc.steps.iter().enumerate() {
        if let Some(id) = &step.id
            && (!valid_id(id) || !ids.insert(id.as_str()))
        {
            let message = format!("{id} is not a valid step id, or another step has it");
            return Err(err(in_step(i, "id"), &format!("steps[{i}].id"), message));
        }
    }
    let known = |id: &str| proc.step_index(id).is_some();
    for (i, step) in proc.steps.iter().enumerate() {
        let field = |name: &str| format!("steps[{i}].{name}");
        if step.title.trim().is_empty() {
            return Err(err(in_step(i, "title"), &field("title"), "must not be empty".into()));
        }
        if let Some(next) = &step.next {
            if matches!(step.kind, StepKind::Done | StepKind::Question) {
                return Err(err(in_step(i, "next"), &field("next"), "done and question steps have no next".into()));
            }
            if !known(next) {
                return Err(err(in_step(i, "next"), &field("next"), format!("no step has the id {next}")));
            }
        }
        if step.kind != StepKind::Question && !step.choices.is_empty() {
            return Err(err(in_step(i, "choices"), &field("choices"), "only question steps have choices".into()));
        }
        match step.kind {
            StepKind::Question => {
                if !(2..=4).contains(&step.choices.len()) {
                    let message = "a question needs two to four choices".to_owned();
                    return Err(err(in_step(i, "kind"), &field("choices"), message));
                }
                for (k, choice) in step.choices.iter().enumerate() {
                    let name = format!("steps[{i}].choices[{k}]");
                    let line = sub_table_line(text, i, "[[steps.choices]]", k);
                    if choice.label.trim().is_empty() {
                        return Err(err(line, &format!("{name}.label"), "must not be empty".into()));
                    }
                    if !known(&choice.goto) {
                        let message = format!("no step has the id {}", choice.goto);
                        return Err(err(line, &format!("{name}.goto"), message));
                    }
                }
            }
            StepKind::Checklist if step.items.is_empty() || step.items.iter().any(|t| t.trim().is_empty()) => {
                return Err(err(in_step(i, "items"), &field("items"), "a checklist needs items, none empty".into()));
            }
            StepKind::OfficialSite => match &step.url {
                None => return Err(err(in_step(i, "url"), &field("url"), "an official_site step needs a url".into())),
                Some(url) => check_url(url.get_ref()).map_err(|m| err(in_step(i, "url"), &field("url"), m))?,
            },
            StepKind::Info | StepKind::Done | StepKind::Scan | StepKind::Mediator | StepKind::Print
                if step.text.trim().is_empty() =>
            {
                return Err(err(in_step(i, "text"), &field("text"), "must not be empty".into()));
            }
            _ => {}
        }
        if step.url.is_some() && step.kind != StepKind::OfficialSite {
            return Err(err(in_step(i, "url"), &field("url"), "only official_site steps have a url".into()));
        }
        check_pages(step).map_err(|(k, name, m)| {
            err(sub_table_line(text, i, "[[steps.pages]]", k), &format!("steps[{i}].pages[{k}].{name}"), m)
        })?;
        if step.preset.is_some() && step.kind != StepKind::Scan {
            return Err(err(in_step(i, "preset"), &field("preset"), "only scan steps have a preset".into()));
        }
    }
    if proc.steps[last].kind != StepKind::Done {
        return Err(err(
            in_step(last, "kind"),
            &format!("steps[{last}].kind"),
            "the last step must be \"done\"".into(),
        ));
    }
    // Every step must be reachable: an unreachable one is a typo in a goto or a next.
    let mut reached = vec![false; proc.steps.len()];
    let mut todo = vec![0];
    while let Some(i) = todo.pop() {
        if !std::mem::replace(&mut reached[i], true) {
            todo.extend(proc.successors(i));
        }
    }
    if let Some(i) = reached.iter().position(|r| !r) {
        return Err(err(step_line(text, i), &format!("steps[{i}]"), "no step leads here".into()));
    }
    // And from every step a way must lead to an end: a loop must not trap the person.
    if let Some(i) = (0..proc.steps.len()).find(|&i| proc.steps_to_end(i).is_none()) {
        return Err(err(step_line(text, i), &format!("steps[{i}]"), "no way leads from here to a done step".into()));
    }
    Ok(proc)
}

/// A step's pages: only on `official_site` steps, each a valid pattern named once, each
/// with something to say. The error names the page, its field and what is wrong.
fn check_pages(step: &Step) -> Result<(), (usize, &'static str, String)> {
    let mut seen = std::collections::HashSet::new();
    for (k, page) in step.pages.iter().enumerate() {
        if step.kind != StepKind::OfficialSite {
            return Err((k, "url", "only official_site steps have pages".into()));
        }
        check_pattern(&page.url).map_err(|m| (k, "url", m))?;
        if !seen.insert(page.url.as_str()) {
            return Err((k, "url", format!("{} is named twice in this step", page.url)));
        }
        if page.text.trim().is_empty() {
            return Err((k, "text", "must not be empty".into()));
        }
    }
    Ok(())
}

/// Lowercase letters, digits and '-', not at either end.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
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

/// The 1-based line of the k-th `header` (`[[steps.choices]]`, `[[steps.pages]]`) of step `i`.
fn sub_table_line(text: &str, i: usize, header: &str, k: usize) -> Option<usize> {
    let from = step_line(text, i)?;
    let to = step_line(text, i + 1).unwrap_or(usize::MAX);
    (text.lines().enumerate().map(|(n, l)| (n + 1, l)))
        .filter(|(n, l)| *n > from && *n < to && l.trim() == header)
        .nth(k)
        .map(|(n, _)| n)
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
mod tests;

/// Whether `text` is a translation file the kiosk can read (gettext `.po`).
pub fn check_catalog(text: &str) -> Result<(), String> {
    polib::po_file::parse_from_reader(text.as_bytes()).map(|_| ()).map_err(|e| e.to_string())
}
