//! A minimal client for the agent's socket: connect, greet, then send requests and read
//! replies and events. Used by `agentctl`, by the kiosk's agent thread and by tests.

use std::path::Path;

use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

use crate::PROTOCOL_VERSION;
use crate::frame::{FrameError, decode_body, read_frame, write_frame};
use crate::messages::{AgentMessage, ClientMessage};
use crate::types::{ErrorCode, SiteInfo};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot connect to the agent at {path}: {source}")]
    Connect { path: String, source: std::io::Error },
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("the agent refused: {code:?}: {message}")]
    Refused { code: ErrorCode, message: String },
    #[error("the agent answered with an unexpected message: {0:?}")]
    Unexpected(Box<AgentMessage>),
}

/// A greeted connection to the agent.
pub struct Client {
    reader: OwnedReadHalf,
    writer: OwnedWriteHalf,
    pub agent_version: String,
    /// The site's reception details, when the agent's config has them.
    pub site: Option<SiteInfo>,
    /// The fleet's message for the attract screen, and the content folder it pushed.
    pub attract_message: std::collections::BTreeMap<String, String>,
    pub content: Option<String>,
}

impl Client {
    /// Connects and exchanges `hello` / `welcome`.
    pub async fn connect(path: &Path, client_name: &str) -> Result<Client, ClientError> {
        let stream = UnixStream::connect(path)
            .await
            .map_err(|source| ClientError::Connect { path: path.display().to_string(), source })?;
        let (reader, writer) = stream.into_split();
        let mut client = Client {
            reader,
            writer,
            agent_version: String::new(),
            site: None,
            attract_message: Default::default(),
            content: None,
        };
        client.send(&ClientMessage::Hello { protocol: PROTOCOL_VERSION, client: client_name.into() }).await?;
        match client.recv().await? {
            AgentMessage::Welcome { agent_version, site, attract_message, content, .. } => {
                client.agent_version = agent_version;
                client.site = site;
                client.attract_message = attract_message;
                client.content = content;
            }
            AgentMessage::Error { code, message, .. } => return Err(ClientError::Refused { code, message }),
            other => return Err(ClientError::Unexpected(Box::new(other))),
        }
        Ok(client)
    }

    pub async fn send(&mut self, msg: &ClientMessage) -> Result<(), ClientError> {
        Ok(write_frame(&mut self.writer, msg).await?)
    }

    pub async fn recv(&mut self) -> Result<AgentMessage, ClientError> {
        let body = read_frame(&mut self.reader).await?;
        Ok(decode_body(&body, AgentMessage::TYPES)?)
    }

    /// Sends `msg` and returns its reply; events that arrive first are handed to `on_event`.
    pub async fn request(
        &mut self,
        msg: &ClientMessage,
        mut on_event: impl FnMut(AgentMessage),
    ) -> Result<AgentMessage, ClientError> {
        self.send(msg).await?;
        loop {
            let reply = self.recv().await?;
            match (&reply, reply_id(&reply)) {
                (_, Some(id)) if Some(id) == msg.id() => return Ok(reply),
                // A frame-level refusal (no id) answers whatever we just sent.
                (AgentMessage::Error { id: None, .. }, _) => return Ok(reply),
                _ => on_event(reply),
            }
        }
    }

    /// Splits into halves, for a reader task and a writer task.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        (self.reader, self.writer)
    }
}

/// The request id a reply answers; `None` for events.
pub fn reply_id(msg: &AgentMessage) -> Option<u64> {
    match msg {
        AgentMessage::SessionStarted { id, .. }
        | AgentMessage::Ack { id }
        | AgentMessage::Status { id, .. }
        | AgentMessage::Pong { id }
        | AgentMessage::MediatorGranted { id }
        | AgentMessage::PrintQueued { id, .. }
        | AgentMessage::Scanned { id, .. } => Some(*id),
        AgentMessage::Error { id, .. } => *id,
        // `scan_page` carries its request's id but is an event: the reply comes after it.
        AgentMessage::Welcome { .. }
        | AgentMessage::SessionWiped { .. }
        | AgentMessage::PrintJob { .. }
        | AgentMessage::ScanPage { .. }
        | AgentMessage::Screen { .. }
        | AgentMessage::MediatorCalled { .. }
        | AgentMessage::AttractMessage { .. }
        | AgentMessage::ContentChanged { .. } => None,
    }
}
