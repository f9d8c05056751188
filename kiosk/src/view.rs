//! What a screen shows and says, built from the controller's state: every string already
//! translated, so the same text is drawn and spoken. No Slint types: `ui.rs` copies a
//! `View` into the window.

use guichet_protocol::{SiteInfo, Weekday};

use crate::content::StepKind;
use crate::controller::{Controller, Screen, Settings};
use crate::i18n::Catalog;
use crate::search::KeyboardView;
use crate::texts as t;

/// Everything one screen shows and says, already translated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    pub screen: &'static str,
    pub rtl: bool,
    pub voice: &'static str,
    pub title: String,
    pub body: String,
    pub items: Vec<String>,
    pub url: String,
    pub progress: String,
    pub step_kind: &'static str,
    /// The line above a checklist or an address.
    pub hint: String,
    /// The answers of a question step.
    pub choices: Vec<String>,
    /// Under the QR code of an official address.
    pub qr_hint: String,
    /// Home tiles: (organisation, title, summary).
    pub tiles: Vec<(String, String, String)>,
    /// Language choices: (code, name, right to left).
    pub languages: Vec<(String, String, bool)>,
    /// The attract screen's line in each language: (text, right to left).
    pub attract_lines: Vec<(String, bool)>,
    /// IT staff's message on the attract screen ("" for none), and its direction.
    pub staff_message: String,
    pub staff_message_rtl: bool,
    pub next: String,
    pub back: String,
    pub stop: String,
    pub listen: String,
    pub read_on: String,
    pub confirm_stop: bool,
    pub stop_question: String,
    pub stop_explain: String,
    pub stop_yes: String,
    pub stop_no: String,
    pub busy: bool,
    pub wait: String,
    /// What is read aloud when the screen appears.
    pub spoken: String,
    /// The side rail's labels, and the choices they show.
    pub rail: Rail,
    /// "Help is coming", while shown.
    pub help: Option<String>,
    pub help_ok: String,
    /// The idle warning, while shown: question, countdown line, and its two buttons.
    pub idle: Option<(String, String)>,
    pub idle_more: String,
    pub idle_papers: String,
    pub settings: Settings,
    pub mediator_entry: String,
    pub pin: Option<PinView>,
    pub mediator: Option<MediatorView>,
    /// Home: the search button, the search in force ("" for none), and "all procedures".
    pub search_button: String,
    pub search_line: String,
    pub search_all: String,
    /// Home, when the search found nothing.
    pub search_none: String,
    pub keyboard: Option<KeyboardView>,
    /// The step's device button ("scan", "print this summary"), how it went ("" before).
    pub action: String,
    pub action_status: String,
    /// A scan step: the picture of where the paper goes (`paper`, `card`, "" once there
    /// are pages), the visit's pages small with their labels, and "redo".
    pub placement: &'static str,
    pub pages: Vec<(std::path::PathBuf, String)>,
    pub redo: String,
    /// A print step: the copies and the colour.
    pub copy: crate::printing::CopyLines,
    /// A checklist's ticks, one per item.
    pub ticks: Vec<bool>,
}

/// The PIN pad: dots for the digits typed, never the digits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PinView {
    pub title: String,
    pub dots: String,
    pub message: String,
    pub erase: String,
    pub ok: String,
    pub cancel: String,
}

/// The mediator panel: the procedure's outline with the person's step, and actions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediatorView {
    pub title: String,
    pub rule: String,
    /// Step titles, and whether it is the person's current one.
    pub outline: Vec<(String, bool)>,
    pub pause: String,
    pub back: String,
    pub end: String,
    pub close: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rail {
    pub shown: bool,
    pub language: String,
    pub size: String,
    pub contrast: String,
    pub voice: String,
    pub help: String,
}

impl Controller {
    /// (code, name in itself, right to left) for each language offered.
    fn language_choices(&self) -> Vec<(String, String, bool)> {
        (self.catalogs.iter())
            .map(|c| (c.language.code.to_owned(), c.language.name.to_owned(), c.language.rtl))
            .collect()
    }

