//! What a screen shows and says, built from the controller's state: every string already
//! translated, so the same text is drawn and spoken. No Slint types: `ui` copies a
//! `ScreenContent` into the window's globals, one Rust struct to one global (`Rail`,
//! `PinView`, `MediatorView`, `KeyboardView`, and the screen's own).

mod step;

use crate::content::StepKind;
use crate::controller::{Controller, Screen, Settings};
use crate::find_procedure::KeyboardView;
use crate::phrases::{join, site_lines};
use crate::print_pages::CopyLines;
use crate::scan_pages::Placement;
use crate::texts as t;

/// Everything one screen shows and says, already translated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScreenContent {
    /// Which screen, `None` for none yet (the window's first frame).
    pub screen: Option<Screen>,
    pub rtl: bool,
    pub voice: &'static str,
    pub title: String,
    pub body: String,
    pub items: Vec<String>,
    pub url: String,
    pub progress: String,
    /// The step's kind, on the step screen.
    pub step_kind: Option<StepKind>,
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
    /// The step's device button ("scan", "print this summary"), how it went ("" before),
    /// and whether it can be touched now (not while its scan or print is on its way).
    pub action: String,
    pub action_status: String,
    pub action_enabled: bool,
    /// A scan step: the picture of where the paper goes, the visit's pages small with
    /// their labels, and "redo".
    pub placement: Placement,
    pub pages: Vec<(std::path::PathBuf, String)>,
    pub redo: String,
    /// A print step: the copies and the colour.
    pub copy: CopyLines,
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

/// (code, name in itself, right to left) for each language offered.
fn language_choices(c: &Controller) -> Vec<(String, String, bool)> {
    (c.catalogs().iter()).map(|c| (c.language.code.to_owned(), c.language.name.to_owned(), c.language.rtl)).collect()
}

impl ScreenContent {
    /// The translated content of the controller's screen.
    pub fn of(c: &Controller) -> ScreenContent {
        let cat = c.catalog();
        let tr = |s: &str| cat.tr(s);
        let mut v = ScreenContent {
            screen: Some(c.screen()),
            rtl: cat.language.rtl,
            voice: cat.language.voice,
            ..Default::default()
        };
        v.everywhere(c, &tr);
        match c.screen() {
            Screen::Attract => {
                // The big line shows one language; the list under it, the others.
                v.attract_lines = (c.catalogs().iter().enumerate())
                    .filter(|(i, _)| *i != c.attract_index())
                    .map(|(_, c)| (c.tr(t::ATTRACT), c.language.rtl))
                    .collect();
                let shown = &c.catalogs()[c.attract_index()];
                v.rtl = shown.language.rtl;
                v.voice = shown.language.voice;
                v.title = shown.tr(t::ATTRACT);
                v.body = c.notice().map(tr).unwrap_or_default();
                if let Some((text, rtl)) = c.staff().message_in(shown.language.code) {
                    v.staff_message = text;
                    v.staff_message_rtl = rtl;
                }
                // The attract screen is not spoken: nobody may be there to hear it.
            }
            Screen::Language => {
                v.title = tr(t::LANGUAGE_TITLE);
                v.languages = language_choices(c);
                v.spoken = v.title.clone();
            }
            Screen::Home => v.home(c, &tr),
            Screen::Step => v.step(c, &tr),
            Screen::End => {
                v.title = tr(t::END_TITLE);
                let r = c.receipt().cloned().unwrap_or_default();
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
                if let Some(site) = c.site() {
                    v.hint = site.name.clone();
                    v.items = site_lines(site, &tr);
                }
                v.spoken = join([v.title.clone(), v.body.clone(), v.hint.clone()].into_iter().chain(v.items.clone()));
            }
        }
        v.overlays(c, &tr);
        v
    }

