//! Where the fleet keeps what it knows: SQLite by default (one file, nothing to set up)
//! or PostgreSQL for fleets that outgrow one machine, behind one `Storage` trait. The
//! rest of the server never sees SQL.
//!
//! It holds kiosks (a token's SHA-256, never the token), health samples, anonymous
//! per-day counters, commands and their results, content bundles, console users (argon2
//! hashes) and enrolment codes (hashes). Never a citizen's data: reports carry none.

use async_trait::async_trait;
use serde::Serialize;

pub mod postgres;
pub mod sqlite;
mod sqlite_schema;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL pool: {0}")]
    Pool(String),
    #[error("cannot open the database at {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("migration {version} failed: {source}")]
    Migrate { version: usize, source: Box<StorageError> },
    #[error("a background task failed: {0}")]
    Task(String),
    #[error("the stored JSON is unreadable: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0} already exists")]
    Exists(String),
}

pub type Result<T> = std::result::Result<T, StorageError>;

/// One enrolled kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskRow {
    pub id: String,
    pub name: String,
    pub site: String,
    /// SHA-256 (hex) of its bearer token.
    pub token_hash: String,
    pub enrolled_at: i64,
    /// The last report's `seq` the fleet stored; a report must come with a greater one.
    pub last_seq: i64,
    pub last_report_at: Option<i64>,
    pub agent_version: String,
    pub revoked: bool,
}

/// A one-time enrolment code, by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeRow {
    pub code_hash: String,
    /// The first characters, to tell codes apart in the console; never enough to enrol.
    pub hint: String,
    pub site: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKiosk {
    pub id: String,
    pub name: String,
    pub token_hash: String,
    pub agent_version: String,
    pub enrolled_at: i64,
}

/// What one accepted report writes, in one transaction with the others of its batch.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportWrite {
    pub kiosk: String,
    pub seq: i64,
    pub received_at: i64,
    pub agent_version: String,
    /// `(taken_at, sample JSON)`, oldest first.
    pub samples: Vec<(i64, String)>,
    /// `(from, to, summary JSON)`.
    pub summaries: Vec<(i64, i64, String)>,
    /// `(day YYYY-MM-DD, name, the day's value so far)`.
    pub usage: Vec<(String, String, i64)>,
    /// `(command id, ok, detail)`.
    pub acks: Vec<(i64, bool, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandRow {
    pub id: i64,
    pub kiosk: String,
    /// The `Action` as JSON.
    pub action: String,
    pub created_by: String,
    pub created_at: i64,
    pub acked_at: Option<i64>,
    pub ok: Option<bool>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    pub kiosk: String,
    pub day: String,
    pub name: String,
    pub value: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees everything, sends commands, rolls out content, makes codes and users.
    Admin,
    /// Sees everything, changes nothing.
    Viewer,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub name: String,
    pub password_hash: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleRow {
    pub id: i64,
    pub version: String,
    /// The signed `BundleManifest` (base64 payload and signature).
    pub payload: String,
    pub signature: String,
    pub size: i64,
    pub created_by: String,
    pub created_at: i64,
}

#[async_trait]
pub trait Storage: Send + Sync {
    /// Which backend, for the logs and the console's footer.
    fn kind(&self) -> &'static str;

    // --- Enrolment codes and kiosks ---
    async fn add_code(&self, code: CodeRow) -> Result<()>;
    async fn codes(&self) -> Result<Vec<CodeRow>>;
    /// Uses the code if it exists, is unused and unexpired at `kiosk.enrolled_at`, and
    /// adds the kiosk to the code's site, atomically. `None` when the code is no good.
    async fn enrol(&self, code_hash: &str, kiosk: NewKiosk) -> Result<Option<KioskRow>>;
    async fn kiosks(&self) -> Result<Vec<KioskRow>>;
    async fn set_revoked(&self, kiosk: &str, revoked: bool) -> Result<()>;
    async fn rename(&self, kiosk: &str, name: &str, site: &str) -> Result<()>;

    // --- Reports ---
    /// Writes every report of the batch, all or none.
    async fn write_reports(&self, batch: &[ReportWrite]) -> Result<()>;
    /// Each kiosk's newest sample: `(kiosk, taken_at, JSON)`.
    async fn latest_samples(&self) -> Result<Vec<(String, i64, String)>>;
    /// One kiosk's samples since `since`, oldest first, at most `limit`.
    async fn samples(&self, kiosk: &str, since: i64, limit: i64) -> Result<Vec<(i64, String)>>;
    /// One kiosk's summaries (queue overflows): `(from, to, JSON)`, newest first.
    async fn summaries(&self, kiosk: &str, limit: i64) -> Result<Vec<(i64, i64, String)>>;
    /// Deletes samples older than `before`; returns how many.
    async fn prune_samples(&self, before: i64) -> Result<u64>;
    async fn sample_count(&self, kiosk: &str) -> Result<i64>;

    // --- Commands ---
    async fn add_command(&self, kiosk: &str, action: &str, created_by: &str, now: i64) -> Result<i64>;
    /// Every command not yet acknowledged, of every kiosk.
    async fn pending_commands(&self) -> Result<Vec<CommandRow>>;
    /// A kiosk's commands, newest first.
    async fn commands(&self, kiosk: &str, limit: i64) -> Result<Vec<CommandRow>>;

    // --- Needs statistics ---
    /// Every counter of days `from..=to` (YYYY-MM-DD).
    async fn usage(&self, from: &str, to: &str) -> Result<Vec<UsageRow>>;

    // --- Console users ---
    async fn add_user(&self, user: UserRow) -> Result<()>;
    async fn user(&self, name: &str) -> Result<Option<UserRow>>;
    async fn users(&self) -> Result<Vec<UserRow>>;
    /// Whether there was such a user.
    async fn remove_user(&self, name: &str) -> Result<bool>;
    async fn set_password(&self, name: &str, password_hash: &str) -> Result<bool>;

    // --- Content bundles ---
    async fn add_bundle(&self, bundle: BundleRow, tar: Vec<u8>) -> Result<i64>;
    async fn bundles(&self) -> Result<Vec<BundleRow>>;
    async fn bundle_tar(&self, id: i64) -> Result<Option<Vec<u8>>>;
}
