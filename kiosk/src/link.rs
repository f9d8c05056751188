//! The kiosk's link to the agent, on a thread of its own with a small tokio runtime.
//!
//! The UI thread never waits on the socket: it sends `Command`s, and `LinkEvent`s come
//! back through a sink it provides (in the app, `upgrade_in_event_loop`). When the agent
//! is unreachable the link says so and keeps retrying, with a growing pause.

use std::path::PathBuf;
use std::time::Duration;

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, read_frame, write_frame};
use tokio::sync::mpsc;

/// What the UI asks of the agent.
#[derive(Clone, PartialEq, Eq)]
pub enum Command {
    StartSession,
    EndSession(EndReason),
    CallMediator,
    /// The digits a mediator typed; passed to the agent and dropped.
    MediatorUnlock(String),
    /// Draw the summary sheet with `renderer --render-summary` into the session folder,
    /// then ask the agent to print it.
    PrintSummary {
        renderer: PathBuf,
        folder: PathBuf,
        sheet: Box<crate::summary::Sheet>,
    },
    /// Scan into the session folder: new pages, or page `redo` again.
    Scan {
        preset: guichet_protocol::ScanPreset,
        redo: Option<u32>,
    },
    /// Print every page scanned in this visit.
    PrintScans {
        copies: u32,
        mono: bool,
    },
    /// The heartbeat: the screen shown and the seconds since the last touch.
    Alive {
        screen: &'static str,
        idle_s: u32,
    },
    /// A touch on the dark screen.
    Wake,
    /// An anonymous usage fact for the needs statistics (ids only).
    Usage(guichet_protocol::UsageEvent),
}

// Written by hand so that a PIN can never end up in a log line.
impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::StartSession => f.write_str("StartSession"),
            Command::EndSession(reason) => write!(f, "EndSession({reason:?})"),
            Command::CallMediator => f.write_str("CallMediator"),
            Command::MediatorUnlock(_) => f.write_str("MediatorUnlock(…)"),
            // Nor what the person did.
            Command::PrintSummary { .. } => f.write_str("PrintSummary(…)"),
            Command::Scan { preset, redo } => write!(f, "Scan({preset:?}, redo {redo:?})"),
            Command::PrintScans { copies, mono } => write!(f, "PrintScans({copies}, mono {mono})"),
            Command::Alive { screen, idle_s } => write!(f, "Alive({screen}, {idle_s})"),
            Command::Wake => f.write_str("Wake"),
            Command::Usage(u) => write!(f, "Usage({u:?})"),
        }
    }
}

/// What the link tells the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// The reception's details, sent by the agent on each connection (before `Connected`).
    Site(guichet_protocol::SiteInfo),
    Connected,
    /// The summary sheet could not be drawn, so nothing was sent to print.
    PrintFailed,
    /// The agent is unreachable or went away; the link is retrying.
    Disconnected,
    Agent(AgentMessage),
}

/// The UI's handle: sending never blocks.
#[derive(Clone)]
pub struct Link {
    tx: mpsc::UnboundedSender<Command>,
}

impl Link {
    /// Starts the link thread. `sink` is called from that thread for every event.
    pub fn start(socket: PathBuf, sink: impl Fn(LinkEvent) + Send + 'static) -> Link {
        let (tx, rx) = mpsc::unbounded_channel();
        let spawned = std::thread::Builder::new().name("agent-link".into()).spawn(move || {
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt.block_on(run(socket, rx, sink)),
                Err(e) => {
                    tracing::error!(cause = %e, "cannot start the agent link");
                    sink(LinkEvent::Disconnected);
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(cause = %e, "cannot start the agent link thread");
        }
        Link { tx }
    }

    /// A link that goes nowhere, for rendering screens without an agent.
    pub fn detached() -> (Link, mpsc::UnboundedReceiver<Command>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Link { tx }, rx)
    }

    pub fn send(&self, command: Command) {
        if self.tx.send(command).is_err() {
            tracing::warn!("agent link thread is gone");
        }
    }
}

async fn run(socket: PathBuf, mut commands: mpsc::UnboundedReceiver<Command>, sink: impl Fn(LinkEvent)) {
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
                    sink(LinkEvent::Site(site));
                }
                // What the welcome said of the fleet's message and content, as the events
                // that say it later.
                sink(LinkEvent::Agent(AgentMessage::AttractMessage { texts: client.attract_message.clone() }));
                if let Some(folder) = client.content.clone() {
                    sink(LinkEvent::Agent(AgentMessage::ContentChanged { folder, version: String::new() }));
                }
                sink(LinkEvent::Connected);
                if serve(client, &mut commands, &sink).await.is_break() {
                    return;
                }
                tracing::warn!("lost the agent; reconnecting");
                sink(LinkEvent::Disconnected);
                told_down = true;
            }
            Err(e) => {
                if !told_down {
                    tracing::warn!(cause = %e, "agent unreachable; retrying");
                    sink(LinkEvent::Disconnected);
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
    sink: &impl Fn(LinkEvent),
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
                    Command::PrintSummary { renderer, folder, sheet } => {
                        let out = folder.join(crate::summary::SHEET_FILE);
                        let drawn = tokio::task::spawn_blocking(move || {
                            crate::summary::render_in_child(&renderer, &sheet, &out)
                        })
                        .await;
                        if let Err(cause) = drawn.map_err(|e| e.to_string()).and_then(|r| r) {
                            tracing::warn!(cause, "cannot draw the summary to print");
                            sink(LinkEvent::PrintFailed);
                            continue;
                        }
                        ClientMessage::Print { id, file: crate::summary::SHEET_FILE.into(), copies: 1 }
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
                    Ok(msg) => sink(LinkEvent::Agent(msg)),
                    // A newer agent's message: ignore it rather than fall over.
                    Err(e) => tracing::warn!(cause = %e, "ignored a message from the agent"),
                }
            }
        }
    };
    reader_task.abort();
    flow
}
