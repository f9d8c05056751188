//! Help from a person: "call a mediator" from anywhere, the mediator's PIN pad (digits
//! shown as dots, sent to the agent and dropped), and the mediator panel that shows where
//! the person is and lets the mediator pause the clock, go back, or end and erase.

use guichet_protocol::EndReason;

use crate::controller::Controller;
use crate::link::Command;

impl Controller {
    /// "Call a mediator": the agent is told, the person is told help is coming.
    pub fn call_mediator(&mut self) -> Vec<Command> {
        if !self.in_session() || self.help_called {
            return vec![];
        }
        self.help_called = true;
        vec![Command::CallMediator]
    }

    /// A touch on the dark screen: it lights again, and the touch does nothing else.
    pub fn wake(&mut self) -> Vec<Command> {
        self.dark = false;
        vec![Command::Wake]
    }

    pub fn is_dark(&self) -> bool {
        self.dark
    }

    pub fn dismiss_help(&mut self) {
        self.help_called = false;
    }

    /// "I am a mediator", on the help notice: the PIN pad.
    pub fn open_pin_pad(&mut self) {
        if self.in_session() {
            self.help_called = false;
            self.pin = Some(String::new());
            self.pin_message = None;
        }
    }

    pub fn pin_digit(&mut self, digit: char) {
        if let Some(pin) = &mut self.pin
            && digit.is_ascii_digit()
            && pin.len() < 12
        {
            pin.push(digit);
            self.pin_message = None;
        }
    }

    pub fn pin_erase(&mut self) {
        if let Some(pin) = &mut self.pin {
            pin.pop();
        }
    }

    pub fn pin_cancel(&mut self) {
        self.pin = None;
        self.pin_message = None;
    }

    /// Sends the digits to the agent; the kiosk keeps no copy.
    pub fn pin_submit(&mut self) -> Vec<Command> {
        match self.pin.as_mut() {
            Some(pin) if !pin.is_empty() => vec![Command::MediatorUnlock(std::mem::take(pin))],
            _ => vec![],
        }
    }

    pub fn mediator_open(&self) -> bool {
        self.mediator
    }

    pub fn mediator_close(&mut self) {
        self.mediator = false;
    }

    pub fn toggle_timer_pause(&mut self) {
        if self.mediator {
            self.timer_paused = !self.timer_paused;
        }
    }

    /// "End and erase everything", from the mediator panel: no second confirmation,
    /// the mediator has decided with the person.
    pub fn mediator_end(&mut self) -> Vec<Command> {
        if !self.mediator || self.busy {
            return vec![];
        }
        self.mediator = false;
        self.busy = true;
        vec![Command::EndSession(EndReason::Abandoned)]
    }
}

#[cfg(test)]
mod tests {
    use guichet_protocol::{AgentMessage, CallSource, SessionId};

    use crate::controller::{Controller, Screen};
    use crate::i18n::Catalog;
    use crate::link::{Command, LinkEvent};

    fn at_home() -> Controller {
        let mut c = Controller::new(vec![], vec![Catalog::source()]);
        c.on_event(LinkEvent::Connected);
        c.touch_attract();
        let folder = "/tmp/s".into();
        c.on_event(LinkEvent::Agent(AgentMessage::SessionStarted { id: 1, session: SessionId("s".into()), folder }));
        c
    }

    #[test]
    fn a_dark_screen_swallows_the_first_touch_and_asks_to_wake() {
        let mut c = Controller::new(vec![], vec![Catalog::source()]);
        c.on_event(LinkEvent::Connected);
        c.on_event(LinkEvent::Agent(AgentMessage::Screen { on: false }));
        assert!(c.is_dark());
        assert_eq!(c.wake(), vec![Command::Wake]);
        assert!(!c.is_dark());
        assert_eq!(c.screen(), Screen::Attract, "the waking touch started nothing");
        c.on_event(LinkEvent::Agent(AgentMessage::Screen { on: false }));
        c.on_event(LinkEvent::Agent(AgentMessage::Screen { on: true }));
        assert!(!c.is_dark());
    }

    #[test]
    fn the_physical_button_tells_the_person_help_is_coming() {
        let mut c = Controller::new(vec![], vec![Catalog::source()]);
        c.on_event(LinkEvent::Connected);
        c.on_event(LinkEvent::Agent(AgentMessage::MediatorCalled { from: CallSource::Button }));
        assert!(!c.help_called, "no visit, no notice");
        let mut c = at_home();
        c.on_event(LinkEvent::Agent(AgentMessage::MediatorCalled { from: CallSource::Screen }));
        assert!(!c.help_called, "the screen's own call already told the person");
        c.on_event(LinkEvent::Agent(AgentMessage::MediatorCalled { from: CallSource::Button }));
        assert!(c.help_called);
    }
}
