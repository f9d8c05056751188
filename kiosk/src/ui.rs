//! The adapter between the controller and the Slint window: it copies each `View` into
//! the `View` global, speaks a screen when it changes, and turns button callbacks into
//! controller calls and agent commands. All of it runs on the UI thread.

mod heartbeat;

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::controller::{Controller, Screen, SpeechKey};
use crate::link::{Command, Link, LinkEvent};
use crate::speech::Speaker;
use crate::view::View as ViewData;
use crate::{AppWindow, LangChoice, Line, OutlineItem, PageThumb, Theme, Tile, View};

/// How often the attract screen's big line changes language.
const ATTRACT_ROTATION: Duration = Duration::from_secs(4);
/// After this long with no touch in a session, the kiosk asks "are you still there?"
/// (unless changed with `set_idle_timeout`).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(180);
/// Then it counts down this many seconds, on screen and aloud, before wiping.
pub const IDLE_WARNING_SECONDS: u32 = 30;
/// "I am fetching my papers" adds this much to the next wait.
pub const PAPERS_EXTRA: Duration = Duration::from_secs(600);
/// The end screen goes back to attract by itself after this long.
const END_SCREEN_TIMEOUT: Duration = Duration::from_secs(60);

pub struct KioskUi {
    window: AppWindow,
    controller: RefCell<Controller>,
    speaker: Box<dyn Speaker>,
    link: Link,
    spoken_key: RefCell<Option<SpeechKey>>,
    /// The label of the control just touched, said if the touch leaves the screen as it is.
    tapped: RefCell<Option<String>>,
    attract_timer: slint::Timer,
    end_timer: slint::Timer,
    idle_timer: slint::Timer,
    countdown_timer: slint::Timer,
    idle_after: std::cell::Cell<Duration>,
    /// The QR code of the address on screen, made once per address.
    qr: RefCell<(String, slint::Image)>,
    /// The scanned pages shown, each loaded once (again when a redo rewrote it).
    pages: RefCell<Vec<ShownPage>>,
    heartbeat: heartbeat::Heartbeat,
    me: Weak<KioskUi>,
}

impl KioskUi {
    pub fn new(window: AppWindow, controller: Controller, speaker: Box<dyn Speaker>, link: Link) -> Rc<KioskUi> {
        let ui = Rc::new_cyclic(|me| KioskUi {
            window,
            controller: RefCell::new(controller),
            speaker,
            link,
            spoken_key: RefCell::new(None),
            tapped: RefCell::new(None),
            attract_timer: slint::Timer::default(),
            end_timer: slint::Timer::default(),
            idle_timer: slint::Timer::default(),
            countdown_timer: slint::Timer::default(),
            qr: RefCell::new((String::new(), slint::Image::default())),
            pages: RefCell::new(Vec::new()),
            idle_after: std::cell::Cell::new(DEFAULT_IDLE_TIMEOUT),
            heartbeat: Default::default(),
            me: me.clone(),
        });
        ui.connect();
        ui.refresh();
        ui
    }

    pub fn window(&self) -> &AppWindow {
        &self.window
    }

