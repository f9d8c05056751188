//! The messages. Each is a JSON object whose `"type"` names it. Tags are never renamed or
//! reused; a field added later gets `#[serde(default)]` so an older peer still parses.

use serde::{Deserialize, Serialize};

/// Chosen by the client, echoed in the reply so replies can be matched to requests.
pub type RequestId = u64;

/// What a client (the kiosk, or `agentctl`) sends to the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Must be the first frame. Replies: `welcome`, or `error` with `version_mismatch`
    /// (then the agent closes the connection).
    Hello {
        protocol: u32,
        /// Free text naming the client program, for the logs ("kiosk", "agentctl").
        #[serde(default)]
        client: String,
    },
    /// Opens a session and its folder. Replies: `session_started`, or `error` with
    /// `not_allowed_in_state` when a session is already open.
    StartSession { id: RequestId },
    /// Ends the open session: the agent wipes it. Replies: `ack`, or `error` with
    /// `not_allowed_in_state` when no session is open. Then the event `session_wiped`.
    EndSession { id: RequestId, reason: EndReason },
    /// Replies: `status`.
    GetStatus { id: RequestId },
    /// For IT staff: wipe the open session now, if any. Replies: `ack`; then the event
    /// `session_wiped` when there was one.
    WipeNow { id: RequestId },
    /// Replies: `pong`.
    Ping { id: RequestId },
    /// The person pressed "call a mediator". Replies: `ack`. The agent counts it (and,
    /// where the hardware has them, lights the help LED and tells the fleet).
    CallMediator { id: RequestId },
    /// A mediator typed their PIN to open the mediator panel. Replies: `mediator_granted`,
    /// or `error` with `wrong_pin`, `pin_locked` (too many tries) or
    /// `mediator_not_configured`. The PIN is checked against a hash only the agent holds;
    /// neither side logs or keeps it.
    MediatorUnlock { id: RequestId, pin: String },
    /// Print a document of the open session: `file` is its path inside the session folder
    /// (`prints/summary.jpg`), a PDF, JPEG or PNG. Replies: `print_queued`, or `error` with
    /// `not_allowed_in_state` (no session), `bad_document` (outside the folder, unreadable,
    /// not a known format, or a format the printer cannot take), `page_limit` (the
    /// session's pages would go over the limit), `printer_problem` (its `detail` is the
    /// printer's state code, `media_empty`…), `printer_unreachable`. Then `print_job`
    /// events follow the job until it is finished.
    Print { id: RequestId, file: String, copies: u32 },
    /// Scan into the open session's `scans/` folder with a `preset`. A `document` goes
    /// through the document feeder when the scanner has one with paper in it (every page
    /// of the pile), else from the glass; a `photo` and an `id_card` (one side per
    /// request) always from the glass. `redo: n` scans page `n` again from the glass and
    /// replaces it only once the new one is good. Each page is pushed as a `scan_page`
    /// event as it lands. Replies: `scanned`, or `error` with `not_allowed_in_state` (no
    /// session), `bad_request` (`redo` names no page), `page_limit` (the visit's scans are
    /// at the limit), `scanner_missing` (not there, or cannot be opened),
    /// `scanner_problem` (`detail`: `jammed`, `no_docs`, `cover_open`, `busy`,
    /// `io_error`, `timeout`). Pages that landed before a problem are kept.
    Scan {
        id: RequestId,
        #[serde(default)]
        preset: ScanPreset,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        redo: Option<u32>,
    },
    /// Print every page scanned in this session, in order, as one document (a photocopy):
    /// the agent puts them into `prints/copies.pdf`, each page at its real size and as
    /// many as fit on a sheet (both sides of an identity card on one), and prints that as
    /// `print` would, in black and white when `mono`. Replies as `print`; `bad_document`
    /// when no page was scanned.
    PrintScans {
        id: RequestId,
        copies: u32,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        mono: bool,
    },
    /// The kiosk's heartbeat, sent from its UI loop on connecting, on every change of
    /// screen and every few seconds: `screen` is the screen shown (`attract`, `home`…),
    /// `idle_s` the seconds since the last touch. Replies: `ack`. The agent uses it for
    /// health ("the kiosk is alive and answering") and to put the screen to sleep.
    Alive { id: RequestId, screen: String, idle_s: u32 },
    /// Someone touched the dark screen: the agent turns it on (a `screen` event). The
    /// touch itself did nothing else. Replies: `ack`.
    Wake { id: RequestId },
}

