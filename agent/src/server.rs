//! The socket server: one task per connection, every frame checked before it is trusted.
//!
//! `run` takes its listener and a shutdown future so a test can start the agent on a
//! temporary socket and stop it cleanly. Leftover sessions are wiped before the first
//! connection is accepted.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use guichet_protocol::{
    AgentMessage, ClientMessage, ErrorCode, FrameError, PROTOCOL_VERSION, decode_body, read_frame, write_frame,
};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{broadcast, mpsc};

use crate::config::Config;
use crate::devices::Devices;
use crate::error::AgentError;
use crate::session::Agent;
use crate::store::Store;
use crate::system;
use crate::visit::ConnId;

/// What `run` needs besides the listener and the devices.
pub struct Setup {
    pub config: Config,
    pub store: Store,
}

/// Serves the kiosk until `shutdown` resolves, then wipes any open session.
pub async fn run<F>(listener: UnixListener, devices: Devices, setup: Setup, shutdown: F) -> Result<(), AgentError>
where
    F: Future<Output = ()>,
{
    let agent = Agent::new(setup.config, devices, setup.store);
    let leftovers = agent.wipe_leftovers().await?;
    {
        // Cancelled and purged at the printer, not waited for: a printer that does not
        // answer must not keep the kiosk closed.
        let (agent, jobs) = (Arc::clone(&agent), agent.jobs_of_lost_visits());
        tokio::spawn(async move { agent.forget_jobs(jobs).await });
    }
    let hardware = crate::hardware::start(&agent, Arc::new(crate::clock::SystemClock));
    let fleet = crate::fleet::start(&agent);
    tracing::info!(leftovers, "ready");
    system::notify_ready();
    let watchdog = system::watchdog_interval().map(|every| {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                system::notify_watchdog();
            }
        })
    });

    let next_conn = AtomicU64::new(1);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let conn = next_conn.fetch_add(1, Ordering::Relaxed);
                    let agent = Arc::clone(&agent);
                    tokio::spawn(async move {
                        serve(stream, conn, &agent).await;
                        agent.client_gone(conn).await;
                    });
                }
                Err(e) => {
                    tracing::error!(cause = %e, "failed to accept");
                    // Out of file descriptors, say: give the system a moment.
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    if let Some(w) = watchdog {
        w.abort();
    }
    for task in hardware.into_iter().chain(fleet) {
        task.abort();
    }
    // Whoever looks at the kiosk next (IT staff, the restarted agent) sees its screen.
    agent.devices().backlight.set(true);
    // A clean stop leaves nothing behind either.
    agent.wipe_open(None, guichet_protocol::EndReason::AgentStopped).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Serves one connection until it closes; `run` calls it for each one it accepts, and the
/// fuzzer on one end of a socket pair.
pub async fn serve(stream: UnixStream, conn: ConnId, agent: &Agent) {
    let uid = match stream.peer_cred() {
        Ok(cred) => cred.uid(),
        Err(e) => {
            tracing::warn!(cause = %e, "cannot read the peer's credentials");
            return;
        }
    };
    let (mut reader, mut writer) = stream.into_split();
    if !agent.peer_allowed(uid) {
        tracing::warn!(uid, "refused a peer whose uid may not use the socket");
        let refusal = error(None, ErrorCode::PeerNotAllowed, "this user may not talk to the agent");
        let _ = write_frame(&mut writer, &refusal).await;
        return;
    }

    // Frames are read in their own task: `read_frame` is not cancel-safe, so it must not
    // sit in a `select!` beside the events.
    let (frames_tx, mut frames) = mpsc::channel::<Result<Vec<u8>, FrameError>>(8);
    let reader_task = tokio::spawn(async move {
        loop {
            let frame = read_frame(&mut reader).await;
            let last = frame.as_ref().is_err_and(FrameError::is_fatal);
            if frames_tx.send(frame).await.is_err() || last {
                break;
            }
        }
    });

    // Subscribed only once greeted: a client hears of nothing before its `welcome`.
    let mut events: Option<broadcast::Receiver<AgentMessage>> = None;
    let mut greeted = false;
    // The request being handled. Requests are answered one at a time, in order, but
    // events keep flowing meanwhile: a scan's pages are announced as they land.
    let mut handling: Option<std::pin::Pin<Box<dyn std::future::Future<Output = AgentMessage> + Send + '_>>> = None;
    loop {
        let reply = tokio::select! {
            biased;
            // Events first: those a request pushed go out before its reply.
            event = next_event(&mut events), if greeted => match event {
                Ok(msg) => Reply { msg: Some(msg), close: false },
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(conn, missed = n, "client too slow for events");
                    Reply { msg: None, close: false }
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            msg = async { handling.as_mut().expect("guarded").await }, if handling.is_some() => {
                handling = None;
                // Events the request pushed in its last moments still go before its reply.
                while let Some(event) = events.as_mut().and_then(|rx| rx.try_recv().ok()) {
                    if write_frame(&mut writer, &event).await.is_err() {
                        break;
                    }
                }
                Reply { msg: Some(msg), close: false }
            }
            frame = frames.recv(), if handling.is_none() => match frame {
                None | Some(Err(FrameError::Closed)) => break,
                Some(Ok(body)) => match on_frame(&body, &mut greeted, conn, agent) {
                    Ok(reply) => reply,
                    Err(msg) => {
                        handling = Some(Box::pin(agent.handle(conn, msg)));
                        continue;
                    }
                },
                Some(Err(e)) => {
                    tracing::warn!(conn, cause = %e, "refused a frame");
                    Reply { msg: Some(error(None, e.code(), &e.to_string())), close: e.is_fatal() }
                }
            },
        };
        // Subscribed before the welcome is written, so no event can fall between them.
        if greeted && events.is_none() {
            events = Some(agent.subscribe());
        }
        if let Some(msg) = reply.msg
            && let Err(e) = write_frame(&mut writer, &msg).await
        {
            tracing::debug!(conn, cause = %e, "client went away");
            break;
        }
        if reply.close {
            break;
        }
    }
    reader_task.abort();
}

async fn next_event(
    events: &mut Option<broadcast::Receiver<AgentMessage>>,
) -> Result<AgentMessage, broadcast::error::RecvError> {
    match events {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

struct Reply {
    msg: Option<AgentMessage>,
    close: bool,
}

/// The reply to a frame that needs no work (a greeting, a refusal), or `Err` with the
/// request for the agent to handle.
fn on_frame(body: &[u8], greeted: &mut bool, conn: ConnId, agent: &Agent) -> Result<Reply, ClientMessage> {
    let msg = match decode_body::<ClientMessage>(body, ClientMessage::TYPES) {
        Ok(msg) => msg,
        Err(e) => {
            // Never log the body: it could hold anything.
            tracing::warn!(conn, code = ?e.code(), "refused a request");
            let id = request_id(body);
            return Ok(Reply { msg: Some(error(id, e.code(), &e.to_string())), close: false });
        }
    };
    Ok(match (&msg, *greeted) {
        (ClientMessage::Hello { protocol, .. }, false) if *protocol == PROTOCOL_VERSION => {
            *greeted = true;
            let welcome = AgentMessage::Welcome {
                protocol: PROTOCOL_VERSION,
                agent_version: env!("CARGO_PKG_VERSION").into(),
                site: agent.site(),
                attract_message: agent.remote().message(crate::system::unix_now()),
                content: agent.remote().content().map(|c| c.folder.to_string_lossy().into_owned()),
            };
            Reply { msg: Some(welcome), close: false }
        }
        (ClientMessage::Hello { protocol, .. }, false) => {
            tracing::warn!(conn, theirs = protocol, ours = PROTOCOL_VERSION, "protocol version mismatch");
            let text = format!("this agent speaks protocol {PROTOCOL_VERSION}, not {protocol}");
            Reply { msg: Some(error(None, ErrorCode::VersionMismatch, &text)), close: true }
        }
        (_, false) => Reply { msg: Some(error(msg.id(), ErrorCode::HelloRequired, "send hello first")), close: false },
        (_, true) => return Err(msg),
    })
}

/// The id of a request that failed to decode, when it has a readable one, so the client
/// can match the error to what it sent.
fn request_id(body: &[u8]) -> Option<u64> {
    serde_json::from_slice::<serde_json::Value>(body).ok()?.get("id")?.as_u64()
}

fn error(id: Option<u64>, code: ErrorCode, message: &str) -> AgentMessage {
    AgentMessage::Error { id, code, message: message.to_owned(), detail: None }
}

/// Binds the socket with mode 0660 and the configured group, replacing a stale one.
pub fn bind(config: &Config) -> Result<UnixListener, AgentError> {
    let path = config.socket_path();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| AgentError::BindSocket { path: path.clone(), source })?;
    }
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(AgentError::BindSocket { path, source }),
    }
    let listener = UnixListener::bind(&path).map_err(|source| AgentError::BindSocket { path: path.clone(), source })?;
    let gid = config.socket_group.as_deref().map(system::gid_of).transpose()?;
    system::secure_socket(&path, gid)?;
    Ok(listener)
}
