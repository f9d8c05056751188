//! The keyboard filter: which key events reach the kiosk and which are dropped because
//! they would let someone leave it (switch VT, open a terminal, close the window, reach
//! the desktop, reboot). A pure function over event sequences, so it is tested on
//! scripts like `"d:leftctrl d:leftalt d:f2 u:f2 u:leftalt u:leftctrl"` with no device.
//! Grabbing the keyboards and re-injecting through uinput is the device part, built on
//! this (`keyboards`); ordinary typing (Shift, AltGr accents on AZERTY) passes untouched.
//!
//! Right Alt counts as Alt in every combination. On the kiosk's keymap (French AZERTY,
//! `XKB_DEFAULT_LAYOUT=fr` in its unit) it is AltGr, which types € and @ and is harmless
//! here; but under another keymap (libxkbcommon's default `us`) it is Alt, and Slint's
//! linuxkms backend quits on Ctrl+Alt+Backspace and Ctrl+Alt+Delete. No combination
//! below types a character on AZERTY, so treating it as Alt costs nothing.

/// Linux input key codes (`linux/input-event-codes.h`) the filter cares about by name.
pub mod key {
    pub const ESC: u16 = 1;
    pub const BACKSPACE: u16 = 14;
    pub const TAB: u16 = 15;
    pub const Q: u16 = 16;
    pub const W: u16 = 17;
    pub const T: u16 = 20;
    pub const LEFTCTRL: u16 = 29;
    pub const LEFTSHIFT: u16 = 42;
    pub const RIGHTSHIFT: u16 = 54;
    pub const LEFTALT: u16 = 56;
    pub const SPACE: u16 = 57;
    pub const F1: u16 = 59;
    pub const F10: u16 = 68;
    pub const F11: u16 = 87;
    pub const F12: u16 = 88;
    pub const RIGHTCTRL: u16 = 97;
    pub const SYSRQ: u16 = 99;
    pub const RIGHTALT: u16 = 100;
    pub const UP: u16 = 103;
    pub const LEFT: u16 = 105;
    pub const RIGHT: u16 = 106;
    pub const DOWN: u16 = 108;
    pub const DELETE: u16 = 111;
    pub const POWER: u16 = 116;
    pub const LEFTMETA: u16 = 125;
    pub const RIGHTMETA: u16 = 126;
    pub const COMPOSE: u16 = 127;
    pub const SLEEP: u16 = 142;
    pub const WAKEUP: u16 = 143;
    pub const F13: u16 = 183;
    pub const F24: u16 = 194;
    pub const PRINT: u16 = 210;

    /// Names used in simulation scripts, for the keys above and a few ordinary ones.
    pub fn by_name(name: &str) -> Option<u16> {
        let named = [
            ("esc", ESC),
            ("backspace", BACKSPACE),
            ("tab", TAB),
            ("q", Q),
            ("w", W),
            ("e", 18),
            ("r", 19),
            ("t", T),
            ("a", 30),
            ("z", 44),
            ("1", 2),
            ("2", 3),
            ("0", 11),
            ("leftctrl", LEFTCTRL),
            ("leftshift", LEFTSHIFT),
            ("rightshift", RIGHTSHIFT),
            ("leftalt", LEFTALT),
            ("space", SPACE),
            ("f11", F11),
            ("f12", F12),
            ("rightctrl", RIGHTCTRL),
            ("sysrq", SYSRQ),
            ("rightalt", RIGHTALT),
            ("up", UP),
            ("left", LEFT),
            ("right", RIGHT),
            ("down", DOWN),
            ("delete", DELETE),
            ("power", POWER),
            ("leftmeta", LEFTMETA),
            ("rightmeta", RIGHTMETA),
            ("compose", COMPOSE),
            ("sleep", SLEEP),
            ("wakeup", WAKEUP),
            ("print", PRINT),
            ("enter", 28),
            ("apostrophe", 40),
            ("grave", 41),
            ("102nd", 86),
        ];
        if let Some(&(_, code)) = named.iter().find(|(n, _)| *n == name) {
            return Some(code);
        }
        // f1…f24
        let n: u16 = name.strip_prefix('f')?.parse().ok()?;
        match n {
            1..=10 => Some(F1 + n - 1),
            11 => Some(F11),
            12 => Some(F12),
            13..=24 => Some(F13 + n - 13),
            _ => None,
        }
    }
}

/// A key going down, up, or auto-repeating (evdev values 1, 0, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Down,
    Up,
    Repeat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyEvent {
    pub code: u16,
    pub action: Action,
}

/// Keys dropped whatever else is held: they exist only to leave, sleep or reboot.
const ALWAYS_DROPPED: &[u16] =
    &[key::LEFTMETA, key::RIGHTMETA, key::SYSRQ, key::PRINT, key::POWER, key::SLEEP, key::WAKEUP, key::COMPOSE];

