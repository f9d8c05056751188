//! The kiosk's real UI, driven through Slint's testing backend by accessible label (which
//! also proves every control has one), against a real agent, with a recording speaker:
//! attract → language → home → a whole procedure → end, in French and in Arabic.

use std::sync::mpsc;

use guichet_kiosk::agent_link::Link;
use guichet_kiosk::commands::Event;
use guichet_kiosk::content::StepKind;
use guichet_kiosk::controller::{Controller, Screen};
use guichet_kiosk::i18n::Catalog;
use guichet_kiosk::speech::RecordingSpeaker;
use guichet_kiosk::ui::KioskUi;
use guichet_kiosk::view::ScreenContent;
use guichet_kiosk::{AppWindow, Assets, texts as t};
use guichet_protocol::AgentMessage;
use guichet_tests::TestAgent;
use slint::ComponentHandle;

mod walk;
use walk::{Walk, content_dir};

#[test]
fn walk_a_procedure_in_french_then_in_arabic() {
    i_slint_backend_testing::init_no_event_loop();
    let agent = TestAgent::start(|c| c.mediator_pin_hash = Some(guichet_agent::pin::hash_pin("2468").unwrap()));
    let (tx, events) = mpsc::channel();
    let link = Link::start(agent.socket(), move |ev| {
        let _ = tx.send(ev);
    });
    let assets = Assets::load(&content_dir());
    let procedure = assets.procedures.iter().find(|p| p.id == "ameli-attestation-droits").unwrap().clone();
    let ar: Catalog = assets.catalogs.iter().find(|c| c.language.code == "ar").expect("Arabic").clone();
    let speaker = RecordingSpeaker::default();
    let window = AppWindow::new().unwrap();
    let controller = Controller::new(assets.procedures, assets.catalogs);
    let ui = KioskUi::new(window, controller, Box::new(speaker.clone()), link);
    ui.window().show().unwrap();
    let mut w = Walk { ui, events, speaker, session_folder: None };

    // Before the agent answers, the kiosk says it is out of service.
    assert_eq!(w.screen(), Screen::OutOfService);
    w.pump("the agent", |c| c.screen() == Screen::Attract);
    w.speaker.clear();

    // --- French ---
    w.check_labels();
    w.tap(t::ATTRACT);
    w.pump("the session", |c| c.screen() == Screen::Language);
    assert_eq!(w.last_said(), ("fr-FR".into(), t::LANGUAGE_TITLE.into()));
    // A scan the person makes during the visit must be on the receipt.
    std::fs::write(w.session_folder.clone().unwrap().join("scans/page-1.jpg"), b"jpeg").unwrap();
    w.check_labels();
    w.tap("Français");
    assert_eq!(w.screen(), Screen::Home);
    assert_eq!(w.last_said().1, format!("{} {}", t::HOME_TITLE, t::HOME_SPOKEN));
    w.check_labels();
    w.tap(&procedure.title);
    // Follow the "yes, I have an account" branch to the end.
    let mut path = Vec::new();
    loop {
        assert_eq!(w.screen(), Screen::Step);
        let i = w.ui.controller().step_index();
        path.push(i);
        let step = &procedure.steps[i];
        let (voice, said) = w.last_said();
        assert_eq!(voice, "fr-FR");
        assert!(said.starts_with(&step.title), "step {i} said {said:?}");
        for item in step.items.iter().chain(step.choices.iter().map(|c| &c.label)) {
            assert!(said.contains(item.as_str()), "step {i} did not say {item:?}");
        }
        if step.url.is_some() {
            assert!(said.contains(t::SITE_PASSWORD), "the password warning must be spoken");
        }
        w.check_labels();
        if i == 0 {
            rail_controls_work(&mut w, &ar);
            mediator_mode_works(&mut w);
        }
        match step.kind {
            StepKind::Question => w.tap(&step.choices[0].label),
            StepKind::Done => {
                w.tap(t::FINISH);
                break;
            }
            _ => w.tap(t::NEXT),
        }
    }
    assert_eq!(path, [0, 1, 2, 3, 4, 6], "the 'yes' branch skips the no-account step");
    w.pump("the wipe", |c| c.screen() == Screen::End);
    let said = w.last_said().1;
    assert!(said.starts_with(t::END_TITLE), "{said}");
    assert!(said.contains(&t::END_SCANS.replace("{n}", "1")), "{said}");
    assert!(said.contains(t::END_NOTHING_LEFT), "{said}");
    assert!(!w.session_folder.take().unwrap().exists());
    w.check_labels();
    w.tap(t::END_BUTTON);
    assert_eq!(w.screen(), Screen::Attract);

    // --- Arabic, then stop and erase halfway ---
    w.tap(t::ATTRACT);
    w.pump("the second session", |c| c.screen() == Screen::Language);
    w.tap("العربية");
    assert_eq!(w.screen(), Screen::Home);
    let (voice, said) = w.last_said();
    assert_eq!(voice, "ar");
    assert!(said.starts_with(&ar.tr(t::HOME_TITLE)), "{said}");
    assert_ne!(ar.tr(t::HOME_TITLE), t::HOME_TITLE, "Arabic must not fall back to French");
    assert!(w.ui.window().global::<guichet_kiosk::View>().get_rtl(), "Arabic must be laid out right to left");
    w.tap(&ar.tr(&procedure.title));
    assert_eq!(w.last_said(), ("ar".into(), w.ui.content().spoken));
    assert!(w.last_said().1.starts_with(&ar.tr(&procedure.steps[0].title)));
    w.tap(&ar.tr(t::NEXT));
    assert_eq!(w.ui.controller().step_index(), 1);
    // The question: "no" leads to the no-account step, and "back" returns to the question.
    let question = &procedure.steps[1];
    assert_eq!(question.kind, StepKind::Question);
    w.tap(&ar.tr(&question.choices[1].label));
    let no_account = procedure.step_index(&question.choices[1].goto).unwrap();
    assert_eq!(w.ui.controller().step_index(), no_account);
    let progress = ar.tr(t::STEP_PROGRESS).replace("{n}", "3").replace("{total}", "4");
    assert_eq!(w.ui.content().progress, progress);
    w.tap(&ar.tr(t::BACK));
    assert_eq!(w.ui.controller().step_index(), 1);
    w.tap(&ar.tr(t::BACK));
    assert_eq!(w.ui.controller().step_index(), 0);
    w.tap(&ar.tr(t::STOP));
    assert!(w.last_said().1.starts_with(&ar.tr(t::STOP_QUESTION)));
    w.check_labels();
    w.tap(&ar.tr(t::STOP_NO));
    assert_eq!(w.screen(), Screen::Step, "'no' must keep the person where they were");
    w.tap(&ar.tr(t::STOP));
    w.tap(&ar.tr(t::STOP_YES));
    w.pump("the wipe", |c| c.screen() == Screen::End);
    assert!(w.last_said().1.starts_with(&ar.tr(t::END_TITLE)));
    assert!(!w.session_folder.take().unwrap().exists());
    w.tap(&ar.tr(t::END_BUTTON));
    assert_eq!(w.screen(), Screen::Attract);
    assert!(!w.ui.window().global::<guichet_kiosk::View>().get_rtl(), "back to French after a visit");

    // --- Walking away: no touch for the idle time ends and wipes the session ---
    // Slint's mock clock stands in for waiting: nothing here sleeps.
    use i_slint_backend_testing::mock_elapsed_time;
    use std::time::Duration;
    mock_elapsed_time(Duration::from_secs(3600));
    assert_eq!(w.screen(), Screen::Attract, "no session, nothing to time out");
    // The big line has moved on to another language meanwhile; the person touches that.
    let shown = w.ui.content().title;
    assert!(guichet_kiosk::i18n::LANGUAGES.len() > 1 && !shown.is_empty());
    w.tap(&shown);
    w.pump("the third session", |c| c.screen() == Screen::Language);
    w.tap("Français");
    w.tap(&procedure.title);
    let idle = guichet_kiosk::ui::DEFAULT_IDLE_TIMEOUT;
    mock_elapsed_time(idle - Duration::from_secs(5));
    // Scrolling to read on is being there too (the scrollers' `flicked`, "read on").
    w.ui.window().global::<guichet_kiosk::View>().invoke_scrolled();
    mock_elapsed_time(idle - Duration::from_secs(5));
    assert_eq!(w.ui.controller().idle_warning(), None, "scrolling must restart the idle clock");
    w.tap(t::NEXT); // a touch restarts the clock
    mock_elapsed_time(idle - Duration::from_secs(5));
    assert_eq!(w.ui.controller().idle_warning(), None, "a touch must restart the idle clock");
    mock_elapsed_time(Duration::from_secs(6));
    // "Are you still there?", on screen and aloud, with a countdown.
    assert_eq!(w.ui.controller().idle_warning(), Some(guichet_kiosk::ui::IDLE_WARNING_SECONDS));
    assert!(w.last_said().1.starts_with(t::IDLE_QUESTION), "{:?}", w.last_said());
    mock_elapsed_time(Duration::from_secs(1));
    assert_eq!(w.ui.controller().idle_warning(), Some(guichet_kiosk::ui::IDLE_WARNING_SECONDS - 1));
    w.tap(t::IDLE_MORE);
    assert_eq!(w.ui.controller().idle_warning(), None);
    assert_eq!((w.screen(), w.ui.controller().step_index()), (Screen::Step, 1), "nothing lost");
    // "I am fetching my papers" waits ten minutes more before asking again.
    mock_elapsed_time(idle + Duration::from_secs(1));
    w.tap(t::IDLE_PAPERS);
    mock_elapsed_time(idle + Duration::from_secs(300));
    assert_eq!(w.ui.controller().idle_warning(), None, "the papers pause was not honoured");
    mock_elapsed_time(guichet_kiosk::ui::PAPERS_EXTRA);
    assert!(w.ui.controller().idle_warning().is_some());
    // No answer: the countdown runs out and the session is wiped. Slint's timers fire
    // once per clock update, so the clock moves a second at a time.
    for _ in 0..guichet_kiosk::ui::IDLE_WARNING_SECONDS {
        mock_elapsed_time(Duration::from_secs(1));
    }
    w.pump("the idle wipe", |c| c.screen() == Screen::End);
    assert!(!w.session_folder.take().unwrap().exists());
    assert!(w.last_said().1.starts_with(t::END_TITLE));
    // The mediator call was counted by the agent, anonymously.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = rt.block_on(async {
        let mut c = guichet_protocol::client::Client::connect(&agent.socket(), "test").await.unwrap();
        c.request(&guichet_protocol::ClientMessage::GetStatus { id: 1 }, |_| {}).await.unwrap()
    });
    let AgentMessage::Status { status, .. } = status else { panic!("{status:?}") };
    assert_eq!(status.counters.mediator_calls, 2, "from the rail, then before the PIN");
    assert_eq!(status.counters.mediator_openings, 1);
    assert_eq!(status.counters.sessions_abandoned, 2, "stopped once, timed out once");
    // What the visits did, for the needs statistics: ids only, and where each one stopped.
    let counters = guichet_agent::store::Store::open(&agent.config.store_path()).unwrap().today_counters().unwrap();
    let count = |name: &str| counters.get(name).copied().unwrap_or(0);
    assert_eq!(count("language/fr"), 2, "{counters:?}");
    // The first visit also switched to Arabic from the rail for a while.
    assert_eq!(count("language/ar"), 2, "{counters:?}");
    assert_eq!(count("procedure_started/ameli-attestation-droits"), 3, "{counters:?}");
    assert_eq!(count("procedure_completed/ameli-attestation-droits"), 1, "{counters:?}");
    assert_eq!(count("abandoned/ameli-attestation-droits/etape-1"), 1, "stopped at the first step: {counters:?}");
    assert_eq!(count("abandoned/ameli-attestation-droits/etape-2"), 1, "timed out at the second: {counters:?}");
    // Left on the end screen, the kiosk goes back to attract by itself.
    mock_elapsed_time(Duration::from_secs(61));
    assert_eq!(w.screen(), Screen::Attract);
}

