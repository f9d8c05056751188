//! What the kiosk tells the agent for the needs statistics, read from what changed on
//! screen: the language chosen, the procedure opened, the step reached, the procedure
//! finished. Ids only (a procedure's `id`, a step's `id` or its number, a language code):
//! never a word the person typed or chose to write.

use std::collections::BTreeSet;

use guichet_protocol::{EndReason, UsageEvent};

use crate::controller::{Controller, Screen};
use crate::link::Command;

/// What the agent has been told of this visit.
#[derive(Debug, Default)]
pub struct UsageMark {
    languages: BTreeSet<&'static str>,
    procedure: Option<usize>,
    step: Option<usize>,
}

impl Controller {
    /// The usage facts since the last call, as commands to send before `then` (the
    /// action's own commands): a completion must reach the agent before the end.
    pub fn usage_commands(&mut self, then: &[Command]) -> Vec<Command> {
        if !self.in_session() {
            self.usage = UsageMark::default();
            return Vec::new();
        }
        let mut events = Vec::new();
        let past_language = matches!(self.screen(), Screen::Home | Screen::Step);
        let lang = self.language().code;
        if past_language && self.usage.languages.insert(lang) {
            events.push(UsageEvent::Language { language: lang.to_owned() });
        }
        let (index, at) = (self.procedure_index(), self.step_index());
        let open = self.procedures().get(index).map(|p| {
            let step = p.steps.get(at).and_then(|s| s.id.clone()).unwrap_or_else(|| format!("etape-{}", at + 1));
            (p.id.clone(), step)
        });
        if self.screen() == Screen::Step
            && let Some((id, step)) = open
        {
            if self.usage.procedure != Some(index) {
                self.usage.procedure = Some(index);
                self.usage.step = None;
                events.push(UsageEvent::ProcedureStarted { procedure: id.clone() });
            }
            if self.usage.step != Some(at) {
                self.usage.step = Some(at);
                events.push(UsageEvent::StepReached { procedure: id.clone(), step });
            }
            if then.iter().any(|c| matches!(c, Command::EndSession(EndReason::Completed))) {
                events.push(UsageEvent::ProcedureCompleted { procedure: id });
            }
        } else if self.screen() == Screen::Home {
            // Back on the list: the next procedure opened is a new start.
            self.usage.procedure = None;
        }
        events.into_iter().map(Command::Usage).collect()
    }
}
