//! Screen power: dark outside the site's opening hours and after a long time with nobody,
//! lit again by a touch or the presence sensor.
//!
//! Two faults other kiosks suffer shape this. "Touch works while the screen is off": the
//! kiosk is told (`screen` event) and swallows the first touch on a dark screen, answering
//! it with `wake`. "Touch lost after the night": the screen is darkened through its
//! backlight only; the display and the touch panel are never closed or powered down, so
//! there is nothing to come back wrong in the morning.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use guichet_protocol::{OpeningHours, Weekday};
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

/// Turns the panel's light on and off.
pub trait Backlight: Send + Sync {
    fn set(&self, on: bool);
}

/// `/sys/class/backlight/*/bl_power`: 0 lit, 4 powered down (FB_BLANK_POWERDOWN).
pub struct SysfsBacklight {
    root: PathBuf,
}

impl SysfsBacklight {
    pub fn new() -> SysfsBacklight {
        SysfsBacklight { root: PathBuf::from("/sys/class/backlight") }
    }
}

impl Default for SysfsBacklight {
    fn default() -> Self {
        SysfsBacklight::new()
    }
}

impl Backlight for SysfsBacklight {
    fn set(&self, on: bool) {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            tracing::debug!("no backlight: the screen is only drawn black");
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path().join("bl_power");
            if let Err(e) = std::fs::write(&path, if on { "0" } else { "4" }) {
                tracing::warn!(cause = %e, path = %path.display(), "cannot switch the backlight");
            }
        }
    }
}

/// A backlight that only remembers, for the demo and the tests.
#[derive(Default)]
pub struct FakeBacklight {
    pub changes: Mutex<Vec<bool>>,
}

impl Backlight for FakeBacklight {
    fn set(&self, on: bool) {
        self.changes.lock().unwrap_or_else(|p| p.into_inner()).push(on);
    }
}

/// A moment of the week in the site's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub day: Weekday,
    /// Minutes since midnight.
    pub minute: u32,
}

/// Where local time comes from: the system's clock and time zone, or a test's.
pub trait Clock: Send + Sync {
    fn local(&self) -> LocalTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn local(&self) -> LocalTime {
        crate::system::local_time()
    }
}

/// Whether the site is open at `t`. No hours configured means always open.
pub fn open_at(hours: &[OpeningHours], t: LocalTime) -> bool {
    hours.is_empty()
        || hours.iter().any(|h| {
            let minutes = |s: &str| {
                let (hh, mm) = s.split_once(':').unwrap_or(("0", "0"));
                hh.parse::<u32>().unwrap_or(0) * 60 + mm.parse::<u32>().unwrap_or(0)
            };
            (h.first..=h.last).contains(&t.day) && (minutes(&h.open)..minutes(&h.close)).contains(&t.minute)
        })
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

    fn weekdays() -> Vec<OpeningHours> {
        vec![OpeningHours { first: Weekday::Mon, last: Weekday::Fri, open: "08:30".into(), close: "12:00".into() }]
    }

    #[test]
    fn opening_hours_include_open_and_exclude_close() {
        let at = |day, h: u32, m: u32| LocalTime { day, minute: h * 60 + m };
        let hours = weekdays();
        assert!(!open_at(&hours, at(Weekday::Mon, 8, 29)));
        assert!(open_at(&hours, at(Weekday::Mon, 8, 30)));
        assert!(open_at(&hours, at(Weekday::Fri, 11, 59)));
        assert!(!open_at(&hours, at(Weekday::Fri, 12, 0)));
        assert!(!open_at(&hours, at(Weekday::Sat, 9, 0)));
        assert!(open_at(&[], at(Weekday::Sun, 3, 0)));
    }

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
