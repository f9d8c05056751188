//! The actions of what a person does on a step or over it, each handed to its sub-state
//! with what that sub-state needs to know of the screen: printing, scanning, finding a
//! procedure, asking for help, ticking, idle time, IT staff's news, the statistics, and
//! the printed summary.

use std::collections::BTreeMap;
use std::path::PathBuf;

use guichet_protocol::{EndReason, ScanPreset};

use super::{Controller, Screen};
use crate::commands::Command;
use crate::content::{Procedure, StepKind};
use crate::i18n::Catalog;
use crate::idle::Tick;
use crate::phrases::{join, site_lines};
use crate::print_pages::Offer;
use crate::sheet::Sheet;
use crate::statistics::OnScreen;
use crate::texts as t;

impl Controller {
    /// The kind of the step on screen; `None` off the step screen.
    pub fn step_kind_on_screen(&self) -> Option<StepKind> {
        (self.screen == Screen::Step).then(|| self.procedures[self.procedure].steps[self.step].kind)
    }

    /// Which printing the step on screen offers.
    pub fn print_offer(&self) -> Offer {
        match self.step_kind_on_screen() {
            Some(StepKind::Print) => Offer::Pages,
            Some(StepKind::Done) if self.session_folder.is_some() => Offer::Summary,
            _ => Offer::Nothing,
        }
    }

    /// What the scan step on screen scans.
    pub fn preset_on_screen(&self) -> ScanPreset {
        self.procedures[self.procedure].steps[self.step].preset.unwrap_or_default()
    }

    /// The big button of the step on screen: scan a page, call a mediator, or print.
    pub fn step_action(&mut self) -> Vec<Command> {
        match self.step_kind_on_screen() {
            Some(StepKind::Scan) => self.scan_page(),
            Some(StepKind::Mediator) => self.call_mediator(),
            Some(StepKind::Print) => self.print_scans(),
            _ => self.print_summary(),
        }
    }

    // --- Printing ------------------------------------------------------------------------

    /// "Print the pages": every page scanned in this visit (a photocopy).
    pub fn print_scans(&mut self) -> Vec<Command> {
        if self.print_offer() != Offer::Pages {
            return vec![];
        }
        self.print.press_pages(self.scans.count())
    }

    /// "Print this summary".
    pub fn print_summary(&mut self) -> Vec<Command> {
        let Some(folder) = self.session_folder.clone().filter(|_| self.print_offer() == Offer::Summary) else {
            return vec![];
        };
        let sheet = Box::new(self.summary_sheet());
        self.print.press_summary(Command::PrintSummary { folder, sheet })
    }

    pub fn change_copies(&mut self, delta: i32) {
        if self.print_offer() == Offer::Pages {
            self.print.change_copies(delta);
        }
    }

    pub fn toggle_colour(&mut self) {
        if self.print_offer() == Offer::Pages {
            self.print.toggle_colour();
        }
    }

    /// The summary of the open procedure, along the person's own path.
    pub fn summary_sheet(&self) -> Sheet {
        let cat = &self.catalogs[self.lang];
        let tr = |s: &str| cat.tr(s);
        let proc = &self.procedures[self.procedure];
        let path: Vec<usize> = self.history.iter().copied().chain([self.step]).collect();
        let steps = path.iter().map(|&i| &proc.steps[i]);
        // The last address the person was sent to is the one to go back to at home.
        let url =
            steps.clone().filter_map(|s| s.url.as_ref()).next_back().map(|u| u.get_ref().clone()).unwrap_or_default();
        let last = &proc.steps[self.step];
        Sheet {
            rtl: cat.language.rtl,
            heading: tr(t::SUMMARY_TITLE),
            organisation: tr(&proc.organisation),
            procedure: tr(&proc.title),
            done_label: tr(t::SUMMARY_DONE),
            done: steps.take(path.len().saturating_sub(1)).map(|s| tr(&s.title)).collect(),
            next_label: tr(t::SUMMARY_NEXT),
            next: join([tr(&last.title), tr(&last.text)]),
            url,
            site: (self.site.iter()).flat_map(|s| std::iter::once(s.name.clone()).chain(site_lines(s, &tr))).collect(),
            erased: tr(t::SUMMARY_ERASED),
        }
    }

    // --- Scanning ------------------------------------------------------------------------

    fn can_scan(&self) -> bool {
        self.step_kind_on_screen() == Some(StepKind::Scan) && !self.busy
    }

    /// "Scan": new pages, after those already there.
    pub fn scan_page(&mut self) -> Vec<Command> {
        if !self.can_scan() {
            return vec![];
        }
        self.scans.start(self.preset_on_screen(), None)
    }

    /// "Redo" under the `i`-th page shown.
    pub fn redo_page(&mut self, i: usize) -> Vec<Command> {
        if !self.can_scan() {
            return vec![];
        }
        self.scans.start(self.preset_on_screen(), Some(i))
    }

    // --- Finding a procedure -------------------------------------------------------------

    /// The procedures the home screen lists: all of them, or those the search found.
    pub fn listed_procedures(&self) -> Vec<usize> {
        let cat = &self.catalogs[self.lang];
        self.search.listed(&self.procedures, &|s| cat.tr(s))
    }

    /// How many procedures what is typed on the keyboard would list.
    pub fn keyboard_found(&self) -> Option<usize> {
        let cat = &self.catalogs[self.lang];
        self.search.keyboard_found(&self.procedures, &|s| cat.tr(s))
    }

