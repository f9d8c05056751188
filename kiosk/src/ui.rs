//! The adapter between the controller and the Slint window: it copies each screen's
//! `ScreenContent` into the window's globals (`ui/push.rs`), speaks a screen when it
//! changes, turns the globals' callbacks into controller calls (`ui/connect.rs`), sends
//! the controller's commands to the agent, and draws a summary sheet before it is printed
//! (`ui/sheets.rs`). All of it runs on the UI thread.

mod connect;
mod heartbeat;
mod pictures;
mod push;
mod sheets;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use slint::ComponentHandle;

use crate::AppWindow;
use crate::agent_link::Link;
use crate::commands::{Command, Event};
use crate::controller::{Controller, Screen, SpeechKey};
use crate::speech::Speaker;
use crate::view::ScreenContent;
pub use sheets::SheetPrinting;

/// After this long with no touch in a session, the kiosk asks "are you still there?"
/// (unless changed with `set_idle_timeout`).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(180);
/// Then it counts down this many seconds, on screen and aloud, before wiping.
pub const IDLE_WARNING_SECONDS: u32 = 30;
/// "I am fetching my papers" adds this much to the next wait.
pub const PAPERS_EXTRA: Duration = Duration::from_secs(600);
/// The end screen goes back to attract by itself after this long.
const END_SCREEN_TIMEOUT: Duration = Duration::from_secs(60);

pub struct KioskUi {
    window: AppWindow,
    controller: RefCell<Controller>,
    speaker: Box<dyn Speaker>,
    link: Link,
    sheets: RefCell<SheetPrinting>,
    spoken_key: RefCell<Option<SpeechKey>>,
    /// The label of the control just touched, said if the touch leaves the screen as it is.
    tapped: RefCell<Option<String>>,
    attract_timer: slint::Timer,
    end_timer: slint::Timer,
    idle_timer: slint::Timer,
    countdown_timer: slint::Timer,
    idle_after: Cell<Duration>,
    pictures: pictures::Pictures,
    heartbeat: heartbeat::Heartbeat,
    me: Weak<KioskUi>,
}

impl KioskUi {
    pub fn new(window: AppWindow, controller: Controller, speaker: Box<dyn Speaker>, link: Link) -> Rc<KioskUi> {
        let ui = Rc::new_cyclic(|me| KioskUi {
            window,
            controller: RefCell::new(controller),
            speaker,
            link,
            sheets: RefCell::new(SheetPrinting::default()),
            spoken_key: RefCell::new(None),
            tapped: RefCell::new(None),
            attract_timer: slint::Timer::default(),
            end_timer: slint::Timer::default(),
            idle_timer: slint::Timer::default(),
            countdown_timer: slint::Timer::default(),
            idle_after: Cell::new(DEFAULT_IDLE_TIMEOUT),
            pictures: Default::default(),
            heartbeat: Default::default(),
            me: me.clone(),
        });
        ui.connect();
        ui.refresh();
        ui
    }

    pub fn window(&self) -> &AppWindow {
        &self.window
    }

