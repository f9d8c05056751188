//! Real speech: the kiosk's `DispatcherSpeaker` speaking SSIP to a private
//! speech-dispatcher (autospawned exactly as on the device) and espeak-ng, with ALSA
//! writing the sound to a file since these machines have no sound card.

use std::sync::mpsc;

use guichet_kiosk::speech::{DispatcherSpeaker, Speaker, SpeechEvent};
use guichet_tests::BOUND;

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

#[test]
fn screens_are_spoken_in_french_and_arabic_for_real() {
    let dir = tempfile::tempdir().unwrap();
    guichet_tests::private_speech_env(dir.path());
    let (tx, events) = mpsc::channel();
    let speaker = DispatcherSpeaker::start(Some(tx));
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
    guichet_tests::stop_speech_daemon(dir.path());
}
