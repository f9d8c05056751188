//! The values messages carry: receipts, statuses, devices, counters, error codes.
//! Same rules as `messages`: a field added later gets `#[serde(default)]`.

use serde::{Deserialize, Serialize};

/// Where a call for a mediator came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallSource {
    Screen,
    Button,
    #[serde(other)]
    Unknown,
}

/// A session's id: random, short, with no meaning and nothing about the person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub String);

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a session ended. Counted anonymously by the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The person reached the end of what they came for.
    Completed,
    /// The person pressed "stop and erase everything".
    Abandoned,
    /// Nobody touched the screen for too long.
    IdleTimeout,
    /// IT staff or a mediator wiped it (`wipe_now`).
    WipedByStaff,
    /// Left over from before the agent started (crash, power loss).
    Leftover,
    /// The connection that opened the session closed (the kiosk crashed or restarted).
    ClientGone,
    /// The agent was stopped cleanly (shutdown, update) with a session open.
    AgentStopped,
    /// A reason this client does not know yet (a newer agent). Never sent.
    #[serde(other)]
    Unknown,
}

impl EndReason {
    /// The reasons a client may give in `end_session`; the others are the agent's own.
    pub fn client_may_send(self) -> bool {
        matches!(self, EndReason::Completed | EndReason::Abandoned | EndReason::IdleTimeout)
    }
}

/// What a wipe erased, counted by kind, for the "your documents were erased" screen.
/// Counts only: never a file name, never content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WipeReceipt {
    /// Files under `scans/`.
    #[serde(default)]
    pub scans: u32,
    /// Files under `prints/` (print jobs prepared or sent).
    #[serde(default)]
    pub print_jobs: u32,
    /// Files under `imports/` (documents brought in by the person).
    #[serde(default)]
    pub imported_files: u32,
    /// Every other file.
    #[serde(default)]
    pub other_files: u32,
    /// Folders removed, the session folder itself not counted.
    #[serde(default)]
    pub folders: u32,
    /// Bytes in all the files removed.
    #[serde(default)]
    pub bytes: u64,
    /// The agent checked afterwards that the session folder no longer exists.
    #[serde(default)]
    pub verified: bool,
}

impl WipeReceipt {
    pub fn files(&self) -> u32 {
        self.scans + self.print_jobs + self.imported_files + self.other_files
    }
}

/// The agent's state, devices and anonymous counters, for `agentctl status` and health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStatus {
    pub state: SessionState,
    #[serde(default)]
    pub session: Option<SessionId>,
    #[serde(default)]
    pub uptime_s: u64,
    #[serde(default)]
    pub devices: Vec<DeviceStatus>,
    #[serde(default)]
    pub counters: Counters,
    /// Whether the screen is lit.
    #[serde(default)]
    pub screen_on: bool,
    /// The kiosk's last heartbeat, if one came since the agent started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kiosk: Option<KioskSeen>,
}

/// The kiosk as its last `alive` described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskSeen {
    pub screen: String,
    pub idle_s: u32,
    /// Milliseconds since that heartbeat arrived.
    pub age_ms: u64,
    /// Whether the connection that sent it is still open.
    pub connected: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Idle,
    InSession,
    /// A state this client does not know yet (a newer agent). Never sent.
    #[serde(other)]
    Unknown,
}

/// The place the kiosk stands in, for the public: the reception's phone and hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// "Mairie de Saint-Denis": shown as it is written.
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub hours: Vec<OpeningHours>,
}

/// One opening period: `first`…`last` days, `open`–`close` as "HH:MM" (24 h).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    pub first: Weekday,
    pub last: Weekday,
    pub open: String,
    pub close: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// One device and whether it is usable now. `state` is `ready` or the one condition that
/// stops it (for a printer: `media_empty`, `media_jam`, `toner_empty`, `cover_open`,
/// `offline`, `not_accepting`, `unreachable`; for any device `not_supported_yet`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatus {
    pub device: String,
    pub state: String,
    #[serde(default)]
    pub simulated: bool,
    /// What does not stop it yet: `media_low`, `toner_low`, `waste_almost_full`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Consumables and their levels, for IT staff.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supplies: Vec<Supply>,
}

