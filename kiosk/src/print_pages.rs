//! Printing from a step, as the person does it: the summary on the last step (the UI draws
//! the sheet into the session folder and asks the agent to print it), or on a print step
//! the pages scanned in the visit, with a number of copies and colour or black and white,
//! once the person confirmed how many pages will come out. They are told how it went in
//! plain words, or what to do instead when the printer cannot.
//!
//! A sub-state of the controller: it is told which step is on screen and how many pages
//! there are, and knows nothing else of the controller.

use guichet_protocol::{AgentMessage, ErrorCode, JobState};

use crate::commands::Command;
use crate::phrases::join;
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

/// Which printing the step on screen offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// A print step: the visit's scanned pages.
    Pages,
    /// The last step: the summary.
    Summary,
    Nothing,
}

/// The sentence for a printer's state code, as the agent reports it.
pub fn problem_text(code: &str) -> &'static str {
    match code {
        "media_empty" | "media_needed" => t::PRINTER_NO_PAPER,
        "media_jam" => t::PRINTER_JAMMED,
        _ => t::PRINTER_BROKEN,
    }
}

#[derive(Debug, Default)]
pub struct Printing {
    state: PrintState,
    copy: CopyChoice,
}

impl Printing {
    pub fn state(&self) -> PrintState {
        self.state
    }

    pub fn copy(&self) -> CopyChoice {
        self.copy
    }

    /// A print is on its way: the step's buttons wait.
    pub fn in_flight(&self) -> bool {
        matches!(self.state, PrintState::Sending | PrintState::Printing(_))
    }

    /// "Print the pages": the first touch says how many pages will come out (`pages`
    /// scanned, times the copies); "yes, print" sends them.
    pub fn press_pages(&mut self, pages: usize) -> Vec<Command> {
        if self.in_flight() {
            return vec![];
        }
        if pages == 0 {
            self.state = PrintState::NoPages;
            return vec![];
        }
        if self.state != PrintState::Confirm {
            self.state = PrintState::Confirm;
            return vec![];
        }
        self.state = PrintState::Sending;
        vec![Command::PrintScans { copies: self.copy.copies, mono: self.copy.mono }]
    }

    /// "Print this summary": `summary` is the command that draws and prints it.
    pub fn press_summary(&mut self, summary: Command) -> Vec<Command> {
        if self.in_flight() {
            return vec![];
        }
        self.state = PrintState::Sending;
        vec![summary]
    }

    /// One copy more or less (`delta`), within 1 and `MOST_COPIES`.
    pub fn change_copies(&mut self, delta: i32) {
        if !self.in_flight() {
            self.copy.copies = self.copy.copies.saturating_add_signed(delta).clamp(1, MOST_COPIES);
            self.state = PrintState::Idle;
        }
    }

    /// Colour, or black and white.
    pub fn toggle_colour(&mut self) {
        if !self.in_flight() {
            self.copy.mono = !self.copy.mono;
            self.state = PrintState::Idle;
        }
    }

    /// The sheet could not even be drawn.
    pub fn failed(&mut self) {
        if self.state == PrintState::Sending {
            self.state = PrintState::Problem(t::PRINTER_BROKEN);
        }
    }

    /// Leaving the step: what it said belongs to it, unless a print is on its way.
    pub fn leave_step(&mut self) {
        if !self.in_flight() {
            self.state = PrintState::Idle;
        }
    }

    /// The visit ended: its choices go too.
    pub fn reset(&mut self) {
        *self = Printing::default();
    }

    /// Takes the agent's messages about printing; `false` for any other message.
    pub fn on_message(&mut self, msg: &AgentMessage) -> bool {
        match (msg, self.state) {
            (AgentMessage::PrintQueued { job, .. }, PrintState::Sending) => self.state = PrintState::Printing(*job),
            (AgentMessage::PrintJob { job, state, reason }, PrintState::Printing(mine)) if *job == mine => {
                self.state = match state {
                    JobState::Completed => PrintState::Done,
                    JobState::Aborted | JobState::Canceled => {
                        PrintState::Problem(problem_text(reason.as_deref().unwrap_or_default()))
                    }
                    _ => return true,
                }
            }
            (AgentMessage::Error { code, detail, .. }, PrintState::Sending) => {
                self.state = PrintState::Problem(match code {
                    ErrorCode::PrinterProblem => problem_text(detail.as_deref().unwrap_or_default()),
                    _ => t::PRINTER_BROKEN,
                })
            }
            (AgentMessage::PrintQueued { .. } | AgentMessage::PrintJob { .. }, _) => {}
            _ => return false,
        }
        true
    }

