//! The kiosk's state machine: which screen, which language, which step, which overlay. It
//! holds no Slint types, so it is tested on its own; `view.rs` builds each screen's `View`
//! from it, and the UI adapter turns that into pixels and speech, and its `Command`s into
//! requests to the agent.

use std::path::PathBuf;

use guichet_protocol::{AgentMessage, EndReason, ErrorCode, SiteInfo, WipeReceipt};

use crate::content::{Procedure, StepKind};
use crate::i18n::{Catalog, Language};
use crate::link::{Command, LinkEvent};
use crate::printing::{CopyChoice, PrintState};
use crate::scanning::{ScanState, Scans};
use crate::search::Keyboard;
use crate::texts as t;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Attract,
    Language,
    Home,
    Step,
    End,
    OutOfService,
}

impl Screen {
    pub fn name(self) -> &'static str {
        match self {
            Screen::Attract => "attract",
            Screen::Language => "language",
            Screen::Home => "home",
            Screen::Step => "step",
            Screen::End => "end",
            Screen::OutOfService => "out-of-service",
        }
    }
}

/// What is on screen, for speaking a screen only when it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeechKey {
    pub screen: Screen,
    pub lang: usize,
    pub procedure: usize,
    pub step: usize,
    pub overlay: Overlay,
    /// How printing the summary goes: said when it changes.
    pub print: PrintState,
    /// How scanning goes: said when it changes.
    pub scan: ScanState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    ConfirmStop,
    Help,
    IdleWarning,
    Language,
    PinPad,
    Mediator,
    Keyboard,
}

pub struct Controller {
    pub(crate) procedures: Vec<Procedure>,
    pub(crate) catalogs: Vec<Catalog>,
    pub(crate) screen: Screen,
    pub(crate) lang: usize,
    pub(crate) procedure: usize,
    pub(crate) step: usize,
    /// The steps the person came through, for "back" after a branch.
    pub(crate) history: Vec<usize>,
    pub(crate) receipt: Option<WipeReceipt>,
    pub(crate) connected: bool,
    /// A request is on its way to the agent; buttons wait.
    pub(crate) busy: bool,
    pub(crate) confirm_stop: bool,
    pub(crate) attract_index: usize,
    pub(crate) notice: Option<&'static str>,
    /// The person's display and speech choices; they last for this visit only.
    pub settings: Settings,
    /// The language screen is open over a step, from the side rail.
    pub(crate) picking_language: bool,
    /// "Call a mediator" was pressed and the message is on screen.
    pub(crate) help_called: bool,
    /// The agent darkened the screen: the next touch only wakes it.
    pub(crate) dark: bool,
    /// Seconds left before an idle session is wiped, while the warning is shown.
    pub(crate) idle_left: Option<u32>,
    /// The mediator's PIN pad is open, with the digits typed so far.
    pub(crate) pin: Option<String>,
    pub(crate) pin_message: Option<&'static str>,
    /// The mediator panel is open (the agent accepted the PIN).
    pub(crate) mediator: bool,
    /// The mediator paused the idle timer.
    pub timer_paused: bool,
    /// What the home screen's list is narrowed to ("" lists every procedure).
    pub(crate) query: String,
    /// The on-screen keyboard, while open.
    pub(crate) keyboard: Option<Keyboard>,
    /// The reception's details, kept from the last connection: they matter most when
    /// the agent is gone.
    pub(crate) site: Option<SiteInfo>,
    /// The open session's folder, where a summary to print is drawn.
    pub(crate) session_folder: Option<PathBuf>,
    pub(crate) print: PrintState,
    /// The visit's scanned pages, and how scanning goes.
    pub(crate) scans: Scans,
    /// The photocopy's number of copies and colour.
    pub(crate) copy: CopyChoice,
    /// The checklist's ticks on the step on screen.
    pub(crate) ticked: Vec<bool>,
    /// The kiosk's own program, which draws a summary sheet in a process of its own.
    pub(crate) renderer: PathBuf,
    /// What the agent was told of this visit, for the needs statistics (`usage`).
    pub(crate) usage: crate::usage::UsageMark,
    /// IT staff's message for the attract screen, by language (`staff`).
    pub(crate) staff_message: std::collections::BTreeMap<String, String>,
    /// Content pushed by the fleet: the folder in use, and one waiting for the next
    /// attract screen.
    pub(crate) content_folder: Option<PathBuf>,
    pub(crate) pending_content: Option<PathBuf>,
}

