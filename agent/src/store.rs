//! The agent's SQLite store (`agent.db`): numbered migrations, WAL, and anonymous counters
//! per day. It must never hold a citizen's name, document or typed text.

use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use guichet_protocol::Counters;
use rusqlite::{Connection, params};

use crate::error::AgentError;

/// Migration N takes the schema from version N to N+1. Never edit a shipped one: add one.
const MIGRATIONS: &[&str] = &[
    // 1: anonymous counters, one row per day (days since 1970-01-01, UTC) and name.
    "CREATE TABLE daily_counters (
        day   INTEGER NOT NULL,
        name  TEXT    NOT NULL,
        value INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, name)
    ) STRICT;",
];

/// A counter's name in the store. Only these; the set is closed on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    SessionsStarted,
    SessionsCompleted,
    SessionsAbandoned,
    SessionsWiped,
    MediatorCalls,
    MediatorOpenings,
}

impl Counter {
    fn name(self) -> &'static str {
        match self {
            Counter::SessionsStarted => "sessions_started",
            Counter::SessionsCompleted => "sessions_completed",
            Counter::SessionsAbandoned => "sessions_abandoned",
            Counter::SessionsWiped => "sessions_wiped",
            Counter::MediatorCalls => "mediator_calls",
            Counter::MediatorOpenings => "mediator_openings",
        }
    }
}

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, AgentError> {
        let conn = Connection::open(path).map_err(|source| AgentError::OpenStore { path: path.to_owned(), source })?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Store::migrate(conn)
    }

    pub fn open_in_memory() -> Result<Store, AgentError> {
        Store::migrate(Connection::open_in_memory()?)
    }

    fn migrate(mut conn: Connection) -> Result<Store, AgentError> {
        let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let current = usize::try_from(current).unwrap_or(0);
        for (version, sql) in MIGRATIONS.iter().enumerate().skip(current) {
            let tx = conn.transaction().map_err(|source| AgentError::Migrate { version: version + 1, source })?;
            tx.execute_batch(sql).map_err(|source| AgentError::Migrate { version: version + 1, source })?;
            tx.pragma_update(None, "user_version", (version + 1) as i64)
                .map_err(|source| AgentError::Migrate { version: version + 1, source })?;
            tx.commit().map_err(|source| AgentError::Migrate { version: version + 1, source })?;
        }
        Ok(Store { conn: Mutex::new(conn) })
    }

    pub fn schema_version(&self) -> Result<usize, AgentError> {
        let version: i64 = self.lock().pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok(usize::try_from(version).unwrap_or(0))
    }

    pub fn bump(&self, counter: Counter) -> Result<(), AgentError> {
        self.lock().execute(
            "INSERT INTO daily_counters (day, name, value) VALUES (?1, ?2, 1)
             ON CONFLICT (day, name) DO UPDATE SET value = value + 1",
            params![today(), counter.name()],
        )?;
        Ok(())
    }

    /// Totals over all days.
    pub fn totals(&self) -> Result<Counters, AgentError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached("SELECT name, SUM(value) FROM daily_counters GROUP BY name")?;
        let mut counters = Counters::default();
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (name, value) = row?;
            let value = u64::try_from(value).unwrap_or(0);
            match name.as_str() {
                "sessions_started" => counters.sessions_started = value,
                "sessions_completed" => counters.sessions_completed = value,
                "sessions_abandoned" => counters.sessions_abandoned = value,
                "sessions_wiped" => counters.sessions_wiped = value,
                "mediator_calls" => counters.mediator_calls = value,
                "mediator_openings" => counters.mediator_openings = value,
                _ => {}
            }
        }
        Ok(counters)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (it has its own
        // transactions), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Days since 1970-01-01 (UTC): a counter never carries a finer time.
fn today() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    (secs / 86_400) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_counters_add_up() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("agent.db");
        {
            let store = Store::open(&path).unwrap();
            assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
            store.bump(Counter::SessionsStarted).unwrap();
            store.bump(Counter::SessionsStarted).unwrap();
            store.bump(Counter::SessionsWiped).unwrap();
        }
        let store = Store::open(&path).unwrap();
        let totals = store.totals().unwrap();
        assert_eq!(totals.sessions_started, 2);
        assert_eq!(totals.sessions_wiped, 1);
        assert_eq!(totals.sessions_completed, 0);
    }
}
