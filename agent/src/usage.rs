//! Anonymous usage for the needs statistics. The kiosk says which procedure was started,
//! which step it reached, that it was completed, which language was chosen; the agent
//! counts per day and, when the visit ends, counts each procedure left unfinished at the
//! step it stopped on. Only ids are counted (checked here), never what a person typed,
//! and nothing ties two counts to one person.

use std::collections::{BTreeMap, BTreeSet};

use guichet_protocol::fleet::usage_name_allowed;
use guichet_protocol::{AgentMessage, ErrorCode, UsageEvent};

use crate::session::{Agent, Refusal, refuse};

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
    fn record(&mut self, event: &UsageEvent) -> Vec<String> {
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

impl Agent {
    pub(crate) fn usage(&self, id: u64, event: UsageEvent) -> Result<AgentMessage, Refusal> {
        if !event.names().iter().all(|n| usage_name_allowed(n)) {
            return Err(refuse(ErrorCode::BadRequest, "usage names are ids: letters, digits, - and _"));
        }
        if !self.usage_known(&event) {
            return Err(refuse(ErrorCode::BadRequest, "not a procedure, step or language of the content in use"));
        }
        let names = self.with_visit_usage(|usage| usage.record(&event));
        let Some(names) = names else { return Err(refuse(ErrorCode::NotAllowedInState, "no session is open")) };
        for name in names {
            self.count_name(&name);
        }
        Ok(AgentMessage::Ack { id })
    }
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
