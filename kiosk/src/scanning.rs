//! Scan steps: the person puts a page on the glass (or a pile in the feeder) and touches
//! "scan"; the agent scans into the session folder, announcing each page as it lands; the
//! kiosk shows every page of the visit small, each with "redo", and says how many there
//! are. The step's preset says what is scanned (a document, a photo, the two sides of an
//! identity card) and which picture shows where to put it. When the scanner cannot, the
//! person hears why in plain words, and what to do instead.

use std::path::PathBuf;

use guichet_protocol::{AgentMessage, ErrorCode, ScanPreset, ScannedPage};

use crate::content::StepKind;
use crate::controller::Controller;
use crate::link::Command;
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

/// The visit's scanned pages and how the current scan goes.
#[derive(Debug, Clone, Default)]
pub struct Scans {
    pub state: ScanState,
    /// Every page of the visit, in order, as the agent named them.
    pub pages: Vec<ScannedPage>,
    /// The page being scanned again, if that is what is going on.
    redo: Option<u32>,
    /// Pages landed during the current scan (the feeder sends several).
    landed: u32,
}

impl Scans {
    pub fn count(&self) -> u32 {
        self.pages.len() as u32
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
}

/// What the scan step shows: the button, how it went, the picture of where to put the
/// paper (`paper`, `card`, or none once pages are there) with its sentence, and the pages,
/// small.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanLines {
    pub button: String,
    pub status: String,
    pub placement: &'static str,
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

impl Controller {
    pub fn scan_state(&self) -> ScanState {
        self.scans.state
    }

    pub fn scanned_pages(&self) -> &[ScannedPage] {
        &self.scans.pages
    }

    /// The big button of the step on screen: scan a page, call a mediator, or print.
    pub fn step_action(&mut self) -> Vec<Command> {
        match self.step_kind_on_screen() {
            Some(StepKind::Scan) => self.scan_page(),
            Some(StepKind::Mediator) => self.call_mediator(),
            Some(StepKind::Print) => self.print_scans(),
            _ => self.print_summary(),
        }
    }

    fn preset_on_screen(&self) -> ScanPreset {
        self.procedures[self.procedure].steps[self.step].preset.unwrap_or_default()
    }

    fn can_scan(&self) -> bool {
        self.step_kind_on_screen() == Some(StepKind::Scan) && self.scans.state != ScanState::Scanning && !self.busy
    }

    /// "Scan": new pages, after those already there.
    pub fn scan_page(&mut self) -> Vec<Command> {
        self.start_scan(None)
    }

    /// "Redo" under the `i`-th page shown.
    pub fn redo_page(&mut self, i: usize) -> Vec<Command> {
        let Some(number) = self.scans.pages.get(i).map(|p| p.number) else { return vec![] };
        self.start_scan(Some(number))
    }

    fn start_scan(&mut self, redo: Option<u32>) -> Vec<Command> {
        if !self.can_scan() {
            return vec![];
        }
        self.scans.state = ScanState::Scanning;
        self.scans.redo = redo;
        self.scans.landed = 0;
        vec![Command::Scan { preset: self.preset_on_screen(), redo }]
    }

    /// Takes the agent's messages about scanning; `false` for any other message.
    pub(crate) fn on_scan_message(&mut self, msg: &AgentMessage) -> bool {
        if self.scans.state != ScanState::Scanning {
            // A page that lands after the person left the step is still theirs.
            if let AgentMessage::ScanPage { page, .. } = msg {
                self.scans.put(page.clone());
                return true;
            }
            return false;
        }
        match msg {
            AgentMessage::ScanPage { page, .. } => {
                self.scans.landed += 1;
                self.scans.put(page.clone());
            }
            AgentMessage::Scanned { pages, added, .. } => {
                added.iter().for_each(|p| self.scans.put(p.clone()));
                self.scans.state = match self.scans.redo {
                    Some(n) => ScanState::Redone(n),
                    None => ScanState::Scanned(*pages),
                };
            }
            AgentMessage::Error { code, detail, .. } => {
                self.scans.state = ScanState::Problem(problem_text(*code, detail.as_deref()));
            }
            _ => return false,
        }
        true
    }