#[test]
fn controller_alone_survives_an_agent_that_vanishes() {
    let assets = Assets::load(&content_dir());
    let mut c = Controller::new(assets.procedures, assets.catalogs);
    c.on_event(Event::Connected);
    assert_eq!(c.screen(), Screen::Attract);
    assert_eq!(c.touch_attract().len(), 1);
    c.on_event(Event::Disconnected);
    assert_eq!(c.screen(), Screen::OutOfService);
    // Taps on a dead screen do nothing and ask nothing of the agent.
    assert!(c.touch_attract().is_empty());
    assert!(c.next_step().is_empty());
    c.on_event(Event::Connected);
    assert_eq!(c.screen(), Screen::Attract);
}

/// The side rail on a step: text size, contrast, calling a mediator, changing language
/// without losing one's place. Each toggle says what was tapped.
fn rail_controls_work(w: &mut Walk, ar: &Catalog) {
    use guichet_kiosk::Theme;
    let step = w.ui.controller().step_index();
    let theme = || w.ui.window().global::<Theme>();
    w.tap(t::SIZE_BIGGER);
    assert_eq!(theme().get_text_scale(), 1.25);
    assert_eq!(w.last_said().1, t::SIZE_BIGGER);
    w.tap(t::SIZE_BIGGER);
    w.tap(t::SIZE_RESET);
    assert_eq!(theme().get_text_scale(), 1.0);
    w.tap(t::CONTRAST_ON);
    assert!(theme().get_high_contrast());
    w.tap(t::CONTRAST_OFF);
    assert!(!theme().get_high_contrast());
    w.tap(t::HELP_BUTTON);
    assert_eq!(w.last_said().1, t::HELP_CALLED);
    w.check_labels();
    w.tap(t::HELP_OK);
    // Another language for this step, then back: the person stays where they were.
    w.tap(t::LANGUAGE_BUTTON);
    assert_eq!(w.screen(), Screen::Step);
    w.tap("العربية");
    assert_eq!((w.ui.controller().step_index(), w.ui.controller().language().code), (step, "ar"));
    w.tap(&ar.tr(t::LANGUAGE_BUTTON));
    w.tap("Français");
    assert_eq!(w.ui.controller().step_index(), step);
    // Voice off: nothing more is said until it is back on.
    w.tap(t::VOICE_OFF);
    let said = w.speaker.utterances().len();
    w.tap(t::LISTEN);
    assert!(w.speaker.last().unwrap().slow, "listen again speaks more slowly");
    w.tap(t::VOICE_ON);
    assert_eq!(w.speaker.utterances().len(), said + 2, "listen again still speaks, and the toggle says itself");
}

