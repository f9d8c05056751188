//! What the step screen shows and says: the step's text, its progress along the person's
//! own path, and what its kind adds (a checklist's ticks, a scan's pages, a print's copies,
//! an official address).

use super::ScreenContent;
use crate::content::StepKind;
use crate::controller::Controller;
use crate::phrases::join;
use crate::texts as t;

impl ScreenContent {
    pub(super) fn step(&mut self, c: &Controller, tr: &dyn Fn(&str) -> String) {
        let proc = &c.procedures()[c.procedure_index()];
        let step = &proc.steps[c.step_index()];
        self.title = tr(&step.title);
        self.body = tr(&step.text);
        self.items = step.items.iter().map(|i| tr(i)).collect();
        self.url = step.url.as_ref().map(|u| u.get_ref().clone()).unwrap_or_default();
        // Counted along the person's own path: where they are, and the longest way on, so
        // that the count only ever shrinks when an answer shortens the way.
        let n = c.history().len() + 1;
        let total = n - 1 + proc.longest_to_end(c.step_index());
        self.progress = tr(t::STEP_PROGRESS).replace("{n}", &n.to_string()).replace("{total}", &total.to_string());
        self.choices = step.choices.iter().map(|c| tr(&c.label)).collect();
        self.step_kind = Some(step.kind);
        if step.kind == StepKind::Done {
            self.next = tr(t::FINISH);
        }
        if matches!(step.kind, StepKind::Done | StepKind::Print) {
            (self.action, self.action_status) = c.printing().lines(c.print_offer(), c.scans().count(), tr);
            self.action_enabled = !c.printing().in_flight();
        }
        if step.kind == StepKind::Mediator {
            self.action = tr(t::HELP_BUTTON);
            self.action_enabled = true;
        }
        if step.kind == StepKind::Checklist {
            self.ticks = (0..self.items.len()).map(|i| c.ticks().ticked(i)).collect();
        }
        if step.kind == StepKind::Scan {
            let folder = c.session_folder().map(|f| f.to_owned()).unwrap_or_default();
            let scan = c.scans().lines(c.preset_on_screen(), &folder, tr);
            (self.action, self.action_status, self.placement, self.pages) =
                (scan.button, scan.status, scan.placement, scan.pages);
            self.action_enabled = !c.scans().scanning();
            self.hint = scan.placement_text;
            self.redo = tr(t::SCAN_REDO);
        }
        if step.kind == StepKind::Print {
            self.copy = c.printing().copy_lines(tr);
        }
        let mut spoken = vec![self.title.clone(), self.body.clone(), self.hint.clone()];
        match step.kind {
            StepKind::Checklist => {
                spoken.push(tr(t::CHECKLIST_HINT));
                spoken.extend(self.items.iter().cloned());
            }
            StepKind::OfficialSite => {
                // The address is shown, not spelt out: espeak reads URLs badly.
                spoken.push(tr(t::SITE_PASSWORD));
            }
            StepKind::Question => spoken.extend(self.choices.iter().cloned()),
            _ => spoken.extend(self.items.iter().cloned()),
        }
        self.spoken = join(spoken);
        // Once the button was used, what is said is how it went: the step was said already.
        if !self.action_status.is_empty() {
            self.spoken = self.action_status.clone();
        }
        match step.kind {
            StepKind::Checklist => self.hint = tr(t::CHECKLIST_HINT),
            StepKind::OfficialSite => {
                self.hint = tr(t::SITE_ADDRESS);
                self.qr_hint = tr(t::QR_HINT);
                self.items.push(tr(t::SITE_PASSWORD));
            }
            _ => {}
        }
    }
}
