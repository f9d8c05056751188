//! The PostgreSQL backend, for fleets that outgrow one machine: the same tables as SQLite,
//! a connection pool, and a batch of reports written in one transaction.

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use super::*;

const MIGRATIONS: &[&str] = &["
    CREATE TABLE kiosks (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, site TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE, enrolled_at BIGINT NOT NULL,
        last_seq BIGINT NOT NULL DEFAULT 0, last_report_at BIGINT,
        agent_version TEXT NOT NULL DEFAULT '', revoked BOOLEAN NOT NULL DEFAULT FALSE
    );
    CREATE TABLE codes (
        code_hash TEXT PRIMARY KEY, hint TEXT NOT NULL, site TEXT NOT NULL,
        created_by TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
        used_by TEXT
    );
    CREATE TABLE samples (kiosk TEXT NOT NULL, taken_at BIGINT NOT NULL, body TEXT NOT NULL);
    CREATE UNIQUE INDEX samples_by_kiosk ON samples (kiosk, taken_at);
    CREATE TABLE summaries (
        kiosk TEXT NOT NULL, from_at BIGINT NOT NULL, to_at BIGINT NOT NULL, body TEXT NOT NULL,
        UNIQUE (kiosk, from_at, to_at)
    );
    CREATE TABLE usage (
        kiosk TEXT NOT NULL, day TEXT NOT NULL, name TEXT NOT NULL, value BIGINT NOT NULL,
        PRIMARY KEY (kiosk, day, name)
    );
    CREATE INDEX usage_by_day ON usage (day);
    CREATE TABLE commands (
        id BIGSERIAL PRIMARY KEY, kiosk TEXT NOT NULL, action TEXT NOT NULL,
        created_by TEXT NOT NULL, created_at BIGINT NOT NULL,
        acked_at BIGINT, ok BOOLEAN, detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX commands_by_kiosk ON commands (kiosk, id);
    CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL);
    CREATE TABLE bundles (
        id BIGSERIAL PRIMARY KEY, version TEXT NOT NULL, payload TEXT NOT NULL,
        signature TEXT NOT NULL, size BIGINT NOT NULL, created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL, tar BYTEA NOT NULL
    );
"];

pub struct PostgresStorage {
    pool: Pool,
}

impl PostgresStorage {
    /// `url` is a libpq connection string or URL (`postgresql://user@host/db`,
    /// `host=/run/postgresql dbname=fleet`). TLS to the database is left to the network
    /// (a local socket or a private link): the fleet's own users are its secrets.
    pub async fn connect(url: &str) -> Result<PostgresStorage> {
        let config: tokio_postgres::Config = url.parse()?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager).max_size(16).build().map_err(|e| StorageError::Pool(e.to_string()))?;
        let storage = PostgresStorage { pool };
        storage.migrate().await?;
        Ok(storage)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(|e| StorageError::Pool(e.to_string()))
    }

    async fn migrate(&self) -> Result<()> {
        let mut client = self.client().await?;
        client.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)").await?;
        let tx = client.transaction().await?;
        // One migrating server at a time, whatever else connects.
        tx.batch_execute("LOCK TABLE schema_version IN EXCLUSIVE MODE").await?;
        let current: i32 =
            tx.query_opt("SELECT version FROM schema_version", &[]).await?.map(|r| r.get(0)).unwrap_or(0);
        for (version, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
            tx.batch_execute(sql)
                .await
                .map_err(|e| StorageError::Migrate { version: version + 1, source: Box::new(e.into()) })?;
        }
        tx.execute("DELETE FROM schema_version", &[]).await?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&(MIGRATIONS.len() as i32)]).await?;
        tx.commit().await?;
        Ok(())
    }
}

type Param<'a> = &'a (dyn tokio_postgres::types::ToSql + Sync);

/// Parameters owned by the statement's future, so many can be in flight at once.
fn params<'a, const N: usize>(values: [Param<'a>; N]) -> Vec<Param<'a>> {
    values.to_vec()
}

fn kiosk_row(r: &tokio_postgres::Row) -> KioskRow {
    KioskRow {
        id: r.get(0),
        name: r.get(1),
        site: r.get(2),
        token_hash: r.get(3),
        enrolled_at: r.get(4),
        last_seq: r.get(5),
        last_report_at: r.get(6),
        agent_version: r.get(7),
        revoked: r.get(8),
    }
}

const KIOSK_COLUMNS: &str = "id, name, site, token_hash, enrolled_at, last_seq, last_report_at, agent_version, revoked";

fn command_row(r: &tokio_postgres::Row) -> CommandRow {
    CommandRow {
        id: r.get(0),
        kiosk: r.get(1),
        action: r.get(2),
        created_by: r.get(3),
        created_at: r.get(4),
        acked_at: r.get(5),
        ok: r.get(6),
        detail: r.get(7),
    }
}

const COMMAND_COLUMNS: &str = "id, kiosk, action, created_by, created_at, acked_at, ok, detail";

