//! Screen shown → first speech sample: the kiosk's `DispatcherSpeaker` through a private
//! speech-dispatcher and espeak-ng, with ALSA writing the sound to a file. Timed from the
//! request to the first bytes of sound in that file (what a loudspeaker would get), and
//! to speech-dispatcher's "begin" event, in French and Arabic with voice switches.
//!
//!   cargo build --release --workspace && target/release/bench-speech

use std::sync::mpsc;
use std::time::{Duration, Instant};

use guichet_kiosk::speech::{DispatcherSpeaker, Speaker, SpeechEvent};

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    guichet_tests::private_speech_env(dir.path());
    let (tx, raw) = mpsc::channel();
    // Stamped as they arrive, so that waiting for the sound first loses no time.
    let (stamped_tx, events) = mpsc::channel();
    std::thread::spawn(move || {
        for e in raw {
            let _ = stamped_tx.send((Instant::now(), e));
        }
    });
    let start = Instant::now();
    let speaker = DispatcherSpeaker::start(Some(tx));
    wait(&events, |e| matches!(e, SpeechEvent::Ready { .. }))?;
    println!("speech-dispatcher ready after {:.0} ms (once, at kiosk start, off the UI thread)", ms(start.elapsed()));

    let phrases = [
        ("fr-FR", "La prime d'activité, c'est quoi ? C'est une aide de la CAF. Elle complète un petit salaire."),
        ("fr-FR", "Avez-vous un compte ameli ? C'est votre espace personnel sur le site ameli.fr."),
        ("ar", "هل لديكم حساب في ameli؟ هو فضاؤكم الشخصي على موقع ameli.fr."),
    ];
    let sound = dir.path().join("sound.raw");
    let size = || std::fs::metadata(&sound).map(|m| m.len()).unwrap_or(0);
    let mut samples = Vec::new();
    let mut begins = Vec::new();
    for round in 0..10 {
        for (voice, text) in phrases {
            let before = size();
            let t0 = Instant::now();
            speaker.speak(voice, text);
            // Polling the file's size is the only way to see the sound arrive; every
            // 100 µs is far finer than what is measured.
            while size() == before {
                anyhow::ensure!(t0.elapsed() < Duration::from_secs(10), "no sound after 10 s");
                std::thread::sleep(Duration::from_micros(100));
            }
            let first = t0.elapsed();
            let began = wait(&events, |e| *e == SpeechEvent::Began)?;
            if round > 0 {
                // The first round also loads each voice cold.
                samples.push(first);
                begins.push(began - t0);
            }
            wait(&events, |e| *e == SpeechEvent::Ended)?;
        }
    }
    report("screen → first sound bytes at ALSA", &mut samples);
    report("screen → speech-dispatcher's begin event", &mut begins);
    guichet_tests::stop_speech_daemon(dir.path());
    Ok(())
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let q = |f: f64| ms(samples[((samples.len() - 1) as f64 * f).round() as usize]);
    let n = samples.len();
    println!("{what}: median {:.1} ms, p90 {:.1} ms, max {:.1} ms, {n} utterances", q(0.5), q(0.9), q(1.0));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn wait(
    events: &mpsc::Receiver<(Instant, SpeechEvent)>,
    what: impl Fn(&SpeechEvent) -> bool,
) -> anyhow::Result<Instant> {
    loop {
        match events.recv_timeout(Duration::from_secs(30))? {
            (_, SpeechEvent::Unavailable { reason }) => anyhow::bail!("speech unavailable: {reason}"),
            (at, e) if what(&e) => return Ok(at),
            _ => {}
        }
    }
}
