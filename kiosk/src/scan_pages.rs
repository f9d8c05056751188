//! Scanning pages, as the person does it: they put a page on the glass (or a pile in the
//! feeder) and touch "scan"; the agent scans into the session folder, announcing each page
//! as it lands; the kiosk shows every page of the visit small, each with "redo", and says
//! how many there are. The step's preset says what is scanned (a document, a photo, the two
//! sides of an identity card) and which picture shows where to put it. When the scanner
//! cannot, the person hears why in plain words, and what to do instead.
//!
//! A sub-state of the controller: it is told the step's preset and the session folder,
//! and knows nothing else of the controller.

use std::path::{Path, PathBuf};

use guichet_protocol::{AgentMessage, ErrorCode, ScanPreset, ScannedPage};

use crate::commands::Command;
use crate::phrases::join;
use crate::texts as t;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScanState {
    #[default]
    Idle,
    Scanning,
    /// The session holds this many scanned pages.
    Scanned(u32),
    /// This page was scanned again.
    Redone(u32),
    /// The scanner could not: what to tell the person.
    Problem(&'static str),
}

/// Where the picture says the paper goes, before any page is scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// Pages are there: the picture gives way to them.
    #[default]
    None,
    Paper,
    Card,
}

/// The visit's scanned pages and how the current scan goes.
#[derive(Debug, Clone, Default)]
pub struct Scans {
    state: ScanState,
    /// Every page of the visit, in order, as the agent named them.
    pages: Vec<ScannedPage>,
    /// The page being scanned again, if that is what is going on.
    redo: Option<u32>,
    /// Pages landed during the current scan (the feeder sends several).
    landed: u32,
}

/// What the scan step shows: the button, how it went, the picture of where to put the
/// paper with its sentence, and the pages, small.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanLines {
    pub button: String,
    pub status: String,
    pub placement: Placement,
    pub placement_text: String,
    pub pages: Vec<(PathBuf, String)>,
}

/// The sentence for a scanner's problem, from the agent's code and detail.
fn problem_text(code: ErrorCode, detail: Option<&str>) -> &'static str {
    match (code, detail) {
        (ErrorCode::ScannerProblem, Some("jammed")) => t::SCANNER_JAMMED,
        (ErrorCode::ScannerProblem, Some("cover_open")) => t::SCANNER_COVER_OPEN,
        (ErrorCode::ScannerProblem, Some("no_docs")) => t::SCANNER_NO_PAPER,
        (ErrorCode::PageLimit, _) => t::SCAN_LIMIT,
        (ErrorCode::SessionFull, _) => t::SESSION_FULL,
        _ => t::SCANNER_MISSING,
    }
}

impl Scans {
    pub fn state(&self) -> ScanState {
        self.state
    }

    pub fn pages(&self) -> &[ScannedPage] {
        &self.pages
    }

    pub fn count(&self) -> usize {
        self.pages.len()
    }

    pub fn scanning(&self) -> bool {
        self.state == ScanState::Scanning
    }

    /// "Scan" (`redo` `None`: new pages after those there), or "redo" under the
    /// `redo`-th page shown.
    pub fn start(&mut self, preset: ScanPreset, redo: Option<usize>) -> Vec<Command> {
        if self.scanning() {
            return vec![];
        }
        let redo = match redo {
            Some(i) => match self.pages.get(i) {
                Some(p) => Some(p.number),
                None => return vec![],
            },
            None => None,
        };
        self.state = ScanState::Scanning;
        self.redo = redo;
        self.landed = 0;
        vec![Command::Scan { preset, redo }]
    }

    /// Leaving the step: what it said belongs to it (the pages stay in the session).
    pub fn leave_step(&mut self) {
        if !self.scanning() {
            self.state = ScanState::Idle;
        }
    }

    /// A page landed or was replaced: kept in number order.
    fn put(&mut self, page: ScannedPage) {
        match self.pages.iter_mut().find(|p| p.number == page.number) {
            Some(same) => *same = page,
            None => {
                self.pages.push(page);
                self.pages.sort_by_key(|p| p.number);
            }
        }
    }

    /// Takes the agent's messages about scanning; `false` for any other message.
    pub fn on_message(&mut self, msg: &AgentMessage) -> bool {
        if !self.scanning() {
            // A page that lands after the person left the step is still theirs.
            if let AgentMessage::ScanPage { page, .. } = msg {
                self.put(page.clone());
                return true;
            }
            return false;
        }
        match msg {
            AgentMessage::ScanPage { page, .. } => {
                self.landed += 1;
                self.put(page.clone());
            }
            AgentMessage::Scanned { pages, added, .. } => {
                added.iter().for_each(|p| self.put(p.clone()));
                self.state = match self.redo {
                    Some(n) => ScanState::Redone(n),
                    None => ScanState::Scanned(*pages),
                };
            }
            AgentMessage::Error { code, detail, .. } => {
                self.state = ScanState::Problem(problem_text(*code, detail.as_deref()));
            }
            _ => return false,
        }
        true
    }

