//! Asking for help, as the person and the mediator do it: "call a mediator" from anywhere
//! (or the physical button), the mediator's PIN pad (digits shown as dots, sent to the
//! agent and dropped), and the mediator panel that shows where the person is and lets the
//! mediator pause the clock, go back, or end and erase.
//!
//! A sub-state of the controller (`Help`): it is told whether a visit is on, and knows
//! nothing else of the controller.

use guichet_protocol::{AgentMessage, CallSource, EndReason, ErrorCode};

use crate::commands::Command;
use crate::texts as t;

/// The longest PIN the pad takes.
const PIN_DIGITS: usize = 12;

#[derive(Default, PartialEq, Eq)]
pub struct Help {
    /// "Call a mediator" was pressed and the message is on screen.
    called: bool,
    /// The PIN pad is open, with the digits typed so far.
    pin: Option<String>,
    pin_message: Option<&'static str>,
    /// The mediator panel is open (the agent accepted the PIN).
    panel: bool,
    /// The mediator paused the idle timer.
    timer_paused: bool,
}

// By hand: the digits typed on the pad never reach a log line.
impl std::fmt::Debug for Help {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pin = self.pin.as_ref().map(|p| p.len());
        write!(
            f,
            "Help(called {}, pin {pin:?} digits, panel {}, paused {})",
            self.called, self.panel, self.timer_paused
        )
    }
}

impl std::fmt::Debug for Pin<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pin({} digits)", self.0.len())
    }
}

/// The pad's digits, lent for display as dots.
pub struct Pin<'a>(&'a str);

impl Pin<'_> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Help {
    pub fn called(&self) -> bool {
        self.called
    }

    pub fn pin(&self) -> Option<Pin<'_>> {
        self.pin.as_deref().map(Pin)
    }

    pub fn pin_message(&self) -> Option<&'static str> {
        self.pin_message
    }

    pub fn panel_open(&self) -> bool {
        self.panel
    }

    pub fn timer_paused(&self) -> bool {
        self.timer_paused
    }

    /// "Call a mediator": the agent is told, the person is told help is coming.
    pub fn call(&mut self, in_session: bool) -> Vec<Command> {
        if !in_session || self.called {
            return vec![];
        }
        self.called = true;
        vec![Command::CallMediator]
    }

    pub fn dismiss(&mut self) {
        self.called = false;
    }

    /// "I am a mediator", on the help notice: the PIN pad.
    pub fn open_pin_pad(&mut self, in_session: bool) {
        if in_session {
            self.called = false;
            self.pin = Some(String::new());
            self.pin_message = None;
        }
    }

    pub fn digit(&mut self, digit: char) {
        if let Some(pin) = &mut self.pin
            && digit.is_ascii_digit()
            && pin.len() < PIN_DIGITS
        {
            pin.push(digit);
            self.pin_message = None;
        }
    }

    pub fn erase(&mut self) {
        if let Some(pin) = &mut self.pin {
            pin.pop();
        }
    }

    pub fn cancel_pin(&mut self) {
        self.pin = None;
        self.pin_message = None;
    }

    /// Sends the digits to the agent; the kiosk keeps no copy.
    pub fn submit(&mut self) -> Vec<Command> {
        match self.pin.as_mut() {
            Some(pin) if !pin.is_empty() => vec![Command::MediatorUnlock(std::mem::take(pin))],
            _ => vec![],
        }
    }

    pub fn close_panel(&mut self) {
        self.panel = false;
    }

    pub fn toggle_pause(&mut self) {
        if self.panel {
            self.timer_paused = !self.timer_paused;
        }
    }

    /// "End and erase everything", from the mediator panel: no second confirmation, the
    /// mediator has decided with the person.
    pub fn end_visit(&mut self, busy: bool) -> Vec<Command> {
        if !self.panel || busy {
            return vec![];
        }
        self.panel = false;
        vec![Command::EndSession(EndReason::Abandoned)]
    }

    /// The visit ended: whatever was open goes.
    pub fn reset(&mut self) {
        *self = Help::default();
    }

    /// Takes the agent's messages about help; `false` for any other message.
    pub fn on_message(&mut self, msg: &AgentMessage, in_session: bool) -> bool {
        match msg {
            // The physical button: the person is told help is coming, as on screen.
            AgentMessage::MediatorCalled { from: CallSource::Button } => {
                if in_session && self.pin.is_none() && !self.panel {
                    self.called = true;
                }
            }
            AgentMessage::MediatorCalled { .. } => {}
            AgentMessage::MediatorGranted { .. } if self.pin.is_some() => {
                self.pin = None;
                self.pin_message = None;
                self.panel = true;
            }
            AgentMessage::Error { code, .. } if self.pin.is_some() => {
                self.pin_message = Some(match code {
                    ErrorCode::WrongPin => t::PIN_WRONG,
                    ErrorCode::PinLocked => t::PIN_LOCKED,
                    _ => t::PIN_UNAVAILABLE,
                });
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_goes_to_the_agent_and_is_kept_nowhere() {
        let mut h = Help::default();
        h.open_pin_pad(false);
        assert!(h.pin().is_none(), "no visit, no pad");
        h.open_pin_pad(true);
        for d in "24x68".chars() {
            h.digit(d);
        }
        assert_eq!(h.pin().map(|p| p.len()), Some(4), "digits only");
        assert!(!format!("{:?}", h.pin().unwrap()).contains("2468"));
        assert_eq!(h.submit(), vec![Command::MediatorUnlock("2468".into())]);
        assert_eq!(h.pin().map(|p| p.len()), Some(0), "sent, and gone from the kiosk");
        let wrong =
            AgentMessage::Error { id: Some(1), code: ErrorCode::WrongPin, message: String::new(), detail: None };
        assert!(h.on_message(&wrong, true));
        assert_eq!(h.pin_message(), Some(t::PIN_WRONG));
        h.digit('1');
        assert_eq!(h.pin_message(), None, "typing again clears the message");
        h.on_message(&AgentMessage::MediatorGranted { id: 2 }, true);
        assert!(h.panel_open() && h.pin().is_none());
        h.toggle_pause();
        assert!(h.timer_paused());
        assert_eq!(h.end_visit(true), vec![], "not while a request is on its way");
        assert_eq!(h.end_visit(false), vec![Command::EndSession(EndReason::Abandoned)]);
    }

    #[test]
    fn help_is_called_once_and_the_button_tells_the_person_too() {
        let mut h = Help::default();
        assert_eq!(h.call(false), vec![], "no visit, no call");
        assert_eq!(h.call(true), vec![Command::CallMediator]);
        assert_eq!(h.call(true), vec![], "once");
        h.dismiss();
        let button = AgentMessage::MediatorCalled { from: CallSource::Button };
        h.on_message(&button, false);
        assert!(!h.called(), "no visit, no notice");
        h.on_message(&AgentMessage::MediatorCalled { from: CallSource::Screen }, true);
        assert!(!h.called(), "the screen's own call already told the person");
        h.on_message(&button, true);
        assert!(h.called());
    }
}
