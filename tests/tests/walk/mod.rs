//! Driving the kiosk's real UI through Slint's testing backend, by accessible label, as
//! a person would: shared by the UI tests.

// Each test file includes this module and uses only part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::mpsc;

use guichet_kiosk::commands::Event;
use guichet_kiosk::controller::{Controller, Screen};
use guichet_kiosk::speech::RecordingSpeaker;
use guichet_kiosk::texts as t;
use guichet_kiosk::ui::KioskUi;
use guichet_protocol::AgentMessage;
use guichet_tests::BOUND;
use i_slint_backend_testing::{AccessibleRole, ElementHandle};

pub struct Walk {
    pub ui: Rc<KioskUi>,
    pub events: mpsc::Receiver<Event>,
    pub speaker: RecordingSpeaker,
    pub session_folder: Option<PathBuf>,
}

impl Walk {
    /// Taps the button (or checklist row) whose accessible label is `label` (a text with
    /// the same words is not a button, and tapping it would do nothing).
    /// Like a person, it first taps "read on" while the button is below the fold.
    pub fn tap(&self, label: &str) {
        let find = |label: &str| {
            ElementHandle::find_by_accessible_label(self.ui.window(), label)
                .find(|e| matches!(e.accessible_role(), Some(AccessibleRole::Button | AccessibleRole::Checkbox)))
        };
        for _ in 0..10 {
            if let Some(button) = find(label) {
                button.invoke_accessible_default_action();
                return;
            }
            match find(t::READ_ON) {
                Some(read_on) => read_on.invoke_accessible_default_action(),
                None => break,
            }
        }
        panic!("no button labelled {label:?} on the {:?} screen", self.screen());
    }

    /// Touches the attract screen, waits for the session, and chooses `language` by its
    /// own name ("Français").
    pub fn open_visit(&mut self, language: &str) {
        self.tap(t::ATTRACT);
        self.pump("a session", |c| c.screen() == Screen::Language);
        self.tap(language);
    }

    pub fn screen(&self) -> Screen {
        self.ui.controller().screen()
    }

    /// Feeds the link's events to the UI until `done` holds, at most `BOUND`.
    pub fn pump(&mut self, what: &str, done: impl Fn(&Controller) -> bool) {
        while !done(&self.ui.controller()) {
            let event = self.events.recv_timeout(BOUND).unwrap_or_else(|_| panic!("timed out waiting for {what}"));
            if let Event::Agent(AgentMessage::SessionStarted { folder, .. }) = &event {
                self.session_folder = Some(PathBuf::from(folder));
            }
            self.ui.on_link_event(event);
        }
    }

    pub fn last_said(&self) -> (String, String) {
        let u = self.speaker.last().expect("nothing was said");
        (u.voice, u.text)
    }

    /// Every button on screen has a non-empty label.
    pub fn check_labels(&self) {
        let buttons = i_slint_backend_testing::ElementQuery::from_root(self.ui.window())
            .match_accessible_role(AccessibleRole::Button)
            .find_all();
        assert!(!buttons.is_empty(), "no button on the {:?} screen", self.screen());
        for b in buttons {
            let label = b.accessible_label().unwrap_or_default();
            assert!(!label.trim().is_empty(), "a button without a label on the {:?} screen", self.screen());
        }
    }
}

pub fn content_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../content"))
}

impl Walk {
    /// A kiosk window with every procedure and language, linked to the agent at `socket`,
    /// on its attract screen.
    pub fn start(socket: PathBuf) -> Walk {
        Walk::start_with(socket, |_| {})
    }

    /// The same, with the controller adjusted first.
    pub fn start_with(socket: PathBuf, adjust: impl FnOnce(&mut Controller)) -> Walk {
        use slint::ComponentHandle;
        let (tx, events) = mpsc::channel();
        let link = guichet_kiosk::agent_link::Link::start(socket, move |ev| {
            let _ = tx.send(ev);
        });
        let assets = guichet_kiosk::Assets::load(&content_dir());
        let speaker = RecordingSpeaker::default();
        let mut controller = Controller::new(assets.procedures, assets.catalogs);
        adjust(&mut controller);
        let ui = KioskUi::new(guichet_kiosk::AppWindow::new().unwrap(), controller, Box::new(speaker.clone()), link);
        ui.window().show().unwrap();
        let mut w = Walk { ui, events, speaker, session_folder: None };
        w.pump("the agent", |c| c.screen() == Screen::Attract);
        w
    }
}
