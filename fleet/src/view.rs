//! The fleet as the server sees it now, in memory: every kiosk with its last sample and
//! its unacknowledged commands. Reports, the console and `/metrics` read it instead of the
//! database, so a page of a thousand tiles costs no query. Loaded from storage at start.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use guichet_protocol::fleet::{Action, Command, HealthSample};

use crate::health::{Alert, KioskState, Rules, assess};
use crate::storage::{CommandRow, KioskRow, Storage, StorageError};

#[derive(Debug, Clone)]
pub struct KioskEntry {
    pub info: KioskRow,
    pub sample: Option<Arc<HealthSample>>,
    pub pending: Vec<CommandRow>,
    /// Today's visits and mediator calls as last reported: `(day, sessions, calls)`.
    pub today: Option<(String, i64, i64)>,
    /// Held while one of its reports is checked and written, so two reports with the same
    /// `seq` (a replay racing the original) cannot both pass.
    pub writing: Arc<tokio::sync::Mutex<()>>,
}

impl KioskEntry {
    pub fn assess(&self, now: u64, rules: &Rules) -> (KioskState, Vec<Alert>) {
        let last = self.info.last_report_at.map(|t| t.max(0) as u64);
        assess(self.sample.as_deref(), last, now, rules)
    }

    /// Keeps today's visits and mediator calls for `/metrics`.
    pub fn count_today(&mut self, day: &str, name: &str, value: i64) {
        let today = self.today.get_or_insert_with(|| (day.to_owned(), 0, 0));
        if today.0.as_str() < day {
            *today = (day.to_owned(), 0, 0);
        }
        if today.0 == day {
            match name {
                "sessions_started" => today.1 = today.1.max(value),
                "mediator_calls" => today.2 = today.2.max(value),
                _ => {}
            }
        }
    }

    /// The commands to send with the answer to its next report.
    pub fn commands(&self) -> Vec<Command> {
        self.pending
            .iter()
            .filter_map(|c| {
                let action: Action = serde_json::from_str(&c.action).ok()?;
                Some(Command { id: c.id.max(0) as u64, action })
            })
            .collect()
    }
}

#[derive(Default)]
pub struct FleetView {
    kiosks: RwLock<HashMap<String, KioskEntry>>,
    /// Token hash → kiosk id.
    tokens: RwLock<HashMap<String, String>>,
}

impl FleetView {
    pub async fn load(storage: &dyn Storage, now: u64) -> Result<FleetView, StorageError> {
        let view = FleetView::default();
        for row in storage.kiosks().await? {
            view.add(row);
        }
        for (kiosk, _, body) in storage.latest_samples().await? {
            match serde_json::from_str::<HealthSample>(&body) {
                Ok(sample) => view.update(&kiosk, |k| k.sample = Some(Arc::new(sample))),
                Err(e) => tracing::warn!(kiosk, cause = %e, "a stored sample is unreadable"),
            }
        }
        for command in storage.pending_commands().await? {
            view.update(&command.kiosk.clone(), |k| k.pending.push(command));
        }
        let today = crate::time_fmt::day(now);
        for row in storage.usage(&today, &today).await? {
            view.update(&row.kiosk, |k| k.count_today(&row.day, &row.name, row.value));
        }
        Ok(view)
    }

    pub fn add(&self, row: KioskRow) {
        write(&self.tokens).insert(row.token_hash.clone(), row.id.clone());
        let entry =
            KioskEntry { info: row, sample: None, pending: Vec::new(), today: None, writing: Default::default() };
        write(&self.kiosks).insert(entry.info.id.clone(), entry);
    }

    /// The kiosk a token belongs to, unless it was revoked.
    pub fn by_token(&self, token_hash: &str) -> Option<KioskEntry> {
        let id = read(&self.tokens).get(token_hash).cloned()?;
        self.get(&id).filter(|k| !k.info.revoked)
    }

    pub fn get(&self, id: &str) -> Option<KioskEntry> {
        read(&self.kiosks).get(id).cloned()
    }

    pub fn update(&self, id: &str, f: impl FnOnce(&mut KioskEntry)) {
        if let Some(k) = write(&self.kiosks).get_mut(id) {
            f(k);
        }
    }

    /// Every kiosk, by site then name.
    pub fn all(&self) -> Vec<KioskEntry> {
        let mut all: Vec<KioskEntry> = read(&self.kiosks).values().cloned().collect();
        all.sort_by(|a, b| (&a.info.site, &a.info.name, &a.info.id).cmp(&(&b.info.site, &b.info.name, &b.info.id)));
        all
    }

    pub fn sites(&self) -> Vec<String> {
        let mut sites: Vec<String> = read(&self.kiosks).values().map(|k| k.info.site.clone()).collect();
        sites.sort();
        sites.dedup();
        sites
    }

    pub fn pending_count(&self) -> usize {
        read(&self.kiosks).values().map(|k| k.pending.len()).sum()
    }
}

// A panic elsewhere cannot leave these maps half-updated in a way that matters more than
// stopping the whole console: keep serving.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}