    /// The translated content of the current screen.
    pub fn view(&self) -> View {
        let cat = &self.catalogs[self.lang];
        let tr = |s: &str| cat.tr(s);
        let mut v = View {
            screen: self.screen.name(),
            rtl: cat.language.rtl,
            voice: cat.language.voice,
            next: tr(t::NEXT),
            back: tr(t::BACK),
            stop: tr(t::STOP),
            listen: tr(t::LISTEN),
            read_on: tr(t::READ_ON),
            confirm_stop: self.confirm_stop,
            stop_question: tr(t::STOP_QUESTION),
            stop_explain: tr(t::STOP_EXPLAIN),
            stop_yes: tr(t::STOP_YES),
            stop_no: tr(t::STOP_NO),
            busy: self.busy,
            wait: tr(t::WAIT),
            rail: Rail {
                shown: matches!(self.screen, Screen::Home | Screen::Step) && !self.picking_language,
                language: tr(t::LANGUAGE_BUTTON),
                size: tr(if self.settings.text_size < 2 { t::SIZE_BIGGER } else { t::SIZE_RESET }),
                contrast: tr(if self.settings.high_contrast { t::CONTRAST_OFF } else { t::CONTRAST_ON }),
                voice: tr(if self.settings.voice_off { t::VOICE_ON } else { t::VOICE_OFF }),
                help: tr(t::HELP_BUTTON),
            },
            help: self.help_called.then(|| tr(t::HELP_CALLED)),
            help_ok: tr(t::HELP_OK),
            idle: self.idle_left.map(|n| (tr(t::IDLE_QUESTION), tr(t::IDLE_EXPLAIN).replace("{n}", &n.to_string()))),
            idle_more: tr(t::IDLE_MORE),
            idle_papers: tr(t::IDLE_PAPERS),
            settings: self.settings,
            mediator_entry: tr(t::MEDIATOR_ENTRY),
            pin: self.pin.as_ref().map(|digits| PinView {
                title: tr(t::PIN_TITLE),
                dots: "●".repeat(digits.len()),
                message: self.pin_message.map(&tr).unwrap_or_default(),
                erase: tr(t::PIN_ERASE),
                ok: tr(t::PIN_OK),
                cancel: tr(t::PIN_CANCEL),
            }),
            mediator: self.mediator.then(|| MediatorView {
                title: tr(t::MEDIATOR_TITLE),
                rule: tr(t::MEDIATOR_RULE),
                outline: if self.screen == Screen::Step {
                    let proc = &self.procedures[self.procedure];
                    proc.steps.iter().enumerate().map(|(i, s)| (tr(&s.title), i == self.step)).collect()
                } else {
                    Vec::new()
                },
                pause: tr(if self.timer_paused { t::MEDIATOR_RESUME } else { t::MEDIATOR_PAUSE }),
                back: tr(t::MEDIATOR_BACK),
                end: tr(t::MEDIATOR_END),
                close: tr(t::MEDIATOR_CLOSE),
            }),
            ..View::default()
        };
        match self.screen {
            Screen::Attract => {
                // The big line shows one language; the list under it, the others.
                v.attract_lines = (self.catalogs.iter().enumerate())
                    .filter(|(i, _)| *i != self.attract_index)
                    .map(|(_, c)| (c.tr(t::ATTRACT), c.language.rtl))
                    .collect();
                let shown = &self.catalogs[self.attract_index];
                v.rtl = shown.language.rtl;
                v.voice = shown.language.voice;
                v.title = shown.tr(t::ATTRACT);
                v.body = self.notice.map(&tr).unwrap_or_default();
                if let Some((text, rtl)) = self.staff_message_shown(shown.language.code) {
                    v.staff_message = text;
                    v.staff_message_rtl = rtl;
                }
                // The attract screen is not spoken: nobody may be there to hear it.
            }
            Screen::Language => {
                v.title = tr(t::LANGUAGE_TITLE);
                v.languages = self.language_choices();
                v.spoken = v.title.clone();
            }
            Screen::Home => {
                v.title = tr(t::HOME_TITLE);
                let listed = self.listed_procedures();
                v.tiles = (listed.iter().map(|&i| &self.procedures[i]))
                    .map(|p| (tr(&p.organisation), tr(&p.title), tr(&p.summary)))
                    .collect();
                v.search_button = tr(t::SEARCH_BUTTON);
                if !self.query.is_empty() {
                    v.search_line = format!("{} {}", tr(t::SEARCH_YOURS), self.query);
                    v.search_all = tr(t::SEARCH_ALL);
                }
                if listed.is_empty() {
                    v.search_none = tr(t::SEARCH_NONE);
                }
                // With a search in force, the titles found are read out: there are few.
                let found = if self.query.is_empty() { vec![] } else { v.tiles.iter().map(|t| t.1.clone()).collect() };
                v.spoken = join(
                    [v.title.clone(), v.search_line.clone(), v.search_none.clone(), tr(t::HOME_SPOKEN)]
                        .into_iter()
                        .chain(found),
                );
                v.keyboard = self.keyboard_view(&tr);
            }
            Screen::Step => self.step_view(cat, &mut v),
            Screen::End => {
                v.title = tr(t::END_TITLE);
                let r = self.receipt.clone().unwrap_or_default();
                let count = |text: &str, n: u32| tr(text).replace("{n}", &n.to_string());
                v.items = [(t::END_SCANS, r.scans), (t::END_PRINTS, r.print_jobs), (t::END_IMPORTS, r.imported_files)]
                    .into_iter()
                    .map(|(text, n)| count(text, n))
                    .chain((r.other_files > 0).then(|| count(t::END_OTHER, r.other_files)))
                    .collect();
                v.body = tr(if r.verified { t::END_NOTHING_LEFT } else { t::END_NOT_VERIFIED });
                v.next = tr(t::END_BUTTON);
                v.spoken = join([v.title.clone(), v.items.join(". "), v.body.clone()]);
            }
            Screen::OutOfService => {
                v.title = tr(t::OUT_OF_SERVICE_TITLE);
                v.body = tr(t::OUT_OF_SERVICE_TEXT);
                if let Some(site) = &self.site {
                    v.hint = site.name.clone();
                    v.items = site_lines(site, &tr);
                }
                v.spoken = join([v.title.clone(), v.body.clone(), v.hint.clone()].into_iter().chain(v.items.clone()));
            }
        }
        if self.picking_language {
            v.screen = Screen::Language.name();
            v.title = tr(t::LANGUAGE_TITLE);
            v.languages = self.language_choices();
            v.spoken = v.title.clone();
        }
        if let Some(k) = &v.keyboard {
            v.spoken = k.title.clone();
        }
        if self.confirm_stop {
            v.spoken = join([v.stop_question.clone(), v.stop_explain.clone()]);
        }
        if let Some(help) = &v.help {
            v.spoken = help.clone();
        }
        if let Some((question, explain)) = &v.idle {
            v.spoken = join([question.clone(), explain.clone()]);
        }
        // The PIN pad says its title only: digits are never spoken.
        if let Some(pin) = &v.pin {
            v.spoken = pin.title.clone();
        }
        if let Some(panel) = &v.mediator {
            v.spoken = join([panel.title.clone(), panel.rule.clone()]);
        }
        v
    }

