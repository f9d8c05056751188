//! The kiosk's requests, each answered in the file named after its message (`print`,
//! `scan`, `usage`, `mediator`, `alive`); a visit's start and end are `session`'s. This
//! file only sends each request to its answer.

mod alive;
mod mediator;
mod print;
mod scan;
mod usage;

use guichet_protocol::{AgentMessage, ClientMessage, ErrorCode};

use crate::error::{Refusal, refuse};
use crate::session::Agent;
use crate::visit::ConnId;

impl Agent {
    /// Answers one request from connection `conn`. Never panics on what a peer sends.
    pub async fn handle(&self, conn: ConnId, msg: ClientMessage) -> AgentMessage {
        let id = msg.id();
        let result = match msg {
            ClientMessage::Hello { .. } => Err(refuse(ErrorCode::NotAllowedInState, "hello was already received")),
            ClientMessage::StartSession { id } => self.start_session(conn, id).await,
            ClientMessage::EndSession { id, reason } => self.end_session(id, reason).await,
            ClientMessage::WipeNow { id } => self.wipe_now(id).await,
            ClientMessage::GetStatus { id } => Ok(AgentMessage::Status { id, status: self.status().await }),
            ClientMessage::Ping { id } => Ok(AgentMessage::Pong { id }),
            ClientMessage::CallMediator { id } => {
                self.mediator_called(guichet_protocol::CallSource::Screen);
                Ok(AgentMessage::Ack { id })
            }
            ClientMessage::Alive { id, screen, idle_s } => Ok(self.alive(id, conn, &screen, idle_s)),
            ClientMessage::Wake { id } => Ok(self.wake(id)),
            ClientMessage::MediatorUnlock { id, pin } => self.mediator_unlock(id, pin).await,
            ClientMessage::Print { id, file, copies } => self.print(id, file, copies, false).await,
            ClientMessage::Scan { id, preset, redo } => self.scan(id, preset, redo).await,
            ClientMessage::PrintScans { id, copies, mono } => self.print_scans(id, copies, mono).await,
            ClientMessage::Usage { id, usage } => self.usage(id, usage),
        };
        result.unwrap_or_else(|Refusal { code, message }| {
            // A device problem's message is its code, which the kiosk needs as data.
            let detail = matches!(code, ErrorCode::PrinterProblem | ErrorCode::ScannerProblem).then(|| message.clone());
            AgentMessage::Error { id, code, message, detail }
        })
    }
}
