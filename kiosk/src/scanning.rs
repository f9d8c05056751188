//! Scan steps: the person puts a page on the glass and touches "scan the page"; the agent
//! scans it into the session folder, the kiosk shows it and says how many pages there are.
//! When the scanner cannot, the person hears what to do instead.

use std::path::PathBuf;

use guichet_protocol::{AgentMessage, ErrorCode};

use crate::content::StepKind;
use crate::controller::{Controller, Screen};
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

    fn on_scan_step(&self) -> bool {
        self.screen == Screen::Step && self.procedures[self.procedure].steps[self.step].kind == StepKind::Scan
    }

    /// The big button of the step on screen: scan a page, or print the summary.
    pub fn step_action(&mut self) -> Vec<Command> {
        if self.on_scan_step() { self.scan_page() } else { self.print_summary() }
    }

    /// "Scan the page".
    pub fn scan_page(&mut self) -> Vec<Command> {
        if !self.on_scan_step() || self.scan == ScanState::Scanning || self.busy {
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
        if !self.on_scan_step() {
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

    /// Leaving a step: what its scan said and its ticks belong to it (the pages stay in
    /// the session).
    pub(crate) fn leave_scan_step(&mut self) {
        self.ticked.clear();
        if self.scan != ScanState::Scanning {
            self.scan = ScanState::Idle;
            self.scan_preview = None;
        }
    }
}
