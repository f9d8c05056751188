//! The kiosk's state machine: which screen, which language, which step, which overlay,
//! and the sub-states of what a person does there (printing, scanning, finding a
//! procedure, asking for help, the statistics, ticks, idle time, IT staff's news), each in
//! a file of its own with its own tests; `controller/features.rs` hands each action to its
//! sub-state. It holds no Slint types, so it is tested on its own; `view.rs` builds what
//! each screen shows from it, and the UI adapter turns that into pixels and speech, and its
//! `Command`s into requests to the agent.

mod events;
mod features;

use std::path::PathBuf;

use guichet_protocol::{EndReason, SiteInfo, WipeReceipt};

use crate::asking_help::Help;
use crate::checklist::Ticks;
use crate::commands::Command;
use crate::content::{Procedure, StepKind};
use crate::find_procedure::Search;
use crate::i18n::{Catalog, Language};
use crate::idle::IdleWarning;
pub use crate::on_screen::{Overlay, Screen, Settings, SpeechKey};
use crate::print_pages::Printing;
use crate::scan_pages::Scans;
use crate::staff::StaffNews;
use crate::statistics::UsageMark;

pub struct Controller {
    procedures: Vec<Procedure>,
    catalogs: Vec<Catalog>,
    screen: Screen,
    lang: usize,
    procedure: usize,
    step: usize,
    /// The steps the person came through, for "back" after a branch.
    history: Vec<usize>,
    receipt: Option<WipeReceipt>,
    connected: bool,
    /// A request is on its way to the agent; buttons wait.
    busy: bool,
    confirm_stop: bool,
    attract_index: usize,
    notice: Option<&'static str>,
    /// The person's display and speech choices; they last for this visit only.
    pub settings: Settings,
    /// The language screen is open over a step, from the side rail.
    picking_language: bool,
    /// The agent darkened the screen: the next touch only wakes it.
    dark: bool,
    /// The reception's details, kept from the last connection: they matter most when
    /// the agent is gone.
    site: Option<SiteInfo>,
    /// The open session's folder, where a summary to print is drawn.
    session_folder: Option<PathBuf>,
    // What the person does, each a sub-state of its own.
    print: Printing,
    scans: Scans,
    search: Search,
    help: Help,
    usage: UsageMark,
    ticks: Ticks,
    idle: IdleWarning,
    staff: StaffNews,
}

impl Controller {
    pub fn new(procedures: Vec<Procedure>, catalogs: Vec<Catalog>) -> Controller {
        let catalogs = if catalogs.is_empty() { vec![Catalog::source()] } else { catalogs };
        Controller {
            procedures,
            catalogs,
            screen: Screen::OutOfService,
            lang: 0,
            procedure: 0,
            step: 0,
            history: Vec::new(),
            receipt: None,
            connected: false,
            busy: false,
            confirm_stop: false,
            attract_index: 0,
            notice: None,
            settings: Settings::default(),
            picking_language: false,
            dark: false,
            site: None,
            session_folder: None,
            print: Printing::default(),
            scans: Scans::default(),
            search: Search::default(),
            help: Help::default(),
            usage: UsageMark::default(),
            ticks: Ticks::default(),
            idle: IdleWarning::default(),
            staff: StaffNews::default(),
        }
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    pub fn language(&self) -> &'static Language {
        self.catalogs[self.lang].language
    }

    pub fn languages(&self) -> impl Iterator<Item = &'static Language> + '_ {
        self.catalogs.iter().map(|c| c.language)
    }

