//! Every message between the Guichet kiosk and its agent, and how they travel.
//!
//! This crate owns the wire format: message types (`messages`), the frame codec
//! (`frame`) and the version. `docs/protocol.md` is the normative description; the golden
//! files in `protocol/golden/` pin each message's JSON. It must never carry a citizen's
//! data: bulk data (scans, PDFs) stays in the session folder and frames carry ids.

pub mod client;
pub mod frame;
pub mod messages;

pub use frame::{FrameError, MAX_FRAME_LEN, decode_body, encode_frame, read_frame, write_frame};
pub use messages::*;

/// The protocol version both sides announce in `hello` / `welcome`. Bump it only for a
/// change an older peer cannot read; added fields use `#[serde(default)]` instead.
pub const PROTOCOL_VERSION: u32 = 1;