    fn step_view(&self, cat: &Catalog, v: &mut View) {
        let tr = |s: &str| cat.tr(s);
        let proc = &self.procedures[self.procedure];
        let step = &proc.steps[self.step];
        v.title = tr(&step.title);
        v.body = tr(&step.text);
        v.items = step.items.iter().map(|i| tr(i)).collect();
        v.url = step.url.as_ref().map(|u| u.get_ref().clone()).unwrap_or_default();
        // Counted along the person's own path: where they are, and the longest way on, so
        // that the count only ever shrinks when an answer shortens the way.
        let n = self.history.len() + 1;
        let total = n - 1 + proc.longest_to_end(self.step);
        v.progress = tr(t::STEP_PROGRESS).replace("{n}", &n.to_string()).replace("{total}", &total.to_string());
        v.choices = step.choices.iter().map(|c| tr(&c.label)).collect();
        v.step_kind = match step.kind {
            StepKind::Info => "info",
            StepKind::Checklist => "checklist",
            StepKind::OfficialSite => "official_site",
            StepKind::Question => "question",
            StepKind::Done => "done",
            StepKind::Scan => "scan",
            StepKind::Mediator => "mediator",
            StepKind::Print => "print",
        };
        if step.kind == StepKind::Done {
            v.next = tr(t::FINISH);
        }
        if matches!(step.kind, StepKind::Done | StepKind::Print) {
            (v.action, v.action_status) = self.print_lines(&tr);
        }
        if step.kind == StepKind::Mediator {
            v.action = tr(t::HELP_BUTTON);
        }
        if step.kind == StepKind::Checklist {
            v.ticks = (0..v.items.len()).map(|i| self.ticked().get(i).copied().unwrap_or(false)).collect();
        }
        if step.kind == StepKind::Scan {
            let scan = self.scan_lines(&tr);
            (v.action, v.action_status, v.placement, v.pages) = (scan.button, scan.status, scan.placement, scan.pages);
            v.hint = scan.placement_text;
            v.redo = tr(t::SCAN_REDO);
        }
        if step.kind == StepKind::Print {
            v.copy = self.copy_lines(&tr);
        }
        let mut spoken = vec![v.title.clone(), v.body.clone(), v.hint.clone()];
        match step.kind {
            StepKind::Checklist => {
                spoken.push(tr(t::CHECKLIST_HINT));
                spoken.extend(v.items.iter().cloned());
            }
            StepKind::OfficialSite => {
                // The address is shown, not spelt out: espeak reads URLs badly.
                spoken.push(tr(t::SITE_PASSWORD));
            }
            StepKind::Question => spoken.extend(v.choices.iter().cloned()),
            _ => spoken.extend(v.items.iter().cloned()),
        }
        v.spoken = join(spoken);
        // Once the button was used, what is said is how it went: the step was said already.
        if !v.action_status.is_empty() {
            v.spoken = v.action_status.clone();
        }
        match step.kind {
            StepKind::Checklist => v.hint = tr(t::CHECKLIST_HINT),
            StepKind::OfficialSite => {
                v.hint = tr(t::SITE_ADDRESS);
                v.qr_hint = tr(t::QR_HINT);
                v.items.push(tr(t::SITE_PASSWORD));
            }
            _ => {}
        }
    }
}

