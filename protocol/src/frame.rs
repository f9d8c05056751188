//! Framing: a little-endian u32 length, then that many bytes of UTF-8 JSON.
//!
//! The length is checked against [`MAX_FRAME_LEN`] *before* any buffer is allocated, so a
//! peer cannot make either side allocate more than 64 KiB by lying in its prefix.

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::types::ErrorCode;

/// Largest JSON body a frame may carry, in bytes.
pub const MAX_FRAME_LEN: u32 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("frame of {len} bytes is over the {MAX_FRAME_LEN}-byte limit")]
    TooLarge { len: u32 },
    #[error("frame with an empty body")]
    Empty,
    #[error("frame body is not valid JSON: {source}")]
    BadJson { source: serde_json::Error },
    #[error("frame has no known \"type\": {found}")]
    UnknownType { found: String },
    #[error("frame of type {kind} has wrong or missing fields: {source}")]
    BadFields { kind: String, source: serde_json::Error },
    #[error("peer closed the connection")]
    Closed,
    #[error("i/o error on the socket: {source}")]
    Io { source: std::io::Error },
}

impl FrameError {
    /// The code sent back to the peer for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            FrameError::TooLarge { .. } => ErrorCode::FrameTooLarge,
            FrameError::Empty => ErrorCode::BadLength,
            FrameError::BadJson { .. } => ErrorCode::BadJson,
            FrameError::UnknownType { .. } => ErrorCode::UnknownType,
            FrameError::BadFields { .. } => ErrorCode::BadRequest,
            FrameError::Closed | FrameError::Io { .. } => ErrorCode::Internal,
        }
    }

    /// After this error the byte stream can no longer be trusted to be on a frame
    /// boundary, so the connection must be closed.
    pub fn is_fatal(&self) -> bool {
        matches!(self, FrameError::TooLarge { .. } | FrameError::Empty | FrameError::Closed | FrameError::Io { .. })
    }
}

/// Serialises `msg` into a complete frame (prefix + body).
pub fn encode_frame<T: Serialize>(msg: &T) -> Result<Vec<u8>, FrameError> {
    let body = serde_json::to_vec(msg).map_err(|source| FrameError::BadJson { source })?;
    let len = u32::try_from(body.len()).unwrap_or(u32::MAX);
    if len > MAX_FRAME_LEN {
        return Err(FrameError::TooLarge { len });
    }
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Writes one frame and flushes it.
pub async fn write_frame<W, T>(writer: &mut W, msg: &T) -> Result<(), FrameError>
where
    W: AsyncWrite + Unpin,
    T: Serialize,
{
    let frame = encode_frame(msg)?;
    writer.write_all(&frame).await.map_err(|source| FrameError::Io { source })?;
    writer.flush().await.map_err(|source| FrameError::Io { source })
}

/// Reads one frame's raw body. `Closed` when the peer hung up cleanly between frames.
pub async fn read_frame<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Vec<u8>, FrameError> {
    let mut prefix = [0u8; 4];
    match reader.read_exact(&mut prefix).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(source) => return Err(FrameError::Io { source }),
    }
    let len = u32::from_le_bytes(prefix);
    if len > MAX_FRAME_LEN {
        return Err(FrameError::TooLarge { len });
    }
    if len == 0 {
        return Err(FrameError::Empty);
    }
    let mut body = vec![0u8; len as usize];
    reader.read_exact(&mut body).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof { FrameError::Closed } else { FrameError::Io { source: e } }
    })?;
    Ok(body)
}

/// Decodes a body into a message, telling apart bad JSON, an unknown `type` and a known
/// type with wrong fields, because each earns its own error code.
pub fn decode_body<T: DeserializeOwned>(body: &[u8], known_types: &[&str]) -> Result<T, FrameError> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|source| FrameError::BadJson { source })?;
    let kind = match value.get("type").and_then(|t| t.as_str()) {
        Some(kind) if known_types.contains(&kind) => kind.to_owned(),
        Some(other) => return Err(FrameError::UnknownType { found: truncate(other) }),
        None => return Err(FrameError::UnknownType { found: "(none)".into() }),
    };
    serde_json::from_value(value).map_err(|source| FrameError::BadFields { kind, source })
}

/// Keeps a peer-chosen string short enough to log.
fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}