/// Choices made on the side rail. Reset for the next person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// 0 normal, 1 large, 2 larger.
    pub text_size: u8,
    pub high_contrast: bool,
    pub voice_off: bool,
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
            help_called: false,
            dark: false,
            idle_left: None,
            pin: None,
            pin_message: None,
            mediator: false,
            timer_paused: false,
            query: String::new(),
            keyboard: None,
            site: None,
            session_folder: None,
            print: PrintState::Idle,
            scans: Scans::default(),
            copy: CopyChoice::default(),
            ticked: Vec::new(),
            renderer: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("kiosk")),
            usage: Default::default(),
            staff_message: Default::default(),
            content_folder: None,
            pending_content: None,
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
        self.query.clear();
    }

    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures
    }

    pub fn step_index(&self) -> usize {
        self.step
    }

    /// The kind of the step on screen; `None` off the step screen.
    pub(crate) fn step_kind_on_screen(&self) -> Option<StepKind> {
        (self.screen == Screen::Step).then(|| self.procedures[self.procedure].steps[self.step].kind)
    }

    /// Leaving a step: what its scan or print said and its ticks belong to it (the pages
    /// stay in the session).
    pub(crate) fn leave_step(&mut self) {
        self.ticked.clear();
        if !matches!(self.print, PrintState::Sending | PrintState::Printing(_)) {
            self.print = PrintState::Idle;
        }
        if self.scans.state != ScanState::Scanning {
            self.scans.state = ScanState::Idle;
        }
    }

    /// The procedure open (or last opened), as an index into `procedures()`.
    pub fn procedure_index(&self) -> usize {
        self.procedure
    }

    /// Identifies what is on screen, so speech starts only when it changes.
    pub fn speech_key(&self) -> SpeechKey {
        SpeechKey {
            screen: self.screen,
            lang: self.lang,
            procedure: self.procedure,
            step: self.step,
            print: self.print,
            scan: self.scans.state,
            overlay: if self.pin.is_some() {
                Overlay::PinPad
            } else if self.mediator {
                Overlay::Mediator
            } else if self.idle_left.is_some() {
                Overlay::IdleWarning
            } else if self.help_called {
                Overlay::Help
            } else if self.confirm_stop {
                Overlay::ConfirmStop
            } else if self.picking_language {
                Overlay::Language
            } else if self.keyboard.is_some() {
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
            && self.keyboard.is_none()
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
        let proc = &self.procedures[self.procedure];
        let mut parent: Vec<Option<usize>> = vec![None; proc.steps.len()];
        let mut queue = std::collections::VecDeque::from([0]);
        let mut seen = vec![false; proc.steps.len()];
        seen[0] = true;
        while let Some(at) = queue.pop_front() {
            for next in proc.successors(at) {
                if !std::mem::replace(&mut seen[next], true) {
                    parent[next] = Some(at);
                    queue.push_back(next);
                }
            }
        }
        if index >= proc.steps.len() || !seen[index] {
            return;
        }
        let mut path = Vec::new();
        let mut at = index;
        while let Some(p) = parent[at] {
            path.push(p);
            at = p;
        }
        path.reverse();
        self.history = path;
        self.step = index;
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

    pub fn on_event(&mut self, event: LinkEvent) {
        match event {
            LinkEvent::Site(site) => self.site = Some(site),
            LinkEvent::Connected => {
                self.connected = true;
                // A new agent lights the screen when a kiosk connects; an old "dark" must
                // not outlive the agent that said it.
                self.dark = false;
                if self.screen == Screen::OutOfService {
                    self.reset_to_attract();
                }
            }
            LinkEvent::Disconnected => {
                // The agent wipes whatever session we had when it comes back. Nobody
                // darkens the screen while it is away: "out of service" must be seen.
                self.connected = false;
                self.dark = false;
                self.busy = false;
                self.close_overlays();
                self.session_folder = None;
                self.print = PrintState::Idle;
                self.scans = Scans::default();
                self.screen = Screen::OutOfService;
            }
            LinkEvent::Agent(msg) => self.on_agent(msg),
            LinkEvent::PrintFailed => self.print_failed(),
        }
    }

    fn on_agent(&mut self, msg: AgentMessage) {
        if self.on_print_message(&msg) || self.on_scan_message(&msg) {
            return;
        }
        match msg {
            AgentMessage::SessionStarted { folder, .. } if self.screen == Screen::Attract => {
                self.session_folder = Some(PathBuf::from(folder));
                self.busy = false;
                self.lang = 0;
                self.screen = Screen::Language;
            }
            // Someone else's session (IT staff's `agentctl`) is not the person's visit.
            AgentMessage::SessionWiped { receipt, .. } if self.in_session() || self.session_folder.is_some() => {
                self.busy = false;
                self.close_overlays();
                if self.screen != Screen::OutOfService {
                    self.receipt = Some(receipt);
                    self.screen = Screen::End;
                }
            }
            AgentMessage::Screen { on } => self.dark = !on,
            AgentMessage::AttractMessage { texts } => self.set_staff_message(texts),
            AgentMessage::ContentChanged { folder, .. } => self.content_changed(PathBuf::from(folder)),
            // The physical button: the person is told help is coming, as on screen.
            AgentMessage::MediatorCalled { from: guichet_protocol::CallSource::Button }
                if self.in_session() && self.pin.is_none() && !self.mediator =>
            {
                self.help_called = true;
            }
            AgentMessage::MediatorGranted { .. } if self.pin.is_some() => {
                self.pin = None;
                self.pin_message = None;
                self.mediator = true;
            }
            AgentMessage::Error { code, .. } if self.pin.is_some() => {
                self.pin_message = Some(match code {
                    ErrorCode::WrongPin => t::PIN_WRONG,
                    ErrorCode::PinLocked => t::PIN_LOCKED,
                    _ => t::PIN_UNAVAILABLE,
                });
            }
            AgentMessage::Error { code, .. } => {
                self.busy = false;
                if self.screen == Screen::Attract {
                    self.notice = Some(t::START_FAILED);
                }
                // A refused end means the session is already gone: show the end anyway.
                if code == ErrorCode::NotAllowedInState && matches!(self.screen, Screen::Step | Screen::Home) {
                    self.receipt = Some(WipeReceipt { verified: true, ..Default::default() });
                    self.screen = Screen::End;
                }
            }
            _ => {}
        }
    }

    fn reset_to_attract(&mut self) {
        self.screen = Screen::Attract;
        self.lang = 0;
        self.step = 0;
        self.history.clear();
        self.busy = false;
        self.receipt = None;
        self.settings = Settings::default();
        self.query.clear();
        self.session_folder = None;
        self.print = PrintState::Idle;
        self.scans = Scans::default();
        self.copy = CopyChoice::default();
        self.close_overlays();
    }

    /// Whatever was open over the screen belongs to the visit that just ended.
    fn close_overlays(&mut self) {
        self.confirm_stop = false;
        self.picking_language = false;
        self.help_called = false;
        self.idle_left = None;
        self.pin = None;
        self.pin_message = None;
        self.mediator = false;
        self.timer_paused = false;
        self.keyboard = None;
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