    pub fn controller(&self) -> std::cell::Ref<'_, Controller> {
        self.controller.borrow()
    }

    pub fn set_idle_timeout(&self, after: Duration) {
        self.idle_after.set(after);
    }

    /// Applies something the agent link reported.
    pub fn on_link_event(&self, event: LinkEvent) {
        let connected = event == LinkEvent::Connected;
        self.controller.borrow_mut().on_event(event);
        self.reload_content();
        // A session that just opened starts its idle clock; one that ended stops it.
        if !self.controller().in_session() {
            self.idle_timer.stop();
            self.countdown_timer.stop();
        } else if !self.idle_timer.running() && !self.countdown_timer.running() {
            self.restart_idle_clock(Duration::ZERO);
        }
        self.refresh();
        if connected {
            // A new connection (the agent restarted): it hears from us at once.
            self.beat(true);
        }
    }

    /// Runs a controller action, sends its commands and redraws. Every action is a
    /// touch: it dismisses an idle warning and restarts the idle clock.
    pub fn act(&self, action: impl FnOnce(&mut Controller) -> Vec<Command>) {
        self.touched_now();
        self.controller.borrow_mut().touched();
        self.run(action);
        self.restart_idle_clock(Duration::ZERO);
        self.refresh();
    }

    /// Runs a controller action that is not a touch (a timer's).
    fn run(&self, action: impl FnOnce(&mut Controller) -> Vec<Command>) {
        let mut controller = self.controller.borrow_mut();
        let commands = action(&mut controller);
        let usage = controller.usage_commands(&commands);
        drop(controller);
        for command in usage.into_iter().chain(commands) {
            self.link.send(command);
        }
        self.reload_content();
    }

    /// Loads content the fleet pushed, once no visit is on. A folder that holds no
    /// procedure the kiosk can read is not switched to.
    fn reload_content(&self) {
        let Some(folder) = self.controller.borrow_mut().take_content_reload() else { return };
        let assets = crate::Assets::load(&folder);
        if assets.procedures.is_empty() {
            tracing::error!(folder = %folder.display(), "pushed content has no readable procedure: kept the old one");
            return;
        }
        tracing::info!(folder = %folder.display(), procedures = assets.procedures.len(), "content switched");
        self.controller.borrow_mut().replace_content(assets.procedures, assets.catalogs);
    }

    /// Waits `idle_after` (plus `extra`) for a touch, then warns and counts down.
    fn restart_idle_clock(&self, extra: Duration) {
        self.countdown_timer.stop();
        // No session, or a mediator paused the clock: nothing to count.
        if !self.controller().in_session() || self.controller().timer_paused {
            self.idle_timer.stop();
            return;
        }
        let me = self.me.clone();
        self.idle_timer.start(slint::TimerMode::SingleShot, self.idle_after.get() + extra, move || {
            if let Some(ui) = me.upgrade() {
                ui.start_idle_warning();
            }
        });
    }

    fn start_idle_warning(&self) {
        self.run(|c| {
            c.warn_idle(IDLE_WARNING_SECONDS);
            vec![]
        });
        self.refresh();
        let me = self.me.clone();
        self.countdown_timer.start(slint::TimerMode::Repeated, Duration::from_secs(1), move || {
            if let Some(ui) = me.upgrade() {
                ui.run(Controller::idle_tick);
                if ui.controller().idle_warning().is_none() {
                    tracing::info!("no touch for too long: the session ends");
                    ui.countdown_timer.stop();
                }
                ui.refresh();
            }
        });
    }

    /// Runs a controller action that needs nothing from the agent, and redraws.
    pub fn update(&self, action: impl FnOnce(&mut Controller)) {
        self.act(|c| {
            action(c);
            Vec::new()
        });
    }

    fn connect(self: &Rc<Self>) {
        let view = self.window.global::<View>();
        let weak = Rc::downgrade(self);
        let on = move |f: fn(&KioskUi)| {
            let weak = weak.clone();
            move || {
                if let Some(ui) = weak.upgrade() {
                    f(&ui);
                }
            }
        };
        view.on_touched_attract(on(|ui| ui.act(Controller::touch_attract)));
        view.on_wake(on(|ui| ui.act(Controller::wake)));
        view.on_next_pressed(on(|ui| ui.act(Controller::next_step)));
        view.on_back_pressed(on(|ui| ui.update(Controller::back)));
        view.on_stop_pressed(on(|ui| ui.update(Controller::ask_stop)));
        view.on_stop_cancelled(on(|ui| ui.update(Controller::cancel_stop)));
        view.on_stop_confirmed(on(|ui| ui.act(Controller::confirm_stop)));
        view.on_end_pressed(on(|ui| ui.update(Controller::end_done)));
        view.on_listen_pressed(on(|ui| ui.speak_now()));
        view.on_language_pressed(on(|ui| ui.update(Controller::open_language_picker)));
        view.on_size_pressed(on(|ui| ui.update(Controller::cycle_text_size)));
        view.on_contrast_pressed(on(|ui| ui.update(Controller::toggle_contrast)));
        view.on_voice_pressed(on(|ui| ui.update(Controller::toggle_voice)));
        view.on_search_pressed(on(|ui| ui.update(Controller::open_keyboard)));
        view.on_action_pressed(on(|ui| ui.act(Controller::step_action)));
        view.on_search_all(on(|ui| ui.update(Controller::clear_search)));
        view.on_key_erase(on(|ui| ui.update(Controller::key_erase)));
        view.on_key_digits(on(|ui| ui.update(Controller::toggle_digits)));
        view.on_key_done(on(|ui| ui.update(Controller::keyboard_done)));
        view.on_key_cancel(on(|ui| ui.update(Controller::keyboard_cancel)));
        view.on_help_pressed(on(|ui| ui.act(Controller::call_mediator)));
        view.on_help_ok(on(|ui| ui.update(Controller::dismiss_help)));
        view.on_idle_more(on(|ui| ui.update(|_| ())));
        view.on_scrolled(on(|ui| ui.update(|_| ())));
        view.on_mediator_entry(on(|ui| ui.update(Controller::open_pin_pad)));
        view.on_pin_erase(on(|ui| ui.update(Controller::pin_erase)));
        view.on_pin_cancel(on(|ui| ui.update(Controller::pin_cancel)));
        view.on_pin_ok(on(|ui| ui.act(Controller::pin_submit)));
        view.on_mediator_pause(on(|ui| ui.update(Controller::toggle_timer_pause)));
        view.on_mediator_back(on(|ui| ui.update(Controller::back)));
        view.on_mediator_end(on(|ui| ui.act(Controller::mediator_end)));
        view.on_mediator_close(on(|ui| ui.update(Controller::mediator_close)));
        let weak = Rc::downgrade(self);
        view.on_pin_digit(move |digit| {
            // Not spoken, not logged: the digits of a PIN.
            if let Some(ui) = weak.upgrade()
                && let Some(d) = digit.chars().next()
            {
                ui.update(|c| c.pin_digit(d));
            }
        });
        view.on_idle_papers(on(|ui| {
            ui.update(|_| ());
            ui.restart_idle_clock(PAPERS_EXTRA);
        }));
        // Callbacks that carry a value: a key, a label, a language code, an index.
        let with = |f: fn(&KioskUi, SharedString)| {
            let weak = Rc::downgrade(self);
            move |value: SharedString| {
                if let Some(ui) = weak.upgrade() {
                    f(&ui, value);
                }
            }
        };
        // …and those that carry a position in a list: an answer, a tile, a checklist item.
        let at = |f: fn(&mut Controller, usize)| {
            let weak = Rc::downgrade(self);
            move |i: i32| {
                if let Some(ui) = weak.upgrade() {
                    ui.update(|c| f(c, usize::try_from(i).unwrap_or(usize::MAX)));
                }
            }
        };
        view.on_key_pressed(with(|ui, key| ui.update(|c| c.key(&key))));
        view.on_tapped(with(|ui, label| *ui.tapped.borrow_mut() = Some(label.into())));
        view.on_chose_language(with(|ui, code| ui.update(|c| c.choose_language(&code))));
        view.on_chose(at(Controller::choose));
        view.on_opened_procedure(at(Controller::open_procedure));
        view.on_ticked(at(Controller::tick));
        let weak = Rc::downgrade(self);
        view.on_copies(move |delta| {
            if let Some(ui) = weak.upgrade() {
                ui.update(|c| c.change_copies(delta));
            }
        });
        view.on_colour(on(|ui| ui.update(Controller::toggle_colour)));
        let weak = Rc::downgrade(self);
        view.on_redo(move |i| {
            if let Some(ui) = weak.upgrade() {
                ui.act(|c| c.redo_page(usize::try_from(i).unwrap_or(usize::MAX)));
            }
        });
        let weak = Rc::downgrade(self);
        self.attract_timer.start(slint::TimerMode::Repeated, ATTRACT_ROTATION, move || {
            if let Some(ui) = weak.upgrade()
                && ui.controller().screen() == Screen::Attract
            {
                ui.controller.borrow_mut().rotate_attract();
                ui.refresh();
            }
        });
    }

    /// Copies the controller's view into the window and speaks it if the screen changed;
    /// otherwise says the label of the control just touched (a key, a toggle), so that a
    /// person who cannot read it hears what they did.
    pub fn refresh(&self) {
        let (data, key) = {
            let c = self.controller.borrow();
            (c.view(), c.speech_key())
        };
        push(&self.window.global::<View>(), &data);
        self.window.global::<View>().set_dark(self.controller().is_dark());
        self.beat(false);
        self.push_qr(&data.url);
        self.push_pages(&data.pages);
        push_theme(&self.window.global::<Theme>(), &data);
        let changed = self.spoken_key.borrow().as_ref() != Some(&key);
        let tapped = self.tapped.borrow_mut().take();
        if !changed
            && let Some(label) = tapped
            && !data.settings.voice_off
        {
            self.speaker.speak(data.voice, &label);
        }
        if changed {
            *self.spoken_key.borrow_mut() = Some(key);
            if !data.spoken.is_empty() && !data.settings.voice_off {
                self.speaker.speak(data.voice, &data.spoken);
            }
            if key.screen == Screen::End {
                let weak = self.window.as_weak();
                self.end_timer.start(slint::TimerMode::SingleShot, END_SCREEN_TIMEOUT, move || {
                    if let Some(window) = weak.upgrade() {
                        window.global::<View>().invoke_end_pressed();
                    }
                });
            } else {
                self.end_timer.stop();
            }
        }
    }

    /// The pages' small pictures. Read from the files here rather than through Slint's
    /// image cache, which would keep showing a page's old picture after a redo.
    fn push_pages(&self, pages: &[(std::path::PathBuf, String)]) {
        let mut shown = self.pages.borrow_mut();
        let now: Vec<ShownPage> = pages
            .iter()
            .map(|(path, label)| {
                let written = std::fs::metadata(path).and_then(|m| m.modified()).ok();
                let known = shown.iter().find(|s| &s.path == path && s.written == written);
                // A page that cannot be read shows empty; its label still says it is there.
                let picture =
                    known.map(|s| s.picture.clone()).unwrap_or_else(|| load_picture(path).unwrap_or_default());
                ShownPage { path: path.clone(), written, label: label.clone(), picture }
            })
            .collect();
        let same = now.len() == shown.len()
            && now
                .iter()
                .zip(shown.iter())
                .all(|(a, b)| a.path == b.path && a.written == b.written && a.label == b.label);
        if !same {
            let thumbs = now.iter().map(|p| PageThumb { picture: p.picture.clone(), label: p.label.as_str().into() });
            self.window.global::<View>().set_pages(model(thumbs.collect()));
            *shown = now;
        }
    }

    fn push_qr(&self, url: &str) {
        let mut qr = self.qr.borrow_mut();
        if qr.0 != url {
            let image = if url.is_empty() { None } else { crate::qr::image(url, 220) };
            *qr = (url.to_owned(), image.unwrap_or_default());
            self.window.global::<View>().set_qr(qr.1.clone());
        }
    }

    /// "Listen again": the screen once more, more slowly, even with the voice off.
    pub fn speak_now(&self) {
        // The screen itself is said, not the "listen again" label.
        self.tapped.borrow_mut().take();
        let data = self.controller.borrow().view();
        if !data.spoken.is_empty() {
            self.speaker.speak_slowly(data.voice, &data.spoken);
        }
    }
}

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items))
}