    pub fn controller(&self) -> std::cell::Ref<'_, Controller> {
        self.controller.borrow()
    }

    /// What the screen on show holds, translated: what the window was given.
    pub fn content(&self) -> ScreenContent {
        ScreenContent::of(&self.controller.borrow())
    }

    pub fn set_idle_timeout(&self, after: Duration) {
        self.idle_after.set(after);
    }

    /// How summary sheets are drawn (by default, by this very program in a child).
    pub fn set_sheet_printing(&self, how: SheetPrinting) {
        *self.sheets.borrow_mut() = how;
    }

    /// Applies something the agent link reported.
    pub fn on_link_event(&self, event: Event) {
        let connected = event == Event::Connected;
        self.controller.borrow_mut().on_event(event);
        self.reload_content();
        // A session that just opened starts its idle clock; one that ended stops it.
        if !self.controller().in_session() {
            self.idle_timer.stop();
            self.countdown_timer.stop();
        } else if !self.idle_timer.running() && !self.countdown_timer.running() {
            self.restart_idle_clock(Duration::ZERO);
        }
        self.refresh();
        if connected {
            // A new connection (the agent restarted): it hears from us at once.
            self.beat(true);
        }
    }

    /// Runs a controller action, sends its commands and redraws. Every action is a
    /// touch: it dismisses an idle warning and restarts the idle clock.
    pub fn act(&self, action: impl FnOnce(&mut Controller) -> Vec<Command>) {
        self.touched_now();
        self.controller.borrow_mut().touched();
        self.run(action);
        self.restart_idle_clock(Duration::ZERO);
        self.refresh();
    }

    /// Runs a controller action that needs nothing from the agent, and redraws.
    pub fn update(&self, action: impl FnOnce(&mut Controller)) {
        self.act(|c| {
            action(c);
            Vec::new()
        });
    }

    /// Runs a controller action that is not a touch (a timer's).
    fn run(&self, action: impl FnOnce(&mut Controller) -> Vec<Command>) {
        let mut controller = self.controller.borrow_mut();
        let commands = action(&mut controller);
        let usage = controller.usage_commands(&commands);
        drop(controller);
        for command in usage.into_iter().chain(commands) {
            match command {
                Command::PrintSummary { folder, sheet } => self.sheets.borrow().print(&self.link, folder, sheet),
                command => self.link.send(command),
            }
        }
        self.reload_content();
    }

    /// Loads content the fleet pushed, once no visit is on. A folder that holds no
    /// procedure the kiosk can read is not switched to.
    fn reload_content(&self) {
        let Some(folder) = self.controller.borrow_mut().take_content_reload() else { return };
        let assets = crate::Assets::load(&folder);
        if assets.procedures.is_empty() {
            tracing::error!(folder = %folder.display(), "pushed content has no readable procedure: kept the old one");
            return;
        }
        tracing::info!(folder = %folder.display(), procedures = assets.procedures.len(), "content switched");
        self.controller.borrow_mut().replace_content(assets.procedures, assets.catalogs);
    }

    /// Waits `idle_after` (plus `extra`) for a touch, then warns and counts down.
    fn restart_idle_clock(&self, extra: Duration) {
        self.countdown_timer.stop();
        // No session, or a mediator paused the clock: nothing to count.
        if !self.controller().in_session() || self.controller().timer_paused() {
            self.idle_timer.stop();
            return;
        }
        let me = self.me.clone();
        self.idle_timer.start(slint::TimerMode::SingleShot, self.idle_after.get() + extra, move || {
            if let Some(ui) = me.upgrade() {
                ui.start_idle_warning();
            }
        });
    }

    fn start_idle_warning(&self) {
        self.run(|c| {
            c.warn_idle(IDLE_WARNING_SECONDS);
            vec![]
        });
        self.refresh();
        let me = self.me.clone();
        self.countdown_timer.start(slint::TimerMode::Repeated, Duration::from_secs(1), move || {
            if let Some(ui) = me.upgrade() {
                ui.run(Controller::idle_tick);
                if ui.controller().idle_warning().is_none() {
                    tracing::info!("no touch for too long: the session ends");
                    ui.countdown_timer.stop();
                }
                ui.refresh();
            }
        });
    }

    /// Copies the screen's content into the window and speaks it if the screen changed;
    /// otherwise says the label of the control just touched (a key, a toggle), so that a
    /// person who cannot read it hears what they did.
    pub fn refresh(&self) {
        let (data, key, dark) = {
            let c = self.controller.borrow();
            (ScreenContent::of(&c), c.speech_key(), c.is_dark())
        };
        push::push(&self.window, &data, dark);
        self.beat(false);
        self.pictures.push_qr(&self.window, &data.url);
        self.pictures.push_pages(&self.window, &data.pages);
        let changed = self.spoken_key.borrow().as_ref() != Some(&key);
        let tapped = self.tapped.borrow_mut().take();
        if !changed
            && let Some(label) = tapped
            && !data.settings.voice_off
        {
            self.speaker.speak(data.voice, &label);
        }
        if changed {
            *self.spoken_key.borrow_mut() = Some(key);
            if !data.spoken.is_empty() && !data.settings.voice_off {
                self.speaker.speak(data.voice, &data.spoken);
            }
            if key.screen == Screen::End {
                let weak = self.window.as_weak();
                self.end_timer.start(slint::TimerMode::SingleShot, END_SCREEN_TIMEOUT, move || {
                    if let Some(window) = weak.upgrade() {
                        window.global::<crate::View>().invoke_end_pressed();
                    }
                });
            } else {
                self.end_timer.stop();
            }
        }
    }

    /// "Listen again": the screen once more, more slowly, even with the voice off.
    pub fn speak_now(&self) {
        // The screen itself is said, not the "listen again" label.
        self.tapped.borrow_mut().take();
        let data = self.content();
        if !data.spoken.is_empty() {
            self.speaker.speak_slowly(data.voice, &data.spoken);
        }
    }
}
