//! Time without a touch: after a while the kiosk asks "are you still there?" with a
//! countdown, and when nobody answers the session ends and is wiped. The clocks
//! themselves are Slint timers in `ui`; this is the countdown they drive.
//!
//! A sub-state of the controller (`IdleWarning`).

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdleWarning {
    /// Seconds left before the session is wiped, while the warning is shown.
    left: Option<u32>,
}

/// What one second of the countdown did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// No warning on screen.
    Quiet,
    Counting,
    /// Nobody answered: the visit ends.
    Expired,
}

impl IdleWarning {
    pub fn shown(&self) -> Option<u32> {
        self.left
    }

    /// Warn, with `seconds` before the wipe.
    pub fn warn(&mut self, seconds: u32) {
        self.left = Some(seconds);
    }

    pub fn tick(&mut self) -> Tick {
        match self.left {
            Some(left) if left > 1 => {
                self.left = Some(left - 1);
                Tick::Counting
            }
            Some(_) => {
                self.left = None;
                Tick::Expired
            }
            None => Tick::Quiet,
        }
    }

    /// Any touch: the person is there.
    pub fn dismiss(&mut self) {
        self.left = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_ends_the_visit_unless_someone_touches() {
        let mut w = IdleWarning::default();
        assert_eq!(w.tick(), Tick::Quiet);
        w.warn(2);
        assert_eq!((w.tick(), w.shown()), (Tick::Counting, Some(1)));
        assert_eq!((w.tick(), w.shown()), (Tick::Expired, None));
        w.warn(30);
        w.dismiss();
        assert_eq!(w.tick(), Tick::Quiet);
    }
}
