//! Time without a touch: after a while the kiosk asks "are you still there?" with a
//! countdown, and when nobody answers the session ends and is wiped. The clocks
//! themselves are Slint timers in `ui`; this is what they do to the state.

use guichet_protocol::EndReason;

use crate::controller::{Controller, Screen};
use crate::link::Command;

impl Controller {
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
}
