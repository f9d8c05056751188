//! Printing the summary from the last step, through the real UI, the real agent and
//! Debian's `ippeveprinter`: the sheet is drawn by the kiosk binary itself, arrives at the
//! printer as a JPEG, the person hears it is printed, and the page is on the wipe receipt.
//! With no paper, the person hears what to do instead.

mod walk;

use guichet_kiosk::controller::Screen;
use guichet_kiosk::printing::PrintState;
use guichet_kiosk::texts as t;
use guichet_tests::{TestAgent, TestPrinter};
use walk::Walk;

/// Opens a visit in French and walks "attestation de droits" to its last step.
fn to_last_step(w: &mut Walk) {
    w.tap(t::ATTRACT);
    w.pump("a session", |c| c.screen() == Screen::Language);
    w.tap("Français");
    w.tap("Obtenir une attestation de droits");
    while w.ui.controller().view().step_kind != "done" {
        let view = w.ui.controller().view();
        match view.choices.first() {
            Some(yes) => w.tap(yes),
            None => w.tap(t::NEXT),
        }
    }
}

#[test]
fn the_summary_is_printed_or_the_person_is_told_what_to_do_instead() {
    i_slint_backend_testing::init_no_event_loop();
    let printer = TestPrinter::start();
    let uri = printer.uri();
    let agent = TestAgent::start(move |c| c.devices.printer = uri);
    let kiosk = guichet_tests::bin("kiosk");
    let mut w = Walk::start_with(agent.socket(), |c| c.set_renderer(kiosk.clone()));

    to_last_step(&mut w);
    w.check_labels();
    w.tap(t::PRINT_SUMMARY);
    w.pump("the printed page", |c| matches!(c.print_state(), PrintState::Done | PrintState::Problem(_)));
    assert_eq!(w.ui.controller().print_state(), PrintState::Done);
    assert_eq!(w.last_said().1, t::PRINT_DONE);
    let spooled = printer.spooled();
    assert_eq!(spooled.len(), 1, "{spooled:?}");
    let page = std::fs::read(&spooled[0]).unwrap();
    assert!(page.starts_with(&[0xFF, 0xD8, 0xFF]) && page.len() > 20_000, "not a drawn JPEG sheet");
    w.tap(t::FINISH);
    w.pump("the wipe", |c| c.screen() == Screen::End);
    assert!(w.last_said().1.contains(&t::END_PRINTS.replace("{n}", "1")), "{}", w.last_said().1);
    w.tap(t::END_BUTTON);

    // No paper: nothing is sent, and the person hears what they can do instead.
    printer.web("media?size1=iso_a4_210x297mm&type1=stationery&level1=0&size3=&type3=&level3=-2");
    to_last_step(&mut w);
    w.tap(t::PRINT_SUMMARY);
    w.pump("the refusal", |c| matches!(c.print_state(), PrintState::Done | PrintState::Problem(_)));
    assert_eq!(w.ui.controller().print_state(), PrintState::Problem(t::PRINTER_NO_PAPER));
    let said = w.last_said().1;
    assert!(said.starts_with(t::PRINTER_NO_PAPER) && said.contains(t::PRINTER_INSTEAD), "{said}");
    assert_eq!(printer.spooled().len(), 1, "nothing more reached the printer");
    // The person goes on without the page: the visit ends as usual.
    w.tap(t::FINISH);
    w.pump("the wipe", |c| c.screen() == Screen::End);
}