/// Walks the open procedure to its end, answering each question with `answer` (or the
/// last choice when there are fewer), checking each step's speech; returns the path.
fn walk_to_end(w: &mut Walk, procedure: &guichet_kiosk::content::Procedure, answer: usize) -> Vec<usize> {
    let mut path = Vec::new();
    loop {
        let i = w.ui.controller().step_index();
        assert!(path.len() <= procedure.steps.len() * 2, "{}: going round in circles: {path:?}", procedure.id);
        path.push(i);
        let step = &procedure.steps[i];
        let said = w.last_said().1;
        assert!(said.starts_with(&step.title), "{} step {i} said {said:?}", procedure.id);
        assert!(said.len() > step.title.len(), "{} step {i} said only its title", procedure.id);
        if step.kind == StepKind::Checklist {
            // A paper ticked says its name, and a second touch unticks it.
            w.tap(&step.items[0]);
            assert_eq!(w.ui.content().ticks.first(), Some(&true), "{}", procedure.id);
            assert_eq!(w.last_said().1, step.items[0]);
            w.tap(&step.items[0]);
            assert_eq!(w.ui.content().ticks.first(), Some(&false));
        }
        match step.kind {
            StepKind::Question => w.tap(&step.choices[answer.min(step.choices.len() - 1)].label),
            StepKind::Done => {
                w.tap(t::FINISH);
                return path;
            }
            _ => w.tap(t::NEXT),
        }
    }
}

