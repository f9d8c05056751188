//! Copies a `ScreenContent` into the window: one Rust struct to one Slint global, and the
//! Rust enums to the Slint ones, so that screens decide what to show by enums and
//! booleans, never by comparing texts.

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::content::StepKind;
use crate::find_procedure::KeyboardView;
use crate::on_screen::Screen;
use crate::scan_pages::Placement;
use crate::view::{MediatorView, PinView, Rail, ScreenContent};
use crate::{
    AppWindow, KeysUi, LangChoice, Line, OutlineItem, Page, PanelUi, PaperPlace, PinUi, RailUi, StepType, Theme, Tile,
    View,
};

fn s(text: &str) -> SharedString {
    SharedString::from(text)
}

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items))
}

fn texts(items: &[String]) -> ModelRc<SharedString> {
    model(items.iter().map(|i| s(i)).collect())
}

pub(super) fn push(window: &AppWindow, d: &ScreenContent, dark: bool) {
    let view = window.global::<View>();
    screen(&view, d);
    view.set_dark(dark);
    rail(&window.global::<RailUi>(), &d.rail);
    pin(&window.global::<PinUi>(), d.pin.as_ref());
    panel(&window.global::<PanelUi>(), d.mediator.as_ref(), &d.mediator_entry);
    keys(&window.global::<KeysUi>(), d.keyboard.as_ref());
    let theme = window.global::<Theme>();
    theme.set_text_scale(1.0 + 0.25 * f32::from(d.settings.text_size));
    theme.set_high_contrast(d.settings.high_contrast);
}

fn page(screen: Option<Screen>) -> Page {
    match screen {
        Some(Screen::Attract) => Page::Attract,
        Some(Screen::Language) => Page::Language,
        Some(Screen::Home) => Page::Home,
        Some(Screen::Step) => Page::Step,
        Some(Screen::End) => Page::End,
        Some(Screen::OutOfService) | None => Page::OutOfService,
    }
}

fn step_type(kind: Option<StepKind>) -> StepType {
    match kind {
        None => StepType::None,
        Some(StepKind::Info) => StepType::Info,
        Some(StepKind::Checklist) => StepType::Checklist,
        Some(StepKind::OfficialSite) => StepType::OfficialSite,
        Some(StepKind::Question) => StepType::Question,
        Some(StepKind::Done) => StepType::Done,
        Some(StepKind::Scan) => StepType::Scan,
        Some(StepKind::Mediator) => StepType::Mediator,
        Some(StepKind::Print) => StepType::Print,
    }
}

fn paper_place(placement: Placement) -> PaperPlace {
    match placement {
        Placement::None => PaperPlace::None,
        Placement::Paper => PaperPlace::Paper,
        Placement::Card => PaperPlace::Card,
    }
}

