//! The globals' callbacks, each turned into a controller action (`act` when it may send
//! something to the agent, `update` when it cannot).

use std::rc::{Rc, Weak};

use slint::{ComponentHandle, SharedString};

use super::{KioskUi, PAPERS_EXTRA};
use crate::controller::{Controller, Screen};
use crate::{KeysUi, PanelUi, PinUi, RailUi, View};

/// How often the attract screen's big line changes language.
const ATTRACT_ROTATION: std::time::Duration = std::time::Duration::from_secs(4);

/// Makes callbacks that hold the UI weakly: the window must not keep its adapter alive.
struct Wire(Weak<KioskUi>);

impl Wire {
    /// A callback with no value.
    fn on(&self, f: fn(&KioskUi)) -> impl Fn() + 'static {
        let weak = self.0.clone();
        move || {
            if let Some(ui) = weak.upgrade() {
                f(&ui);
            }
        }
    }

    /// A callback that carries a text: a key, a label, a language code.
    fn text(&self, f: fn(&KioskUi, SharedString)) -> impl Fn(SharedString) + 'static {
        let weak = self.0.clone();
        move |value| {
            if let Some(ui) = weak.upgrade() {
                f(&ui, value);
            }
        }
    }

    /// A callback that carries a number: a position in a list, or a change of copies.
    fn number(&self, f: fn(&KioskUi, i32)) -> impl Fn(i32) + 'static {
        let weak = self.0.clone();
        move |value| {
            if let Some(ui) = weak.upgrade() {
                f(&ui, value);
            }
        }
    }
}

/// A position in a list from Slint; a negative one touches nothing.
fn at(i: i32) -> usize {
    usize::try_from(i).unwrap_or(usize::MAX)
}

impl KioskUi {
    pub(super) fn connect(self: &Rc<Self>) {
        let w = Wire(Rc::downgrade(self));
        let view = self.window.global::<View>();
        view.on_touched_attract(w.on(|ui| ui.act(Controller::touch_attract)));
        view.on_wake(w.on(|ui| ui.act(Controller::wake)));
        view.on_next_pressed(w.on(|ui| ui.act(Controller::next_step)));
        view.on_back_pressed(w.on(|ui| ui.update(Controller::back)));
        view.on_stop_pressed(w.on(|ui| ui.update(Controller::ask_stop)));
        view.on_stop_cancelled(w.on(|ui| ui.update(Controller::cancel_stop)));
        view.on_stop_confirmed(w.on(|ui| ui.act(Controller::confirm_stop)));
        view.on_end_pressed(w.on(|ui| ui.update(Controller::end_done)));
        view.on_listen_pressed(w.on(|ui| ui.speak_now()));
        view.on_search_pressed(w.on(|ui| ui.update(Controller::open_keyboard)));
        view.on_search_all(w.on(|ui| ui.update(Controller::clear_search)));
        view.on_action_pressed(w.on(|ui| ui.act(Controller::step_action)));
        view.on_help_ok(w.on(|ui| ui.update(Controller::dismiss_help)));
        view.on_idle_more(w.on(|ui| ui.update(|_| ())));
        view.on_idle_papers(w.on(|ui| {
            ui.update(|_| ());
            ui.restart_idle_clock(PAPERS_EXTRA);
        }));
        view.on_scrolled(w.on(|ui| ui.update(|_| ())));
        view.on_colour(w.on(|ui| ui.update(Controller::toggle_colour)));
        view.on_tapped(w.text(|ui, label| *ui.tapped.borrow_mut() = Some(label.into())));
        view.on_chose_language(w.text(|ui, code| ui.update(|c| c.choose_language(&code))));
        view.on_chose(w.number(|ui, i| ui.update(|c| c.choose(at(i)))));
        view.on_opened_procedure(w.number(|ui, i| ui.update(|c| c.open_procedure(at(i)))));
        view.on_ticked(w.number(|ui, i| ui.update(|c| c.tick(at(i)))));
        view.on_copies(w.number(|ui, delta| ui.update(|c| c.change_copies(delta))));
        view.on_redo(w.number(|ui, i| ui.act(|c| c.redo_page(at(i)))));

        let rail = self.window.global::<RailUi>();
        rail.on_language_pressed(w.on(|ui| ui.update(Controller::open_language_picker)));
        rail.on_size_pressed(w.on(|ui| ui.update(Controller::cycle_text_size)));
        rail.on_contrast_pressed(w.on(|ui| ui.update(Controller::toggle_contrast)));
        rail.on_voice_pressed(w.on(|ui| ui.update(Controller::toggle_voice)));
        rail.on_help_pressed(w.on(|ui| ui.act(Controller::call_mediator)));

        let pin = self.window.global::<PinUi>();
        // Not spoken, not logged: the digits of a PIN.
        pin.on_digit(w.text(|ui, digit| {
            if let Some(d) = digit.chars().next() {
                ui.update(|c| c.pin_digit(d));
            }
        }));
        pin.on_erase(w.on(|ui| ui.update(Controller::pin_erase)));
        pin.on_cancel(w.on(|ui| ui.update(Controller::pin_cancel)));
        pin.on_ok(w.on(|ui| ui.act(Controller::pin_submit)));

        let panel = self.window.global::<PanelUi>();
        panel.on_entry(w.on(|ui| ui.update(Controller::open_pin_pad)));
        panel.on_pause(w.on(|ui| ui.update(Controller::toggle_timer_pause)));
        panel.on_back(w.on(|ui| ui.update(Controller::back)));
        panel.on_end(w.on(|ui| ui.act(Controller::mediator_end)));
        panel.on_close(w.on(|ui| ui.update(Controller::mediator_close)));

        let keys = self.window.global::<KeysUi>();
        keys.on_pressed(w.text(|ui, key| ui.update(|c| c.key(&key))));
        keys.on_erase(w.on(|ui| ui.update(Controller::key_erase)));
        keys.on_digits_pressed(w.on(|ui| ui.update(Controller::toggle_digits)));
        keys.on_done(w.on(|ui| ui.update(Controller::keyboard_done)));
        keys.on_cancel(w.on(|ui| ui.update(Controller::keyboard_cancel)));

        let weak = w.0.clone();
        self.attract_timer.start(slint::TimerMode::Repeated, ATTRACT_ROTATION, move || {
            if let Some(ui) = weak.upgrade()
                && ui.controller().screen() == Screen::Attract
            {
                ui.controller.borrow_mut().rotate_attract();
                ui.refresh();
            }
        });
    }
}
