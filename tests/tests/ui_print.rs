//! Printing the summary from the last step, through the real UI, the real agent and
//! Debian's `ippeveprinter`: the sheet is drawn by the kiosk binary itself, arrives at the
//! printer as a JPEG, the person hears it is printed, and the page is on the wipe receipt.
//! With no paper, the person hears what to do instead.

mod walk;

use guichet_kiosk::content::StepKind;
use guichet_kiosk::controller::Screen;
use guichet_kiosk::print_pages::PrintState;
use guichet_kiosk::scan_pages::Placement;
use guichet_kiosk::texts as t;
use guichet_kiosk::ui::SheetPrinting;
use guichet_tests::{TestAgent, TestPrinter};
use walk::Walk;

/// Opens a visit in French and walks "attestation de droits" to its last step.
fn to_last_step(w: &mut Walk) {
    w.open_visit("Français");
    w.tap("Obtenir une attestation de droits");
    while w.ui.content().step_kind != Some(StepKind::Done) {
        let view = w.ui.content();
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
    let mut w = Walk::start(agent.socket());
    w.ui.set_sheet_printing(SheetPrinting::Drawn { kiosk });

    to_last_step(&mut w);
    w.check_labels();
    w.tap(t::PRINT_SUMMARY);
    w.pump("the printed page", |c| matches!(c.printing().state(), PrintState::Done | PrintState::Problem(_)));
    assert_eq!(w.ui.controller().printing().state(), PrintState::Done);
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
    printer.paper(0);
    to_last_step(&mut w);
    w.tap(t::PRINT_SUMMARY);
    w.pump("the refusal", |c| matches!(c.printing().state(), PrintState::Done | PrintState::Problem(_)));
    assert_eq!(w.ui.controller().printing().state(), PrintState::Problem(t::PRINTER_NO_PAPER));
    let said = w.last_said().1;
    assert!(said.starts_with(t::PRINTER_NO_PAPER) && said.contains(t::PRINTER_INSTEAD), "{said}");
    assert_eq!(printer.spooled().len(), 1, "nothing more reached the printer");
    // The person goes on without the page: the visit ends as usual.
    w.tap(t::FINISH);
    w.pump("the wipe", |c| c.screen() == Screen::End);
}

/// A photocopy of an identity card: both sides scanned through SANE's `test` backend, two
/// copies in black and white confirmed after their count was said, printed as one sheet at
/// `ippeveprinter`. Printing before scanning says there is nothing yet.
#[test]
fn a_photocopy_prints_every_scanned_page() {
    use guichet_kiosk::scan_pages::ScanState;
    i_slint_backend_testing::init_no_event_loop();
    let printer = TestPrinter::start();
    let (agent, _sane) = guichet_tests::agent_with_printer_and_scanner(&printer);
    let mut w = Walk::start(agent.socket());
    w.open_visit("Français");
    w.tap("Photocopier un document");
    w.tap("Une carte d'identité, les deux côtés");
    assert_eq!(w.ui.content().step_kind, Some(StepKind::Scan));
    assert_eq!(w.ui.content().placement, Placement::Card);
    for _ in 0..2 {
        w.tap(t::SCAN_BUTTON);
        w.pump("a side", |c| c.scans().state() != ScanState::Scanning);
        w.check_labels();
    }
    assert_eq!(w.ui.controller().scans().state(), ScanState::Scanned(2));
    w.tap(t::NEXT);
    assert_eq!(w.ui.content().step_kind, Some(StepKind::Print));
    w.tap(t::COPY_MORE);
    w.tap(t::IN_COLOUR);
    w.tap(t::PRINT_PAGES);
    assert_eq!(w.last_said().1, t::PRINT_CONFIRM.replace("{n}", "4"), "two sides, two copies");
    assert!(printer.spooled().is_empty(), "nothing is sent before the person confirms");
    w.tap(t::PRINT_YES);
    w.pump("the copies", |c| matches!(c.printing().state(), PrintState::Done | PrintState::Problem(_)));
    assert_eq!(w.ui.controller().printing().state(), PrintState::Done);
    assert_eq!(w.last_said().1, t::PRINT_TAKE);
    let spooled = printer.spooled();
    assert_eq!(spooled.len(), 1, "{spooled:?}");
    let pdf = lopdf::Document::load(&spooled[0]).expect("the printer got a PDF");
    assert_eq!(pdf.get_pages().len(), 1, "both sides of the card on one sheet");
    w.tap(t::NEXT);
    w.tap(t::FINISH);
    w.pump("the wipe", |c| c.screen() == Screen::End);
}

#[test]
fn printing_before_scanning_says_there_is_nothing_yet() {
    i_slint_backend_testing::init_no_event_loop();
    let agent = TestAgent::start(|_| {});
    let mut w = Walk::start(agent.socket());
    w.open_visit("Français");
    w.tap("Photocopier un document");
    w.tap("Des feuilles de papier");
    w.tap(t::NEXT);
    w.tap(t::PRINT_PAGES);
    assert_eq!(w.ui.controller().printing().state(), PrintState::NoPages);
    assert_eq!(w.last_said().1, t::NO_PAGES);
}
