//! Scan steps: the person puts a page on the glass and touches "scan the page"; the agent
//! scans it into the session folder, the kiosk shows it and says how many pages there are.
//! When the scanner cannot, the person hears what to do instead.

use std::path::PathBuf;

use guichet_protocol::{AgentMessage, ErrorCode};

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
    /// The scanner is missing or cannot scan now.
    Problem,
}

impl Controller {
    pub fn scan_state(&self) -> ScanState {
        self.scan
    }

    /// The big button of the step on screen: scan a page, call a mediator, or print the
    /// summary.
    pub fn step_action(&mut self) -> Vec<Command> {
        match self.step_kind_on_screen() {
            Some(StepKind::Scan) => self.scan_page(),
            Some(StepKind::Mediator) => self.call_mediator(),
            Some(StepKind::Print) => self.print_scans(),
            _ => self.print_summary(),
        }
    }

    /// "Scan the page".
    pub fn scan_page(&mut self) -> Vec<Command> {
        if self.step_kind_on_screen() != Some(StepKind::Scan) || self.scan == ScanState::Scanning || self.busy {
            return vec![];
        }
        self.scan = ScanState::Scanning;
        vec![Command::Scan]
    }

    /// Takes the agent's replies to `scan`; `false` for any other message.
    pub(crate) fn on_scan_message(&mut self, msg: &AgentMessage) -> bool {
        if self.scan != ScanState::Scanning {
            return false;
        }
        match msg {
            AgentMessage::Scanned { file, pages, .. } => {
                self.scan = ScanState::Scanned(*pages);
                self.pages_scanned = *pages;
                self.scan_preview = self.session_folder.as_ref().map(|f| f.join(file));
            }
            AgentMessage::Error { code: ErrorCode::ScannerMissing | ErrorCode::ScannerProblem, .. } => {
                self.scan = ScanState::Problem;
            }
            AgentMessage::Error { .. } => self.scan = ScanState::Problem,
            _ => return false,
        }
        true
    }

    /// The scan step's button, what happened, and the last page scanned.
    pub(crate) fn scan_lines(&self, tr: &dyn Fn(&str) -> String) -> (String, String, Option<PathBuf>) {
        if self.step_kind_on_screen() != Some(StepKind::Scan) {
            return Default::default();
        }
        let status = match self.scan {
            ScanState::Idle => String::new(),
            ScanState::Scanning => tr(t::WAIT),
            ScanState::Scanned(n) => tr(t::SCAN_DONE).replace("{n}", &n.to_string()),
            ScanState::Problem => crate::view::join([tr(t::SCANNER_MISSING), tr(t::SCANNER_INSTEAD)]),
        };
        (tr(t::SCAN_BUTTON), status, self.scan_preview.clone())
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
        assert_eq!(c.step_action(), vec![Command::Scan]);
        assert_eq!(c.step_action(), vec![], "one scan at a time");
        let refused = guichet_protocol::AgentMessage::Error {
            id: Some(2),
            code: ErrorCode::ScannerMissing,
            message: String::new(),
            detail: None,
        };
        c.on_event(LinkEvent::Agent(refused));
        assert_eq!(c.scan_state(), ScanState::Problem);
        assert!(c.view().spoken.starts_with(t::SCANNER_MISSING));
        c.next_step();
        assert_eq!(c.scan_state(), ScanState::Idle, "what a step said stays with it");
        assert_eq!(c.view().action, t::PRINT_SUMMARY);
    }
}
