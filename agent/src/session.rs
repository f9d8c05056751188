//! Sessions: the agent's state machine and the answers to each request.
//!
//! At most one session is open. It belongs to the connection that opened it: if that
//! connection goes (the kiosk crashed), the session is wiped. Every request is checked
//! against the state and refused with `not_allowed_in_state` rather than acted on.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use guichet_protocol::{
    AgentMessage, AgentStatus, ClientMessage, EndReason, ErrorCode, SessionId, SessionState, WipeReceipt,
};
use tokio::sync::broadcast;

use crate::config::Config;
use crate::devices::Devices;
use crate::error::AgentError;
use crate::store::{Counter, Store};
use crate::system;
use crate::wipe::{self, IMPORTS, PRINTS, SCANS};

/// Why a request was refused: its code, and a message for logs (for a device problem,
/// the device's code, which also goes to the kiosk as `detail`).
pub(crate) type Refusal = (ErrorCode, String);

pub(crate) fn refuse(code: ErrorCode, message: impl Into<String>) -> Refusal {
    (code, message.into())
}

/// Identifies one client connection, for session ownership.
pub type ConnId = u64;

struct OpenSession {
    id: SessionId,
    folder: PathBuf,
    owner: ConnId,
    /// Print jobs sent for this session, cancelled at the printer when it is wiped.
    jobs: Vec<u32>,
    pages_printed: u32,
    usage: crate::usage::VisitUsage,
}

pub struct Agent {
    config: Config,
    devices: Devices,
    store: Store,
    kiosk_uid: Option<u32>,
    started: Instant,
    // A std mutex: held only for quick checks, never across an await.
    open: Mutex<Option<OpenSession>>,
    // Serialises wipes so a session folder is never created while another is being wiped.
    wiping: tokio::sync::Mutex<()>,
    events: broadcast::Sender<AgentMessage>,
    /// What the fleet changed: settings, the attract message, the content in use.
    remote: crate::remote::Remote,
    /// Itself, for tasks that outlive a request (following a print job).
    me: std::sync::Weak<Agent>,
    panel: crate::panel::PanelState,
}

impl Agent {
    /// The reception's details for the kiosk (checked when the config was loaded).
    pub fn site(&self) -> Option<guichet_protocol::SiteInfo> {
        self.config.site_info().ok().flatten()
    }