/// The reception's phone and opening hours, one line each, with translated day names.
pub(crate) fn site_lines(site: &SiteInfo, tr: &dyn Fn(&str) -> String) -> Vec<String> {
    let day = |d: Weekday| {
        tr(match d {
            Weekday::Mon => t::MONDAY,
            Weekday::Tue => t::TUESDAY,
            Weekday::Wed => t::WEDNESDAY,
            Weekday::Thu => t::THURSDAY,
            Weekday::Fri => t::FRIDAY,
            Weekday::Sat => t::SATURDAY,
            Weekday::Sun => t::SUNDAY,
        })
    };
    let mut lines = Vec::new();
    if !site.phone.is_empty() {
        // Isolated left to right: in an Arabic line, "01 23 45" would otherwise be laid
        // out as "45 23 01".
        lines.push(format!("{} \u{2066}{}\u{2069}", tr(t::SITE_PHONE), site.phone));
    }
    if !site.hours.is_empty() {
        lines.push(tr(t::SITE_HOURS));
    }
    for h in &site.hours {
        let days = if h.first == h.last { day(h.first) } else { format!("{} – {}", day(h.first), day(h.last)) };
        lines.push(format!("{days}, {} – {}", h.open, h.close));
    }
    lines
}

/// Joins spoken parts into sentences, skipping empty ones.
pub(crate) fn join<I: IntoIterator<Item = String>>(parts: I) -> String {
    let parts: Vec<String> = parts.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
    let mut out = String::new();
    for p in parts {
        if !out.is_empty() {
            out.push(if out.ends_with(['.', '?', '!', ':', '؟']) { ' ' } else { '.' });
            if !out.ends_with(' ') {
                out.push(' ');
            }
        }
        out.push_str(&p);
    }
    out
}