/// A scanned page on screen: which file, when it was written, and its picture.
struct ShownPage {
    path: std::path::PathBuf,
    written: Option<std::time::SystemTime>,
    label: String,
    picture: slint::Image,
}

fn load_picture(path: &std::path::Path) -> Option<slint::Image> {
    let picture = image::open(path).ok()?.to_rgba8();
    let buffer = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(
        picture.as_raw(),
        picture.width(),
        picture.height(),
    );
    Some(slint::Image::from_rgba8(buffer))
}

fn push(view: &View<'_>, d: &ViewData) {
    let s = |t: &str| SharedString::from(t);
    view.set_screen(s(d.screen));
    view.set_rtl(d.rtl);
    view.set_title(s(&d.title));
    view.set_body(s(&d.body));
    view.set_hint(s(&d.hint));
    view.set_progress(s(&d.progress));
    view.set_url(s(&d.url));
    view.set_qr_hint(s(&d.qr_hint));
    view.set_step_kind(s(d.step_kind));
    view.set_items(model(d.items.iter().map(|i| s(i)).collect()));
    view.set_ticks(model(d.ticks.clone()));
    view.set_choices(model(d.choices.iter().map(|c| s(c)).collect()));
    view.set_tiles(model(
        d.tiles
            .iter()
            .map(|(organisation, title, summary)| Tile {
                organisation: s(organisation),
                title: s(title),
                summary: s(summary),
            })
            .collect(),
    ));
    view.set_languages(model(
        d.languages.iter().map(|(code, name, rtl)| LangChoice { code: s(code), name: s(name), rtl: *rtl }).collect(),
    ));
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
    view.set_rail_shown(d.rail.shown);
    view.set_rail_language(s(&d.rail.language));
    view.set_rail_size(s(&d.rail.size));
    view.set_rail_contrast(s(&d.rail.contrast));
    view.set_rail_voice(s(&d.rail.voice));
    view.set_rail_help(s(&d.rail.help));
    view.set_help_shown(d.help.is_some());
    view.set_help_text(s(d.help.as_deref().unwrap_or_default()));
    view.set_help_ok_label(s(&d.help_ok));
    view.set_idle_shown(d.idle.is_some());
    let (question, explain) = d.idle.clone().unwrap_or_default();
    view.set_idle_question(s(&question));
    view.set_idle_explain(s(&explain));
    view.set_idle_more_label(s(&d.idle_more));
    view.set_idle_papers_label(s(&d.idle_papers));
    view.set_mediator_entry_label(s(&d.mediator_entry));
    let pin = d.pin.clone().unwrap_or_default();
    view.set_pin_shown(d.pin.is_some());
    view.set_pin_title(s(&pin.title));
    view.set_pin_dots(s(&pin.dots));
    view.set_pin_message(s(&pin.message));
    view.set_pin_erase_label(s(&pin.erase));
    view.set_pin_ok_label(s(&pin.ok));
    view.set_pin_cancel_label(s(&pin.cancel));
    let panel = d.mediator.clone().unwrap_or_default();
    view.set_mediator_shown(d.mediator.is_some());
    view.set_mediator_title(s(&panel.title));
    view.set_mediator_rule(s(&panel.rule));
    view.set_mediator_outline(model(
        panel.outline.iter().map(|(text, current)| OutlineItem { text: s(text), current: *current }).collect(),
    ));
    view.set_mediator_pause_label(s(&panel.pause));
    view.set_mediator_back_label(s(&panel.back));
    view.set_mediator_end_label(s(&panel.end));
    view.set_mediator_close_label(s(&panel.close));
    view.set_action(s(&d.action));
    view.set_action_status(s(&d.action_status));
    view.set_placement(s(d.placement));
    view.set_redo_label(s(&d.redo));
    view.set_copies_text(s(&d.copy.copies));
    view.set_colour_text(s(&d.copy.colour));
    view.set_copy_less(s(&d.copy.less));
    view.set_copy_more(s(&d.copy.more));
    view.set_search_button(s(&d.search_button));
    view.set_search_line(s(&d.search_line));
    view.set_search_all_label(s(&d.search_all));
    view.set_search_none(s(&d.search_none));
    let kb = d.keyboard.clone().unwrap_or_default();
    view.set_kb_shown(d.keyboard.is_some());
    view.set_kb_title(s(&kb.title));
    view.set_kb_text(s(&kb.text));
    view.set_kb_found(s(&kb.found));
    view.set_kb_digits(kb.digits);
    view.set_kb_show(s(&kb.show));
    view.set_kb_cancel(s(&kb.cancel));
    view.set_kb_space(s(&kb.space));
    view.set_kb_erase(s(&kb.erase));
    view.set_kb_to_digits(s(&kb.to_digits));
    view.set_kb_to_letters(s(&kb.to_letters));
    view.set_kb_apostrophe(s(&kb.apostrophe));
    view.set_kb_dash(s(&kb.dash));
}

/// The person's choices, applied to the theme every screen reads.
fn push_theme(theme: &Theme<'_>, d: &ViewData) {
    theme.set_text_scale(1.0 + 0.25 * f32::from(d.settings.text_size));
    theme.set_high_contrast(d.settings.high_contrast);
}
