//! Every message between the Guichet kiosk and its agent, and how they travel.
//!
//! This crate owns the wire format: message types (`messages`, `types`), the frame codec
//! (`frame`) and the version. `docs/protocol.md` is the normative description; the golden
//! files in `protocol/golden/` pin each message's JSON. It must never carry a citizen's
//! data: bulk data (scans, PDFs) stays in the session folder and frames carry ids.
//! `fleet` is the other wire format the agent speaks: its reports to the fleet server.

pub mod client;
pub mod fleet;
pub mod frame;
pub mod messages;
pub mod types;

pub use frame::{FrameError, MAX_FRAME_LEN, decode_body, encode_frame, read_frame, write_frame};
pub use messages::*;
pub use types::*;

/// The protocol version both sides announce in `hello` / `welcome`. Bump it only for a
/// change an older peer cannot read; added fields use `#[serde(default)]` instead.
pub const PROTOCOL_VERSION: u32 = 1;

/// The screens a kiosk names in `alive`; the agent keeps any other name as `unknown`, so
/// that no text can ride on the heartbeat to the fleet.
pub const KIOSK_SCREENS: &[&str] = &["attract", "language", "home", "step", "end", "out-of-service"];
