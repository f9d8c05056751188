//! Contrast and touch targets, measured rather than judged by eye: every text/background
//! pair of the theme reaches 7:1 (WCAG AAA) in both themes, and every button of every
//! screen is at least 90 px high (≈ 15 mm) on the 10" 1280×800 panel, at every text size.

use std::path::PathBuf;

use guichet_kiosk::agent_link::Link;
use guichet_kiosk::commands::Event;
use guichet_kiosk::controller::{Controller, Screen};
use guichet_kiosk::speech::SilentSpeaker;
use guichet_kiosk::ui::KioskUi;
use guichet_kiosk::{AppWindow, Assets, Theme};
use guichet_protocol::{AgentMessage, SessionId};
use i_slint_backend_testing::{AccessibleRole, ElementQuery};
use slint::{Color, ComponentHandle};

/// WCAG relative luminance.
fn luminance(c: Color) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn content_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../content"))
}

#[test]
fn theme_and_targets() {
    i_slint_backend_testing::init_no_event_loop();
    let assets = Assets::load(&content_dir());
    let window = AppWindow::new().unwrap();
    window.window().set_size(slint::LogicalSize::new(1280.0, 800.0));
    let (link, _commands) = Link::detached();
    let ui = KioskUi::new(window, Controller::new(assets.procedures, assets.catalogs), Box::new(SilentSpeaker), link);
    ui.window().show().unwrap();

    // --- Contrast, both themes ---
    for high in [false, true] {
        let theme = ui.window().global::<Theme>();
        theme.set_high_contrast(high);
        let pairs = [
            ("text on background", theme.get_text(), theme.get_background()),
            ("muted text on background", theme.get_muted(), theme.get_background()),
            ("text on surface", theme.get_text(), theme.get_surface()),
            ("muted text on surface", theme.get_muted(), theme.get_surface()),
            ("text on an address box", theme.get_text(), theme.get_url_background()),
            ("button text on primary", theme.get_on_primary(), theme.get_primary()),
            ("button text on danger", theme.get_on_danger(), theme.get_danger()),
            ("primary text on background", theme.get_primary(), theme.get_background()),
            ("primary text on surface", theme.get_primary(), theme.get_surface()),
        ];
        for (what, fg, bg) in pairs {
            let ratio = contrast(fg, bg);
            assert!(ratio >= 7.0, "{what}: contrast {ratio:.2}:1 below 7:1 (high contrast: {high})");
        }
    }
    ui.window().global::<Theme>().set_high_contrast(false);

    // --- Touch targets, on every kind of screen, at every text size ---
    let buttons_ok = |ui: &KioskUi, where_: &str| {
        let buttons = ElementQuery::from_root(ui.window()).match_accessible_role(AccessibleRole::Button).find_all();
        assert!(!buttons.is_empty(), "{where_}: no button");
        for b in buttons {
            let size = b.size();
            let label = b.accessible_label().unwrap_or_default();
            // The attract screen is one whole-screen button; everything else is a button.
            assert!(size.height >= 90.0, "{where_}: {label:?} is {} px high", size.height);
            assert!(size.width >= 90.0, "{where_}: {label:?} is {} px wide", size.width);
        }
    };
    ui.on_link_event(Event::Connected);
    buttons_ok(&ui, "attract");
    ui.act(Controller::touch_attract);
    let started = AgentMessage::SessionStarted { id: 1, session: SessionId("s".into()), folder: "/x".into() };
    ui.on_link_event(Event::Agent(started));
    buttons_ok(&ui, "language");
    ui.update(|c| c.choose_language("fr"));
    for size in 0..3 {
        buttons_ok(&ui, &format!("home, text size {size}"));
        let procedures = ui.controller().procedures().len();
        for p in 0..procedures {
            ui.update(|c| c.open_procedure(p));
            let steps = ui.controller().procedures()[p].steps.len();
            for s in 0..steps {
                ui.update(|c| c.show_step(s));
                buttons_ok(&ui, &format!("procedure {p} step {s}, text size {size}"));
            }
            while ui.controller().screen() == Screen::Step {
                ui.update(Controller::back);
            }
        }
        ui.update(Controller::cycle_text_size);
    }
    ui.update(Controller::ask_stop);
    buttons_ok(&ui, "stop confirmation");
}