impl ClientMessage {
    /// Every `type` a client may send, for telling "unknown type" from "bad fields".
    pub const TYPES: &'static [&'static str] = &[
        "hello",
        "start_session",
        "end_session",
        "get_status",
        "wipe_now",
        "ping",
        "call_mediator",
        "mediator_unlock",
        "print",
        "scan",
        "print_scans",
        "alive",
        "wake",
    ];

    /// The request id, for every message but `hello`.
    pub fn id(&self) -> Option<RequestId> {
        match self {
            ClientMessage::Hello { .. } => None,
            ClientMessage::StartSession { id }
            | ClientMessage::EndSession { id, .. }
            | ClientMessage::GetStatus { id }
            | ClientMessage::WipeNow { id }
            | ClientMessage::Ping { id }
            | ClientMessage::CallMediator { id }
            | ClientMessage::MediatorUnlock { id, .. }
            | ClientMessage::Print { id, .. }
            | ClientMessage::Scan { id, .. }
            | ClientMessage::PrintScans { id, .. }
            | ClientMessage::Alive { id, .. }
            | ClientMessage::Wake { id } => Some(*id),
        }
    }
}

/// What the agent sends: replies (with the request's `id`) and pushed events (without).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentMessage {
    /// Reply to `hello`. `site`, from the agent's config, tells the public where to find
    /// help when the kiosk cannot serve them; absent when the config has none.
    Welcome {
        protocol: u32,
        agent_version: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        site: Option<SiteInfo>,
    },
    /// Reply to `start_session`. `folder` is where the session's files go; the kiosk user
    /// owns it and the agent deletes it when the session ends.
    SessionStarted { id: RequestId, session: SessionId, folder: String },
    /// Reply meaning "done" to `end_session` and `wipe_now`.
    Ack { id: RequestId },
    /// Reply to `get_status`.
    Status { id: RequestId, status: AgentStatus },
    /// Reply to `ping`.
    Pong { id: RequestId },
    /// A refused request (`id` set) or a refused frame (`id` null when it could not be read).
    Error {
        id: Option<RequestId>,
        code: ErrorCode,
        message: String,
        /// Machine-readable, unlike `message`: with `printer_problem`, the printer's state
        /// code (`media_empty`…) for the kiosk to explain.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// Reply to `mediator_unlock`: the PIN was right.
    MediatorGranted { id: RequestId },
    /// Event, pushed to every client: a session's folder is gone, with what it held.
    SessionWiped { session: SessionId, reason: EndReason, receipt: WipeReceipt },
    /// Reply to `print`: the printer took the job. `pages` counts copies too;
    /// `pages_left` is what the session may still print.
    PrintQueued { id: RequestId, job: u32, pages: u32, pages_left: u32 },
    /// Reply to `scan`: the last page scanned is `file` (inside the session folder,
    /// readable by the kiosk), `added` lists every page this request wrote (several from
    /// the feeder; the replaced one for a `redo`), and the session now holds `pages`
    /// scanned pages.
    Scanned {
        id: RequestId,
        file: String,
        pages: u32,
        #[serde(default)]
        added: Vec<ScannedPage>,
    },
    /// Event, during a `scan`: one page has landed (the feeder sends several).
    ScanPage { id: RequestId, page: ScannedPage },
    /// Event: a print job moved on. `reason`, when the printer gave one, is a state code
    /// such as `media_jam`.
    PrintJob {
        job: u32,
        state: JobState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Event: the screen went dark (outside opening hours, or after a long time with
    /// nobody) or lit again. While it is dark the kiosk swallows the first touch and
    /// answers it with `wake`, so a button nobody could see is never pressed.
    Screen { on: bool },
    /// Event: a mediator was called, from the screen or from the physical button.
    MediatorCalled { from: CallSource },
}

impl AgentMessage {
    /// Every `type` the agent may send.
    pub const TYPES: &'static [&'static str] = &[
        "welcome",
        "session_started",
        "ack",
        "status",
        "pong",
        "error",
        "session_wiped",
        "mediator_granted",
        "print_queued",
        "print_job",
        "scanned",
        "scan_page",
        "screen",
        "mediator_called",
    ];
}

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
    /// Anything else; the agent's log says more. When it comes with `id` null (the
    /// socket itself failed), the agent closes the connection.
    Internal,
    /// A code this client does not know yet (a newer agent).
    #[serde(other)]
    Unknown,
}
