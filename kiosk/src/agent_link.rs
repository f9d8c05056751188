//! The kiosk's link to the agent, on a thread of its own with a small tokio runtime. It
//! moves frames and nothing else: `Command`s out as requests, the agent's messages in as
//! `Event`s, through a sink the UI provides (in the app, `upgrade_in_event_loop`). When the
//! agent is unreachable the link says so and keeps retrying, with a growing pause.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, read_frame, write_frame};
use tokio::sync::mpsc;

use crate::commands::{Command, Event};

/// Where the link's events go; the UI's own (a summary not drawn) go there too.
type Sink = Arc<dyn Fn(Event) + Send + Sync>;

/// The UI's handle: sending never blocks.
#[derive(Clone)]
pub struct Link {
    tx: mpsc::UnboundedSender<Command>,
    sink: Sink,
}

impl Link {
    /// Starts the link thread. `sink` is called from that thread for every event.
    pub fn start(socket: PathBuf, sink: impl Fn(Event) + Send + Sync + 'static) -> Link {
        let (tx, rx) = mpsc::unbounded_channel();
        let sink: Sink = Arc::new(sink);
        let events = sink.clone();
        let spawned = std::thread::Builder::new().name("agent-link".into()).spawn(move || {
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt.block_on(run(socket, rx, &*sink)),
                Err(e) => {
                    tracing::error!(cause = %e, "cannot start the agent link");
                    sink(Event::Disconnected);
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(cause = %e, "cannot start the agent link thread");
        }
        Link { tx, sink: events }
    }

    /// A link that goes nowhere, for rendering screens without an agent.
    pub fn detached() -> (Link, mpsc::UnboundedReceiver<Command>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Link { tx, sink: Arc::new(|_| {}) }, rx)
    }

    /// Tells the UI something of its own through the link's events, from any thread.
    pub fn report(&self, event: Event) {
        (self.sink)(event);
    }

    pub fn send(&self, command: Command) {
        if self.tx.send(command).is_err() {
            tracing::warn!("agent link thread is gone");
        }
    }
}

async fn run(socket: PathBuf, mut commands: mpsc::UnboundedReceiver<Command>, sink: &dyn Fn(Event)) {
    let mut pause = Duration::from_millis(250);
    let mut told_down = false;
    loop {
        match Client::connect(&socket, "kiosk").await {
            Ok(client) => {
                pause = Duration::from_millis(250);
                // Commands sent while disconnected are stale: the screen they came from
                // has been replaced by "out of service". Dropped before saying
                // "connected", so nothing sent after that is lost.
                while commands.try_recv().is_ok() {}
                if let Some(site) = client.site.clone() {
                    sink(Event::Site(site));
                }
                // What the welcome said of the fleet's message and content, as the events
                // that say it later.
                sink(Event::Agent(AgentMessage::AttractMessage { texts: client.attract_message.clone() }));
                if let Some(folder) = client.content.clone() {
                    sink(Event::Agent(AgentMessage::ContentChanged { folder, version: String::new() }));
                }
                sink(Event::Connected);
                if serve(client, &mut commands, sink).await.is_break() {
                    return;
                }
                tracing::warn!("lost the agent; reconnecting");
                sink(Event::Disconnected);
                told_down = true;
            }
            Err(e) => {
                if !told_down {
                    tracing::warn!(cause = %e, "agent unreachable; retrying");
                    sink(Event::Disconnected);
                    told_down = true;
                }
            }
        }
        tokio::time::sleep(pause).await;
        // Short: the agent restarts in well under a second, and the screen says "out of
        // service" until it is back. A connect attempt on a local socket costs nothing.
        pause = (pause * 2).min(Duration::from_secs(1));
    }
}

/// Runs one connection. `Break` when the UI is gone and the thread should end.
async fn serve(
    client: Client,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    sink: &dyn Fn(Event),
) -> std::ops::ControlFlow<()> {
    let (mut reader, mut writer) = client.into_split();
    // read_frame is not cancel-safe, so frames are read by their own task.
    let (frames_tx, mut frames) = mpsc::channel(16);
    let reader_task = tokio::spawn(async move {
        while let Ok(body) = read_frame(&mut reader).await {
            if frames_tx.send(body).await.is_err() {
                break;
            }
        }
    });
    let mut next_id = 1u64;
    // The heartbeat's and wake's acks: nothing for the UI, which would only redraw.
    let mut quiet = std::collections::HashSet::new();
    let flow = loop {
        tokio::select! {
            command = commands.recv() => {
                let Some(command) = command else { break std::ops::ControlFlow::Break(()) };
                let id = next_id;
                next_id += 1;
                let msg = match command {
                    Command::StartSession => ClientMessage::StartSession { id },
                    Command::Print { file, copies } => ClientMessage::Print { id, file, copies },
                    Command::EndSession(reason) => ClientMessage::EndSession { id, reason },
                    Command::CallMediator => ClientMessage::CallMediator { id },
                    Command::MediatorUnlock(pin) => ClientMessage::MediatorUnlock { id, pin },
                    Command::Scan { preset, redo } => ClientMessage::Scan { id, preset, redo },
                    Command::PrintScans { copies, mono } => ClientMessage::PrintScans { id, copies, mono },
                    Command::Alive { screen, idle_s } => {
                        quiet.insert(id);
                        ClientMessage::Alive { id, screen: screen.into(), idle_s }
                    }
                    Command::Wake => {
                        quiet.insert(id);
                        ClientMessage::Wake { id }
                    }
                    Command::Usage(usage) => {
                        quiet.insert(id);
                        ClientMessage::Usage { id, usage }
                    }
                    // Drawn by the UI, which then sends `Print`: never the link's.
                    Command::PrintSummary { .. } => {
                        tracing::error!("a summary to draw reached the agent link");
                        continue;
                    }
                };
                if let Err(e) = write_frame(&mut writer, &msg).await {
                    tracing::warn!(cause = %e, "lost the agent while sending");
                    break std::ops::ControlFlow::Continue(());
                }
            }
            body = frames.recv() => {
                let Some(body) = body else { break std::ops::ControlFlow::Continue(()) };
                match guichet_protocol::decode_body::<AgentMessage>(&body, AgentMessage::TYPES) {
                    Ok(AgentMessage::Ack { id } | AgentMessage::Error { id: Some(id), .. }) if quiet.remove(&id) => {}
                    Ok(msg) => sink(Event::Agent(msg)),
                    // A newer agent's message: ignore it rather than fall over.
                    Err(e) => tracing::warn!(cause = %e, "ignored a message from the agent"),
                }
            }
        }
    };
    reader_task.abort();
    flow
}
