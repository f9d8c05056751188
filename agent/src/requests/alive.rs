//! `alive`, the kiosk's heartbeat (the screen it shows, the seconds since the last
//! touch), and `wake`, a touch on the dark screen. What they say goes into
//! `visit::KioskState`, for `status`, health and screen power.

use std::time::Duration;

use guichet_protocol::{AgentMessage, KioskSeen};
use tokio::time::Instant;

use crate::session::Agent;
use crate::visit::{ConnId, Seen, lock};

impl Agent {
    /// `alive`: a screen's name goes to the fleet, so only one of the kiosk's screens is
    /// kept (`vocabulary`), never text a kiosk could smuggle.
    pub(super) fn alive(&self, id: u64, conn: ConnId, screen: &str, idle_s: u32) -> AgentMessage {
        self.kiosk_alive(conn, crate::vocabulary::screen(screen).to_owned(), idle_s);
        AgentMessage::Ack { id }
    }

    pub(super) fn wake(&self, id: u64) -> AgentMessage {
        self.someone_there(Instant::now(), true);
        AgentMessage::Ack { id }
    }

    /// The kiosk's heartbeat: it is alive, on `screen`, last touched `idle_s` ago.
    pub(crate) fn kiosk_alive(&self, conn: ConnId, screen: String, idle_s: u32) {
        let now = Instant::now();
        let first = lock(&self.kiosk_state().kiosk).as_ref().is_none_or(|s| s.conn != conn);
        *lock(&self.kiosk_state().kiosk) = Some(Seen { screen, idle_s, at: now, conn, connected: true });
        // A kiosk that just (re)started is something to see: light the screen.
        let touched = if first { now } else { now.checked_sub(Duration::from_secs(idle_s.into())).unwrap_or(now) };
        self.someone_there(touched, first);
    }

    pub(crate) fn kiosk_seen(&self) -> Option<KioskSeen> {
        lock(&self.kiosk_state().kiosk).as_ref().map(|s| KioskSeen {
            screen: s.screen.clone(),
            idle_s: s.idle_s,
            age_ms: s.at.elapsed().as_millis() as u64,
            connected: s.connected,
        })
    }
}
