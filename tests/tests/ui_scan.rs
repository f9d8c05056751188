//! A scan step through the real UI, the real agent and SANE's `test` backend: each page
//! is scanned into the session, counted aloud and shown; a scanner that fails is told in
//! plain words with what to do instead.

mod walk;

use std::path::PathBuf;

use guichet_kiosk::content::StepKind;
use guichet_kiosk::controller::Screen;
use guichet_kiosk::scan_pages::ScanState;
use guichet_kiosk::texts as t;
use guichet_tests::TestAgent;
use slint::ComponentHandle;
use walk::Walk;

fn sane_config(dir: &std::path::Path, status: &str) {
    guichet_tests::sane_test_backend(dir, status, "");
}

#[test]
fn pages_are_scanned_counted_and_shown() {
    i_slint_backend_testing::init_no_event_loop();
    let sane = tempfile::tempdir().unwrap();
    sane_config(sane.path(), "Default");
    let sane_dir = sane.path().to_owned();
    let agent = TestAgent::start(move |c| guichet_tests::use_test_scanner(c, &sane_dir));
    let fixtures = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/procedures"));
    let (procedures, errors) = guichet_kiosk::content::load_dir(&fixtures);
    assert!(errors.is_empty(), "{errors:?}");
    let mut w = Walk::start_with(agent.socket(), |c| c.replace_procedures(procedures));
    w.open_visit("Français");
    w.tap("Scanner deux pages");
    assert_eq!(w.ui.content().step_kind, Some(StepKind::Scan));
    w.check_labels();
    for n in 1..=2u32 {
        w.tap(t::SCAN_BUTTON);
        w.pump("the page", |c| c.scans().state() != ScanState::Scanning);
        assert_eq!(w.ui.controller().scans().state(), ScanState::Scanned(n));
        assert_eq!(w.last_said().1, t::SCAN_DONE.replace("{n}", &n.to_string()));
    }
    let pages = w.ui.window().global::<guichet_kiosk::View>().get_pages();
    assert_eq!(slint::Model::row_count(&pages), 2, "each page is shown small");
    let first = slint::Model::row_data(&pages, 0).unwrap();
    assert!(first.picture.size().width > 0 && first.label == "Page 1", "the preview the agent made is shown");

    // Page 1 again: replaced, still two pages.
    w.tap(&format!("{}, Page 1", t::SCAN_REDO));
    w.pump("the page again", |c| c.scans().state() != ScanState::Scanning);
    assert_eq!(w.ui.controller().scans().state(), ScanState::Redone(1));
    assert_eq!(w.last_said().1, t::SCAN_REDONE.replace("{n}", "1"));
    assert_eq!(w.ui.controller().scans().count(), 2);

    // The cover is opened: the person hears that the scanner cannot, and what to do.
    sane_config(sane.path(), "SANE_STATUS_COVER_OPEN");
    w.tap(t::SCAN_BUTTON);
    w.pump("the refusal", |c| c.scans().state() != ScanState::Scanning);
    assert_eq!(w.ui.controller().scans().state(), ScanState::Problem(t::SCANNER_COVER_OPEN));
    let said = w.last_said().1;
    assert!(said.starts_with(t::SCANNER_COVER_OPEN) && said.contains(t::SCANNER_INSTEAD), "{said}");
    w.tap(t::NEXT);
    w.tap(t::FINISH);
    w.pump("the wipe", |c| c.screen() == Screen::End);
    assert!(w.last_said().1.contains(&t::END_SCANS.replace("{n}", "2")), "{}", w.last_said().1);
}
