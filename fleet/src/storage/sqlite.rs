//! The SQLite backend: one file, WAL, one writing connection and a few reading ones, all
//! used from blocking threads so the async workers never wait on the disk.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite_schema::*;
use super::*;

pub struct SqliteStorage {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Mutex<Vec<Connection>>>,
}

impl SqliteStorage {
    pub fn open(path: &Path) -> Result<SqliteStorage> {
        let mut conn = open_conn(path)?;
        migrate(&mut conn)?;
        Ok(SqliteStorage {
            path: path.to_owned(),
            writer: Arc::new(Mutex::new(conn)),
            readers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Runs `f` on the writing connection, off the async threads.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(|e| StorageError::Task(e.to_string()))?
    }

    /// Runs `f` on a reading connection (WAL lets reads go on beside the writer).
    async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> Result<T> + Send + 'static) -> Result<T> {
        let readers = Arc::clone(&self.readers);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let conn = match conn {
                Some(c) => c,
                None => open_conn(&path)?,
            };
            let result = f(&conn);
            readers.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
            result
        })
        .await
        .map_err(|e| StorageError::Task(e.to_string()))?
    }
}

#[async_trait]
impl Storage for SqliteStorage {
    fn kind(&self) -> &'static str {
        "SQLite"
    }

    async fn add_code(&self, code: CodeRow) -> Result<()> {
        self.write(move |c| {
            c.execute(
                "INSERT INTO codes (code_hash, hint, site, created_by, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![code.code_hash, code.hint, code.site, code.created_by, code.created_at, code.expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn codes(&self) -> Result<Vec<CodeRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT code_hash, hint, site, created_by, created_at, expires_at, used_by FROM codes ORDER BY created_at DESC",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(CodeRow {
                    code_hash: r.get(0)?,
                    hint: r.get(1)?,
                    site: r.get(2)?,
                    created_by: r.get(3)?,
                    created_at: r.get(4)?,
                    expires_at: r.get(5)?,
                    used_by: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn enrol(&self, code_hash: &str, kiosk: NewKiosk) -> Result<Option<KioskRow>> {
        let code_hash = code_hash.to_owned();
        self.write(move |c| {
            let tx = c.transaction()?;
            let site: Option<String> = tx
                .query_row(
                    "UPDATE codes SET used_by = ?1 WHERE code_hash = ?2 AND used_by IS NULL AND expires_at >= ?3 RETURNING site",
                    params![kiosk.id, code_hash, kiosk.enrolled_at],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(site) = site else { return Ok(None) };
            tx.execute(
                "INSERT INTO kiosks (id, name, site, token_hash, enrolled_at, agent_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![kiosk.id, kiosk.name, site, kiosk.token_hash, kiosk.enrolled_at, kiosk.agent_version],
            )?;
            let row = tx.query_row(&format!("SELECT {KIOSK_COLUMNS} FROM kiosks WHERE id = ?1"), [&kiosk.id], kiosk_row)?;
            tx.commit()?;
            Ok(Some(row))
        })
        .await
    }

    async fn kiosks(&self) -> Result<Vec<KioskRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!("SELECT {KIOSK_COLUMNS} FROM kiosks ORDER BY site, name"))?;
            let rows = stmt.query_map([], kiosk_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_revoked(&self, kiosk: &str, revoked: bool) -> Result<()> {
        let kiosk = kiosk.to_owned();
        self.write(move |c| {
            c.execute("UPDATE kiosks SET revoked = ?1 WHERE id = ?2", params![revoked, kiosk])?;
            Ok(())
        })
        .await
    }

    async fn rename(&self, kiosk: &str, name: &str, site: &str) -> Result<()> {
        let (kiosk, name, site) = (kiosk.to_owned(), name.to_owned(), site.to_owned());
        self.write(move |c| {
            c.execute("UPDATE kiosks SET name = ?1, site = ?2 WHERE id = ?3", params![name, site, kiosk])?;
            Ok(())
        })
        .await
    }

    async fn write_reports(&self, batch: &[ReportWrite]) -> Result<()> {
        let batch = batch.to_vec();
        self.write(move |c| {
            let tx = c.transaction()?;
            {
                let mut kiosk = tx.prepare_cached(
                    "UPDATE kiosks SET last_seq = ?1, last_report_at = ?2, agent_version = ?3 WHERE id = ?4",
                )?;
                let mut sample = tx.prepare_cached("INSERT INTO samples (kiosk, taken_at, body) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")?;
                let mut summary =
                    tx.prepare_cached("INSERT INTO summaries (kiosk, from_at, to_at, body) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING")?;
                let mut usage = tx.prepare_cached(
                    "INSERT INTO usage (kiosk, day, name, value) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (kiosk, day, name) DO UPDATE SET value = MAX(value, excluded.value)",
                )?;
                let mut ack = tx.prepare_cached(
                    "UPDATE commands SET acked_at = ?1, ok = ?2, detail = ?3
                     WHERE id = ?4 AND kiosk = ?5 AND acked_at IS NULL",
                )?;
                for r in &batch {
                    kiosk.execute(params![r.seq, r.received_at, r.agent_version, r.kiosk])?;
                    for (taken_at, body) in &r.samples {
                        sample.execute(params![r.kiosk, taken_at, body])?;
                    }
                    for (from, to, body) in &r.summaries {
                        summary.execute(params![r.kiosk, from, to, body])?;
                    }
                    for (day, name, value) in &r.usage {
                        usage.execute(params![r.kiosk, day, name, value])?;
                    }
                    for (id, ok, detail) in &r.acks {
                        ack.execute(params![r.received_at, ok, detail, id, r.kiosk])?;
                    }
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn latest_samples(&self) -> Result<Vec<(String, i64, String)>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT s.kiosk, s.taken_at, s.body FROM samples s
                 JOIN (SELECT kiosk, MAX(taken_at) AS t FROM samples GROUP BY kiosk) m
                   ON s.kiosk = m.kiosk AND s.taken_at = m.t
                 GROUP BY s.kiosk",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn samples(&self, kiosk: &str, since: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        let kiosk = kiosk.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT taken_at, body FROM samples WHERE kiosk = ?1 AND taken_at >= ?2 ORDER BY taken_at LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![kiosk, since, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn summaries(&self, kiosk: &str, limit: i64) -> Result<Vec<(i64, i64, String)>> {
        let kiosk = kiosk.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT from_at, to_at, body FROM summaries WHERE kiosk = ?1 ORDER BY from_at DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![kiosk, limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn prune_samples(&self, before: i64) -> Result<u64> {
        self.write(move |c| Ok(c.execute("DELETE FROM samples WHERE taken_at < ?1", [before])? as u64)).await
    }

    async fn sample_count(&self, kiosk: &str) -> Result<i64> {
        let kiosk = kiosk.to_owned();
        self.read(move |c| Ok(c.query_row("SELECT COUNT(*) FROM samples WHERE kiosk = ?1", [kiosk], |r| r.get(0))?))
            .await
    }

    async fn add_command(&self, kiosk: &str, action: &str, created_by: &str, now: i64) -> Result<i64> {
        let (kiosk, action, created_by) = (kiosk.to_owned(), action.to_owned(), created_by.to_owned());
        self.write(move |c| {
            c.execute(
                "INSERT INTO commands (kiosk, action, created_by, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![kiosk, action, created_by, now],
            )?;
            Ok(c.last_insert_rowid())
        })
        .await
    }

    async fn pending_commands(&self) -> Result<Vec<CommandRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COMMAND_COLUMNS} FROM commands WHERE acked_at IS NULL ORDER BY id"
            ))?;
            let rows = stmt.query_map([], command_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn commands(&self, kiosk: &str, limit: i64) -> Result<Vec<CommandRow>> {
        let kiosk = kiosk.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COMMAND_COLUMNS} FROM commands WHERE kiosk = ?1 ORDER BY id DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![kiosk, limit], command_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn usage(&self, from: &str, to: &str) -> Result<Vec<UsageRow>> {
        let (from, to) = (from.to_owned(), to.to_owned());
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT kiosk, day, name, value FROM usage WHERE day >= ?1 AND day <= ?2 ORDER BY day, kiosk, name",
            )?;
            let rows = stmt.query_map(params![from, to], |r| {
                Ok(UsageRow { kiosk: r.get(0)?, day: r.get(1)?, name: r.get(2)?, value: r.get(3)? })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn add_user(&self, user: UserRow) -> Result<()> {
        self.write(move |c| {
            match c.execute(
                "INSERT INTO users (name, password_hash, role) VALUES (?1, ?2, ?3)",
                params![user.name, user.password_hash, user.role.code()],
            ) {
                Ok(_) => Ok(()),
                Err(e) if is_unique_violation(&e) => Err(StorageError::Exists(format!("user {}", user.name))),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    async fn user(&self, name: &str) -> Result<Option<UserRow>> {
        let name = name.to_owned();
        self.read(move |c| {
            Ok(c.query_row("SELECT name, password_hash, role FROM users WHERE name = ?1", [name], user_row)
                .optional()?)
        })
        .await
    }

    async fn users(&self) -> Result<Vec<UserRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT name, password_hash, role FROM users ORDER BY name")?;
            let rows = stmt.query_map([], user_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn remove_user(&self, name: &str) -> Result<bool> {
        let name = name.to_owned();
        self.write(move |c| Ok(c.execute("DELETE FROM users WHERE name = ?1", [name])? > 0)).await
    }

    async fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        let (name, hash) = (name.to_owned(), password_hash.to_owned());
        self.write(move |c| {
            Ok(c.execute("UPDATE users SET password_hash = ?1 WHERE name = ?2", params![hash, name])? > 0)
        })
        .await
    }

    async fn add_bundle(&self, b: BundleRow, tar: Vec<u8>) -> Result<i64> {
        self.write(move |c| {
            c.execute(
                "INSERT INTO bundles (version, payload, signature, size, created_by, created_at, tar)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![b.version, b.payload, b.signature, b.size, b.created_by, b.created_at, tar],
            )?;
            Ok(c.last_insert_rowid())
        })
        .await
    }

    async fn bundles(&self) -> Result<Vec<BundleRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, version, payload, signature, size, created_by, created_at FROM bundles ORDER BY id DESC",
            )?;
            let rows = stmt.query_map([], bundle_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn bundle_tar(&self, id: i64) -> Result<Option<Vec<u8>>> {
        self.read(move |c| Ok(c.query_row("SELECT tar FROM bundles WHERE id = ?1", [id], |r| r.get(0)).optional()?))
            .await
    }
}