    /// Shows these procedures instead (tests with procedures of their own).
    pub fn replace_procedures(&mut self, procedures: Vec<Procedure>) {
        self.procedures = procedures;
        self.search.reset();
    }

    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures
    }

    pub fn step_index(&self) -> usize {
        self.step
    }

    /// Leaving a step: what its scan or print said and its ticks belong to it (the pages
    /// stay in the session).
    fn leave_step(&mut self) {
        self.ticks.clear();
        self.print.leave_step();
        self.scans.leave_step();
    }

    /// The procedure open (or last opened), as an index into `procedures()`.
    pub fn procedure_index(&self) -> usize {
        self.procedure
    }

    /// The catalog of the language on screen, and of every language offered.
    pub fn catalog(&self) -> &Catalog {
        &self.catalogs[self.lang]
    }

    pub fn catalogs(&self) -> &[Catalog] {
        &self.catalogs
    }

    /// The steps the person came through, before the one on screen.
    pub fn history(&self) -> &[usize] {
        &self.history
    }

    pub fn receipt(&self) -> Option<&WipeReceipt> {
        self.receipt.as_ref()
    }

    pub fn busy(&self) -> bool {
        self.busy
    }

    pub fn stop_asked(&self) -> bool {
        self.confirm_stop
    }

    pub fn attract_index(&self) -> usize {
        self.attract_index
    }

    pub fn notice(&self) -> Option<&'static str> {
        self.notice
    }

    pub fn picking_language(&self) -> bool {
        self.picking_language
    }

    pub fn site(&self) -> Option<&SiteInfo> {
        self.site.as_ref()
    }

    pub fn session_folder(&self) -> Option<&std::path::Path> {
        self.session_folder.as_deref()
    }

    pub fn is_dark(&self) -> bool {
        self.dark
    }

    // The sub-states, read by the view.
    pub fn printing(&self) -> &Printing {
        &self.print
    }

    pub fn scans(&self) -> &Scans {
        &self.scans
    }

    pub fn search(&self) -> &Search {
        &self.search
    }

    pub fn help(&self) -> &Help {
        &self.help
    }

    pub fn ticks(&self) -> &Ticks {
        &self.ticks
    }

    pub fn staff(&self) -> &StaffNews {
        &self.staff
    }

    /// Identifies what is on screen, so speech starts only when it changes.
    pub fn speech_key(&self) -> SpeechKey {
        SpeechKey {
            screen: self.screen,
            lang: self.lang,
            procedure: self.procedure,
            step: self.step,
            print: self.print.state(),
            scan: self.scans.state(),
            overlay: if self.help.pin().is_some() {
                Overlay::PinPad
            } else if self.help.panel_open() {
                Overlay::Mediator
            } else if self.idle.shown().is_some() {
                Overlay::IdleWarning
            } else if self.help.called() {
                Overlay::Help
            } else if self.confirm_stop {
                Overlay::ConfirmStop
            } else if self.picking_language {
                Overlay::Language
            } else if self.search.keyboard().is_some() {
                Overlay::Keyboard
            } else {
                Overlay::None
            },
        }
    }

    pub fn rotate_attract(&mut self) {
        self.attract_index = (self.attract_index + 1) % self.catalogs.len();
    }

    pub fn touch_attract(&mut self) -> Vec<Command> {
        if self.screen != Screen::Attract || self.busy {
            return vec![];
        }
        if !self.connected {
            self.screen = Screen::OutOfService;
            return vec![];
        }
        self.busy = true;
        self.notice = None;
        vec![Command::StartSession]
    }

    pub fn choose_language(&mut self, code: &str) {
        if let Some(i) = self.catalogs.iter().position(|c| c.language.code == code) {
            self.lang = i;
            if self.picking_language {
                self.picking_language = false;
            } else if self.screen == Screen::Language {
                self.screen = Screen::Home;
            }
        }
    }

    /// The person touched the `index`-th tile of the home screen's list.
    pub fn open_procedure(&mut self, index: usize) {
        if self.screen == Screen::Home
            && self.search.keyboard().is_none()
            && let Some(&index) = self.listed_procedures().get(index)
        {
            self.procedure = index;
            self.step = 0;
            self.history.clear();
            self.screen = Screen::Step;
        }
    }

    pub fn next_step(&mut self) -> Vec<Command> {
        if self.screen != Screen::Step || self.busy {
            return vec![];
        }
        let proc = &self.procedures[self.procedure];
        if proc.steps[self.step].kind == StepKind::Question {
            return vec![]; // answered by a choice, not by "next"
        }
        match proc.successors(self.step).first() {
            Some(&next) => {
                self.history.push(self.step);
                self.leave_step();
                self.step = next;
                vec![]
            }
            None => {
                self.busy = true;
                vec![Command::EndSession(EndReason::Completed)]
            }
        }
    }

    /// Shows step `index` of the open procedure as if reached by the shortest way from the
    /// first step, for rendering every step of a branching procedure.
    pub fn show_step(&mut self, index: usize) {
        if self.screen != Screen::Step {
            return;
        }
        if let Some(path) = self.procedures[self.procedure].shortest_path(index) {
            self.leave_step();
            self.history = path;
            self.step = index;
        }
    }

    /// The person answered the question on screen with its `index`-th choice.
    pub fn choose(&mut self, index: usize) {
        if self.screen != Screen::Step || self.busy {
            return;
        }
        let proc = &self.procedures[self.procedure];
        let step = &proc.steps[self.step];
        let target = (step.kind == StepKind::Question)
            .then(|| step.choices.get(index))
            .flatten()
            .and_then(|c| proc.step_index(&c.goto));
        if let Some(target) = target {
            self.history.push(self.step);
            self.leave_step();
            self.step = target;
        }
    }

    pub fn back(&mut self) {
        match self.screen {
            Screen::Step => {
                self.leave_step();
                match self.history.pop() {
                    Some(previous) => self.step = previous,
                    None => self.screen = Screen::Home,
                }
            }
            Screen::Home => self.screen = Screen::Language,
            _ => {}
        }
    }

    /// "Langue" on the side rail: the language screen over the current one.
    pub fn open_language_picker(&mut self) {
        if matches!(self.screen, Screen::Home | Screen::Step) {
            self.picking_language = true;
        }
    }

    pub fn cycle_text_size(&mut self) {
        self.settings.text_size = (self.settings.text_size + 1) % 3;
    }

    pub fn toggle_contrast(&mut self) {
        self.settings.high_contrast = !self.settings.high_contrast;
    }

    pub fn toggle_voice(&mut self) {
        self.settings.voice_off = !self.settings.voice_off;
    }

    pub fn ask_stop(&mut self) {
        if matches!(self.screen, Screen::Language | Screen::Home | Screen::Step) && !self.busy {
            self.confirm_stop = true;
        }
    }

    pub fn cancel_stop(&mut self) {
        self.confirm_stop = false;
    }

    pub fn confirm_stop(&mut self) -> Vec<Command> {
        if !self.confirm_stop {
            return vec![];
        }
        self.confirm_stop = false;
        self.busy = true;
        vec![Command::EndSession(EndReason::Abandoned)]
    }

    /// The person leaves the end screen: back to attract, in French again.
    pub fn end_done(&mut self) {
        if self.screen == Screen::End {
            self.reset_to_attract();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Screen;

    #[test]
    fn every_screen_has_a_name_the_agent_knows() {
        let all = [Screen::Attract, Screen::Language, Screen::Home, Screen::Step, Screen::End, Screen::OutOfService];
        for screen in all {
            assert!(guichet_protocol::KIOSK_SCREENS.contains(&screen.name()), "{screen:?} is unknown to the agent");
        }
    }
}
