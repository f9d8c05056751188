//! The kiosk's signs of life, both sent from the UI loop so that a UI stuck in a loop
//! stops sending them: `alive` to the agent (the screen shown, the seconds since the last
//! touch) and the systemd watchdog's ping. systemd restarts a kiosk whose pings stop; the
//! agent reports one whose heartbeats stop.

use std::cell::Cell;
use std::time::{Duration, Instant};

use super::KioskUi;
use crate::commands::Command;
use crate::controller::Screen;

/// How often `alive` goes to the agent, whatever happens on screen.
const EVERY: Duration = Duration::from_secs(5);

pub struct Heartbeat {
    timer: slint::Timer,
    started: Cell<bool>,
    last_touch: Cell<Instant>,
    sent_screen: Cell<Option<Screen>>,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Heartbeat {
            timer: slint::Timer::default(),
            started: Cell::new(false),
            last_touch: Cell::new(Instant::now()),
            sent_screen: Cell::new(None),
        }
    }
}

impl KioskUi {
    /// Starts the beat (not in the screenshot walk, which has no event loop). Tells
    /// systemd the kiosk is ready once the loop runs, that is once the window is up.
    pub fn start_heartbeat(&self) {
        self.heartbeat.started.set(true);
        let period = sd_notify::watchdog_enabled().map_or(EVERY, |w| (w / 2).min(EVERY));
        slint::Timer::single_shot(Duration::ZERO, || {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
        });
        let me = self.me.clone();
        self.heartbeat.timer.start(slint::TimerMode::Repeated, period, move || {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
            if let Some(ui) = me.upgrade() {
                ui.beat(true);
            }
        });
    }

    /// Sends `alive` when the screen changed, or in any case with `always`.
    pub(super) fn beat(&self, always: bool) {
        if !self.heartbeat.started.get() {
            return;
        }
        let screen = self.controller().screen();
        if always || self.heartbeat.sent_screen.get() != Some(screen) {
            self.heartbeat.sent_screen.set(Some(screen));
            let idle_s = u32::try_from(self.heartbeat.last_touch.get().elapsed().as_secs()).unwrap_or(u32::MAX);
            self.link.send(Command::Alive { screen: screen.name(), idle_s });
        }
    }

    pub(super) fn touched_now(&self) {
        self.heartbeat.last_touch.set(Instant::now());
    }
}
