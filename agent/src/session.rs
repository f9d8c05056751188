//! Sessions: the agent itself, and a visit's start, end and wipe (`start_session`,
//! `end_session`, `wipe_now`, the kiosk gone, leftovers at start-up). The other requests
//! are answered in `requests/`, each in the file named after it.
//!
//! At most one session is open. It belongs to the connection that opened it: if that
//! connection goes (the kiosk crashed), the session is wiped. Every request is checked
//! against the state and refused with `not_allowed_in_state` rather than acted on.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use guichet_protocol::{AgentMessage, AgentStatus, EndReason, ErrorCode, SessionId, SessionState, WipeReceipt};
use tokio::sync::broadcast;

use crate::config::Config;
use crate::devices::Devices;
use crate::error::{AgentError, Refusal, refuse};
use crate::session_folder::{KioskIds, SessionFolder};
use crate::store::{Counter, Store};
use crate::system;
use crate::visit::{ConnId, KioskState, OpenSession, VisitUsage};
use crate::wipe;

/// The store's key for the open visit's print jobs.
const VISIT_JOBS: &str = "visit.print_jobs";

pub struct Agent {
    config: Config,
    devices: Devices,
    store: Store,
    kiosk: Option<KioskIds>,
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
    kiosk_state: KioskState,
    /// The only names counted: those of the content in use.
    vocabulary: std::sync::RwLock<crate::vocabulary::Vocabulary>,
}

impl Agent {
    /// The reception's details for the kiosk (checked when the config was loaded).
    pub fn site(&self) -> Option<guichet_protocol::SiteInfo> {
        self.config.site_info().ok().flatten()
    }