/// The filter's memory: which modifiers are down, and which presses it swallowed (so
/// their repeats and releases are swallowed too, and nothing is left half-pressed).
#[derive(Debug, Default)]
pub struct Filter {
    ctrl: u8,
    /// Either Alt key (see the module's comment on Right Alt).
    alt: u8,
    shift: u8,
    swallowed: Vec<u16>,
}

impl Filter {
    pub fn new() -> Filter {
        Filter::default()
    }

    /// Whether `event` reaches the kiosk. Modifiers always pass, so that ordinary typing
    /// keeps its state; it is the combination's last key that is dropped.
    pub fn pass(&mut self, event: KeyEvent) -> bool {
        let down = event.action == Action::Down;
        let delta = |held: &mut u8| match event.action {
            Action::Down => *held = held.saturating_add(1),
            Action::Up => *held = held.saturating_sub(1),
            Action::Repeat => {}
        };
        match event.code {
            key::LEFTCTRL | key::RIGHTCTRL => {
                delta(&mut self.ctrl);
                return true;
            }
            key::LEFTALT | key::RIGHTALT => {
                delta(&mut self.alt);
                return true;
            }
            key::LEFTSHIFT | key::RIGHTSHIFT => {
                delta(&mut self.shift);
                return true;
            }
            _ => {}
        }
        if !down {
            // The release (or repeat) of a press that was dropped is dropped too.
            if let Some(i) = self.swallowed.iter().position(|&c| c == event.code) {
                if event.action == Action::Up {
                    self.swallowed.remove(i);
                }
                return false;
            }
            // A key held down before Ctrl+Alt came must not repeat its way into a
            // combination (hold Delete, then press Ctrl+Alt).
            return event.action == Action::Up || !self.escapes(event.code);
        }
        if self.escapes(event.code) {
            self.swallowed.push(event.code);
            return false;
        }
        true
    }

    /// Whether pressing `code` with the modifiers now held is a way out.
    fn escapes(&self, code: u16) -> bool {
        let (ctrl, alt, shift) = (self.ctrl > 0, self.alt > 0, self.shift > 0);
        let function = is_function_key(code);
        ALWAYS_DROPPED.contains(&code)
            // Ctrl+Alt+Fn and Alt+Fn switch virtual terminals; Alt+F4 closes, Alt+F2 runs.
            || (alt && function)
            || (ctrl && alt && matches!(code, key::DELETE | key::BACKSPACE | key::T | key::ESC | key::TAB))
            // Ctrl+Alt+arrows switch workspaces.
            || (ctrl && alt && matches!(code, key::UP | key::DOWN | key::LEFT | key::RIGHT))
            // Alt+Tab, Alt+Esc, Alt+Space (window menu); Alt+Left/Right switch the Linux
            // console's terminals and go back and forward in a browser.
            || (alt && matches!(code, key::TAB | key::ESC | key::SPACE | key::LEFT | key::RIGHT))
            // Ctrl+Esc (start menu), Ctrl+Shift+Esc (task manager).
            || (ctrl && code == key::ESC)
            // Ctrl+Q / Ctrl+W close an application; Ctrl+Shift+T reopens a browser tab.
            || (ctrl && matches!(code, key::Q | key::W))
            || (ctrl && shift && code == key::T)
            // F11 / F12: full screen toggles and developer tools in a browser.
            || matches!(code, key::F11 | key::F12)
            || (function && ctrl)
    }
}

fn is_function_key(code: u16) -> bool {
    (key::F1..=key::F10).contains(&code)
        || code == key::F11
        || code == key::F12
        || (key::F13..=key::F24).contains(&code)
}

/// Parses a simulation script: space-separated `d:NAME`, `u:NAME` or `r:NAME`.
pub fn parse_script(script: &str) -> Result<Vec<KeyEvent>, String> {
    script
        .split_whitespace()
        .map(|word| {
            let (action, name) = word.split_once(':').ok_or_else(|| format!("{word}: expected d:, u: or r:"))?;
            let action = match action {
                "d" => Action::Down,
                "u" => Action::Up,
                "r" => Action::Repeat,
                _ => return Err(format!("{word}: expected d:, u: or r:")),
            };
            let code = key::by_name(name).ok_or_else(|| format!("{word}: unknown key"))?;
            Ok(KeyEvent { code, action })
        })
        .collect()
}

/// Runs a script through a fresh filter and returns what passes, as a script.
pub fn run_script(script: &str) -> Result<String, String> {
    let events = parse_script(script)?;
    let words: Vec<&str> = script.split_whitespace().collect();
    let mut filter = Filter::new();
    Ok(events.iter().zip(words).filter(|(e, _)| filter.pass(**e)).map(|(_, w)| w).collect::<Vec<_>>().join(" "))
}
