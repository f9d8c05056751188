//! The kiosk's state machine: which screen, which language, which step. It holds no Slint
//! types, so it is tested on its own; the UI adapter turns its `View` into pixels and
//! speech, and its `Command`s into requests to the agent.

use guichet_protocol::{AgentMessage, EndReason, ErrorCode, WipeReceipt};

use crate::content::{Procedure, StepKind};
use crate::i18n::{Catalog, Language};
use crate::link::{Command, LinkEvent};
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
}

/// Everything one screen shows and says, already translated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    pub screen: &'static str,
    pub rtl: bool,
    pub voice: &'static str,
    pub title: String,
    pub body: String,
    pub items: Vec<String>,
    pub url: String,
    pub progress: String,
    pub step_kind: &'static str,
    /// The line above a checklist or an address.
    pub hint: String,
    /// The answers of a question step.
    pub choices: Vec<String>,
    /// Under the QR code of an official address.
    pub qr_hint: String,
    /// Home tiles: (organisation, title, summary).
    pub tiles: Vec<(String, String, String)>,
    /// Language choices: (code, name, right to left).
    pub languages: Vec<(String, String, bool)>,
    /// The attract screen's line in each language: (text, right to left).
    pub attract_lines: Vec<(String, bool)>,
    pub next: String,
    pub back: String,
    pub stop: String,
    pub listen: String,
    pub read_on: String,
    pub confirm_stop: bool,
    pub stop_question: String,
    pub stop_explain: String,
    pub stop_yes: String,
    pub stop_no: String,
    pub busy: bool,
    pub wait: String,
    /// What is read aloud when the screen appears.
    pub spoken: String,
    /// The side rail's labels, and the choices they show.
    pub rail: Rail,
    /// "Help is coming", while shown.
    pub help: Option<String>,
    pub help_ok: String,
    /// The idle warning, while shown: question, countdown line, and its two buttons.
    pub idle: Option<(String, String)>,
    pub idle_more: String,
    pub idle_papers: String,
    pub settings: Settings,
    pub mediator_entry: String,
    pub pin: Option<PinView>,
    pub mediator: Option<MediatorView>,
}

/// The PIN pad: dots for the digits typed, never the digits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PinView {
    pub title: String,
    pub dots: String,
    pub message: String,
    pub erase: String,
    pub ok: String,
    pub cancel: String,
}

