//! The SQLite backend's schema and rows: its migrations, how a connection is opened, and
//! how each table's row is read.

use std::path::Path;

use rusqlite::Connection;

use super::*;

/// Migration N takes the schema from version N to N+1. Never edit a shipped one.
pub(super) const MIGRATIONS: &[&str] = &["
    CREATE TABLE kiosks (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, site TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE, enrolled_at INTEGER NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0, last_report_at INTEGER,
        agent_version TEXT NOT NULL DEFAULT '', revoked INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE TABLE codes (
        code_hash TEXT PRIMARY KEY, hint TEXT NOT NULL, site TEXT NOT NULL,
        created_by TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
        used_by TEXT
    ) STRICT;
    CREATE TABLE samples (kiosk TEXT NOT NULL, taken_at INTEGER NOT NULL, body TEXT NOT NULL) STRICT;
    CREATE UNIQUE INDEX samples_by_kiosk ON samples (kiosk, taken_at);
    CREATE TABLE summaries (
        kiosk TEXT NOT NULL, from_at INTEGER NOT NULL, to_at INTEGER NOT NULL, body TEXT NOT NULL,
        UNIQUE (kiosk, from_at, to_at)
    ) STRICT;
    CREATE TABLE usage (
        kiosk TEXT NOT NULL, day TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
        PRIMARY KEY (kiosk, day, name)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX usage_by_day ON usage (day);
    CREATE TABLE commands (
        id INTEGER PRIMARY KEY, kiosk TEXT NOT NULL, action TEXT NOT NULL,
        created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
        acked_at INTEGER, ok INTEGER, detail TEXT NOT NULL DEFAULT ''
    ) STRICT;
    CREATE INDEX commands_by_kiosk ON commands (kiosk, id);
    CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL) STRICT;
    CREATE TABLE bundles (
        id INTEGER PRIMARY KEY, version TEXT NOT NULL, payload TEXT NOT NULL,
        signature TEXT NOT NULL, size INTEGER NOT NULL, created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL, tar BLOB NOT NULL
    ) STRICT;
"];

pub(super) fn open_conn(path: &Path) -> Result<Connection> {
    let conn =
        Connection::open(path).map_err(|source| StorageError::Open { path: path.display().to_string(), source })?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL in WAL mode: a power cut may lose the last commits but never corrupts.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let wrap = |e: rusqlite::Error| StorageError::Migrate { version: version + 1, source: Box::new(e.into()) };
        let tx = conn.transaction().map_err(wrap)?;
        tx.execute_batch(sql).map_err(wrap)?;
        tx.pragma_update(None, "user_version", (version + 1) as i64).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
    }
    Ok(())
}

pub(super) fn kiosk_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<KioskRow> {
    Ok(KioskRow {
        id: r.get(0)?,
        name: r.get(1)?,
        site: r.get(2)?,
        token_hash: r.get(3)?,
        enrolled_at: r.get(4)?,
        last_seq: r.get(5)?,
        last_report_at: r.get(6)?,
        agent_version: r.get(7)?,
        revoked: r.get(8)?,
    })
}

pub(super) const KIOSK_COLUMNS: &str =
    "id, name, site, token_hash, enrolled_at, last_seq, last_report_at, agent_version, revoked";

pub(super) fn command_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CommandRow> {
    Ok(CommandRow {
        id: r.get(0)?,
        kiosk: r.get(1)?,
        action: r.get(2)?,
        created_by: r.get(3)?,
        created_at: r.get(4)?,
        acked_at: r.get(5)?,
        ok: r.get(6)?,
        detail: r.get(7)?,
    })
}

pub(super) const COMMAND_COLUMNS: &str = "id, kiosk, action, created_by, created_at, acked_at, ok, detail";

pub(super) fn bundle_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BundleRow> {
    Ok(BundleRow {
        id: r.get(0)?,
        version: r.get(1)?,
        payload: r.get(2)?,
        signature: r.get(3)?,
        size: r.get(4)?,
        created_by: r.get(5)?,
        created_at: r.get(6)?,
    })
}

pub(super) fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    let role: String = r.get(2)?;
    Ok(UserRow { name: r.get(0)?, password_hash: r.get(1)?, role: Role::parse(&role).unwrap_or(Role::Viewer) })
}

pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}
