//! What is on screen, as plain values: the screen, the overlay over it, the person's
//! display choices, and the key that says whether what is on screen changed (speech
//! starts only then).

use crate::print_pages::PrintState;
use crate::scan_pages::ScanState;

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
    /// How printing the summary goes: said when it changes.
    pub print: PrintState,
    /// How scanning goes: said when it changes.
    pub scan: ScanState,
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
    Keyboard,
}

/// Choices made on the side rail. Reset for the next person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// 0 normal, 1 large, 2 larger.
    pub text_size: u8,
    pub high_contrast: bool,
    pub voice_off: bool,
}