/// The mediator panel: the procedure's outline with the person's step, and actions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediatorView {
    pub title: String,
    pub rule: String,
    /// Step titles, and whether it is the person's current one.
    pub outline: Vec<(String, bool)>,
    pub pause: String,
    pub back: String,
    pub end: String,
    pub close: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rail {
    pub shown: bool,
    pub language: String,
    pub size: String,
    pub contrast: String,
    pub voice: String,
    pub help: String,
}

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
    /// "Call a mediator" was pressed and the message is on screen.
    help_called: bool,
    /// Seconds left before an idle session is wiped, while the warning is shown.
    idle_left: Option<u32>,
    /// The mediator's PIN pad is open, with the digits typed so far.
    pin: Option<String>,
    pin_message: Option<&'static str>,
    /// The mediator panel is open (the agent accepted the PIN).
    mediator: bool,
    /// The mediator paused the idle timer.
    pub timer_paused: bool,
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
            idle_left: None,
            pin: None,
            pin_message: None,
            mediator: false,
            timer_paused: false,
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

    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures
    }

    pub fn step_index(&self) -> usize {
        self.step
    }

    /// Identifies what is on screen, so speech starts only when it changes.
    pub fn speech_key(&self) -> SpeechKey {
        SpeechKey {
            screen: self.screen,
            lang: self.lang,
            procedure: self.procedure,
            step: self.step,
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

    pub fn open_procedure(&mut self, index: usize) {
        if self.screen == Screen::Home && index < self.procedures.len() {
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
            self.step = target;
        }
    }

    pub fn back(&mut self) {
        match self.screen {
            Screen::Step => match self.history.pop() {
                Some(previous) => self.step = previous,
                None => self.screen = Screen::Home,
            },
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

    /// "Call a mediator": the agent is told, the person is told help is coming.
    pub fn call_mediator(&mut self) -> Vec<Command> {
        if !self.in_session() || self.help_called {
            return vec![];
        }
        self.help_called = true;
        vec![Command::CallMediator]
    }

    pub fn dismiss_help(&mut self) {
        self.help_called = false;
    }

    /// "I am a mediator", on the help notice: the PIN pad.
    pub fn open_pin_pad(&mut self) {
        if self.in_session() {
            self.help_called = false;
            self.pin = Some(String::new());
            self.pin_message = None;
        }
    }

    pub fn pin_digit(&mut self, digit: char) {
        if let Some(pin) = &mut self.pin
            && digit.is_ascii_digit()
            && pin.len() < 12
        {
            pin.push(digit);
            self.pin_message = None;
        }
    }

    pub fn pin_erase(&mut self) {
        if let Some(pin) = &mut self.pin {
            pin.pop();
        }
    }

    pub fn pin_cancel(&mut self) {
        self.pin = None;
        self.pin_message = None;
    }

    /// Sends the digits to the agent; the kiosk keeps no copy.
    pub fn pin_submit(&mut self) -> Vec<Command> {
        match self.pin.as_mut() {
            Some(pin) if !pin.is_empty() => vec![Command::MediatorUnlock(std::mem::take(pin))],
            _ => vec![],
        }
    }

    pub fn mediator_open(&self) -> bool {
        self.mediator
    }

    pub fn mediator_close(&mut self) {
        self.mediator = false;
    }

    pub fn toggle_timer_pause(&mut self) {
        if self.mediator {
            self.timer_paused = !self.timer_paused;
        }
    }

    /// "End and erase everything", from the mediator panel: no second confirmation,
    /// the mediator has decided with the person.
    pub fn mediator_end(&mut self) -> Vec<Command> {
        if !self.mediator || self.busy {
            return vec![];
        }
        self.mediator = false;
        self.busy = true;
        vec![Command::EndSession(EndReason::Abandoned)]
    }

    /// Nobody touched the screen for a while: warn, with `seconds` before the wipe.
    pub fn warn_idle(&mut self, seconds: u32) {
        if self.in_session() && !self.busy {
            self.idle_left = Some(seconds);
        }
    }

    pub fn idle_warning(&self) -> Option<u32> {
        self.idle_left
    }

    /// One second of the warning's countdown; at zero the session ends and is wiped.
    pub fn idle_tick(&mut self) -> Vec<Command> {
        match self.idle_left {
            Some(left) if left > 1 => {
                self.idle_left = Some(left - 1);
                vec![]
            }
            Some(_) => self.idle_timeout(),
            None => vec![],
        }
    }

    /// Any touch: the person is there.
    pub fn touched(&mut self) {
        self.idle_left = None;
    }

    /// Whether a person's session is open on screen (idle time counts only then).
    pub fn in_session(&self) -> bool {
        matches!(self.screen, Screen::Language | Screen::Home | Screen::Step)
    }

    /// Nobody touched the screen for too long: end and wipe the session.
    pub fn idle_timeout(&mut self) -> Vec<Command> {
        if !self.in_session() || self.busy {
            return vec![];
        }
        self.confirm_stop = false;
        self.idle_left = None;
        self.busy = true;
        vec![Command::EndSession(EndReason::IdleTimeout)]
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
            LinkEvent::Connected => {
                self.connected = true;
                if self.screen == Screen::OutOfService {
                    self.reset_to_attract();
                }
            }
            LinkEvent::Disconnected => {
                // The agent wipes whatever session we had when it comes back.
                self.connected = false;
                self.busy = false;
                self.confirm_stop = false;
                self.help_called = false;
                self.picking_language = false;
                self.idle_left = None;
                self.pin = None;
                self.mediator = false;
                self.timer_paused = false;
                self.screen = Screen::OutOfService;
            }
            LinkEvent::Agent(msg) => self.on_agent(msg),
        }
    }

    fn on_agent(&mut self, msg: AgentMessage) {
        match msg {
            AgentMessage::SessionStarted { .. } if self.screen == Screen::Attract => {
                self.busy = false;
                self.lang = 0;
                self.screen = Screen::Language;
            }
            AgentMessage::SessionWiped { receipt, .. } => {
                self.busy = false;
                self.confirm_stop = false;
                self.help_called = false;
                self.picking_language = false;
                self.idle_left = None;
                self.pin = None;
                self.mediator = false;
                self.timer_paused = false;
                if self.screen != Screen::OutOfService {
                    self.receipt = Some(receipt);
                    self.screen = Screen::End;
                }
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
        self.confirm_stop = false;
        self.receipt = None;
        self.settings = Settings::default();
        self.picking_language = false;
        self.help_called = false;
        self.idle_left = None;
        self.pin = None;
        self.pin_message = None;
        self.mediator = false;
        self.timer_paused = false;
    }

    /// The translated content of the current screen.
    pub fn view(&self) -> View {
        let cat = &self.catalogs[self.lang];
        let tr = |s: &str| cat.tr(s);
        let mut v = View {
            screen: self.screen.name(),
            rtl: cat.language.rtl,
            voice: cat.language.voice,
            next: tr(t::NEXT),
            back: tr(t::BACK),
            stop: tr(t::STOP),
            listen: tr(t::LISTEN),
            read_on: tr(t::READ_ON),
            confirm_stop: self.confirm_stop,
            stop_question: tr(t::STOP_QUESTION),
            stop_explain: tr(t::STOP_EXPLAIN),
            stop_yes: tr(t::STOP_YES),
            stop_no: tr(t::STOP_NO),
            busy: self.busy,
            wait: tr(t::WAIT),
            rail: Rail {
                shown: matches!(self.screen, Screen::Home | Screen::Step) && !self.picking_language,
                language: tr(t::LANGUAGE_BUTTON),
                size: tr(if self.settings.text_size < 2 { t::SIZE_BIGGER } else { t::SIZE_RESET }),
                contrast: tr(if self.settings.high_contrast { t::CONTRAST_OFF } else { t::CONTRAST_ON }),
                voice: tr(if self.settings.voice_off { t::VOICE_ON } else { t::VOICE_OFF }),
                help: tr(t::HELP_BUTTON),
            },
            help: self.help_called.then(|| tr(t::HELP_CALLED)),
            help_ok: tr(t::HELP_OK),
            idle: self.idle_left.map(|n| (tr(t::IDLE_QUESTION), tr(t::IDLE_EXPLAIN).replace("{n}", &n.to_string()))),
            idle_more: tr(t::IDLE_MORE),
            idle_papers: tr(t::IDLE_PAPERS),
            settings: self.settings,
            mediator_entry: tr(t::MEDIATOR_ENTRY),
            pin: self.pin.as_ref().map(|digits| PinView {
                title: tr(t::PIN_TITLE),
                dots: "●".repeat(digits.len()),
                message: self.pin_message.map(&tr).unwrap_or_default(),
                erase: tr(t::PIN_ERASE),
                ok: tr(t::PIN_OK),
                cancel: tr(t::PIN_CANCEL),
            }),
            mediator: self.mediator.then(|| MediatorView {
                title: tr(t::MEDIATOR_TITLE),
                rule: tr(t::MEDIATOR_RULE),
                outline: if self.screen == Screen::Step {
                    let proc = &self.procedures[self.procedure];
                    proc.steps.iter().enumerate().map(|(i, s)| (tr(&s.title), i == self.step)).collect()
                } else {
                    Vec::new()
                },
                pause: tr(if self.timer_paused { t::MEDIATOR_RESUME } else { t::MEDIATOR_PAUSE }),
                back: tr(t::MEDIATOR_BACK),
                end: tr(t::MEDIATOR_END),
                close: tr(t::MEDIATOR_CLOSE),
            }),
            ..View::default()
        };
        match self.screen {
            Screen::Attract => {
                // The big line shows one language; the list under it, the others.
                v.attract_lines = (self.catalogs.iter().enumerate())
                    .filter(|(i, _)| *i != self.attract_index)
                    .map(|(_, c)| (c.tr(t::ATTRACT), c.language.rtl))
                    .collect();
                let shown = &self.catalogs[self.attract_index];
                v.rtl = shown.language.rtl;
                v.voice = shown.language.voice;
                v.title = shown.tr(t::ATTRACT);
                v.body = self.notice.map(&tr).unwrap_or_default();
                // The attract screen is not spoken: nobody may be there to hear it.
            }
            Screen::Language => {
                v.title = tr(t::LANGUAGE_TITLE);
                v.languages = self
                    .catalogs
                    .iter()
                    .map(|c| (c.language.code.to_owned(), c.language.name.to_owned(), c.language.rtl))
                    .collect();
                v.spoken = v.title.clone();
            }
            Screen::Home => {
                v.title = tr(t::HOME_TITLE);
                v.tiles = self.procedures.iter().map(|p| (tr(&p.organisation), tr(&p.title), tr(&p.summary))).collect();
                v.spoken = join([v.title.clone(), tr(t::HOME_SPOKEN)]);
            }
            Screen::Step => self.step_view(cat, &mut v),
            Screen::End => {
                v.title = tr(t::END_TITLE);
                let r = self.receipt.clone().unwrap_or_default();
                let count = |text: &str, n: u32| tr(text).replace("{n}", &n.to_string());
                v.items = [(t::END_SCANS, r.scans), (t::END_PRINTS, r.print_jobs), (t::END_IMPORTS, r.imported_files)]
                    .into_iter()
                    .map(|(text, n)| count(text, n))
                    .chain((r.other_files > 0).then(|| count(t::END_OTHER, r.other_files)))
                    .collect();
                v.body = tr(if r.verified { t::END_NOTHING_LEFT } else { t::END_NOT_VERIFIED });
                v.next = tr(t::END_BUTTON);
                v.spoken = join([v.title.clone(), v.items.join(". "), v.body.clone()]);
            }
            Screen::OutOfService => {
                v.title = tr(t::OUT_OF_SERVICE_TITLE);
                v.body = tr(t::OUT_OF_SERVICE_TEXT);
                v.spoken = join([v.title.clone(), v.body.clone()]);
            }
        }
        if self.picking_language {
            v.screen = Screen::Language.name();
            v.title = tr(t::LANGUAGE_TITLE);
            v.languages = self
                .catalogs
                .iter()
                .map(|c| (c.language.code.to_owned(), c.language.name.to_owned(), c.language.rtl))
                .collect();
            v.spoken = v.title.clone();
        }
        if self.confirm_stop {
            v.spoken = join([v.stop_question.clone(), v.stop_explain.clone()]);
        }
        if let Some(help) = &v.help {
            v.spoken = help.clone();
        }
        if let Some((question, explain)) = &v.idle {
            v.spoken = join([question.clone(), explain.clone()]);
        }
        // The PIN pad says its title only: digits are never spoken.
        if let Some(pin) = &v.pin {
            v.spoken = pin.title.clone();
        }
        if let Some(panel) = &v.mediator {
            v.spoken = join([panel.title.clone(), panel.rule.clone()]);
        }
        v
    }

    fn step_view(&self, cat: &Catalog, v: &mut View) {
        let tr = |s: &str| cat.tr(s);
        let proc = &self.procedures[self.procedure];
        let step = &proc.steps[self.step];
        v.title = tr(&step.title);
        v.body = tr(&step.text);
        v.items = step.items.iter().map(|i| tr(i)).collect();
        v.url = step.url.as_ref().map(|u| u.get_ref().clone()).unwrap_or_default();
        // Counted along the person's own path: where they are, and the longest way on, so
        // that the count only ever shrinks when an answer shortens the way.
        let n = self.history.len() + 1;
        let total = n - 1 + proc.longest_to_end(self.step);
        v.progress = tr(t::STEP_PROGRESS).replace("{n}", &n.to_string()).replace("{total}", &total.to_string());
        v.choices = step.choices.iter().map(|c| tr(&c.label)).collect();
        v.step_kind = match step.kind {
            StepKind::Info => "info",
            StepKind::Checklist => "checklist",
            StepKind::OfficialSite => "official_site",
            StepKind::Question => "question",
            StepKind::Done => "done",
        };
        if step.kind == StepKind::Done {
            v.next = tr(t::FINISH);
        }
        let mut spoken = vec![v.title.clone(), v.body.clone()];
        match step.kind {
            StepKind::Checklist => {
                spoken.push(tr(t::CHECKLIST_HINT));
                spoken.extend(v.items.iter().cloned());
            }
            StepKind::OfficialSite => {
                // The address is shown, not spelt out: espeak reads URLs badly.
                spoken.push(tr(t::SITE_PASSWORD));
            }
            StepKind::Question => spoken.extend(v.choices.iter().cloned()),
            _ => spoken.extend(v.items.iter().cloned()),
        }
        v.spoken = join(spoken);
        match step.kind {
            StepKind::Checklist => v.hint = tr(t::CHECKLIST_HINT),
            StepKind::OfficialSite => {
                v.hint = tr(t::SITE_ADDRESS);
                v.qr_hint = tr(t::QR_HINT);
                v.items.push(tr(t::SITE_PASSWORD));
            }
            _ => {}
        }
    }
}

/// Joins spoken parts into sentences, skipping empty ones.
fn join<I: IntoIterator<Item = String>>(parts: I) -> String {
    let parts: Vec<String> = parts.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
    let mut out = String::new();
    for p in parts {
        if !out.is_empty() {
            out.push(if out.ends_with(['.', '?', '!', ':', '؟']) { ' ' } else { '.' });
            if !out.ends_with(' ') {
                out.push(' ');
            }
        }
        out.push_str(&p);
    }
    out
}