fn screen(view: &View<'_>, d: &ScreenContent) {
    view.set_screen(page(d.screen));
    view.set_rtl(d.rtl);
    view.set_title(s(&d.title));
    view.set_body(s(&d.body));
    view.set_hint(s(&d.hint));
    view.set_progress(s(&d.progress));
    view.set_url(s(&d.url));
    view.set_qr_hint(s(&d.qr_hint));
    view.set_step_type(step_type(d.step_kind));
    view.set_items(texts(&d.items));
    view.set_ticks(model(d.ticks.clone()));
    view.set_choices(texts(&d.choices));
    let tiles = d.tiles.iter().map(|(o, t, m)| Tile { organisation: s(o), title: s(t), summary: s(m) });
    view.set_tiles(model(tiles.collect()));
    let languages = d.languages.iter().map(|(code, name, rtl)| LangChoice { code: s(code), name: s(name), rtl: *rtl });
    view.set_languages(model(languages.collect()));
    view.set_staff_message(s(&d.staff_message));
    view.set_staff_message_rtl(d.staff_message_rtl);
    view.set_attract_lines(model(
        d.attract_lines.iter().map(|(text, rtl)| Line { text: s(text), rtl: *rtl }).collect(),
    ));
    view.set_next(s(&d.next));
    view.set_back(s(&d.back));
    view.set_stop(s(&d.stop));
    view.set_listen(s(&d.listen));
    view.set_read_on(s(&d.read_on));
    view.set_wait(s(&d.wait));
    view.set_busy(d.busy);
    view.set_confirm_stop(d.confirm_stop);
    view.set_stop_question(s(&d.stop_question));
    view.set_stop_explain(s(&d.stop_explain));
    view.set_stop_yes(s(&d.stop_yes));
    view.set_stop_no(s(&d.stop_no));
    view.set_help_shown(d.help.is_some());
    view.set_help_text(s(d.help.as_deref().unwrap_or_default()));
    view.set_help_ok_label(s(&d.help_ok));
    view.set_idle_shown(d.idle.is_some());
    let (question, explain) = d.idle.clone().unwrap_or_default();
    view.set_idle_question(s(&question));
    view.set_idle_explain(s(&explain));
    view.set_idle_more_label(s(&d.idle_more));
    view.set_idle_papers_label(s(&d.idle_papers));
    view.set_search_button(s(&d.search_button));
    view.set_search_line(s(&d.search_line));
    view.set_search_all_label(s(&d.search_all));
    view.set_search_none(s(&d.search_none));
    view.set_action(s(&d.action));
    view.set_action_status(s(&d.action_status));
    view.set_action_enabled(d.action_enabled);
    view.set_placement(paper_place(d.placement));
    view.set_redo_label(s(&d.redo));
    view.set_copies_text(s(&d.copy.copies));
    view.set_colour_text(s(&d.copy.colour));
    view.set_copy_less(s(&d.copy.less));
    view.set_copy_more(s(&d.copy.more));
}

fn rail(ui: &RailUi<'_>, r: &Rail) {
    ui.set_shown(r.shown);
    ui.set_language(s(&r.language));
    ui.set_size(s(&r.size));
    ui.set_contrast(s(&r.contrast));
    ui.set_voice(s(&r.voice));
    ui.set_help(s(&r.help));
}

fn pin(ui: &PinUi<'_>, pin: Option<&PinView>) {
    ui.set_shown(pin.is_some());
    let pin = pin.cloned().unwrap_or_default();
    ui.set_title(s(&pin.title));
    ui.set_dots(s(&pin.dots));
    ui.set_message(s(&pin.message));
    ui.set_erase_label(s(&pin.erase));
    ui.set_ok_label(s(&pin.ok));
    ui.set_cancel_label(s(&pin.cancel));
}

fn panel(ui: &PanelUi<'_>, panel: Option<&MediatorView>, entry: &str) {
    ui.set_entry_label(s(entry));
    ui.set_shown(panel.is_some());
    let panel = panel.cloned().unwrap_or_default();
    ui.set_title(s(&panel.title));
    ui.set_rule(s(&panel.rule));
    let outline = panel.outline.iter().map(|(text, current)| OutlineItem { text: s(text), current: *current });
    ui.set_outline(model(outline.collect()));
    ui.set_pause_label(s(&panel.pause));
    ui.set_back_label(s(&panel.back));
    ui.set_end_label(s(&panel.end));
    ui.set_close_label(s(&panel.close));
}

fn keys(ui: &KeysUi<'_>, keyboard: Option<&KeyboardView>) {
    ui.set_shown(keyboard.is_some());
    let kb = keyboard.cloned().unwrap_or_default();
    ui.set_title(s(&kb.title));
    ui.set_text(s(&kb.text));
    ui.set_found(s(&kb.found));
    ui.set_digits(kb.digits);
    ui.set_show_label(s(&kb.show));
    ui.set_cancel_label(s(&kb.cancel));
    ui.set_space_label(s(&kb.space));
    ui.set_erase_label(s(&kb.erase));
    ui.set_to_digits(s(&kb.to_digits));
    ui.set_to_letters(s(&kb.to_letters));
    ui.set_apostrophe(s(&kb.apostrophe));
    ui.set_dash(s(&kb.dash));
}