    pub fn new(config: Config, devices: Devices, store: Store) -> Arc<Agent> {
        let kiosk = config.kiosk_user.as_deref().and_then(system::ids_of);
        let (events, _) = broadcast::channel(64);
        let remote = crate::remote::Remote::load(&config, &store);
        let content = remote.content().map_or_else(|| config.shipped_content_dir(), |c| c.folder);
        let vocabulary = std::sync::RwLock::new(crate::vocabulary::Vocabulary::load(&content));
        Arc::new_cyclic(|me| Agent {
            me: me.clone(),
            config,
            devices,
            store,
            kiosk,
            started: Instant::now(),
            open: Mutex::new(None),
            wiping: tokio::sync::Mutex::new(()),
            events,
            remote,
            kiosk_state: Default::default(),
            vocabulary,
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

    /// Whether the kiosk's usage event names only the content's own ids.
    pub(crate) fn usage_known(&self, event: &guichet_protocol::UsageEvent) -> bool {
        self.vocabulary.read().unwrap_or_else(|p| p.into_inner()).allows(event)
    }

    /// The content in `folder` is now the kiosk's: its ids are the ones counted.
    pub(crate) fn content_in_use(&self, folder: &std::path::Path) {
        *self.vocabulary.write().unwrap_or_else(|p| p.into_inner()) = crate::vocabulary::Vocabulary::load(folder);
    }

    /// Pages one visit may print: the fleet's setting, else the config's.
    pub(crate) fn print_page_limit(&self) -> u32 {
        self.remote.settings().print_page_limit.unwrap_or(self.config.print_page_limit)
    }

    pub(crate) fn scan_page_limit(&self) -> u32 {
        self.remote.settings().scan_page_limit.unwrap_or(self.config.scan_page_limit)
    }

    /// Runs `f` on the open visit's usage; `None` when no visit is open.
    pub(crate) fn with_visit_usage<T>(&self, f: impl FnOnce(&mut VisitUsage) -> T) -> Option<T> {
        self.lock_open().as_mut().map(|s| f(&mut s.usage))
    }

    /// Whether a visit is open now.
    pub(crate) fn in_session(&self) -> bool {
        self.lock_open().is_some()
    }

    pub(crate) fn events(&self) -> &broadcast::Sender<AgentMessage> {
        &self.events
    }

    /// The kiosk's heartbeat and the signs of someone in front of it.
    pub(crate) fn kiosk_state(&self) -> &KioskState {
        &self.kiosk_state
    }

    pub(crate) fn me(&self) -> Option<Arc<Agent>> {
        self.me.upgrade()
    }

    pub(crate) fn open_folder(&self) -> Option<Arc<SessionFolder>> {
        self.lock_open().as_ref().map(|s| Arc::clone(&s.folder))
    }

    pub(crate) fn pages_printed(&self) -> u32 {
        self.lock_open().as_ref().map_or(0, |s| s.pages_printed)
    }

    pub(crate) fn job_sent(&self, job: u32, pages: u32, in_memory: bool) {
        let jobs = self.lock_open().as_mut().map(|open| {
            open.jobs.push(job);
            open.jobs_in_memory += u32::from(in_memory);
            open.pages_printed += pages;
            open.jobs.clone()
        });
        if let Some(jobs) = jobs {
            // Remembered across a crash: the next start cancels and purges them.
            self.remember_jobs(&jobs);
        }
    }

    /// The open visit's job ids, in the store until the visit is wiped (numbers the
    /// printer gave, nothing of the person).
    fn remember_jobs(&self, jobs: &[u32]) {
        let text = serde_json::to_string(jobs).unwrap_or_default();
        let stored = if jobs.is_empty() { self.store.unset(VISIT_JOBS) } else { self.store.set(VISIT_JOBS, &text) };
        if let Err(e) = stored {
            tracing::warn!(cause = %e, "cannot remember the visit's print jobs");
        }
    }

    /// The jobs of a visit that ended without its wipe
    /// (the agent was killed, the power cut): their pages must not come out for the next
    /// person, nor their documents stay in a queue.
    /// Takes the list at once (before any new visit can print), so it may be worked
    /// through in the background.
    pub fn jobs_of_lost_visits(&self) -> Vec<u32> {
        let jobs: Vec<u32> =
            self.store.get(VISIT_JOBS).ok().flatten().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        self.remember_jobs(&[]);
        jobs
    }

    pub async fn forget_jobs(&self, jobs: Vec<u32>) {
        if !jobs.is_empty() {
            tracing::info!(jobs = jobs.len(), "cancelling the print jobs of a visit lost in a crash");
            self.cancel_jobs(&jobs).await;
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
        (uid == 0 && self.config.allow_root)
            || Some(uid) == self.kiosk.map(|k| k.uid)
            || self.config.allowed_uids.contains(&uid)
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
            let entries = std::fs::read_dir(&dir).map_err(made)?;
            let mut receipts = Vec::new();
            for entry in entries.flatten() {
                receipts.push(wipe::wipe_path(&entry.path())?);
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

    pub(crate) async fn start_session(&self, conn: ConnId, id: u64) -> Result<AgentMessage, Refusal> {
        let _guard = self.wiping.lock().await;
        if self.lock_open().is_some() {
            return Err(refuse(ErrorCode::NotAllowedInState, "a session is already open"));
        }
        let session = SessionId(system::random_id());
        let (sessions, name, kiosk) = (self.config.sessions_dir(), session.0.clone(), self.kiosk);
        let folder =
            blocking(move || create_session_folder(&sessions, &name, kiosk)).await.and_then(|r| r).map_err(|e| {
                tracing::error!(cause = %e, "cannot open a session");
                refuse(ErrorCode::SessionStorage, "the session folder could not be created")
            })?;
        let path = folder.path().to_string_lossy().into_owned();
        *self.lock_open() = Some(OpenSession {
            id: session.clone(),
            folder: Arc::new(folder),
            owner: conn,
            jobs: Vec::new(),
            jobs_in_memory: 0,
            pages_printed: 0,
            usage: Default::default(),
        });
        self.count(Counter::SessionsStarted);
        tracing::info!(session = %session, "session started");
        Ok(AgentMessage::SessionStarted { id, session, folder: path })
    }

    pub(crate) async fn end_session(&self, id: u64, reason: EndReason) -> Result<AgentMessage, Refusal> {
        if !reason.client_may_send() {
            return Err(refuse(ErrorCode::BadRequest, format!("{reason:?} is not a reason a client may give")));
        }
        self.end_with(id, reason).await
    }

    async fn end_with(&self, id: u64, reason: EndReason) -> Result<AgentMessage, Refusal> {
        match self.wipe_open(None, reason).await {
            Ok(true) => Ok(AgentMessage::Ack { id }),
            Ok(false) => Err(refuse(ErrorCode::NotAllowedInState, "no session is open")),
            Err(e) => {
                tracing::error!(cause = %e, "wipe failed");
                Err(refuse(ErrorCode::SessionStorage, "the session could not be wiped completely"))
            }
        }
    }

    pub(crate) async fn wipe_now(&self, id: u64) -> Result<AgentMessage, Refusal> {
        match self.end_with(id, EndReason::WipedByStaff).await {
            Err(Refusal { code: ErrorCode::NotAllowedInState, .. }) => Ok(AgentMessage::Ack { id }),
            other => other,
        }
    }

    /// The connection `conn` went away: wipe its session if it owned one.
    pub async fn client_gone(&self, conn: ConnId) {
        if let Some(seen) = crate::visit::lock(&self.kiosk_state.kiosk).as_mut().filter(|s| s.conn == conn) {
            seen.connected = false;
        }
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
        self.remember_jobs(&[]);
        let folder = open.folder.path().to_owned();
        let receipt = match blocking(move || wipe::wipe_path(&folder)).await? {
            Ok(mut r) => {
                r.print_jobs += open.jobs_in_memory;
                r
            }
            Err(e) => {
                // Keep the session marked open so a retry (or the next start-up) wipes it.
                *self.lock_open() = Some(open);
                return Err(AgentError::Wipe { source: e });
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
fn create_session_folder(sessions: &Path, name: &str, kiosk: Option<KioskIds>) -> Result<SessionFolder, AgentError> {
    SessionFolder::create(sessions, name, kiosk).map_err(|source| {
        let _ = wipe::wipe_path(&sessions.join(name));
        AgentError::CreateSession { path: sessions.to_owned(), source }
    })
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AgentError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AgentError::Task { message: e.to_string() })
}