/// A consumable: `kind` as the printer says it (`toner`, `ink`, `wasteToner`…), its
/// colour name, and `level` in percent (negative: unknown, as in IPP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supply {
    pub kind: String,
    #[serde(default)]
    pub color: String,
    pub level: i32,
}

/// What is being scanned, in the words the kiosk offers: each sets the resolution, the
/// area and where the paper goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanPreset {
    /// A paper document: 150 dpi colour, the feeder when it holds paper.
    #[default]
    Document,
    /// A photo: 300 dpi colour, from the glass.
    Photo,
    /// One side of an identity card in the glass's corner: 300 dpi colour, a card-sized
    /// area, so it prints at its real size.
    IdCard,
}

/// One scanned page: its number in the visit (`page-3.jpg` is 3), the page and a small
/// picture of it for the kiosk's preview, both inside the session folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedPage {
    pub number: u32,
    pub file: String,
    pub thumb: String,
}

/// Where a print job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Pending,
    Processing,
    Completed,
    Canceled,
    Aborted,
    #[serde(other)]
    Unknown,
}

impl JobState {
    pub fn finished(self) -> bool {
        matches!(self, JobState::Completed | JobState::Canceled | JobState::Aborted)
    }
}

/// Anonymous totals since the store was created. No identifiers, no times.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    #[serde(default)]
    pub sessions_started: u64,
    #[serde(default)]
    pub sessions_completed: u64,
    #[serde(default)]
    pub sessions_abandoned: u64,
    #[serde(default)]
    pub sessions_wiped: u64,
    #[serde(default)]
    pub mediator_calls: u64,
    #[serde(default)]
    pub mediator_openings: u64,
    /// Print jobs sent, and the sheets' pages they held (copies included).
    #[serde(default)]
    pub prints: u64,
    #[serde(default)]
    pub pages_printed: u64,
    /// Pages scanned.
    #[serde(default)]
    pub pages_scanned: u64,
}

/// Why a frame or request was refused. Clients map each code to a plain-language message;
/// the `message` text is for logs and IT staff only, never shown to the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The length prefix is over 64 KiB. The agent closes the connection.
    FrameTooLarge,
    /// The length prefix is 0. The agent closes the connection.
    BadLength,
    /// The body is not JSON.
    BadJson,
    /// The body has no `type`, or one this agent does not know.
    UnknownType,
    /// A known `type` with missing or wrongly typed fields.
    BadRequest,
    /// A request came before `hello`.
    HelloRequired,
    /// `hello` named another protocol version. The agent closes the connection.
    VersionMismatch,
    /// The peer's uid may not use this socket. The agent closes the connection.
    PeerNotAllowed,
    /// The request does not fit the agent's state (a second `start_session`, say).
    NotAllowedInState,
    /// The session folder could not be created or wiped.
    SessionStorage,
    /// `mediator_unlock` with a wrong PIN.
    WrongPin,
    /// Too many wrong PINs: refused without checking for a few minutes.
    PinLocked,
    /// No mediator PIN is set on this kiosk.
    MediatorNotConfigured,
    /// `print` of a file outside the session folder, unreadable, of an unknown format, or
    /// of one the printer cannot take.
    BadDocument,
    /// `print` would go over the session's page limit.
    PageLimit,
    /// The printer cannot print now; `detail` is its state code (`media_empty`…).
    PrinterProblem,
    /// The printer does not answer.
    PrinterUnreachable,
    /// The scanner is not there or cannot be opened.
    ScannerMissing,
    /// The scanner cannot scan now; `detail` says why (`jammed`, `cover_open`…).
    ScannerProblem,
    /// The visit's storage (its bound on bytes and files) is full: what was kept is
    /// kept, and the visit goes on.
    SessionFull,
    /// Anything else; the agent's log says more. When it comes with `id` null (the
    /// socket itself failed), the agent closes the connection.
    Internal,
    /// A code this client does not know yet (a newer agent).
    #[serde(other)]
    Unknown,
}