fn user_row(r: &tokio_postgres::Row) -> UserRow {
    let role: String = r.get(2);
    UserRow { name: r.get(0), password_hash: r.get(1), role: Role::parse(&role).unwrap_or(Role::Viewer) }
}

#[async_trait]
impl Storage for PostgresStorage {
    fn kind(&self) -> &'static str {
        "PostgreSQL"
    }

    async fn add_code(&self, code: CodeRow) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO codes (code_hash, hint, site, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&code.code_hash, &code.hint, &code.site, &code.created_by, &code.created_at, &code.expires_at],
            )
            .await?;
        Ok(())
    }

    async fn codes(&self) -> Result<Vec<CodeRow>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT code_hash, hint, site, created_by, created_at, expires_at, used_by FROM codes ORDER BY created_at DESC",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| CodeRow {
                code_hash: r.get(0),
                hint: r.get(1),
                site: r.get(2),
                created_by: r.get(3),
                created_at: r.get(4),
                expires_at: r.get(5),
                used_by: r.get(6),
            })
            .collect())
    }

    async fn enrol(&self, code_hash: &str, kiosk: NewKiosk) -> Result<Option<KioskRow>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let site = tx
            .query_opt(
                "UPDATE codes SET used_by = $1 WHERE code_hash = $2 AND used_by IS NULL AND expires_at >= $3 RETURNING site",
                &[&kiosk.id, &code_hash, &kiosk.enrolled_at],
            )
            .await?;
        let Some(site) = site.map(|r| r.get::<_, String>(0)) else { return Ok(None) };
        let row = tx
            .query_one(
                &format!(
                    "INSERT INTO kiosks (id, name, site, token_hash, enrolled_at, agent_version)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING {KIOSK_COLUMNS}"
                ),
                &[&kiosk.id, &kiosk.name, &site, &kiosk.token_hash, &kiosk.enrolled_at, &kiosk.agent_version],
            )
            .await?;
        tx.commit().await?;
        Ok(Some(kiosk_row(&row)))
    }

    async fn kiosks(&self) -> Result<Vec<KioskRow>> {
        let rows =
            self.client().await?.query(&format!("SELECT {KIOSK_COLUMNS} FROM kiosks ORDER BY site, name"), &[]).await?;
        Ok(rows.iter().map(kiosk_row).collect())
    }

    async fn set_revoked(&self, kiosk: &str, revoked: bool) -> Result<()> {
        self.client().await?.execute("UPDATE kiosks SET revoked = $1 WHERE id = $2", &[&revoked, &kiosk]).await?;
        Ok(())
    }

    async fn rename(&self, kiosk: &str, name: &str, site: &str) -> Result<()> {
        self.client()
            .await?
            .execute("UPDATE kiosks SET name = $1, site = $2 WHERE id = $3", &[&name, &site, &kiosk])
            .await?;
        Ok(())
    }

    async fn write_reports(&self, batch: &[ReportWrite]) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let kiosk = tx
            .prepare_cached("UPDATE kiosks SET last_seq = $1, last_report_at = $2, agent_version = $3 WHERE id = $4")
            .await?;
        let sample = tx
            .prepare_cached("INSERT INTO samples (kiosk, taken_at, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .await?;
        let summary = tx
            .prepare_cached(
                "INSERT INTO summaries (kiosk, from_at, to_at, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .await?;
        let usage = tx
            .prepare_cached(
                "INSERT INTO usage (kiosk, day, name, value) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (kiosk, day, name) DO UPDATE SET value = GREATEST(usage.value, EXCLUDED.value)",
            )
            .await?;
        let ack = tx
            .prepare_cached(
                "UPDATE commands SET acked_at = $1, ok = $2, detail = $3 WHERE id = $4 AND kiosk = $5 AND acked_at IS NULL",
            )
            .await?;
        // Every statement of the batch is sent before any answer is awaited: tokio-postgres
        // pipelines them on the one connection, so a batch costs about one round trip.
        let mut pending = Vec::new();
        for r in batch {
            pending.push(tx.execute_raw(&kiosk, params([&r.seq, &r.received_at, &r.agent_version, &r.kiosk])));
            for (taken_at, body) in &r.samples {
                pending.push(tx.execute_raw(&sample, params([&r.kiosk, taken_at, body])));
            }
            for (from, to, body) in &r.summaries {
                pending.push(tx.execute_raw(&summary, params([&r.kiosk, from, to, body])));
            }
            for (day, name, value) in &r.usage {
                pending.push(tx.execute_raw(&usage, params([&r.kiosk, day, name, value])));
            }
            for (id, ok, detail) in &r.acks {
                pending.push(tx.execute_raw(&ack, params([&r.received_at, ok, detail, id, &r.kiosk])));
            }
        }
        for result in futures_util::future::join_all(pending).await {
            result?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn latest_samples(&self) -> Result<Vec<(String, i64, String)>> {
        let rows = self
            .client()
            .await?
            .query("SELECT DISTINCT ON (kiosk) kiosk, taken_at, body FROM samples ORDER BY kiosk, taken_at DESC", &[])
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    }

    async fn samples(&self, kiosk: &str, since: i64, limit: i64) -> Result<Vec<(i64, String)>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT taken_at, body FROM samples WHERE kiosk = $1 AND taken_at >= $2 ORDER BY taken_at LIMIT $3",
                &[&kiosk, &since, &limit],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn summaries(&self, kiosk: &str, limit: i64) -> Result<Vec<(i64, i64, String)>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT from_at, to_at, body FROM summaries WHERE kiosk = $1 ORDER BY from_at DESC LIMIT $2",
                &[&kiosk, &limit],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    }

    async fn prune_samples(&self, before: i64) -> Result<u64> {
        Ok(self.client().await?.execute("DELETE FROM samples WHERE taken_at < $1", &[&before]).await?)
    }

    async fn sample_count(&self, kiosk: &str) -> Result<i64> {
        Ok(self.client().await?.query_one("SELECT COUNT(*) FROM samples WHERE kiosk = $1", &[&kiosk]).await?.get(0))
    }

    async fn add_command(&self, kiosk: &str, action: &str, created_by: &str, now: i64) -> Result<i64> {
        let row = self
            .client()
            .await?
            .query_one(
                "INSERT INTO commands (kiosk, action, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&kiosk, &action, &created_by, &now],
            )
            .await?;
        Ok(row.get(0))
    }

    async fn pending_commands(&self) -> Result<Vec<CommandRow>> {
        let rows = self
            .client()
            .await?
            .query(&format!("SELECT {COMMAND_COLUMNS} FROM commands WHERE acked_at IS NULL ORDER BY id"), &[])
            .await?;
        Ok(rows.iter().map(command_row).collect())
    }

    async fn commands(&self, kiosk: &str, limit: i64) -> Result<Vec<CommandRow>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!("SELECT {COMMAND_COLUMNS} FROM commands WHERE kiosk = $1 ORDER BY id DESC LIMIT $2"),
                &[&kiosk, &limit],
            )
            .await?;
        Ok(rows.iter().map(command_row).collect())
    }

    async fn usage(&self, from: &str, to: &str) -> Result<Vec<UsageRow>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT kiosk, day, name, value FROM usage WHERE day >= $1 AND day <= $2 ORDER BY day, kiosk, name",
                &[&from, &to],
            )
            .await?;
        Ok(rows.iter().map(|r| UsageRow { kiosk: r.get(0), day: r.get(1), name: r.get(2), value: r.get(3) }).collect())
    }

    async fn add_user(&self, user: UserRow) -> Result<()> {
        let result = self
            .client()
            .await?
            .execute(
                "INSERT INTO users (name, password_hash, role) VALUES ($1, $2, $3)",
                &[&user.name, &user.password_hash, &user.role.code()],
            )
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
                Err(StorageError::Exists(format!("user {}", user.name)))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn user(&self, name: &str) -> Result<Option<UserRow>> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT name, password_hash, role FROM users WHERE name = $1", &[&name])
            .await?;
        Ok(row.as_ref().map(user_row))
    }

    async fn users(&self) -> Result<Vec<UserRow>> {
        let rows = self.client().await?.query("SELECT name, password_hash, role FROM users ORDER BY name", &[]).await?;
        Ok(rows.iter().map(user_row).collect())
    }

    async fn remove_user(&self, name: &str) -> Result<bool> {
        Ok(self.client().await?.execute("DELETE FROM users WHERE name = $1", &[&name]).await? > 0)
    }

    async fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        let n = self
            .client()
            .await?
            .execute("UPDATE users SET password_hash = $1 WHERE name = $2", &[&password_hash, &name])
            .await?;
        Ok(n > 0)
    }

    async fn add_bundle(&self, b: BundleRow, tar: Vec<u8>) -> Result<i64> {
        let row = self
            .client()
            .await?
            .query_one(
                "INSERT INTO bundles (version, payload, signature, size, created_by, created_at, tar)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[&b.version, &b.payload, &b.signature, &b.size, &b.created_by, &b.created_at, &tar],
            )
            .await?;
        Ok(row.get(0))
    }

    async fn bundles(&self) -> Result<Vec<BundleRow>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, version, payload, signature, size, created_by, created_at FROM bundles ORDER BY id DESC",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| BundleRow {
                id: r.get(0),
                version: r.get(1),
                payload: r.get(2),
                signature: r.get(3),
                size: r.get(4),
                created_by: r.get(5),
                created_at: r.get(6),
            })
            .collect())
    }

    async fn bundle_tar(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let row = self.client().await?.query_opt("SELECT tar FROM bundles WHERE id = $1", &[&id]).await?;
        Ok(row.map(|r| r.get(0)))
    }
}
