//! The messages. Each is a JSON object whose `"type"` names it. Tags are never renamed or
//! reused; a field added later gets `#[serde(default)]` so an older peer still parses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::types::*;

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
    /// Anonymous usage, for the needs statistics: which procedure was started, the step it
    /// reached, that it was completed, the language chosen. Ids only (content ids and
    /// language codes, checked by `fleet::usage_name_allowed`), never what was typed.
    /// Replies: `ack`, or `error` with `bad_request` for a name that is not an id, or
    /// `not_allowed_in_state` outside a session.
    Usage { id: RequestId, usage: UsageEvent },
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
        "usage",
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
            | ClientMessage::Wake { id }
            | ClientMessage::Usage { id, .. } => Some(*id),
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
        /// IT staff's message for the attract screen, by language code; empty for none.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        attract_message: BTreeMap<String, String>,
        /// The content folder to show (procedures and translations): a bundle pushed by
        /// the fleet; absent, the kiosk's own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<String>,
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
    /// Event: IT staff set (or, empty, took away) the attract screen's message.
    AttractMessage {
        #[serde(default)]
        texts: BTreeMap<String, String>,
    },
    /// Event: a new content bundle is installed in `folder`; the kiosk loads it at its
    /// next attract screen, never during a visit.
    ContentChanged { folder: String, version: String },
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
        "attract_message",
        "content_changed",
    ];
}

/// One anonymous usage fact, within a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UsageEvent {
    ProcedureStarted { procedure: String },
    StepReached { procedure: String, step: String },
    ProcedureCompleted { procedure: String },
    Language { language: String },
}

impl UsageEvent {
    /// Every id it carries, each checked before anything is counted.
    pub fn names(&self) -> Vec<&str> {
        match self {
            UsageEvent::ProcedureStarted { procedure } | UsageEvent::ProcedureCompleted { procedure } => {
                vec![procedure]
            }
            UsageEvent::StepReached { procedure, step } => vec![procedure, step],
            UsageEvent::Language { language } => vec![language],
        }
    }
}
