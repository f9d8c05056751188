//! The adapter between the controller and the Slint window: it copies each `View` into
//! the `View` global, speaks a screen when it changes, and turns button callbacks into
//! controller calls and agent commands. All of it runs on the UI thread.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::controller::{Controller, Screen, View as ViewData};
use crate::link::{Command, Link, LinkEvent};
use crate::speech::Speaker;
use crate::{AppWindow, LangChoice, Line, Tile, View};

/// How often the attract screen's big line changes language.
const ATTRACT_ROTATION: Duration = Duration::from_secs(4);
/// A session with no touch for this long is ended and wiped (unless changed with
/// `set_idle_timeout`).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(180);
/// The end screen goes back to attract by itself after this long.
const END_SCREEN_TIMEOUT: Duration = Duration::from_secs(60);

type SpeechKey = (Screen, usize, usize, usize, bool);

pub struct KioskUi {
    window: AppWindow,
    controller: RefCell<Controller>,
    speaker: Box<dyn Speaker>,
    link: Link,
    spoken_key: RefCell<Option<SpeechKey>>,
    attract_timer: slint::Timer,
    end_timer: slint::Timer,
    idle_timer: slint::Timer,
    idle_after: std::cell::Cell<Duration>,
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
            attract_timer: slint::Timer::default(),
            end_timer: slint::Timer::default(),
            idle_timer: slint::Timer::default(),
            idle_after: std::cell::Cell::new(DEFAULT_IDLE_TIMEOUT),
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
        self.controller.borrow_mut().on_event(event);
        // A session that just opened starts its idle clock; one that ended stops it.
        if !self.controller().in_session() {
            self.idle_timer.stop();
        } else if !self.idle_timer.running() {
            self.restart_idle_clock();
        }
        self.refresh();
    }

    /// Runs a controller action, sends its commands and redraws. Every action is a
    /// touch, so it restarts the idle clock.
    pub fn act(&self, action: impl FnOnce(&mut Controller) -> Vec<Command>) {
        let commands = action(&mut self.controller.borrow_mut());
        for command in commands {
            self.link.send(command);
        }
        self.restart_idle_clock();
        self.refresh();
    }

    fn restart_idle_clock(&self) {
        if !self.controller().in_session() {
            self.idle_timer.stop();
            return;
        }
        let me = self.me.clone();
        self.idle_timer.start(slint::TimerMode::SingleShot, self.idle_after.get(), move || {
            if let Some(ui) = me.upgrade() {
                tracing::info!("no touch for too long: ending the session");
                ui.act(Controller::idle_timeout);
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
        view.on_next_pressed(on(|ui| ui.act(Controller::next_step)));
        view.on_back_pressed(on(|ui| ui.update(Controller::back)));
        view.on_stop_pressed(on(|ui| ui.update(Controller::ask_stop)));
        view.on_stop_cancelled(on(|ui| ui.update(Controller::cancel_stop)));
        view.on_stop_confirmed(on(|ui| ui.act(Controller::confirm_stop)));
        view.on_end_pressed(on(|ui| ui.update(Controller::end_done)));
        view.on_listen_pressed(on(|ui| ui.speak_now()));
        let weak = Rc::downgrade(self);
        view.on_chose_language(move |code| {
            if let Some(ui) = weak.upgrade() {
                ui.update(|c| c.choose_language(&code));
            }
        });
        let weak = Rc::downgrade(self);
        view.on_chose(move |index| {
            if let Some(ui) = weak.upgrade() {
                ui.update(|c| c.choose(usize::try_from(index).unwrap_or(usize::MAX)));
            }
        });
        let weak = Rc::downgrade(self);
        view.on_opened_procedure(move |index| {
            if let Some(ui) = weak.upgrade() {
                ui.update(|c| c.open_procedure(usize::try_from(index).unwrap_or(usize::MAX)));
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

    /// Copies the controller's view into the window and speaks it if the screen changed.
    pub fn refresh(&self) {
        let (data, key) = {
            let c = self.controller.borrow();
            (c.view(), c.speech_key())
        };
        push(&self.window.global::<View>(), &data);
        let changed = self.spoken_key.borrow().as_ref() != Some(&key);
        if changed {
            *self.spoken_key.borrow_mut() = Some(key);
            if !data.spoken.is_empty() {
                self.speaker.speak(data.voice, &data.spoken);
            }
            if key.0 == Screen::End {
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

    /// "Listen again".
    pub fn speak_now(&self) {
        let data = self.controller.borrow().view();
        if !data.spoken.is_empty() {
            self.speaker.speak(data.voice, &data.spoken);
        }
    }
}

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items))
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
    view.set_step_kind(s(d.step_kind));
    view.set_items(model(d.items.iter().map(|i| s(i)).collect()));
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
}
