//! The agent's SQLite store (`agent.db`): numbered migrations, WAL, anonymous counters per
//! day, the fleet's queue (`fleet::outbox`) and a few remembered values (the kiosk's fleet
//! identity, settings and content pushed by the fleet). It must never hold a citizen's
//! name, document or typed text.
//!
//! Each remembered value carries an HMAC-SHA256 under a key that only root reads
//! (`agent.key` beside the store, 0600): a value changed behind the agent's back (a store
//! handed to another user, edited, or copied from another kiosk) fails its check and is
//! ignored on reading, as a fleet document with a bad signature is refused on arrival.

use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use guichet_protocol::Counters;
use ring::hmac;
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
    // 2: the fleet: what of each counter was last reported, remembered values, the queue
    // of health samples (and summaries of those merged when it was full), commands run.
    "ALTER TABLE daily_counters ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE outbox_samples (id INTEGER PRIMARY KEY, taken_at INTEGER NOT NULL, body TEXT NOT NULL) STRICT;
    CREATE TABLE outbox_summaries (
        id INTEGER PRIMARY KEY, from_at INTEGER NOT NULL, to_at INTEGER NOT NULL, body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE commands_done (
        id INTEGER PRIMARY KEY, ok INTEGER NOT NULL, detail TEXT NOT NULL,
        done_at INTEGER NOT NULL, acked INTEGER NOT NULL DEFAULT 0
    ) STRICT;",
    // 3: each remembered value's HMAC (values from before are sealed once, at this step).
    "ALTER TABLE state ADD COLUMN mac TEXT NOT NULL DEFAULT '';",
];

/// The migration that added the values' HMAC.
const SEALED_FROM: usize = 3;

/// A counter's name in the store. Only these; the set is closed on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    SessionsStarted,
    SessionsCompleted,
    SessionsAbandoned,
    SessionsWiped,
    MediatorCalls,
    MediatorOpenings,
    Prints,
    PagesPrinted,
    PagesScanned,
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
            Counter::Prints => "prints",
            Counter::PagesPrinted => "pages_printed",
            Counter::PagesScanned => "pages_scanned",
        }
    }
}

pub struct Store {
    conn: Mutex<Connection>,
    key: hmac::Key,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, AgentError> {
        let key = crate::store_key::load_or_make(&path.with_extension("key"))?;
        let conn = Connection::open(path).map_err(|source| AgentError::OpenStore { path: path.to_owned(), source })?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Store::migrate(conn, key)
    }

    pub fn open_in_memory() -> Result<Store, AgentError> {
        Store::migrate(Connection::open_in_memory()?, crate::store_key::random())
    }

    fn migrate(mut conn: Connection, key: hmac::Key) -> Result<Store, AgentError> {
        let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let current = usize::try_from(current).unwrap_or(0);
        for (version, sql) in MIGRATIONS.iter().enumerate().skip(current) {
            let tx = conn.transaction().map_err(|source| AgentError::Migrate { version: version + 1, source })?;
            tx.execute_batch(sql).map_err(|source| AgentError::Migrate { version: version + 1, source })?;
            tx.pragma_update(None, "user_version", (version + 1) as i64)
                .map_err(|source| AgentError::Migrate { version: version + 1, source })?;
            tx.commit().map_err(|source| AgentError::Migrate { version: version + 1, source })?;
        }
        let store = Store { conn: Mutex::new(conn), key };
        if (1..SEALED_FROM).contains(&current) {
            // The values were written by this agent before they had a check: sealed once.
            store.seal_all()?;
        }
        Ok(store)
    }

    fn seal_all(&self) -> Result<(), AgentError> {
        let rows: Vec<(String, String)> = self.with(|c| {
            let mut stmt = c.prepare("SELECT key, value FROM state")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })?;
        for (key, value) in rows {
            self.set(&key, &value)?;
        }
        Ok(())
    }

    /// What a value's HMAC covers: its key too, so a value cannot move to another key.
    fn sealed(key: &str, value: &str) -> Vec<u8> {
        [key.as_bytes(), b"\0", value.as_bytes()].concat()
    }

    pub fn schema_version(&self) -> Result<usize, AgentError> {
        let version: i64 = self.lock().pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok(usize::try_from(version).unwrap_or(0))
    }

    pub fn bump(&self, counter: Counter) -> Result<(), AgentError> {
        self.add(counter.name(), 1)
    }

