//! Speech: every screen is read aloud in the person's language.
//!
//! `Speaker` is the one interface the UI uses. `TtsSpeaker` speaks through the `tts`
//! crate (speech-dispatcher → espeak-ng) on its own thread, because starting
//! speech-dispatcher is synchronous and slow and must never hold up the first frame.
//! `RecordingSpeaker` keeps what it was asked to say, for tests.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// What was asked to be said, and in which voice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utterance {
    pub voice: String,
    pub text: String,
    /// "Listen again" speaks more slowly than the first time.
    pub slow: bool,
}

pub trait Speaker {
    /// Says `text` in the voice for the language tag `voice` ("fr-FR"), cutting off
    /// whatever was being said: the person has moved on.
    fn speak(&self, voice: &str, text: &str);

    /// The same, more slowly: for "listen again".
    fn speak_slowly(&self, voice: &str, text: &str) {
        self.speak(voice, text);
    }
}

/// Says nothing (speech switched off, or no speech system on this machine).
pub struct SilentSpeaker;

impl Speaker for SilentSpeaker {
    fn speak(&self, _voice: &str, _text: &str) {}
}

/// Records every utterance; clones share the record.
#[derive(Clone, Default)]
pub struct RecordingSpeaker {
    said: Arc<Mutex<Vec<Utterance>>>,
}

impl RecordingSpeaker {
    pub fn utterances(&self) -> Vec<Utterance> {
        self.said.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn last(&self) -> Option<Utterance> {
        self.utterances().pop()
    }

    pub fn clear(&self) {
        if let Ok(mut s) = self.said.lock() {
            s.clear();
        }
    }
}

impl RecordingSpeaker {
    fn record(&self, voice: &str, text: &str, slow: bool) {
        if let Ok(mut s) = self.said.lock() {
            s.push(Utterance { voice: voice.to_owned(), text: text.to_owned(), slow });
        }
    }
}

impl Speaker for RecordingSpeaker {
    fn speak(&self, voice: &str, text: &str) {
        self.record(voice, text, false);
    }

    fn speak_slowly(&self, voice: &str, text: &str) {
        self.record(voice, text, true);
    }
}

/// What the speech thread reports, for tests, benchmarks and health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeechEvent {
    /// Connected to speech-dispatcher; how many voices it offers.
    Ready {
        voices: usize,
    },
    /// Switched to the voice for this language tag (the voice's own tag, such as fr-FR).
    VoiceChosen {
        requested: String,
        chosen: String,
    },
    /// No voice for this language: the text is spoken in the previous voice.
    NoVoice {
        requested: String,
    },
    /// The synthesiser started sounding the utterance.
    Began,
    Ended,
    /// The speech system could not be used; the kiosk stays silent.
    Unavailable {
        reason: String,
    },
}

/// Real speech through speech-dispatcher, on a thread of its own.
pub struct TtsSpeaker {
    tx: mpsc::Sender<Utterance>,
}

impl TtsSpeaker {
    /// Starts the speech thread; speech-dispatcher is contacted there, not here.
    /// `observer`, when given, hears what happens to each utterance.
    pub fn start(observer: Option<mpsc::Sender<SpeechEvent>>) -> TtsSpeaker {
        let (tx, rx) = mpsc::channel::<Utterance>();
        let spawned = std::thread::Builder::new().name("speech".into()).spawn(move || speech_thread(rx, observer));
        if let Err(e) = spawned {
            tracing::error!(cause = %e, "cannot start the speech thread; the kiosk will be silent");
        }
        TtsSpeaker { tx }
    }
}

impl Speaker for TtsSpeaker {
    fn speak(&self, voice: &str, text: &str) {
        // The thread being gone means speech failed to start; that was logged then.
        let _ = self.tx.send(Utterance { voice: voice.to_owned(), text: text.to_owned(), slow: false });
    }

    fn speak_slowly(&self, voice: &str, text: &str) {
        let _ = self.tx.send(Utterance { voice: voice.to_owned(), text: text.to_owned(), slow: true });
    }
}

fn speech_thread(rx: mpsc::Receiver<Utterance>, observer: Option<mpsc::Sender<SpeechEvent>>) {
    let tell = move |e: SpeechEvent| {
        if let Some(o) = &observer {
            let _ = o.send(e);
        }
    };
    let mut tts = match tts::Tts::default() {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(cause = %e, "speech system unavailable; the kiosk will be silent");
            tell(SpeechEvent::Unavailable { reason: e.to_string() });
            return;
        }
    };
    let voices = tts.voices().unwrap_or_default();
    tell(SpeechEvent::Ready { voices: voices.len() });
    let begin = tell.clone();
    let end = tell.clone();
    // Callbacks are optional: without them speech still works, only unobserved.
    let _ = tts.on_utterance_begin(Some(Box::new(move |_| begin(SpeechEvent::Began))));
    let _ = tts.on_utterance_end(Some(Box::new(move |_| end(SpeechEvent::Ended))));
    let mut current_voice = String::new();
    let normal = tts.normal_rate();
    // Slower, but not so slow that words fall apart: 40% of the way to the slowest rate.
    let slow = normal - (normal - tts.min_rate()) * 0.4;
    while let Ok(mut next) = rx.recv() {
        // Only the newest request matters when several queued up.
        while let Ok(newer) = rx.try_recv() {
            next = newer;
        }
        if next.voice != current_voice {
            match pick_voice(&voices, &next.voice) {
                Some(v) => match tts.set_voice(v) {
                    Ok(()) => tell(SpeechEvent::VoiceChosen {
                        requested: next.voice.clone(),
                        chosen: v.language().to_string(),
                    }),
                    Err(e) => tracing::warn!(cause = %e, voice = next.voice, "cannot switch voice"),
                },
                None => {
                    tracing::warn!(voice = next.voice, "no voice for this language");
                    tell(SpeechEvent::NoVoice { requested: next.voice.clone() });
                }
            }
            current_voice = next.voice.clone();
        }
        if let Err(e) = tts.set_rate(if next.slow { slow } else { normal }) {
            tracing::debug!(cause = %e, "cannot set the speech rate");
        }

        if let Err(e) = tts.speak(next.text, true) {
            tracing::warn!(cause = %e, "speech failed");
        }
    }
}

/// The voice whose language tag matches exactly (fr-FR, not the fr-BE that
/// speech-dispatcher lists first), else one of the same primary language; the plain
/// voice rather than one of espeak's "+variant" ones.
fn pick_voice<'a>(voices: &'a [tts::Voice], tag: &str) -> Option<&'a tts::Voice> {
    let primary = tag.split('-').next().unwrap_or(tag);
    let plain = |v: &&tts::Voice| !v.name().contains('+');
    let exact = |v: &&tts::Voice| v.language().as_str().eq_ignore_ascii_case(tag);
    let same_language = |v: &&tts::Voice| v.language().primary_language().eq_ignore_ascii_case(primary);
    (voices.iter().find(|v| exact(v) && plain(v)))
        .or_else(|| voices.iter().find(exact))
        .or_else(|| voices.iter().find(|v| same_language(v) && plain(v)))
        .or_else(|| voices.iter().find(same_language))
}
