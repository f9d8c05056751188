//! What waits to be reported, kept in the store so an unplugged kiosk or a fleet server
//! down for weeks loses nothing within the bound: health samples, the per-day counters
//! not yet reported, and the results of commands. Past the bound the oldest samples are
//! merged into summaries (worst states, lowest disk, highest temperature), so the report
//! still says how many there were and what went wrong.

use std::collections::BTreeMap;

use guichet_protocol::fleet::{CommandAck, HealthSample, Report, SampleSummary, UsageDay};
use rusqlite::params;

use crate::error::AgentError;
use crate::store::Store;

/// Samples merged into one summary when the queue is full: a day at five minutes.
const MERGE: u32 = 288;
/// Summaries kept at most (over five years of a day each); older ones are dropped.
const MAX_SUMMARIES: u32 = 2000;
/// Samples in one report, to stay well under the server's 1 MiB.
pub const PER_REPORT: u32 = 500;

/// One report's worth of the queue, and what to mark once the fleet has it.
#[derive(Debug, Default)]
pub struct Batch {
    pub samples: Vec<(i64, HealthSample)>,
    pub summaries: Vec<(i64, SampleSummary)>,
    /// `(day number, name, value)` as they were when read.
    pub usage: Vec<(i64, String, i64)>,
    pub acks: Vec<CommandAck>,
    /// The last unreadable sample seen, deleted with the batch.
    pub unreadable: Option<i64>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty() && self.summaries.is_empty() && self.usage.is_empty() && self.acks.is_empty()
    }

    pub fn report(&self, seq: u64) -> Report {
        let mut days: BTreeMap<i64, UsageDay> = BTreeMap::new();
        for (day, name, value) in &self.usage {
            let entry = days.entry(*day).or_insert_with(|| UsageDay { day: day_text(*day), counters: BTreeMap::new() });
            entry.counters.insert(name.clone(), (*value).max(0) as u64);
        }
        Report {
            seq,
            agent_version: env!("CARGO_PKG_VERSION").into(),
            samples: self.samples.iter().map(|(_, s)| s.clone()).collect(),
            summaries: self.summaries.iter().map(|(_, s)| s.clone()).collect(),
            usage: days.into_values().collect(),
            acks: self.acks.clone(),
        }
    }
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
pub fn day_text(day: i64) -> String {
    let date = time::Date::from_julian_day(2_440_588 + day as i32).unwrap_or(time::Date::MIN);
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Queues a sample; past `limit` queued, merges the oldest into a summary.
pub fn push(store: &Store, sample: &HealthSample, limit: u32) -> Result<(), AgentError> {
    let body = serde_json::to_string(sample).unwrap_or_default();
    store.with(|c| {
        let tx = c.transaction()?;
        tx.execute(
            "INSERT INTO outbox_samples (taken_at, body) VALUES (?1, ?2)",
            params![sample.taken_at as i64, body],
        )?;
        let queued: u32 = tx.query_row("SELECT COUNT(*) FROM outbox_samples", [], |r| r.get(0))?;
        if queued > limit.max(MERGE * 2) {
            merge_oldest(&tx)?;
        }
        tx.commit()
    })
}

fn merge_oldest(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare("SELECT id, body FROM outbox_samples ORDER BY id LIMIT ?1")?;
    let rows: Vec<(i64, String)> =
        stmt.query_map([MERGE], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let samples: Vec<HealthSample> = rows.iter().filter_map(|(_, b)| serde_json::from_str(b).ok()).collect();
    let summary = summarise(&samples);
    let last = rows.last().map_or(0, |(id, _)| *id);
    tx.execute("DELETE FROM outbox_samples WHERE id <= ?1", [last])?;
    tx.execute(
        "INSERT INTO outbox_summaries (from_at, to_at, body) VALUES (?1, ?2, ?3)",
        params![summary.from as i64, summary.to as i64, serde_json::to_string(&summary).unwrap_or_default()],
    )?;
    tx.execute(
        "DELETE FROM outbox_summaries WHERE id NOT IN (SELECT id FROM outbox_summaries ORDER BY id DESC LIMIT ?1)",
        [MAX_SUMMARIES],
    )?;
    tracing::warn!(merged = samples.len(), "the fleet's queue is full: the oldest samples were merged into a summary");
    Ok(())
}

/// The worst of what `samples` said.
pub fn summarise(samples: &[HealthSample]) -> SampleSummary {
    let mut s = SampleSummary {
        from: samples.iter().map(|x| x.taken_at).min().unwrap_or(0),
        to: samples.iter().map(|x| x.taken_at).max().unwrap_or(0),
        samples: samples.len() as u64,
        ..Default::default()
    };
    for x in samples {
        for d in x.devices.iter().filter(|d| d.state != "ready") {
            let states = s.device_problems.entry(d.device.clone()).or_default();
            if !states.contains(&d.state) {
                states.push(d.state.clone());
            }
        }
        s.kiosk_down_samples += u64::from(!x.kiosk.alive);
        s.offline_samples += u64::from(!x.network.route || x.sites.iter().all(|r| !r.reachable) && !x.sites.is_empty());
        if let Some(d) = x.disk {
            s.min_disk_free_bytes = Some(s.min_disk_free_bytes.map_or(d.free_bytes, |m| m.min(d.free_bytes)));
        }
        if let Some(t) = x.temperature_c {
            s.max_temperature_c = Some(s.max_temperature_c.map_or(t, |m| m.max(t)));
        }
        s.undervoltage |= x.power.is_some_and(|p| p.undervoltage_now);
    }
    s
}

/// The oldest of the queue, up to `PER_REPORT` samples, every summary, every counter not
/// reported at its present value, every result not yet acknowledged.
pub fn next_batch(store: &Store) -> Result<Batch, AgentError> {
    store.with(|c| {
        let mut batch = Batch::default();
        let mut stmt = c.prepare_cached("SELECT id, body FROM outbox_samples ORDER BY id LIMIT ?1")?;
        for row in stmt.query_map([PER_REPORT], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (id, body) = row?;
            match serde_json::from_str(&body) {
                Ok(sample) => batch.samples.push((id, sample)),
                // Unreadable (a newer agent's, then a downgrade): dropped with the batch,
                // not sent.
                Err(_) => batch.unreadable = Some(id),
            }
        }
        let mut stmt = c.prepare_cached("SELECT id, body FROM outbox_summaries ORDER BY id LIMIT 200")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (id, body) = row?;
            batch.summaries.push((id, serde_json::from_str(&body).unwrap_or_default()));
        }
        let mut stmt = c.prepare_cached(
            "SELECT day, name, value FROM daily_counters WHERE value != sent ORDER BY day, name LIMIT 4000",
        )?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
            batch.usage.push(row?);
        }
        let mut stmt = c.prepare_cached("SELECT id, ok, detail FROM commands_done WHERE acked = 0 ORDER BY id")?;
        for row in
            stmt.query_map([], |r| Ok(CommandAck { id: r.get::<_, i64>(0)? as u64, ok: r.get(1)?, detail: r.get(2)? }))?
        {
            batch.acks.push(row?);
        }
        Ok(batch)
    })
}

