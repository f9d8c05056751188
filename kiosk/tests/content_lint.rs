//! The content lint: every procedure loads, every step has something to say, every address
//! is official, and French sentences stay short (FALC): over 15 words they are listed,
//! over 25 the test fails.

use std::path::PathBuf;

use guichet_kiosk::commands::Event;
use guichet_kiosk::content::{self, Procedure, StepKind};
use guichet_kiosk::controller::{Controller, Screen};
use guichet_kiosk::i18n::Catalog;
use guichet_kiosk::view::ScreenContent;
use guichet_protocol::{AgentMessage, SessionId};

fn procedures() -> Vec<Procedure> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../content/procedures"));
    let (good, bad) = content::load_dir(&dir);
    assert!(
        bad.is_empty(),
        "refused procedures:\n{}",
        bad.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
    );
    good
}

/// Sentences end at . ? ! : or ; (a colon introduces a new idea in FALC writing).
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['.', '?', '!', ':', ';']).map(str::trim).filter(|s| !s.is_empty())
}

fn words(sentence: &str) -> usize {
    sentence.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

#[test]
fn there_are_at_least_twelve_procedures() {
    let ids: Vec<String> = procedures().into_iter().map(|p| p.id).collect();
    assert!(ids.len() >= 12, "{ids:?}");
}

#[test]
fn french_sentences_are_short() {
    let mut long = Vec::new();
    let mut too_long = Vec::new();
    for p in procedures() {
        for s in p.strings().flat_map(sentences) {
            match words(s) {
                n if n > 25 => too_long.push(format!("{}: {n} words: {s}", p.id)),
                n if n > 15 => long.push(format!("{}: {n} words: {s}", p.id)),
                _ => {}
            }
        }
    }
    if !long.is_empty() {
        eprintln!("Sentences over 15 words (shorten when you can):\n{}", long.join("\n"));
    }
    assert!(too_long.is_empty(), "sentences over 25 words:\n{}", too_long.join("\n"));
    assert!(words("Un deux trois.") == 3 && sentences("A b. C : d ? E").count() == 4);
}

#[test]
fn every_step_says_something_and_every_address_is_official() {
    for p in procedures() {
        for (i, step) in p.steps.iter().enumerate() {
            if let Some(url) = &step.url {
                content::check_url(url.get_ref()).unwrap_or_else(|e| panic!("{} step {i}: {e}", p.id));
            }
            if step.kind == StepKind::Question {
                assert!(step.choices.len() >= 2, "{} step {i}", p.id);
            }
        }
    }
    // Through the real controller: every step of every procedure has spoken text.
    let all = procedures();
    let mut c = Controller::new(all.clone(), vec![Catalog::source()]);
    c.on_event(Event::Connected);
    c.touch_attract();
    let started = AgentMessage::SessionStarted { id: 1, session: SessionId("s".into()), folder: "/x".into() };
    c.on_event(Event::Agent(started));
    c.choose_language("fr");
    for (index, p) in all.iter().enumerate() {
        c.open_procedure(index);
        assert_eq!(c.screen(), Screen::Step);
        for i in 0..p.steps.len() {
            c.show_step(i);
            assert_eq!(c.step_index(), i, "{} step {i} cannot be shown", p.id);
            let view = ScreenContent::of(&c);
            assert!(view.spoken.len() > view.title.len(), "{} step {i} says only its title", p.id);
        }
        while c.screen() == Screen::Step {
            c.back();
        }
    }
}
