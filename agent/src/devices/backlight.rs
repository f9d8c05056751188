//! The screen's backlight: lit or dark through `/sys/class/backlight/*/bl_power`, or a
//! fake that only remembers, for the demo and the tests.

use std::path::PathBuf;
use std::sync::Mutex;

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