    /// Adds `by` to today's counter `name`: one of `Counter`'s names, or a usage name
    /// made of checked ids (`procedure_started/caf-prime-activite`).
    pub fn add(&self, name: &str, by: u64) -> Result<(), AgentError> {
        self.lock().execute(
            "INSERT INTO daily_counters (day, name, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value",
            params![today(), name, by as i64],
        )?;
        Ok(())
    }

    /// Today's counters by name (UTC day), as `agentctl` and tests read them.
    pub fn today_counters(&self) -> Result<std::collections::BTreeMap<String, u64>, AgentError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached("SELECT name, value FROM daily_counters WHERE day = ?1")?;
        let rows = stmt.query_map([today()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = std::collections::BTreeMap::new();
        for row in rows {
            let (name, value) = row?;
            out.insert(name, u64::try_from(value).unwrap_or(0));
        }
        Ok(out)
    }

    /// A remembered value, by key; `None` too when it fails its check (logged).
    pub fn get(&self, key: &str) -> Result<Option<String>, AgentError> {
        use rusqlite::OptionalExtension;
        let row: Option<(String, String)> = self
            .lock()
            .query_row("SELECT value, mac FROM state WHERE key = ?1", [key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((value, mac)) = row else { return Ok(None) };
        let tag = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &mac).unwrap_or_default();
        if hmac::verify(&self.key, &Store::sealed(key, &value), &tag).is_err() {
            tracing::error!(key, "a stored value fails its check (changed outside the agent): ignored");
            return Ok(None);
        }
        Ok(Some(value))
    }

    pub fn set(&self, key: &str, value: &str) -> Result<(), AgentError> {
        let mac = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            hmac::sign(&self.key, &Store::sealed(key, value)).as_ref(),
        );
        self.lock().execute(
            "INSERT INTO state (key, value, mac) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, mac = excluded.mac",
            params![key, value, mac],
        )?;
        Ok(())
    }

    pub fn unset(&self, key: &str) -> Result<(), AgentError> {
        self.lock().execute("DELETE FROM state WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Runs `f` on the connection (the fleet's queue keeps its SQL beside its logic).
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T, AgentError> {
        Ok(f(&mut self.lock())?)
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
                "prints" => counters.prints = value,
                "pages_printed" => counters.pages_printed = value,
                "pages_scanned" => counters.pages_scanned = value,
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
pub(crate) fn today() -> i64 {
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

    #[test]
    fn a_value_changed_outside_the_agent_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("agent.db");
        let store = Store::open(&path).unwrap();
        store.set("fleet.settings", "{\"issued_at\":1}").unwrap();
        store.set("fleet.token", "t").unwrap();
        assert_eq!(store.get("fleet.settings").unwrap().as_deref(), Some("{\"issued_at\":1}"));
        drop(store);
        // Another program edits the value, or swaps two values' places.
        let raw = Connection::open(&path).unwrap();
        raw.execute("UPDATE state SET value = '{\"issued_at\":9}' WHERE key = 'fleet.settings'", []).unwrap();
        raw.execute(
            "UPDATE state SET mac = (SELECT mac FROM state WHERE key = 'fleet.settings') WHERE key = 'fleet.token'",
            [],
        )
        .unwrap();
        drop(raw);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.get("fleet.settings").unwrap(), None);
        assert_eq!(store.get("fleet.token").unwrap(), None);
        // A store copied to another kiosk (another key) is not trusted there either.
        std::fs::remove_file(tmp.path().join("agent.key")).unwrap();
        store.set("fleet.kiosk_id", "k1").unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.get("fleet.kiosk_id").unwrap(), None);
    }

    #[test]
    fn values_from_before_the_check_are_sealed_once_at_the_upgrade() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("agent.db");
        let mut old = Connection::open(&path).unwrap();
        for (version, sql) in MIGRATIONS.iter().enumerate().take(SEALED_FROM - 1) {
            let tx = old.transaction().unwrap();
            tx.execute_batch(sql).unwrap();
            tx.pragma_update(None, "user_version", (version + 1) as i64).unwrap();
            tx.commit().unwrap();
        }
        old.execute("INSERT INTO state (key, value) VALUES ('fleet.kiosk_id', 'k7')", []).unwrap();
        drop(old);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.get("fleet.kiosk_id").unwrap().as_deref(), Some("k7"));
    }
}
