//! Screen shown → first speech sample: the kiosk's `DispatcherSpeaker` through a private
//! speech-dispatcher and espeak-ng, with ALSA writing the sound to a file. Timed from the
//! request to the first bytes of sound in that file (what a loudspeaker would get), and
//! to speech-dispatcher's "begin" event, in French and Arabic with voice switches. The
//! same utterances go, round by round in turn, through a speaker written on the
//! `ssip-client-async` crate (`ssip_crate.rs`), to the same daemon.
//!
//!   cargo build --release --workspace && target/release/bench-speech

use std::sync::mpsc;
use std::time::{Duration, Instant};

use guichet_kiosk::speech::{DispatcherSpeaker, Speaker, SpeechEvent};

mod ssip_crate;

type Stamped = mpsc::Receiver<(Instant, SpeechEvent)>;

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    guichet_tests::private_speech_env(dir.path());
    let (tx, events) = stamped();
    let start = Instant::now();
    let speaker = DispatcherSpeaker::start(Some(tx));
    wait(&events, |e| matches!(e, SpeechEvent::Ready { .. }))?;
    println!("speech-dispatcher ready after {:.0} ms (once, at kiosk start, off the UI thread)", ms(start.elapsed()));
    let (crate_tx, crate_events) = stamped();
    let other = ssip_crate::CrateSpeaker::start(guichet_kiosk::ssip::socket_path(), crate_tx);
    wait(&crate_events, |e| matches!(e, SpeechEvent::Ready { .. }))?;

    let sound = dir.path().join("sound.raw");
    let (mut ours, mut theirs) = (Timings::default(), Timings::default());
    for round in 0..10 {
        // The first round also loads each voice cold.
        let kept = round > 0;
        measure(&sound, &events, |v, t| speaker.speak(v, t), kept.then_some(&mut ours))?;
        measure(&sound, &crate_events, |v, t| other.speak(v, t), kept.then_some(&mut theirs))?;
    }
    report("kiosk/src/ssip.rs: screen → first sound bytes at ALSA", &mut ours.first);
    report("kiosk/src/ssip.rs: screen → speech-dispatcher's begin event", &mut ours.begin);
    report("ssip-client-async 0.19: screen → first sound bytes at ALSA", &mut theirs.first);
    report("ssip-client-async 0.19: screen → speech-dispatcher's begin event", &mut theirs.begin);
    guichet_tests::stop_speech_daemon(dir.path());
    Ok(())
}

#[derive(Default)]
struct Timings {
    first: Vec<Duration>,
    begin: Vec<Duration>,
}

const PHRASES: [(&str, &str); 3] = [
    ("fr-FR", "La prime d'activité, c'est quoi ? C'est une aide de la CAF. Elle complète un petit salaire."),
    ("fr-FR", "Avez-vous un compte ameli ? C'est votre espace personnel sur le site ameli.fr."),
    ("ar", "هل لديكم حساب في ameli؟ هو فضاؤكم الشخصي على موقع ameli.fr."),
];

/// One round of the three phrases through `speak`, timed from the request to the first
/// bytes of sound and to the begin event.
fn measure(
    sound: &std::path::Path,
    events: &Stamped,
    speak: impl Fn(&str, &str),
    mut into: Option<&mut Timings>,
) -> anyhow::Result<()> {
    let size = || std::fs::metadata(sound).map(|m| m.len()).unwrap_or(0);
    for (voice, text) in PHRASES {
        let before = size();
        let t0 = Instant::now();
        speak(voice, text);
        // Polling the file's size is the only way to see the sound arrive; every
        // 100 µs is far finer than what is measured.
        while size() == before {
            anyhow::ensure!(t0.elapsed() < Duration::from_secs(10), "no sound after 10 s");
            std::thread::sleep(Duration::from_micros(100));
        }
        let first = t0.elapsed();
        let began = wait(events, |e| *e == SpeechEvent::Began)?;
        if let Some(t) = into.as_deref_mut() {
            t.first.push(first);
            t.begin.push(began - t0);
        }
        wait(events, |e| *e == SpeechEvent::Ended)?;
    }
    Ok(())
}

/// A channel whose events are stamped as they arrive, so that waiting for the sound first
/// loses no time.
fn stamped() -> (mpsc::Sender<SpeechEvent>, Stamped) {
    let (tx, raw) = mpsc::channel();
    let (stamped_tx, events) = mpsc::channel();
    std::thread::spawn(move || {
        for e in raw {
            let _ = stamped_tx.send((Instant::now(), e));
        }
    });
    (tx, events)
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

fn wait(events: &Stamped, what: impl Fn(&SpeechEvent) -> bool) -> anyhow::Result<Instant> {
    loop {
        match events.recv_timeout(Duration::from_secs(30))? {
            (_, SpeechEvent::Unavailable { reason }) => anyhow::bail!("speech unavailable: {reason}"),
            (at, e) if what(&e) => return Ok(at),
            _ => {}
        }
    }
}
