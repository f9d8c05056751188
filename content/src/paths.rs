//! The ways through a procedure's steps: where each step leads, the shortest way to a
//! step (to show any step as if reached), and how many steps are left (the progress line).

use crate::{Procedure, StepKind};

impl Procedure {
    /// The index of the step named `id`.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id.as_deref() == Some(id))
    }

    /// Where the person may go from step `i` (none from a `done` step).
    pub fn successors(&self, i: usize) -> Vec<usize> {
        let step = &self.steps[i];
        match step.kind {
            StepKind::Done => vec![],
            StepKind::Question => step.choices.iter().filter_map(|c| self.step_index(&c.goto)).collect(),
            _ => match &step.next {
                Some(id) => self.step_index(id).into_iter().collect(),
                None => (i + 1 < self.steps.len()).then_some(i + 1).into_iter().collect(),
            },
        }
    }

    /// The steps before `to` on the shortest way from the first step, in order; `None`
    /// when `to` cannot be reached.
    pub fn shortest_path(&self, to: usize) -> Option<Vec<usize>> {
        let mut parent: Vec<Option<usize>> = vec![None; self.steps.len()];
        let mut seen = vec![false; self.steps.len()];
        let mut queue = std::collections::VecDeque::from([0]);
        *seen.first_mut()? = true;
        while let Some(at) = queue.pop_front() {
            for next in self.successors(at) {
                if !std::mem::replace(&mut seen[next], true) {
                    parent[next] = Some(at);
                    queue.push_back(next);
                }
            }
        }
        if !*seen.get(to)? {
            return None;
        }
        let mut path = Vec::new();
        let mut at = to;
        while let Some(p) = parent[at] {
            path.push(p);
            at = p;
        }
        path.reverse();
        Some(path)
    }

    /// The most steps from `i` to an end, `i` included, without going round a loop: the
    /// progress line's "sur N".
    pub fn longest_to_end(&self, i: usize) -> usize {
        fn walk(p: &Procedure, at: usize, on_path: &mut Vec<bool>) -> usize {
            if p.steps[at].kind == StepKind::Done {
                return 1;
            }
            on_path[at] = true;
            let mut best = None;
            for next in p.successors(at) {
                if !on_path[next] {
                    best = best.max(Some(walk(p, next, on_path)));
                }
            }
            on_path[at] = false;
            best.map_or(1, |b| b + 1)
        }
        walk(self, i, &mut vec![false; self.steps.len()])
    }

    /// The fewest steps from `i` to an end, `i` included; `None` when no way leads to one.
    pub fn steps_to_end(&self, i: usize) -> Option<usize> {
        let mut seen = vec![false; self.steps.len()];
        let mut frontier = std::collections::VecDeque::from([(i, 1)]);
        while let Some((at, depth)) = frontier.pop_front() {
            if self.steps[at].kind == StepKind::Done {
                return Some(depth);
            }
            if std::mem::replace(&mut seen[at], true) {
                continue;
            }
            frontier.extend(self.successors(at).into_iter().map(|n| (n, depth + 1)));
        }
        None
    }
}
