//! The search over procedures with the on-screen keyboard, through the real UI: every
//! key says its name, a word typed with a slip still finds the procedure, and nothing
//! typed is kept for the next person.

mod walk;

use guichet_kiosk::controller::Screen;
use guichet_kiosk::texts as t;
use guichet_tests::TestAgent;
use walk::Walk;

#[test]
fn a_person_finds_a_procedure_by_typing_on_the_keyboard() {
    i_slint_backend_testing::init_no_event_loop();
    let agent = TestAgent::start(|_| {});
    let mut w = Walk::start(agent.socket());
    w.open_visit("Français");
    let all = w.ui.content().tiles.len();
    assert!(all >= 12);

    w.tap(t::SEARCH_BUTTON);
    assert_eq!(w.last_said().1, t::SEARCH_TITLE, "the keyboard says what to do");
    w.check_labels();
    // "vitalle": one letter too many, and each key says its name as it is touched.
    for key in ["v", "i", "t", "a", "l", "l", "e"] {
        w.tap(key);
        assert_eq!(w.last_said(), ("fr-FR".into(), key.into()));
    }
    w.tap(t::KEY_SPACE);
    assert_eq!(w.last_said().1, t::KEY_SPACE);
    w.tap(t::KEY_ERASE);
    w.tap(t::KEY_APOSTROPHE);
    assert_eq!(w.last_said().1, t::KEY_APOSTROPHE, "a sign is said by its name");
    w.tap(t::KEY_ERASE);
    let keyboard = w.ui.content().keyboard.unwrap();
    assert_eq!(keyboard.text, "vitalle");
    assert_eq!(keyboard.found, t::SEARCH_FOUND.replace("{n}", "1"));
    // The digits pad, and back to the letters.
    w.tap(t::KEY_DIGITS);
    assert!(w.ui.content().keyboard.unwrap().digits);
    w.tap("7");
    assert_eq!(w.last_said().1, "7");
    w.tap(t::KEY_ERASE);
    w.tap(t::KEY_LETTERS);

    w.tap(t::SEARCH_SHOW);
    let home = w.ui.content();
    assert_eq!(home.tiles.len(), 1, "{:?}", home.tiles);
    assert_eq!(home.tiles[0].1, "Déclarer une carte Vitale perdue ou volée");
    let said = w.last_said().1;
    assert!(said.contains("vitalle") && said.contains(&home.tiles[0].1), "the search and what it found: {said}");
    w.check_labels();
    // The tile opens its own procedure, not the first one of the full list.
    w.tap(&home.tiles[0].1);
    assert_eq!(w.screen(), Screen::Step);
    assert_eq!(w.ui.controller().procedures()[w.ui.controller().procedure_index()].id, "ameli-carte-vitale-perdue");
    w.tap(t::BACK);

    // A word that finds nothing says so, and "all procedures" brings them back.
    w.tap(t::SEARCH_BUTTON);
    for _ in 0.."vitalle".len() {
        w.tap(t::KEY_ERASE);
    }
    for key in ["z", "z", "z"] {
        w.tap(key);
    }
    assert_eq!(w.ui.content().keyboard.unwrap().found, t::SEARCH_NONE);
    w.tap(t::SEARCH_SHOW);
    assert!(w.ui.content().tiles.is_empty());
    assert!(w.last_said().1.contains(t::SEARCH_NONE));
    w.tap(t::SEARCH_ALL);
    assert_eq!(w.ui.content().tiles.len(), all);

    // "Cancel" keeps the search as it was.
    w.tap(t::SEARCH_BUTTON);
    w.tap("c");
    w.tap(t::SEARCH_CANCEL);
    assert_eq!(w.ui.content().tiles.len(), all);

    // A search left in place is gone for the next person.
    w.tap(t::SEARCH_BUTTON);
    for key in ["c", "a", "f"] {
        w.tap(key);
    }
    w.tap(t::SEARCH_SHOW);
    assert!(w.ui.content().tiles.len() < all);
    w.tap(t::STOP);
    w.tap(t::STOP_YES);
    w.pump("the wipe", |c| c.screen() == Screen::End);
    w.tap(t::END_BUTTON);
    w.open_visit("Français");
    assert_eq!(w.ui.content().tiles.len(), all, "the last person's search was kept");
    assert_eq!(w.ui.controller().search().query(), "");
}
