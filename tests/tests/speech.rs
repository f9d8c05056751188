//! Real speech: the kiosk's `TtsSpeaker` through the `tts` crate, a private
//! speech-dispatcher (autospawned exactly as on the device) and espeak-ng, with ALSA
//! writing the sound to a file since these machines have no sound card.

use std::path::Path;
use std::sync::mpsc;

use guichet_kiosk::speech::{Speaker, SpeechEvent, TtsSpeaker};
use guichet_tests::BOUND;

/// A private HOME and runtime folder: speech-dispatcher's config and ALSA's go there.
fn private_speech_env(dir: &Path) {
    let home = dir.join("home");
    let config = home.join(".config/speech-dispatcher");
    let runtime = dir.join("xdg");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let system = std::fs::read_to_string("/etc/speech-dispatcher/speechd.conf")
        .expect("speech-dispatcher is not installed (scripts/setup.sh installs it)");
    let conf: String = system
        .lines()
        .filter(|l| !l.trim_start().starts_with("AudioOutputMethod") && !l.contains("AudioOutputMethod \""))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + "AudioOutputMethod \"alsa\"\n";
    std::fs::write(config.join("speechd.conf"), conf).unwrap();
    for sub in ["modules", "clients"] {
        let from = Path::new("/etc/speech-dispatcher").join(sub);
        if from.is_dir() {
            std::os::unix::fs::symlink(&from, config.join(sub)).unwrap();
        }
    }
    let sound = dir.join("sound.raw");
    std::fs::write(
        home.join(".asoundrc"),
        format!("pcm.!default {{ type file; slave.pcm \"null\"; file \"{}\"; format \"raw\" }}\n", sound.display()),
    )
    .unwrap();
    // SAFETY: set before any thread of this test binary reads the environment; this
    // file holds a single test.
    unsafe {
        std::env::set_var("HOME", &home);
        std::env::set_var("XDG_RUNTIME_DIR", &runtime);
        std::env::set_var("XDG_CONFIG_HOME", home.join(".config"));
        std::env::remove_var("SPEECHD_ADDRESS");
    }
}

fn wait(events: &mpsc::Receiver<SpeechEvent>, what: impl Fn(&SpeechEvent) -> bool) -> SpeechEvent {
    loop {
        let e = events.recv_timeout(BOUND * 3).expect("speech never reported");
        if let SpeechEvent::Unavailable { reason } = &e {
            panic!("speech unavailable: {reason}");
        }
        if what(&e) {
            return e;
        }
    }
}

fn stop_daemon(dir: &Path) {
    let pid_file = dir.join("xdg/speech-dispatcher/pid/speech-dispatcher.pid");
    if let Ok(pid) = std::fs::read_to_string(pid_file) {
        let _ = std::process::Command::new("kill").arg(pid.trim()).status();
    }
}

#[test]
fn screens_are_spoken_in_french_and_arabic_for_real() {
    let dir = tempfile::tempdir().unwrap();
    private_speech_env(dir.path());
    let (tx, events) = mpsc::channel();
    let speaker = TtsSpeaker::start(Some(tx));
    let ready = wait(&events, |e| matches!(e, SpeechEvent::Ready { .. }));
    let SpeechEvent::Ready { voices } = ready else { unreachable!() };
    assert!(voices > 6, "espeak-ng offers its voices through speech-dispatcher");

    speaker.speak("fr-FR", "Touchez l'écran pour commencer");
    let chosen = wait(&events, |e| matches!(e, SpeechEvent::VoiceChosen { .. }));
    assert_eq!(chosen, SpeechEvent::VoiceChosen { requested: "fr-FR".into(), chosen: "fr-FR".into() });
    wait(&events, |e| *e == SpeechEvent::Began);
    wait(&events, |e| *e == SpeechEvent::Ended);
    let french = std::fs::metadata(dir.path().join("sound.raw")).map(|m| m.len()).unwrap_or(0);
    assert!(french > 10_000, "no sound reached ALSA ({french} bytes)");

    speaker.speak("ar", "المسوا الشاشة للبدء");
    let chosen = wait(&events, |e| matches!(e, SpeechEvent::VoiceChosen { .. }));
    assert_eq!(chosen, SpeechEvent::VoiceChosen { requested: "ar".into(), chosen: "ar".into() });
    wait(&events, |e| *e == SpeechEvent::Began);
    wait(&events, |e| *e == SpeechEvent::Ended);
    let both = std::fs::metadata(dir.path().join("sound.raw")).map(|m| m.len()).unwrap_or(0);
    assert!(both > french + 10_000, "the Arabic text made no sound");
    stop_daemon(dir.path());
}
