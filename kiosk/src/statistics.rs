//! What the kiosk tells the agent for the needs statistics, read from what changed on
//! screen: the language chosen, the procedure opened, the step reached, the procedure
//! finished. Ids only (a procedure's `id`, a step's `id` or its number, a language code):
//! never a word the person typed or chose to write.
//!
//! A sub-state of the controller (`UsageMark`): it is told what is on screen now.

use std::collections::BTreeSet;

use guichet_protocol::{EndReason, UsageEvent};

use crate::commands::Command;

/// What is on screen, as far as the statistics care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnScreen<'a> {
    pub in_session: bool,
    /// Past the language screen (home or a step): the language is chosen.
    pub past_language: bool,
    pub home: bool,
    pub language: &'static str,
    /// On a step: the procedure's index and id, the step's index and name.
    pub step: Option<(usize, &'a str, usize, String)>,
}

/// What the agent has been told of this visit.
#[derive(Debug, Default)]
pub struct UsageMark {
    languages: BTreeSet<&'static str>,
    procedure: Option<usize>,
    step: Option<usize>,
}

impl UsageMark {
    /// The usage facts since the last call, as commands to send before `then` (the
    /// action's own commands): a completion must reach the agent before the end.
    pub fn commands(&mut self, now: &OnScreen<'_>, then: &[Command]) -> Vec<Command> {
        if !now.in_session {
            *self = UsageMark::default();
            return Vec::new();
        }
        let mut events = Vec::new();
        if now.past_language && self.languages.insert(now.language) {
            events.push(UsageEvent::Language { language: now.language.to_owned() });
        }
        if let Some((index, id, at, step)) = &now.step {
            if self.procedure != Some(*index) {
                self.procedure = Some(*index);
                self.step = None;
                events.push(UsageEvent::ProcedureStarted { procedure: (*id).to_owned() });
            }
            if self.step != Some(*at) {
                self.step = Some(*at);
                events.push(UsageEvent::StepReached { procedure: (*id).to_owned(), step: step.clone() });
            }
            if then.iter().any(|c| matches!(c, Command::EndSession(EndReason::Completed))) {
                events.push(UsageEvent::ProcedureCompleted { procedure: (*id).to_owned() });
            }
        } else if now.home {
            // Back on the list: the next procedure opened is a new start.
            self.procedure = None;
        }
        events.into_iter().map(Command::Usage).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(step: Option<(usize, &'static str, usize, String)>, home: bool) -> OnScreen<'static> {
        OnScreen { in_session: true, past_language: true, home, language: "ar", step }
    }

    #[test]
    fn each_fact_is_told_once_and_a_completion_before_the_end() {
        let mut m = UsageMark::default();
        let lang = vec![Command::Usage(UsageEvent::Language { language: "ar".into() })];
        assert_eq!(m.commands(&on(None, true), &[]), lang);
        assert_eq!(m.commands(&on(None, true), &[]), vec![], "once per visit");
        let step = |at: usize| Some((2, "caf", at, format!("etape-{}", at + 1)));
        let started = m.commands(&on(step(0), false), &[]);
        assert_eq!(started.len(), 2, "started, and its first step: {started:?}");
        assert_eq!(m.commands(&on(step(0), false), &[]), vec![], "the same step again says nothing");
        let end = [Command::EndSession(EndReason::Completed)];
        let last = m.commands(&on(step(1), false), &end);
        assert_eq!(last.last(), Some(&Command::Usage(UsageEvent::ProcedureCompleted { procedure: "caf".into() })));
        m.commands(&on(None, true), &[]);
        assert_eq!(m.commands(&on(step(1), false), &[]).len(), 2, "opened again from the list: a new start");
        let out = OnScreen { in_session: false, ..on(None, false) };
        assert_eq!(m.commands(&out, &[]), vec![]);
        assert_eq!(m.commands(&on(None, true), &[]), lang, "the next visit is told anew");
    }
}
