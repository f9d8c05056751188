//! Screen shown → first speech sample: the kiosk's `TtsSpeaker` through a private
//! speech-dispatcher and espeak-ng (ALSA writing to a file), timed from the request to the
//! synthesiser's "begin" event, for every step's spoken text in French and Arabic.
//!
//!   cargo build --release --workspace && target/release/bench-speech

use std::sync::mpsc;
use std::time::{Duration, Instant};

use guichet_kiosk::speech::{Speaker, SpeechEvent, TtsSpeaker};

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    guichet_tests::private_speech_env(dir.path());
    let (tx, events) = mpsc::channel();
    let start = Instant::now();
    let speaker = TtsSpeaker::start(Some(tx));
    wait(&events, |e| matches!(e, SpeechEvent::Ready { .. }))?;
    println!("speech-dispatcher ready after {:.0} ms (once, at kiosk start, off the UI thread)", ms(start.elapsed()));

    let phrases = [
        ("fr-FR", "La prime d'activité, c'est quoi ? C'est une aide de la CAF. Elle complète un petit salaire."),
        ("fr-FR", "Avez-vous un compte ameli ? C'est votre espace personnel sur le site ameli.fr."),
        ("ar", "هل لديكم حساب في ameli؟ هو فضاؤكم الشخصي على موقع ameli.fr."),
    ];
    let mut samples = Vec::new();
    for round in 0..10 {
        for (voice, text) in phrases {
            let t0 = Instant::now();
            speaker.speak(voice, text);
            wait(&events, |e| *e == SpeechEvent::Began)?;
            let first = t0.elapsed();
            if round > 0 {
                samples.push(first); // the first round also switches voices cold
            }
            wait(&events, |e| *e == SpeechEvent::Ended)?;
        }
    }
    samples.sort();
    let q = |f: f64| ms(samples[((samples.len() - 1) as f64 * f).round() as usize]);
    println!(
        "screen → first speech sample (espeak-ng): median {:.0} ms, p90 {:.0} ms, max {:.0} ms, {} utterances",
        q(0.5),
        q(0.9),
        q(1.0),
        samples.len()
    );
    guichet_tests::stop_speech_daemon(dir.path());
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn wait(events: &mpsc::Receiver<SpeechEvent>, what: impl Fn(&SpeechEvent) -> bool) -> anyhow::Result<()> {
    loop {
        match events.recv_timeout(Duration::from_secs(30))? {
            SpeechEvent::Unavailable { reason } => anyhow::bail!("speech unavailable: {reason}"),
            e if what(&e) => return Ok(()),
            _ => {}
        }
    }
}