#[test]
fn three_more_procedures_in_french_through_different_branches() {
    i_slint_backend_testing::init_no_event_loop();
    let agent = TestAgent::start(|_| {});
    let procedures = Assets::load(&content_dir()).procedures;
    let mut w = Walk::start(agent.socket());
    for (id, answer) in [("caf-prime-activite", 1), ("france-travail-actualisation", 0), ("ants-permis-conduire", 3)] {
        let procedure = procedures.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("{id} missing"));
        let attract = w.ui.content().title;
        w.tap(&attract);
        w.pump("a session", |c| c.screen() == Screen::Language);
        w.tap("Français");
        w.tap(&procedure.title);
        let path = walk_to_end(&mut w, procedure, answer);
        assert!(path.len() >= 4, "{id}: {path:?}");
        let checklist = path.iter().any(|&i| procedure.steps[i].kind == StepKind::Checklist);
        assert!(checklist, "{id}: the walk must tick a checklist on its way");
        w.pump("the wipe", |c| c.screen() == Screen::End);
        assert!(w.last_said().1.starts_with(t::END_TITLE));
        assert!(!w.session_folder.take().unwrap().exists());
        w.tap(t::END_BUTTON);
    }
}

/// A mediator called to the kiosk types their PIN (a wrong one first); the digits are
/// never said aloud; the panel shows where the person is and pauses the idle timer.
fn mediator_mode_works(w: &mut Walk) {
    use i_slint_backend_testing::mock_elapsed_time;
    let step = w.ui.controller().step_index();
    w.tap(t::HELP_BUTTON);
    w.tap(t::MEDIATOR_ENTRY);
    assert_eq!(w.last_said().1, t::PIN_TITLE);
    w.check_labels();
    for d in ["1", "3", "5", "7"] {
        w.tap(d);
    }
    assert_eq!(w.ui.content().pin.unwrap().dots, "●●●●", "dots, never digits");
    w.tap(t::PIN_OK);
    w.pump("the PIN refusal", |c| ScreenContent::of(c).pin.is_some_and(|p| !p.message.is_empty()));
    assert_eq!(w.ui.content().pin.unwrap().message, t::PIN_WRONG);
    assert_eq!(w.ui.content().pin.unwrap().dots, "", "the kiosk keeps no copy of a PIN it sent");
    for d in ["2", "4", "9"] {
        w.tap(d);
    }
    w.tap(t::PIN_ERASE);
    w.tap("6");
    w.tap("8");
    w.tap(t::PIN_OK);
    w.pump("the mediator panel", |c| c.mediator_open());
    let said: Vec<String> = w.speaker.utterances().into_iter().map(|u| u.text).collect();
    assert!(said.iter().all(|u| !u.contains("2468") && !u.contains("1357")), "a PIN was spoken: {said:?}");
    let digit_alone = |u: &String| u.len() == 1 && u.chars().all(|c| c.is_ascii_digit());
    assert!(!said.iter().any(digit_alone), "a PIN key said its digit: {said:?}");
    assert!(w.last_said().1.starts_with(t::MEDIATOR_TITLE));
    let panel = w.ui.content().mediator.unwrap();
    let current: Vec<usize> = (panel.outline.iter().enumerate()).filter(|(_, (_, now))| *now).map(|(i, _)| i).collect();
    assert_eq!(current, [step], "the outline marks the person's step");
    w.check_labels();
    // Paused, the idle clock does not run however long the mediator explains.
    w.tap(t::MEDIATOR_PAUSE);
    mock_elapsed_time(guichet_kiosk::ui::DEFAULT_IDLE_TIMEOUT * 3);
    assert_eq!(w.ui.controller().idle_warning(), None);
    w.tap(t::MEDIATOR_RESUME);
    w.tap(t::MEDIATOR_CLOSE);
    assert!(!w.ui.controller().mediator_open());
    assert_eq!((w.screen(), w.ui.controller().step_index()), (Screen::Step, step));
}