    /// "Search" on the home screen: the keyboard, holding the current search.
    pub fn open_keyboard(&mut self) {
        if self.screen == Screen::Home {
            self.search.open();
        }
    }

    pub fn key(&mut self, key: &str) {
        self.search.key(key);
    }

    pub fn key_erase(&mut self) {
        self.search.erase();
    }

    pub fn toggle_digits(&mut self) {
        self.search.toggle_digits();
    }

    pub fn keyboard_done(&mut self) {
        self.search.done();
    }

    pub fn keyboard_cancel(&mut self) {
        self.search.cancel();
    }

    pub fn clear_search(&mut self) {
        self.search.clear();
    }

    // --- Asking for help -----------------------------------------------------------------

    pub fn call_mediator(&mut self) -> Vec<Command> {
        let in_session = self.in_session();
        self.help.call(in_session)
    }

    pub fn dismiss_help(&mut self) {
        self.help.dismiss();
    }

    pub fn open_pin_pad(&mut self) {
        let in_session = self.in_session();
        self.help.open_pin_pad(in_session);
    }

    pub fn pin_digit(&mut self, digit: char) {
        self.help.digit(digit);
    }

    pub fn pin_erase(&mut self) {
        self.help.erase();
    }

    pub fn pin_cancel(&mut self) {
        self.help.cancel_pin();
    }

    pub fn pin_submit(&mut self) -> Vec<Command> {
        self.help.submit()
    }

    pub fn mediator_open(&self) -> bool {
        self.help.panel_open()
    }

    pub fn mediator_close(&mut self) {
        self.help.close_panel();
    }

    pub fn toggle_timer_pause(&mut self) {
        self.help.toggle_pause();
    }

    /// Whether the mediator paused the idle timer.
    pub fn timer_paused(&self) -> bool {
        self.help.timer_paused()
    }

    pub fn mediator_end(&mut self) -> Vec<Command> {
        let commands = self.help.end_visit(self.busy);
        self.busy |= !commands.is_empty();
        commands
    }

    /// A touch on the dark screen: it lights again, and the touch does nothing else.
    pub fn wake(&mut self) -> Vec<Command> {
        self.dark = false;
        vec![Command::Wake]
    }

    // --- Ticks ---------------------------------------------------------------------------

    /// Ticks or unticks the `index`-th item of the checklist on screen.
    pub fn tick(&mut self, index: usize) {
        if self.step_kind_on_screen() == Some(StepKind::Checklist) {
            let items = self.procedures[self.procedure].steps[self.step].items.len();
            self.ticks.tick(index, items);
        }
    }

    // --- Idle time -----------------------------------------------------------------------

    /// Whether a person's session is open on screen (idle time counts only then).
    pub fn in_session(&self) -> bool {
        matches!(self.screen, Screen::Language | Screen::Home | Screen::Step)
    }

    /// Nobody touched the screen for a while: warn, with `seconds` before the wipe.
    pub fn warn_idle(&mut self, seconds: u32) {
        if self.in_session() && !self.busy {
            self.idle.warn(seconds);
        }
    }

    pub fn idle_warning(&self) -> Option<u32> {
        self.idle.shown()
    }

    /// One second of the warning's countdown; at zero the session ends and is wiped.
    pub fn idle_tick(&mut self) -> Vec<Command> {
        match self.idle.tick() {
            Tick::Expired => self.idle_timeout(),
            Tick::Counting | Tick::Quiet => vec![],
        }
    }

    /// Any touch: the person is there.
    pub fn touched(&mut self) {
        self.idle.dismiss();
    }

    /// Nobody touched the screen for too long: end and wipe the session.
    pub fn idle_timeout(&mut self) -> Vec<Command> {
        if !self.in_session() || self.busy {
            return vec![];
        }
        self.confirm_stop = false;
        self.idle.dismiss();
        self.busy = true;
        vec![Command::EndSession(EndReason::IdleTimeout)]
    }

    // --- IT staff's news -----------------------------------------------------------------

    pub fn set_staff_message(&mut self, texts: BTreeMap<String, String>) {
        self.staff.set_message(texts);
    }

    /// The content folder to load now, if one is waiting and no visit is on.
    pub fn take_content_reload(&mut self) -> Option<PathBuf> {
        let between_visits = matches!(self.screen, Screen::Attract | Screen::OutOfService) && !self.busy;
        self.staff.take_reload(between_visits)
    }

    /// Shows new procedures and translations; French first again.
    pub fn replace_content(&mut self, procedures: Vec<Procedure>, catalogs: Vec<Catalog>) {
        self.replace_procedures(procedures);
        self.catalogs = if catalogs.is_empty() { vec![Catalog::source()] } else { catalogs };
        self.lang = 0;
        self.attract_index = 0;
    }

    // --- The statistics ------------------------------------------------------------------

    /// The usage facts since the last call, as commands to send before `then` (the
    /// action's own commands): a completion must reach the agent before the end.
    pub fn usage_commands(&mut self, then: &[Command]) -> Vec<Command> {
        let proc = self.procedures.get(self.procedure);
        let step = proc.filter(|_| self.screen == Screen::Step).map(|p| {
            let name = p.steps.get(self.step).and_then(|s| s.id.clone());
            (self.procedure, p.id.as_str(), self.step, name.unwrap_or_else(|| format!("etape-{}", self.step + 1)))
        });
        let now = OnScreen {
            in_session: self.in_session(),
            past_language: matches!(self.screen, Screen::Home | Screen::Step),
            home: self.screen == Screen::Home,
            language: self.catalogs[self.lang].language.code,
            step,
        };
        self.usage.commands(&now, then)
    }
}
