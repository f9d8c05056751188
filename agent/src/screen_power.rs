//! Screen power: dark outside the site's opening hours and after a long time with nobody,
//! lit again by a touch or the presence sensor. The decision only: `hardware` runs it,
//! `devices::backlight` carries it out.
//!
//! Two faults other kiosks suffer shape this. "Touch works while the screen is off": the
//! kiosk is told (`screen` event) and swallows the first touch on a dark screen, answering
//! it with `wake`. "Touch lost after the night": the screen is darkened through its
//! backlight only; the display and the touch panel are never closed or powered down, so
//! there is nothing to come back wrong in the morning.

use std::time::Duration;

use serde::Deserialize;

/// `[screen]` in the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScreenConfig {
    /// During opening hours: dark after this many minutes with nobody.
    pub sleep_after_min: u64,
    /// Outside opening hours: a touch lights it for this many seconds.
    pub closed_sleep_after_s: u64,
}

impl Default for ScreenConfig {
    fn default() -> Self {
        ScreenConfig { sleep_after_min: 20, closed_sleep_after_s: 60 }
    }
}

/// The decision, with no clock of its own: fed the time and what happened, it says whether
/// the screen should be lit.
#[derive(Debug)]
pub struct ScreenPower {
    open_idle: Duration,
    closed_idle: Duration,
    was_open: Option<bool>,
    /// Time since start of the last sign of someone (touch, presence, wake, button).
    last_activity: Duration,
}

impl ScreenPower {
    pub fn new(config: &ScreenConfig) -> ScreenPower {
        ScreenPower {
            open_idle: Duration::from_secs(config.sleep_after_min.max(1) * 60),
            closed_idle: Duration::from_secs(config.closed_sleep_after_s.max(10)),
            was_open: None,
            last_activity: Duration::ZERO,
        }
    }

    /// Someone is there, `at` (time since start).
    pub fn activity(&mut self, at: Duration) {
        self.last_activity = self.last_activity.max(at);
    }

    /// Whether the screen should be lit `now` (time since start), the site being `open`,
    /// with a session open or not.
    pub fn lit(&mut self, now: Duration, open: bool, in_session: bool) -> bool {
        if open && self.was_open == Some(false) {
            // Opening time lights the screen, so the first visitor sees it inviting them.
            self.last_activity = now;
        }
        self.was_open = Some(open);
        let limit = if open { self.open_idle } else { self.closed_idle };
        // Never dark under someone's hands, even when closing time passes mid-visit.
        in_session || now.saturating_sub(self.last_activity) < limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_limits_differ_open_and_closed() {
        let mut power = ScreenPower::new(&ScreenConfig::default());
        let s = Duration::from_secs;
        assert!(power.lit(s(0), true, false));
        assert!(power.lit(s(19 * 60), true, false));
        assert!(!power.lit(s(20 * 60), true, false));
        assert!(power.lit(s(20 * 60), true, true), "a session keeps it lit");
        power.activity(s(21 * 60));
        assert!(power.lit(s(21 * 60 + 59), false, false));
        assert!(!power.lit(s(22 * 60), false, false));
        assert!(power.lit(s(23 * 60), true, false), "opening lights it");
    }
}
