//! What the agent holds in memory about the kiosk and the visit, with no behaviour of its
//! own: the open visit (its folder, its print jobs, what it did for the statistics), the
//! kiosk's last heartbeat and the signs of someone in front of it. The agent's request
//! handlers and loops change it; nothing here reaches back into them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use guichet_protocol::{SessionId, UsageEvent};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::session_folder::SessionFolder;

/// Identifies one client connection, for session ownership.
pub type ConnId = u64;

pub(crate) struct OpenSession {
    pub(crate) id: SessionId,
    pub(crate) folder: Arc<SessionFolder>,
    pub(crate) owner: ConnId,
    /// Print jobs sent for this session, cancelled at the printer when it is wiped.
    pub(crate) jobs: Vec<u32>,
    /// Of those, the ones made in memory (photocopies): no file of theirs is counted.
    pub(crate) jobs_in_memory: u32,
    pub(crate) pages_printed: u32,
    pub(crate) usage: VisitUsage,
}

/// What one visit did, forgotten when it ends.
#[derive(Debug, Default)]
pub(crate) struct VisitUsage {
    /// Procedures started and the last step each reached.
    reached: BTreeMap<String, String>,
    completed: BTreeSet<String>,
    languages: BTreeSet<String>,
}

/// A visit holds at most this many procedures and languages: a kiosk that sends more is
/// misbehaving, and the counters must stay small.
const MAX_PER_VISIT: usize = 50;

impl VisitUsage {
    /// The counter names to add one to now.
    pub(crate) fn record(&mut self, event: &UsageEvent) -> Vec<String> {
        let full = self.reached.len() + self.languages.len() >= MAX_PER_VISIT;
        match event {
            UsageEvent::ProcedureStarted { procedure } if !full || self.reached.contains_key(procedure) => {
                self.completed.remove(procedure);
                self.reached.insert(procedure.clone(), "start".into());
                vec![format!("procedure_started/{procedure}")]
            }
            UsageEvent::StepReached { procedure, step } => {
                if let Some(last) = self.reached.get_mut(procedure) {
                    *last = step.clone();
                }
                Vec::new()
            }
            UsageEvent::ProcedureCompleted { procedure } if self.reached.contains_key(procedure) => self
                .completed
                .insert(procedure.clone())
                .then(|| format!("procedure_completed/{procedure}"))
                .into_iter()
                .collect(),
            UsageEvent::Language { language } if !full || self.languages.contains(language) => {
                self.languages.insert(language.clone()).then(|| format!("language/{language}")).into_iter().collect()
            }
            _ => Vec::new(),
        }
    }

    /// At the end of the visit: `abandoned/PROCEDURE/STEP` for each one not completed.
    pub(crate) fn abandoned(&self) -> Vec<String> {
        self.reached
            .iter()
            .filter(|(p, _)| !self.completed.contains(*p))
            .map(|(p, step)| format!("abandoned/{p}/{step}"))
            .collect()
    }
}

/// The kiosk's last heartbeat.
pub(crate) struct Seen {
    pub(crate) screen: String,
    pub(crate) idle_s: u32,
    pub(crate) at: Instant,
    pub(crate) conn: ConnId,
    pub(crate) connected: bool,
}

/// The kiosk's front as the agent knows it: the UI's heartbeat, the last sign of someone
/// (a touch, the presence sensor, the button), whether the screen is lit, a call for help
/// not yet answered, a device fault for the LED.
pub struct KioskState {
    pub(crate) kiosk: Mutex<Option<Seen>>,
    pub(crate) activity: Mutex<Option<Instant>>,
    /// Told when someone is there now, so the screen lights at once.
    pub(crate) wake: Notify,
    pub(crate) screen_on: AtomicBool,
    pub(crate) help_called: Mutex<Option<Instant>>,
    pub(crate) fault: AtomicBool,
}

impl Default for KioskState {
    fn default() -> Self {
        KioskState {
            kiosk: Mutex::new(None),
            activity: Mutex::new(None),
            wake: Notify::new(),
            screen_on: AtomicBool::new(true),
            help_called: Mutex::new(None),
            fault: AtomicBool::new(false),
        }
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(p: &str) -> UsageEvent {
        UsageEvent::ProcedureStarted { procedure: p.into() }
    }

    #[test]
    fn a_visit_counts_starts_completions_languages_once_and_where_it_stopped() {
        let mut v = VisitUsage::default();
        assert_eq!(v.record(&UsageEvent::Language { language: "ar".into() }), ["language/ar"]);
        assert!(v.record(&UsageEvent::Language { language: "ar".into() }).is_empty(), "once per visit");
        assert_eq!(v.record(&started("caf")), ["procedure_started/caf"]);
        v.record(&UsageEvent::StepReached { procedure: "caf".into(), step: "revenus".into() });
        assert_eq!(v.record(&started("ameli")), ["procedure_started/ameli"]);
        assert_eq!(
            v.record(&UsageEvent::ProcedureCompleted { procedure: "ameli".into() }),
            ["procedure_completed/ameli"]
        );
        assert!(v.record(&UsageEvent::ProcedureCompleted { procedure: "ameli".into() }).is_empty());
        // A completion of a procedure never started is not believed.
        assert!(v.record(&UsageEvent::ProcedureCompleted { procedure: "impots".into() }).is_empty());
        assert_eq!(v.abandoned(), ["abandoned/caf/revenus"]);
    }

    #[test]
    fn a_runaway_kiosk_cannot_grow_the_counters_without_bound() {
        let mut v = VisitUsage::default();
        for i in 0..200 {
            v.record(&started(&format!("p{i}")));
        }
        assert_eq!(v.abandoned().len(), MAX_PER_VISIT);
    }
}