    /// What the scan step shows, for a step scanning `preset`, the pages' previews found
    /// under the session's `folder`.
    pub fn lines(&self, preset: ScanPreset, folder: &Path, tr: &dyn Fn(&str) -> String) -> ScanLines {
        let card = preset == ScanPreset::IdCard;
        let n = |text: &str, n: u32| tr(text).replace("{n}", &n.to_string());
        let status = match self.state {
            ScanState::Idle => String::new(),
            ScanState::Scanning if self.landed > 0 => n(t::SCAN_LANDING, self.landed),
            ScanState::Scanning => tr(t::WAIT),
            // One side of a card: the other is next.
            ScanState::Scanned(count) if card && count % 2 == 1 => {
                join([n(t::SCAN_DONE, count), tr(t::SCAN_TURN_CARD)])
            }
            ScanState::Scanned(count) => n(t::SCAN_DONE, count),
            ScanState::Redone(page) => n(t::SCAN_REDONE, page),
            ScanState::Problem(text) => join([tr(text), tr(t::SCANNER_INSTEAD)]),
        };
        let (placement, placement_text) = match (self.pages.is_empty(), card) {
            (false, _) => (Placement::None, String::new()),
            (true, true) => (Placement::Card, tr(t::SCAN_PLACE_CARD)),
            (true, false) => (Placement::Paper, tr(t::SCAN_PLACE_PAPER)),
        };
        ScanLines {
            button: tr(t::SCAN_BUTTON),
            status,
            placement,
            placement_text,
            pages: self.pages.iter().map(|p| (folder.join(&p.thumb), n(t::SCAN_PAGE_N, p.number))).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(s: &str) -> String {
        s.to_owned()
    }

    fn page(n: u32) -> ScannedPage {
        ScannedPage { number: n, file: format!("scans/page-{n}.jpg"), thumb: format!("scans/page-{n}.thumb.jpg") }
    }

    #[test]
    fn a_card_is_scanned_side_by_side_and_redone() {
        let mut s = Scans::default();
        let folder = Path::new("/tmp/s");
        let lines = s.lines(ScanPreset::IdCard, folder, &same);
        assert_eq!((lines.placement, lines.placement_text.as_str()), (Placement::Card, t::SCAN_PLACE_CARD));
        assert_eq!(s.start(ScanPreset::IdCard, None), vec![Command::Scan { preset: ScanPreset::IdCard, redo: None }]);
        assert_eq!(s.start(ScanPreset::IdCard, None), vec![], "one scan at a time");
        s.on_message(&AgentMessage::ScanPage { id: 2, page: page(1) });
        assert_eq!(s.lines(ScanPreset::IdCard, folder, &same).status, t::SCAN_LANDING.replace("{n}", "1"));
        s.on_message(&AgentMessage::Scanned { id: 2, file: "scans/page-1.jpg".into(), pages: 1, added: vec![page(1)] });
        let lines = s.lines(ScanPreset::IdCard, folder, &same);
        assert!(lines.status.ends_with(t::SCAN_TURN_CARD), "one side done: turn the card");
        assert_eq!(lines.placement, Placement::None);
        assert_eq!(lines.pages, [(PathBuf::from("/tmp/s/scans/page-1.thumb.jpg"), "Page 1".to_owned())]);
        assert_eq!(
            s.start(ScanPreset::IdCard, Some(0)),
            vec![Command::Scan { preset: ScanPreset::IdCard, redo: Some(1) }]
        );
        s.on_message(&AgentMessage::Scanned { id: 3, file: "scans/page-1.jpg".into(), pages: 1, added: vec![page(1)] });
        assert_eq!(s.state(), ScanState::Redone(1));
        assert_eq!(s.count(), 1, "a redone page replaces the old one");
        assert_eq!(s.start(ScanPreset::IdCard, Some(5)), vec![], "no such page to redo");
    }

    #[test]
    fn each_scanner_problem_has_its_sentence_and_pages_still_land() {
        let mut s = Scans::default();
        for (code, detail, text) in [
            (ErrorCode::ScannerProblem, Some("jammed"), t::SCANNER_JAMMED),
            (ErrorCode::ScannerProblem, Some("cover_open"), t::SCANNER_COVER_OPEN),
            (ErrorCode::ScannerProblem, Some("no_docs"), t::SCANNER_NO_PAPER),
            (ErrorCode::PageLimit, None, t::SCAN_LIMIT),
            (ErrorCode::SessionFull, None, t::SESSION_FULL),
            (ErrorCode::ScannerMissing, None, t::SCANNER_MISSING),
        ] {
            s.start(ScanPreset::Document, None);
            let error =
                AgentMessage::Error { id: Some(1), code, message: String::new(), detail: detail.map(Into::into) };
            s.on_message(&error);
            assert_eq!(s.state(), ScanState::Problem(text));
            assert!(s.lines(ScanPreset::Document, Path::new("/"), &same).status.starts_with(text));
        }
        s.leave_step();
        assert_eq!(s.state(), ScanState::Idle, "what a step said stays with it");
        assert!(s.on_message(&AgentMessage::ScanPage { id: 9, page: page(4) }), "a late page is still theirs");
        assert_eq!(s.count(), 1);
    }
}
