//! What the fleet sends through the agent, as the controller sees it: a message on the
//! attract screen, content switched only between visits, and a session that IT staff
//! opened and wiped themselves never shown to the public as theirs.

use std::path::PathBuf;

use guichet_kiosk::commands::Event;
use guichet_kiosk::controller::{Controller, Screen};
use guichet_kiosk::view::ScreenContent;
use guichet_kiosk::{Assets, default_content_dir};
use guichet_protocol::{AgentMessage, EndReason, SessionId, WipeReceipt};

fn at_attract() -> Controller {
    let assets = Assets::load(&default_content_dir());
    let mut c = Controller::new(assets.procedures, assets.catalogs);
    c.on_event(Event::Connected);
    assert_eq!(c.screen(), Screen::Attract);
    c
}

fn wiped() -> Event {
    Event::Agent(AgentMessage::SessionWiped {
        session: SessionId("0123456789abcdef".into()),
        reason: EndReason::WipedByStaff,
        receipt: WipeReceipt { verified: true, ..Default::default() },
    })
}

#[test]
fn a_wipe_of_someone_elses_session_leaves_the_attract_screen_alone() {
    let mut c = at_attract();
    c.on_event(wiped());
    assert_eq!(c.screen(), Screen::Attract);
    // The person's own visit, wiped by staff: they are told.
    c.touch_attract();
    c.on_event(Event::Agent(AgentMessage::SessionStarted {
        id: 1,
        session: SessionId("0123456789abcdef".into()),
        folder: "/run/guichet/session/0123456789abcdef".into(),
    }));
    assert_eq!(c.screen(), Screen::Language);
    c.on_event(wiped());
    assert_eq!(c.screen(), Screen::End);
}

#[test]
fn the_attract_message_shows_and_new_content_waits_for_the_visit_to_end() {
    let mut c = at_attract();
    let texts = [("fr".to_owned(), "Fermé jeudi.".to_owned())].into_iter().collect();
    c.on_event(Event::Agent(AgentMessage::AttractMessage { texts }));
    assert_eq!(ScreenContent::of(&c).staff_message, "Fermé jeudi.");
    c.on_event(Event::Agent(AgentMessage::AttractMessage { texts: Default::default() }));
    assert_eq!(ScreenContent::of(&c).staff_message, "");

    c.touch_attract();
    c.on_event(Event::Agent(AgentMessage::SessionStarted {
        id: 1,
        session: SessionId("0123456789abcdef".into()),
        folder: "/run/guichet/session/0123456789abcdef".into(),
    }));
    let folder = PathBuf::from("/var/lib/guichet-content/current");
    c.on_event(Event::Agent(AgentMessage::ContentChanged {
        folder: folder.to_string_lossy().into(),
        version: "v2".into(),
    }));
    assert_eq!(c.take_content_reload(), None, "never in the middle of a visit");
    c.on_event(wiped());
    c.end_done();
    assert_eq!(c.screen(), Screen::Attract);
    assert_eq!(c.take_content_reload(), Some(folder));
    assert_eq!(c.take_content_reload(), None, "once");
}