    pub fn new(config: Config, devices: Devices, store: Store) -> Arc<Agent> {
        let kiosk_uid = config.kiosk_user.as_deref().and_then(system::uid_of);
        let (events, _) = broadcast::channel(64);
        let remote = crate::remote::Remote::load(&config, &store);
        Arc::new_cyclic(|me| Agent {
            me: me.clone(),
            config,
            devices,
            store,
            kiosk_uid,
            started: Instant::now(),
            open: Mutex::new(None),
            wiping: tokio::sync::Mutex::new(()),
            events,
            remote,
            panel: Default::default(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn devices(&self) -> &Devices {
        &self.devices
    }

    pub(crate) fn uptime(&self) -> std::time::Duration {
        self.started.elapsed()
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn remote(&self) -> &crate::remote::Remote {
        &self.remote
    }

    /// Pages one visit may print: the fleet's setting, else the config's.
    pub(crate) fn print_page_limit(&self) -> u32 {
        self.remote.settings().print_page_limit.unwrap_or(self.config.print_page_limit)
    }

    pub(crate) fn scan_page_limit(&self) -> u32 {
        self.remote.settings().scan_page_limit.unwrap_or(self.config.scan_page_limit)
    }

    /// Runs `f` on the open visit's usage; `None` when no visit is open.
    pub(crate) fn with_visit_usage<T>(&self, f: impl FnOnce(&mut crate::usage::VisitUsage) -> T) -> Option<T> {
        self.lock_open().as_mut().map(|s| f(&mut s.usage))
    }

    /// Whether a visit is open now.
    pub(crate) fn in_session(&self) -> bool {
        self.lock_open().is_some()
    }

    pub(crate) fn events(&self) -> &broadcast::Sender<AgentMessage> {
        &self.events
    }

    pub(crate) fn panel(&self) -> &crate::panel::PanelState {
        &self.panel
    }

    pub(crate) fn kiosk_uid(&self) -> Option<u32> {
        self.kiosk_uid
    }

    pub(crate) fn me(&self) -> Option<Arc<Agent>> {
        self.me.upgrade()
    }

    pub(crate) fn open_folder(&self) -> Option<PathBuf> {
        self.lock_open().as_ref().map(|s| s.folder.clone())
    }

    pub(crate) fn pages_printed(&self) -> u32 {
        self.lock_open().as_ref().map_or(0, |s| s.pages_printed)
    }

    pub(crate) fn job_sent(&self, job: u32, pages: u32) {
        if let Some(open) = self.lock_open().as_mut() {
            open.jobs.push(job);
            open.pages_printed += pages;
        }
    }

    /// Whether `job` belongs to the session still open.
    pub(crate) fn job_is_current(&self, job: u32) -> bool {
        self.lock_open().as_ref().is_some_and(|s| s.jobs.contains(&job))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<AgentMessage> {
        self.events.subscribe()
    }

    /// Whether this peer uid may use the socket at all.
    pub fn peer_allowed(&self, uid: u32) -> bool {
        (uid == 0 && self.config.allow_root) || Some(uid) == self.kiosk_uid || self.config.allowed_uids.contains(&uid)
    }

    /// Wipes every session folder left from before this start (crash, power loss).
    /// Runs before the socket accepts anyone.
    pub async fn wipe_leftovers(&self) -> Result<u32, AgentError> {
        let dir = self.config.sessions_dir();
        let _guard = self.wiping.lock().await;
        let wiped = blocking(move || -> Result<Vec<WipeReceipt>, AgentError> {
            let made = |source| AgentError::CreateSession { path: dir.clone(), source };
            std::fs::create_dir_all(&dir).map_err(made)?;
            // Traversable, not listable: the kiosk reaches its own folder by name and
            // cannot see whether another exists, whatever umask made this one.
            std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o711)).map_err(made)?;
            let entries = std::fs::read_dir(&dir).map_err(|source| AgentError::Wipe { path: dir.clone(), source })?;
            let mut receipts = Vec::new();
            for entry in entries.flatten() {
                receipts.push(wipe::wipe_folder(&entry.path())?);
            }
            Ok(receipts)
        })
        .await??;
        for receipt in &wiped {
            self.store.bump(Counter::SessionsWiped)?;
            tracing::info!(files = receipt.files(), bytes = receipt.bytes, "wiped a session left from before start-up");
        }
        Ok(wiped.len() as u32)
    }

    /// Answers one request from connection `conn`. Never panics on what a peer sends.
    pub async fn handle(&self, conn: ConnId, msg: ClientMessage) -> AgentMessage {
        let id = msg.id();
        let result = match msg {
            ClientMessage::Hello { .. } => Err((ErrorCode::NotAllowedInState, "hello was already received".into())),
            ClientMessage::StartSession { id } => self.start_session(conn, id).await,
            ClientMessage::EndSession { id, reason } => self.end_session(id, reason).await,
            ClientMessage::WipeNow { id } => self.wipe_now(id).await,
            ClientMessage::GetStatus { id } => Ok(AgentMessage::Status { id, status: self.status().await }),
            ClientMessage::Ping { id } => Ok(AgentMessage::Pong { id }),
            ClientMessage::CallMediator { id } => {
                self.mediator_called(guichet_protocol::CallSource::Screen);
                Ok(AgentMessage::Ack { id })
            }
            ClientMessage::Alive { id, screen, idle_s } => {
                // A screen's name goes to the fleet: an id, never text a kiosk could smuggle.
                let screen =
                    if guichet_protocol::fleet::usage_name_allowed(&screen) { screen } else { "unknown".into() };
                self.kiosk_alive(conn, screen, idle_s);
                Ok(AgentMessage::Ack { id })
            }
            ClientMessage::Wake { id } => {
                self.someone_there(tokio::time::Instant::now(), true);
                Ok(AgentMessage::Ack { id })
            }
            ClientMessage::MediatorUnlock { id, pin } => self.mediator_unlock(id, pin).await,
            ClientMessage::Print { id, file, copies } => self.print(id, file, copies, false).await,
            ClientMessage::Scan { id, preset, redo } => self.scan(id, preset, redo).await,
            ClientMessage::PrintScans { id, copies, mono } => self.print_scans(id, copies, mono).await,
            ClientMessage::Usage { id, usage } => self.usage(id, usage),
        };
        result.unwrap_or_else(|(code, message)| {
            // A device problem's message is its code, which the kiosk needs as data.
            let detail = matches!(code, ErrorCode::PrinterProblem | ErrorCode::ScannerProblem).then(|| message.clone());
            AgentMessage::Error { id, code, message, detail }
        })
    }

    async fn mediator_unlock(&self, id: u64, pin: String) -> Result<AgentMessage, Refusal> {
        use crate::mediator::Verdict;
        let guard = self.remote.pin();
        // argon2 is deliberately slow: off the async threads.
        let verdict = blocking(move || guard.check(&pin, std::time::Instant::now())).await.map_err(|e| {
            tracing::error!(cause = %e, "PIN check failed");
            (ErrorCode::Internal, "the PIN could not be checked".to_owned())
        })?;
        tracing::info!(?verdict, "mediator panel asked for");
        match verdict {
            Verdict::Granted => {
                self.count(Counter::MediatorOpenings);
                self.help_answered();
                Ok(AgentMessage::MediatorGranted { id })
            }
            Verdict::Wrong => Err((ErrorCode::WrongPin, "wrong PIN".into())),
            Verdict::Locked => Err((ErrorCode::PinLocked, "too many wrong PINs; try again later".into())),
            Verdict::NotConfigured => Err((ErrorCode::MediatorNotConfigured, "no mediator PIN is set".into())),
        }
    }

    async fn start_session(&self, conn: ConnId, id: u64) -> Result<AgentMessage, Refusal> {
        let _guard = self.wiping.lock().await;
        if self.lock_open().is_some() {
            return Err((ErrorCode::NotAllowedInState, "a session is already open".into()));
        }
        let session = SessionId(system::random_id());
        let folder = self.config.sessions_dir().join(&session.0);
        let kiosk_uid = self.kiosk_uid;
        let made = folder.clone();
        blocking(move || create_session_folder(&made, kiosk_uid)).await.and_then(|r| r).map_err(|e| {
            tracing::error!(cause = %e, "cannot open a session");
            (ErrorCode::SessionStorage, "the session folder could not be created".to_owned())
        })?;
        *self.lock_open() = Some(OpenSession {
            id: session.clone(),
            folder: folder.clone(),
            owner: conn,
            jobs: Vec::new(),
            pages_printed: 0,
            usage: Default::default(),
        });
        self.count(Counter::SessionsStarted);
        tracing::info!(session = %session, "session started");
        Ok(AgentMessage::SessionStarted { id, session, folder: folder.to_string_lossy().into_owned() })
    }

    async fn end_session(&self, id: u64, reason: EndReason) -> Result<AgentMessage, Refusal> {
        if !reason.client_may_send() {
            return Err((ErrorCode::BadRequest, format!("{reason:?} is not a reason a client may give")));
        }
        self.end_with(id, reason).await
    }

    async fn end_with(&self, id: u64, reason: EndReason) -> Result<AgentMessage, Refusal> {
        match self.wipe_open(None, reason).await {
            Ok(true) => Ok(AgentMessage::Ack { id }),
            Ok(false) => Err((ErrorCode::NotAllowedInState, "no session is open".into())),
            Err(e) => {
                tracing::error!(cause = %e, "wipe failed");
                Err((ErrorCode::SessionStorage, "the session could not be wiped completely".into()))
            }
        }
    }

    async fn wipe_now(&self, id: u64) -> Result<AgentMessage, Refusal> {
        match self.end_with(id, EndReason::WipedByStaff).await {
            Err((ErrorCode::NotAllowedInState, _)) => Ok(AgentMessage::Ack { id }),
            other => other,
        }
    }

    /// The connection `conn` went away: wipe its session if it owned one.
    pub async fn client_gone(&self, conn: ConnId) {
        self.connection_closed(conn);
        if let Err(e) = self.wipe_open(Some(conn), EndReason::ClientGone).await {
            tracing::error!(cause = %e, "wipe after the kiosk disconnected failed");
        }
    }

    /// Wipes the open session; `Ok(false)` when there was none. With `only_owner`, only
    /// if that connection opened it.
    pub async fn wipe_open(&self, only_owner: Option<ConnId>, reason: EndReason) -> Result<bool, AgentError> {
        let _guard = self.wiping.lock().await;
        let open = {
            let mut open = self.lock_open();
            let mine = open.as_ref().is_some_and(|s| only_owner.is_none_or(|c| c == s.owner));
            if mine { open.take() } else { None }
        };
        let Some(mut open) = open else { return Ok(false) };
        self.cancel_jobs(&std::mem::take(&mut open.jobs)).await;
        let folder = open.folder.clone();
        let receipt = match blocking(move || wipe::wipe_folder(&folder)).await? {
            Ok(r) => r,
            Err(e) => {
                // Keep the session marked open so a retry (or the next start-up) wipes it.
                *self.lock_open() = Some(open);
                return Err(e);
            }
        };
        self.count(Counter::SessionsWiped);
        for name in open.usage.abandoned() {
            self.count_name(&name);
        }
        self.help_answered();
        match reason {
            EndReason::Completed => self.count(Counter::SessionsCompleted),
            EndReason::Abandoned | EndReason::IdleTimeout | EndReason::ClientGone => {
                self.count(Counter::SessionsAbandoned)
            }
            EndReason::WipedByStaff | EndReason::Leftover | EndReason::AgentStopped | EndReason::Unknown => {}
        }
        tracing::info!(session = %open.id, ?reason, files = receipt.files(), bytes = receipt.bytes, "session wiped");
        // No receiver is fine: nobody is connected to be told.
        let _ = self.events.send(AgentMessage::SessionWiped { session: open.id, reason, receipt });
        Ok(true)
    }

    pub async fn status(&self) -> AgentStatus {
        let session = self.lock_open().as_ref().map(|s| s.id.clone());
        AgentStatus {
            state: if session.is_some() { SessionState::InSession } else { SessionState::Idle },
            session,
            uptime_s: self.started.elapsed().as_secs(),
            devices: self.devices.statuses().await,
            counters: self.store.totals().unwrap_or_else(|e| {
                tracing::warn!(cause = %e, "cannot read counters");
                Default::default()
            }),
            screen_on: self.screen_on(),
            kiosk: self.kiosk_seen(),
        }
    }

    pub(crate) fn count(&self, counter: Counter) {
        if let Err(e) = self.store.bump(counter) {
            // A counter is not worth refusing a citizen's session over.
            tracing::warn!(cause = %e, ?counter, "cannot count");
        }
    }

    /// Counts a usage name made of checked ids.
    pub(crate) fn count_name(&self, name: &str) {
        if let Err(e) = self.store.add(name, 1) {
            tracing::warn!(cause = %e, "cannot count");
        }
    }

    fn lock_open(&self) -> std::sync::MutexGuard<'_, Option<OpenSession>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Creates the folder and its kind subfolders; on failure removes what was made, so a
/// half-made session never lingers.
fn create_session_folder(folder: &Path, kiosk_uid: Option<u32>) -> Result<(), AgentError> {
    let made = make_session_folder(folder, kiosk_uid);
    if made.is_err() {
        let _ = wipe::wipe_folder(folder);
    }
    made
}

fn make_session_folder(folder: &Path, kiosk_uid: Option<u32>) -> Result<(), AgentError> {
    let err = |source| AgentError::CreateSession { path: folder.to_owned(), source };
    std::fs::create_dir(folder).map_err(err)?;
    system::give_to(folder, kiosk_uid).map_err(err)?;
    for sub in [SCANS, PRINTS, IMPORTS] {
        let path = folder.join(sub);
        std::fs::create_dir(&path).map_err(err)?;
        system::give_to(&path, kiosk_uid).map_err(err)?;
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AgentError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AgentError::Task { message: e.to_string() })
}
