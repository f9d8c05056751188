//! Printing from a step: the summary on the last step (the kiosk draws the sheet into the
//! session folder, `summary`, and asks the agent to print it), or on a print step the pages
//! scanned in the visit, with a number of copies and colour or black and white, after the
//! person confirmed how many pages will come out. The person is told how it went in plain
//! words, or what to do instead when the printer cannot.

use std::path::PathBuf;

use guichet_protocol::{AgentMessage, ErrorCode, JobState};

use crate::content::StepKind;
use crate::controller::Controller;
use crate::link::Command;
use crate::texts as t;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrintState {
    #[default]
    Idle,
    /// The sheet is being drawn and sent.
    Sending,
    /// The printer has it.
    Printing(u32),
    Done,
    /// It could not be printed: what to tell the person.
    Problem(&'static str),
    /// A print step with nothing scanned yet.
    NoPages,
    /// A print step waiting for "yes, print" after the count was said.
    Confirm,
}

/// The photocopy's choices, for the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyChoice {
    pub copies: u32,
    pub mono: bool,
}

impl Default for CopyChoice {
    fn default() -> Self {
        CopyChoice { copies: 1, mono: false }
    }
}

/// At most this many copies: the agent's page limit has the last word anyway.
const MOST_COPIES: u32 = 5;

/// What a print step shows besides the button: the copies, and the colour choice.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CopyLines {
    pub copies: String,
    pub colour: String,
    pub less: String,
    pub more: String,
}

/// The sentence for a printer's state code, as the agent reports it.
pub fn problem_text(code: &str) -> &'static str {
    match code {
        "media_empty" | "media_needed" => t::PRINTER_NO_PAPER,
        "media_jam" => t::PRINTER_JAMMED,
        _ => t::PRINTER_BROKEN,
    }
}

impl Controller {
    /// The kiosk's own program, run as `--render-summary` to draw the sheet.
    pub fn set_renderer(&mut self, kiosk: PathBuf) {
        self.renderer = kiosk;
    }

    pub fn print_state(&self) -> PrintState {
        self.print
    }

    /// Whether the screen offers to print a summary: the last step of a procedure.
    pub(crate) fn can_print_summary(&self) -> bool {
        self.step_kind_on_screen() == Some(StepKind::Done) && self.session_folder.is_some()
    }

    fn on_print_step(&self) -> bool {
        self.step_kind_on_screen() == Some(StepKind::Print)
    }

    /// "Print the pages": every page scanned in this visit (a photocopy). The first touch
    /// says how many pages will come out; "yes, print" sends them.
    pub fn print_scans(&mut self) -> Vec<Command> {
        if !self.on_print_step() || matches!(self.print, PrintState::Sending | PrintState::Printing(_)) {
            return vec![];
        }
        if self.scans.count() == 0 {
            self.print = PrintState::NoPages;
            return vec![];
        }
        if self.print != PrintState::Confirm {
            self.print = PrintState::Confirm;
            return vec![];
        }
        self.print = PrintState::Sending;
        vec![Command::PrintScans { copies: self.copy.copies, mono: self.copy.mono }]
    }

    /// One copy more or less (`delta`), within 1 and `MOST_COPIES`.
    pub fn change_copies(&mut self, delta: i32) {
        if self.on_print_step() && !matches!(self.print, PrintState::Sending | PrintState::Printing(_)) {
            self.copy.copies = self.copy.copies.saturating_add_signed(delta).clamp(1, MOST_COPIES);
            self.print = PrintState::Idle;
        }
    }

    /// Colour, or black and white.
    pub fn toggle_colour(&mut self) {
        if self.on_print_step() && !matches!(self.print, PrintState::Sending | PrintState::Printing(_)) {
            self.copy.mono = !self.copy.mono;
            self.print = PrintState::Idle;
        }
    }

    /// The copies and colour lines of a print step; empty elsewhere.
    pub(crate) fn copy_lines(&self, tr: &dyn Fn(&str) -> String) -> CopyLines {
        if !self.on_print_step() {
            return CopyLines::default();
        }
        let copies = match self.copy.copies {
            1 => tr(t::COPIES_ONE),
            n => tr(t::COPIES_MANY).replace("{n}", &n.to_string()),
        };
        CopyLines {
            copies,
            colour: tr(if self.copy.mono { t::IN_MONO } else { t::IN_COLOUR }),
            less: tr(t::COPY_LESS),
            more: tr(t::COPY_MORE),
        }
    }

    /// "Print this summary".
    pub fn print_summary(&mut self) -> Vec<Command> {
        if !self.can_print_summary() || matches!(self.print, PrintState::Sending | PrintState::Printing(_)) {
            return vec![];
        }
        let Some(folder) = self.session_folder.clone() else { return vec![] };
        self.print = PrintState::Sending;
        vec![Command::PrintSummary { renderer: self.renderer.clone(), folder, sheet: Box::new(self.summary_sheet()) }]
    }

    /// The sheet could not even be drawn.
    pub(crate) fn print_failed(&mut self) {
        if self.print == PrintState::Sending {
            self.print = PrintState::Problem(t::PRINTER_BROKEN);
        }
    }

    /// Takes the agent's messages about printing; `false` for any other message.
    pub(crate) fn on_print_message(&mut self, msg: &AgentMessage) -> bool {
        match (msg, self.print) {
            (AgentMessage::PrintQueued { job, .. }, PrintState::Sending) => self.print = PrintState::Printing(*job),
            (AgentMessage::PrintJob { job, state, reason }, PrintState::Printing(mine)) if *job == mine => {
                self.print = match state {
                    JobState::Completed => PrintState::Done,
                    JobState::Aborted | JobState::Canceled => {
                        PrintState::Problem(problem_text(reason.as_deref().unwrap_or_default()))
                    }
                    _ => return true,
                }
            }
            (AgentMessage::Error { code, detail, .. }, PrintState::Sending) => {
                self.print = PrintState::Problem(match code {
                    ErrorCode::PrinterProblem => problem_text(detail.as_deref().unwrap_or_default()),
                    _ => t::PRINTER_BROKEN,
                })
            }
            (AgentMessage::PrintQueued { .. } | AgentMessage::PrintJob { .. }, _) => {}
            _ => return false,
        }
        true
    }

    /// What the last step says about printing: the button, and how it went.
    pub(crate) fn print_lines(&self, tr: &dyn Fn(&str) -> String) -> (String, String) {
        let label = if self.on_print_step() {
            if self.print == PrintState::Confirm { t::PRINT_YES } else { t::PRINT_PAGES }
        } else if self.can_print_summary() {
            t::PRINT_SUMMARY
        } else {
            return Default::default();
        };
        let status = match self.print {
            PrintState::NoPages => tr(t::NO_PAGES),
            PrintState::Idle => String::new(),
            PrintState::Confirm => match self.scans.count() * self.copy.copies {
                1 => tr(t::PRINT_CONFIRM_ONE),
                pages => tr(t::PRINT_CONFIRM).replace("{n}", &pages.to_string()),
            },
            PrintState::Sending | PrintState::Printing(_) if self.on_print_step() => tr(t::PRINT_SENDING),
            PrintState::Sending | PrintState::Printing(_) => tr(t::WAIT),
            PrintState::Done if self.on_print_step() => tr(t::PRINT_TAKE),
            PrintState::Done => tr(t::PRINT_DONE),
            PrintState::Problem(text) => crate::view::join([tr(text), tr(t::PRINTER_INSTEAD)]),
        };
        (tr(label), status)
    }
}
