//! Checklist steps: the person ticks each paper as they find it, on big rows that say the
//! paper's name when touched. Ticks help them, nothing checks them: "Suivant" is always
//! there, and the ticks are forgotten when they leave the step.

use crate::content::StepKind;
use crate::controller::Controller;

impl Controller {
    /// Ticks or unticks the `index`-th item of the checklist on screen.
    pub fn tick(&mut self, index: usize) {
        if self.step_kind_on_screen() != Some(StepKind::Checklist) {
            return;
        }
        let items = self.procedures[self.procedure].steps[self.step].items.len();
        if index >= items {
            return;
        }
        if self.ticked.len() != items {
            self.ticked = vec![false; items];
        }
        self.ticked[index] = !self.ticked[index];
    }

    /// Which items of the checklist on screen are ticked.
    pub fn ticked(&self) -> &[bool] {
        &self.ticked
    }
}
