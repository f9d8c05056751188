//! Ticking papers on a checklist step, as the person does it: each paper as they find it,
//! on big rows that say the paper's name when touched. Ticks help them, nothing checks
//! them: "Suivant" is always there, and the ticks are forgotten when they leave the step.
//!
//! A sub-state of the controller (`Ticks`): it is told how many items the step has.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ticks(Vec<bool>);

impl Ticks {
    /// Ticks or unticks item `index` of a checklist of `items`.
    pub fn tick(&mut self, index: usize, items: usize) {
        if index >= items {
            return;
        }
        if self.0.len() != items {
            self.0 = vec![false; items];
        }
        self.0[index] = !self.0[index];
    }

    /// Whether item `index` is ticked.
    pub fn ticked(&self, index: usize) -> bool {
        self.0.get(index).copied().unwrap_or(false)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tick_toggles_and_a_new_step_starts_unticked() {
        let mut t = Ticks::default();
        t.tick(1, 3);
        assert!(!t.ticked(0) && t.ticked(1));
        t.tick(1, 3);
        assert!(!t.ticked(1), "touched again, unticked");
        t.tick(7, 3);
        assert!(!t.ticked(7), "no such item");
        t.tick(0, 2);
        assert!(t.ticked(0) && !t.ticked(1), "another list: the old ticks do not carry over");
        t.clear();
        assert!(!t.ticked(0));
    }
}
