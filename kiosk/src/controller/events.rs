//! What the controller is told: the agent link's events and the agent's messages, each
//! first offered to the sub-state it concerns (printing, scanning, help), and the end of a
//! visit, which returns everything to how the next person must find it.

use std::path::PathBuf;

use guichet_protocol::{AgentMessage, ErrorCode, WipeReceipt};

use super::{Controller, Screen, Settings};
use crate::commands::Event;
use crate::scan_pages::Scans;
use crate::texts as t;

impl Controller {
    pub fn on_event(&mut self, event: Event) {
        match event {
            Event::Site(site) => self.site = Some(site),
            Event::Connected => {
                self.connected = true;
                // A new agent lights the screen when a kiosk connects; an old "dark" must
                // not outlive the agent that said it.
                self.dark = false;
                if self.screen == Screen::OutOfService {
                    self.reset_to_attract();
                }
            }
            Event::Disconnected => {
                // The agent wipes whatever session we had when it comes back. Nobody
                // darkens the screen while it is away: "out of service" must be seen.
                self.connected = false;
                self.dark = false;
                self.busy = false;
                self.close_overlays();
                self.session_folder = None;
                self.print.reset();
                self.scans = Scans::default();
                self.screen = Screen::OutOfService;
            }
            Event::Agent(msg) => self.on_agent(msg),
            Event::PrintFailed => self.print.failed(),
        }
    }

    fn on_agent(&mut self, msg: AgentMessage) {
        let in_session = self.in_session();
        if self.print.on_message(&msg) || self.scans.on_message(&msg) || self.help.on_message(&msg, in_session) {
            return;
        }
        match msg {
            AgentMessage::SessionStarted { folder, .. } if self.screen == Screen::Attract => {
                self.session_folder = Some(PathBuf::from(folder));
                self.busy = false;
                self.lang = 0;
                self.screen = Screen::Language;
            }
            // Someone else's session (IT staff's `agentctl`) is not the person's visit.
            AgentMessage::SessionWiped { receipt, .. } if self.in_session() || self.session_folder.is_some() => {
                self.busy = false;
                self.close_overlays();
                if self.screen != Screen::OutOfService {
                    self.receipt = Some(receipt);
                    self.screen = Screen::End;
                }
            }
            AgentMessage::Screen { on } => self.dark = !on,
            AgentMessage::AttractMessage { texts } => self.staff.set_message(texts),
            AgentMessage::ContentChanged { folder, .. } => self.staff.content_changed(PathBuf::from(folder)),
            AgentMessage::Error { code, .. } => {
                self.busy = false;
                if self.screen == Screen::Attract {
                    self.notice = Some(t::START_FAILED);
                }
                // A refused end means the session is already gone: show the end anyway.
                if code == ErrorCode::NotAllowedInState && matches!(self.screen, Screen::Step | Screen::Home) {
                    self.receipt = Some(WipeReceipt { verified: true, ..Default::default() });
                    self.screen = Screen::End;
                }
            }
            _ => {}
        }
    }

    pub(super) fn reset_to_attract(&mut self) {
        self.screen = Screen::Attract;
        self.lang = 0;
        self.step = 0;
        self.history.clear();
        self.busy = false;
        self.receipt = None;
        self.settings = Settings::default();
        self.search.reset();
        self.session_folder = None;
        self.print.reset();
        self.scans = Scans::default();
        self.close_overlays();
    }

    /// Whatever was open over the screen belongs to the visit that just ended.
    fn close_overlays(&mut self) {
        self.confirm_stop = false;
        self.picking_language = false;
        self.idle.dismiss();
        self.help.reset();
        self.search.cancel();
    }
}