/// The fleet has `batch`: forget its samples and summaries, mark its counters and
/// results as reported.
pub fn delivered(store: &Store, batch: &Batch) -> Result<(), AgentError> {
    store.with(|c| {
        let tx = c.transaction()?;
        let last = batch.samples.last().map(|(id, _)| *id).max(batch.unreadable);
        if let Some(last) = last {
            tx.execute("DELETE FROM outbox_samples WHERE id <= ?1", [last])?;
        }
        if let Some((last, _)) = batch.summaries.last() {
            tx.execute("DELETE FROM outbox_summaries WHERE id <= ?1", [last])?;
        }
        for (day, name, value) in &batch.usage {
            tx.execute("UPDATE daily_counters SET sent = ?1 WHERE day = ?2 AND name = ?3", params![value, day, name])?;
        }
        for ack in &batch.acks {
            tx.execute("UPDATE commands_done SET acked = 1 WHERE id = ?1", [ack.id as i64])?;
        }
        tx.commit()
    })
}

/// Samples and summaries waiting, for logs and tests.
pub fn queued(store: &Store) -> Result<(u32, u32), AgentError> {
    store.with(|c| {
        let samples = c.query_row("SELECT COUNT(*) FROM outbox_samples", [], |r| r.get(0))?;
        let summaries = c.query_row("SELECT COUNT(*) FROM outbox_summaries", [], |r| r.get(0))?;
        Ok((samples, summaries))
    })
}

/// Whether command `id` was already run (the fleet sends a command until it hears back).
pub fn done(store: &Store, id: u64) -> Result<bool, AgentError> {
    store.with(|c| {
        c.query_row("SELECT COUNT(*) FROM commands_done WHERE id = ?1", [id as i64], |r| r.get::<_, i64>(0))
            .map(|n| n > 0)
    })
}

pub fn record_result(store: &Store, ack: &CommandAck) -> Result<(), AgentError> {
    store.with(|c| {
        c.execute(
            "INSERT INTO commands_done (id, ok, detail, done_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO NOTHING",
            params![ack.id as i64, ack.ok, ack.detail, crate::system::unix_now() as i64],
        )?;
        // Results older than a year are not needed to tell a repeat.
        c.execute(
            "DELETE FROM commands_done WHERE acked = 1 AND done_at < ?1",
            [crate::system::unix_now() as i64 - 365 * 86_400],
        )?;
        Ok(())
    })
}
