//! The agent's typed errors. Each carries what it was doing and on what, so a log line
//! says what IT staff must fix; none carries a citizen's data.

use std::path::PathBuf;

use guichet_protocol::ErrorCode;

/// Why a request was refused: the code the kiosk gets, and a message for logs (for a
/// device problem, the device's code, which also goes to the kiosk as `detail`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

pub fn refuse(code: ErrorCode, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("cannot read the config file {path}: {source}")]
    ReadConfig { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is invalid: {message}")]
    BadConfig { path: PathBuf, message: String },
    #[error("cannot bind the socket {path}: {source}")]
    BindSocket { path: PathBuf, source: std::io::Error },
    #[error("cannot set owner or mode of {path}: {source}")]
    SetPermissions { path: PathBuf, source: std::io::Error },
    #[error("no group named {name} on this system")]
    UnknownGroup { name: String },
    #[error("cannot create the session folder {path}: {source}")]
    CreateSession { path: PathBuf, source: std::io::Error },
    /// Says neither the folder's path nor the session's id: the text may go to the fleet.
    #[error(transparent)]
    Wipe {
        #[from]
        source: crate::wipe::WipeError,
    },
    #[error("cannot open the store {path}: {source}")]
    OpenStore { path: PathBuf, source: rusqlite::Error },
    #[error("cannot make or read the store's key {path}: {source}")]
    StoreKey { path: PathBuf, source: std::io::Error },
    #[error("store migration {version} failed: {source}")]
    Migrate { version: usize, source: rusqlite::Error },
    #[error("store query failed: {source}")]
    Store {
        #[from]
        source: rusqlite::Error,
    },
    #[error("the {device} in the config cannot be used: {message}")]
    BadDevice { device: &'static str, message: String },
    #[error("background task failed: {message}")]
    Task { message: String },
}