    /// What the scan step shows.
    pub(crate) fn scan_lines(&self, tr: &dyn Fn(&str) -> String) -> ScanLines {
        if self.step_kind_on_screen() != Some(StepKind::Scan) {
            return ScanLines::default();
        }
        let card = self.preset_on_screen() == ScanPreset::IdCard;
        let n = |text: &str, n: u32| tr(text).replace("{n}", &n.to_string());
        let status = match self.scans.state {
            ScanState::Idle => String::new(),
            ScanState::Scanning if self.scans.landed > 0 => n(t::SCAN_LANDING, self.scans.landed),
            ScanState::Scanning => tr(t::WAIT),
            // One side of a card: the other is next.
            ScanState::Scanned(count) if card && count % 2 == 1 => {
                crate::view::join([n(t::SCAN_DONE, count), tr(t::SCAN_TURN_CARD)])
            }
            ScanState::Scanned(count) => n(t::SCAN_DONE, count),
            ScanState::Redone(page) => n(t::SCAN_REDONE, page),
            ScanState::Problem(text) => crate::view::join([tr(text), tr(t::SCANNER_INSTEAD)]),
        };
        let folder = self.session_folder.clone().unwrap_or_default();
        let (placement, placement_text) = match (self.scans.pages.is_empty(), card) {
            (false, _) => ("", String::new()),
            (true, true) => ("card", tr(t::SCAN_PLACE_CARD)),
            (true, false) => ("paper", tr(t::SCAN_PLACE_PAPER)),
        };
        ScanLines {
            button: tr(t::SCAN_BUTTON),
            status,
            placement,
            placement_text,
            pages: self.scans.pages.iter().map(|p| (folder.join(&p.thumb), n(t::SCAN_PAGE_N, p.number))).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalog;
    use crate::link::LinkEvent;

    const PROCEDURE: &str = r#"
id = "t"
organisation = "Test"
title = "Test"
summary = "Test"

[[steps]]
kind = "mediator"
title = "Demandez à un conseiller"
text = "Pour cette partie, un conseiller s'assoit à côté de vous."

[[steps]]
kind = "scan"
title = "Scannez la page"
text = "Posez la page sur la vitre."

[[steps]]
kind = "done"
title = "Fini"
text = "Fini."
"#;

    fn in_procedure() -> Controller {
        let p = crate::content::parse(PROCEDURE, std::path::Path::new("t.toml")).unwrap();
        let mut c = Controller::new(vec![p], vec![Catalog::source()]);
        c.on_event(LinkEvent::Connected);
        c.touch_attract();
        let started = guichet_protocol::AgentMessage::SessionStarted {
            id: 1,
            session: guichet_protocol::SessionId("s".into()),
            folder: "/tmp/s".into(),
        };
        c.on_event(LinkEvent::Agent(started));
        c.choose_language("fr");
        c.open_procedure(0);
        c
    }

    #[test]
    fn each_step_kind_has_its_own_big_button() {
        let mut c = in_procedure();
        assert_eq!(c.view().action, t::HELP_BUTTON);
        assert_eq!(c.step_action(), vec![Command::CallMediator], "a mediator step calls one");
        c.dismiss_help();
        c.next_step();
        assert_eq!(c.view().action, t::SCAN_BUTTON);
        assert_eq!(c.step_action(), vec![Command::Scan { preset: ScanPreset::Document, redo: None }]);
        assert_eq!(c.step_action(), vec![], "one scan at a time");
        let refused = guichet_protocol::AgentMessage::Error {
            id: Some(2),
            code: ErrorCode::ScannerMissing,
            message: String::new(),
            detail: None,
        };
        c.on_event(LinkEvent::Agent(refused));
        assert_eq!(c.scan_state(), ScanState::Problem(t::SCANNER_MISSING));
        assert!(c.view().spoken.starts_with(t::SCANNER_MISSING));
        c.next_step();
        assert_eq!(c.scan_state(), ScanState::Idle, "what a step said stays with it");
        assert_eq!(c.view().action, t::PRINT_SUMMARY);
    }

    fn page(n: u32) -> ScannedPage {
        ScannedPage { number: n, file: format!("scans/page-{n}.jpg"), thumb: format!("scans/page-{n}.thumb.jpg") }
    }

    #[test]
    fn a_card_is_scanned_side_by_side_redone_then_copied_after_a_confirmation() {
        let text = PROCEDURE
            .replace("kind = \"mediator\"", "kind = \"info\"")
            .replace("kind = \"scan\"", "kind = \"scan\"\npreset = \"id_card\"")
            .replace("kind = \"done\"", "kind = \"print\"\ntitle = \"P\"\ntext = \"P\"\n\n[[steps]]\nkind = \"done\"");
        let p = crate::content::parse(&text, std::path::Path::new("t.toml")).unwrap();
        let mut c = Controller::new(vec![p], vec![Catalog::source()]);
        c.on_event(LinkEvent::Connected);
        c.touch_attract();
        let folder = "/tmp/s".to_owned();
        c.on_event(LinkEvent::Agent(AgentMessage::SessionStarted {
            id: 1,
            session: guichet_protocol::SessionId("s".into()),
            folder,
        }));
        c.choose_language("fr");
        c.open_procedure(0);
        c.next_step();
        assert_eq!(c.view().placement, "card", "the picture shows where the card goes");
        assert!(c.view().spoken.contains(t::SCAN_PLACE_CARD));
        assert_eq!(c.step_action(), vec![Command::Scan { preset: ScanPreset::IdCard, redo: None }]);
        c.on_event(LinkEvent::Agent(AgentMessage::ScanPage { id: 2, page: page(1) }));
        assert_eq!(c.view().action_status, t::SCAN_LANDING.replace("{n}", "1"), "each page is shown as it lands");
        let scanned = AgentMessage::Scanned { id: 2, file: "scans/page-1.jpg".into(), pages: 1, added: vec![page(1)] };
        c.on_event(LinkEvent::Agent(scanned));
        let v = c.view();
        assert!(v.action_status.ends_with(t::SCAN_TURN_CARD), "one side done: turn the card");
        assert_eq!((v.placement, v.pages.len()), ("", 1));
        assert_eq!(v.pages[0], (PathBuf::from("/tmp/s/scans/page-1.thumb.jpg"), "Page 1".to_owned()));
        assert_eq!(c.redo_page(0), vec![Command::Scan { preset: ScanPreset::IdCard, redo: Some(1) }]);
        let redone = AgentMessage::Scanned { id: 3, file: "scans/page-1.jpg".into(), pages: 1, added: vec![page(1)] };
        c.on_event(LinkEvent::Agent(redone));
        assert_eq!(c.scan_state(), ScanState::Redone(1));
        assert_eq!(c.scanned_pages().len(), 1, "a redone page replaces the old one");
        let jam = AgentMessage::Error {
            id: Some(4),
            code: ErrorCode::ScannerProblem,
            message: String::new(),
            detail: Some("jammed".into()),
        };
        c.step_action();
        c.on_event(LinkEvent::Agent(jam));
        assert_eq!(c.scan_state(), ScanState::Problem(t::SCANNER_JAMMED));

        // The print step: two copies in black and white, said before they are sent.
        c.next_step();
        c.change_copies(1);
        c.change_copies(9);
        assert_eq!(c.view().copy.copies, t::COPIES_MANY.replace("{n}", "5"), "five at most");
        c.change_copies(-3);
        c.toggle_colour();
        assert_eq!(c.view().copy.colour, t::IN_MONO);
        assert_eq!(c.step_action(), vec![], "the first touch asks");
        assert_eq!(c.view().action_status, t::PRINT_CONFIRM.replace("{n}", "2"));
        assert_eq!(c.view().action, t::PRINT_YES);
        assert_eq!(c.step_action(), vec![Command::PrintScans { copies: 2, mono: true }]);
    }
}