    /// What every screen carries: the buttons' labels, the rail, the overlays' texts.
    fn everywhere(&mut self, c: &Controller, tr: &dyn Fn(&str) -> String) {
        let settings = c.settings;
        self.next = tr(t::NEXT);
        self.back = tr(t::BACK);
        self.stop = tr(t::STOP);
        self.listen = tr(t::LISTEN);
        self.read_on = tr(t::READ_ON);
        self.confirm_stop = c.stop_asked();
        self.stop_question = tr(t::STOP_QUESTION);
        self.stop_explain = tr(t::STOP_EXPLAIN);
        self.stop_yes = tr(t::STOP_YES);
        self.stop_no = tr(t::STOP_NO);
        self.busy = c.busy();
        self.wait = tr(t::WAIT);
        self.rail = Rail {
            shown: matches!(c.screen(), Screen::Home | Screen::Step) && !c.picking_language(),
            language: tr(t::LANGUAGE_BUTTON),
            size: tr(if settings.text_size < 2 { t::SIZE_BIGGER } else { t::SIZE_RESET }),
            contrast: tr(if settings.high_contrast { t::CONTRAST_OFF } else { t::CONTRAST_ON }),
            voice: tr(if settings.voice_off { t::VOICE_ON } else { t::VOICE_OFF }),
            help: tr(t::HELP_BUTTON),
        };
        self.help = c.help().called().then(|| tr(t::HELP_CALLED));
        self.help_ok = tr(t::HELP_OK);
        self.idle =
            c.idle_warning().map(|n| (tr(t::IDLE_QUESTION), tr(t::IDLE_EXPLAIN).replace("{n}", &n.to_string())));
        self.idle_more = tr(t::IDLE_MORE);
        self.idle_papers = tr(t::IDLE_PAPERS);
        self.settings = settings;
        self.mediator_entry = tr(t::MEDIATOR_ENTRY);
        self.pin = c.help().pin().map(|digits| PinView {
            title: tr(t::PIN_TITLE),
            dots: "●".repeat(digits.len()),
            message: c.help().pin_message().map(tr).unwrap_or_default(),
            erase: tr(t::PIN_ERASE),
            ok: tr(t::PIN_OK),
            cancel: tr(t::PIN_CANCEL),
        });
        self.mediator = c.help().panel_open().then(|| MediatorView {
            title: tr(t::MEDIATOR_TITLE),
            rule: tr(t::MEDIATOR_RULE),
            outline: if c.screen() == Screen::Step {
                let proc = &c.procedures()[c.procedure_index()];
                proc.steps.iter().enumerate().map(|(i, s)| (tr(&s.title), i == c.step_index())).collect()
            } else {
                Vec::new()
            },
            pause: tr(if c.help().timer_paused() { t::MEDIATOR_RESUME } else { t::MEDIATOR_PAUSE }),
            back: tr(t::MEDIATOR_BACK),
            end: tr(t::MEDIATOR_END),
            close: tr(t::MEDIATOR_CLOSE),
        });
    }

    fn home(&mut self, c: &Controller, tr: &dyn Fn(&str) -> String) {
        self.title = tr(t::HOME_TITLE);
        let listed = c.listed_procedures();
        self.tiles = (listed.iter().map(|&i| &c.procedures()[i]))
            .map(|p| (tr(&p.organisation), tr(&p.title), tr(&p.summary)))
            .collect();
        self.search_button = tr(t::SEARCH_BUTTON);
        let query = c.search().query();
        if !query.is_empty() {
            self.search_line = format!("{} {}", tr(t::SEARCH_YOURS), query);
            self.search_all = tr(t::SEARCH_ALL);
        }
        if listed.is_empty() {
            self.search_none = tr(t::SEARCH_NONE);
        }
        // With a search in force, the titles found are read out: there are few.
        let found = if query.is_empty() { vec![] } else { self.tiles.iter().map(|t| t.1.clone()).collect() };
        self.spoken = join(
            [self.title.clone(), self.search_line.clone(), self.search_none.clone(), tr(t::HOME_SPOKEN)]
                .into_iter()
                .chain(found),
        );
        self.keyboard = c.search().keyboard_view(c.procedures(), tr);
    }

    /// Whatever is open over the screen, in the order they cover each other: what it says
    /// is what is spoken.
    fn overlays(&mut self, c: &Controller, tr: &dyn Fn(&str) -> String) {
        if c.picking_language() {
            self.screen = Some(Screen::Language);
            self.title = tr(t::LANGUAGE_TITLE);
            self.languages = language_choices(c);
            self.spoken = self.title.clone();
        }
        if let Some(k) = &self.keyboard {
            self.spoken = k.title.clone();
        }
        if self.confirm_stop {
            self.spoken = join([self.stop_question.clone(), self.stop_explain.clone()]);
        }
        if let Some(help) = &self.help {
            self.spoken = help.clone();
        }
        if let Some((question, explain)) = &self.idle {
            self.spoken = join([question.clone(), explain.clone()]);
        }
        // The PIN pad says its title only: digits are never spoken.
        if let Some(pin) = &self.pin {
            self.spoken = pin.title.clone();
        }
        if let Some(panel) = &self.mediator {
            self.spoken = join([panel.title.clone(), panel.rule.clone()]);
        }
    }
}