    /// The copies and colour lines of a print step.
    pub fn copy_lines(&self, tr: &dyn Fn(&str) -> String) -> CopyLines {
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

    /// What the step says about printing: the button, and how it went ("" before).
    pub fn lines(&self, offer: Offer, pages: usize, tr: &dyn Fn(&str) -> String) -> (String, String) {
        let label = match offer {
            Offer::Pages if self.state == PrintState::Confirm => t::PRINT_YES,
            Offer::Pages => t::PRINT_PAGES,
            Offer::Summary => t::PRINT_SUMMARY,
            Offer::Nothing => return Default::default(),
        };
        let pages_step = offer == Offer::Pages;
        let status = match self.state {
            PrintState::NoPages => tr(t::NO_PAGES),
            PrintState::Idle => String::new(),
            PrintState::Confirm => match pages as u32 * self.copy.copies {
                1 => tr(t::PRINT_CONFIRM_ONE),
                n => tr(t::PRINT_CONFIRM).replace("{n}", &n.to_string()),
            },
            PrintState::Sending | PrintState::Printing(_) if pages_step => tr(t::PRINT_SENDING),
            PrintState::Sending | PrintState::Printing(_) => tr(t::WAIT),
            PrintState::Done if pages_step => tr(t::PRINT_TAKE),
            PrintState::Done => tr(t::PRINT_DONE),
            PrintState::Problem(text) => join([tr(text), tr(t::PRINTER_INSTEAD)]),
        };
        (tr(label), status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(s: &str) -> String {
        s.to_owned()
    }

    #[test]
    fn pages_are_sent_only_after_their_count_was_said() {
        let mut p = Printing::default();
        assert_eq!(p.press_pages(0), vec![]);
        assert_eq!(p.state(), PrintState::NoPages);
        p.change_copies(1);
        p.change_copies(9);
        assert_eq!(p.copy().copies, MOST_COPIES, "five at most");
        p.change_copies(-3);
        p.toggle_colour();
        assert_eq!(p.press_pages(3), vec![], "the first touch asks");
        assert_eq!(p.lines(Offer::Pages, 3, &same), (t::PRINT_YES.into(), t::PRINT_CONFIRM.replace("{n}", "6")));
        assert_eq!(p.press_pages(3), vec![Command::PrintScans { copies: 2, mono: true }]);
        assert_eq!(p.press_pages(3), vec![], "one print at a time");
        p.toggle_colour();
        assert!(p.copy().mono, "the choices wait while a print is on its way");
    }

    #[test]
    fn the_printers_answers_become_what_the_person_hears() {
        let mut p = Printing::default();
        p.press_summary(Command::Wake);
        assert!(p.on_message(&AgentMessage::PrintQueued { id: 1, job: 7, pages: 1, pages_left: 19 }));
        assert_eq!(p.state(), PrintState::Printing(7));
        let other = AgentMessage::PrintJob { job: 8, state: JobState::Completed, reason: None };
        assert!(p.on_message(&other), "another job's news is taken, and changes nothing");
        assert_eq!(p.state(), PrintState::Printing(7));
        let jammed = AgentMessage::PrintJob { job: 7, state: JobState::Aborted, reason: Some("media_jam".into()) };
        p.on_message(&jammed);
        assert_eq!(p.state(), PrintState::Problem(t::PRINTER_JAMMED));
        assert!(p.lines(Offer::Summary, 0, &same).1.ends_with(t::PRINTER_INSTEAD), "and what to do instead");
        p.leave_step();
        assert_eq!(p.state(), PrintState::Idle);
        p.press_summary(Command::Wake);
        let refused = AgentMessage::Error {
            id: Some(2),
            code: ErrorCode::PrinterProblem,
            message: "media_empty".into(),
            detail: Some("media_empty".into()),
        };
        p.on_message(&refused);
        assert_eq!(p.state(), PrintState::Problem(t::PRINTER_NO_PAPER));
        p.press_summary(Command::Wake);
        p.failed();
        assert_eq!(p.state(), PrintState::Problem(t::PRINTER_BROKEN), "a sheet that could not be drawn");
        assert!(!p.on_message(&AgentMessage::Pong { id: 3 }), "not printing's");
    }
}
