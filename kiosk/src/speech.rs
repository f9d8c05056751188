//! Speech: every screen is read aloud in the person's language.
//!
//! `Speaker` is the one interface the UI uses. `DispatcherSpeaker` speaks through
//! speech-dispatcher (→ espeak-ng) on its own thread, because starting speech-dispatcher
//! is synchronous and slow and must never hold up the first frame; `ssip` says why it
//! talks the daemon's protocol itself.
//! `RecordingSpeaker` keeps what it was asked to say, for tests.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use crate::ssip;

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
    /// Cut off by the next utterance.
    Cancelled,
    /// The speech system could not be used; the kiosk stays silent.
    Unavailable {
        reason: String,
    },
}

/// Real speech through speech-dispatcher, on a thread of its own.
pub struct DispatcherSpeaker {
    tx: mpsc::Sender<Utterance>,
}

impl DispatcherSpeaker {
    /// Starts the speech thread; speech-dispatcher is contacted there, not here.
    /// `observer`, when given, hears what happens to each utterance.
    pub fn start(observer: Option<mpsc::Sender<SpeechEvent>>) -> DispatcherSpeaker {
        let (tx, rx) = mpsc::channel::<Utterance>();
        let spawned = std::thread::Builder::new().name("speech".into()).spawn(move || speech_thread(rx, observer));
        if let Err(e) = spawned {
            tracing::error!(cause = %e, "cannot start the speech thread; the kiosk will be silent");
        }
        DispatcherSpeaker { tx }
    }
}

impl Speaker for DispatcherSpeaker {
    fn speak(&self, voice: &str, text: &str) {
        // The thread being gone means speech failed to start; that was logged then.
        let _ = self.tx.send(Utterance { voice: voice.to_owned(), text: text.to_owned(), slow: false });
    }

    fn speak_slowly(&self, voice: &str, text: &str) {
        let _ = self.tx.send(Utterance { voice: voice.to_owned(), text: text.to_owned(), slow: true });
    }
}

/// Slower for "listen again", but not so slow that words fall apart.
const SLOW_RATE: i32 = -40;

fn speech_thread(rx: mpsc::Receiver<Utterance>, observer: Option<mpsc::Sender<SpeechEvent>>) {
    let tell = move |e: SpeechEvent| {
        if let Some(o) = &observer {
            let _ = o.send(e);
        }
    };
    let on_notice = tell.clone();
    let opened = ssip::Connection::open(&ssip::socket_path(), move |n| {
        on_notice(match n {
            ssip::Notice::Begin => SpeechEvent::Began,
            ssip::Notice::End => SpeechEvent::Ended,
            ssip::Notice::Cancelled => SpeechEvent::Cancelled,
        })
    });
    let (mut conn, voices) = match opened.and_then(|mut c| c.voices().map(|v| (c, v))) {
        Ok(both) => both,
        Err(e) => {
            tracing::error!(cause = %e, "speech system unavailable; the kiosk will be silent");
            tell(SpeechEvent::Unavailable { reason: e.to_string() });
            return;
        }
    };
    tell(SpeechEvent::Ready { voices: voices.len() });
    let mut current_voice = String::new();
    let mut current_rate = 0;
    while let Ok(mut next) = rx.recv() {
        // Only the newest request matters when several queued up.
        while let Ok(newer) = rx.try_recv() {
            next = newer;
        }
        if let Err(e) = say(&mut conn, &voices, &mut current_voice, &mut current_rate, &next, &tell) {
            // Logged without the text: it may hold what the person typed.
            tracing::warn!(cause = %e, "speech failed");
            if matches!(e, ssip::SsipError::Io(_) | ssip::SsipError::NoReply) {
                tell(SpeechEvent::Unavailable { reason: e.to_string() });
                return;
            }
        }
    }
}

/// Cuts off what was being said, then says `next`; voice and rate are only sent when
/// they change, since every command is a round trip before the first sound.
fn say(
    conn: &mut ssip::Connection,
    voices: &[ssip::Voice],
    current_voice: &mut String,
    current_rate: &mut i32,
    next: &Utterance,
    tell: &impl Fn(SpeechEvent),
) -> Result<(), ssip::SsipError> {
    conn.cancel()?;
    if next.voice != *current_voice {
        match pick_voice(voices, &next.voice) {
            Some(v) => {
                conn.set_voice(&v.name)?;
                tell(SpeechEvent::VoiceChosen { requested: next.voice.clone(), chosen: v.language.clone() });
            }
            None => {
                tracing::warn!(voice = next.voice, "no voice for this language");
                tell(SpeechEvent::NoVoice { requested: next.voice.clone() });
            }
        }
        *current_voice = next.voice.clone();
    }
    let rate = if next.slow { SLOW_RATE } else { 0 };
    if rate != *current_rate {
        conn.set_rate(rate)?;
        *current_rate = rate;
    }
    conn.speak(&next.text)
}

/// The voice whose language tag matches exactly (fr-FR, not the fr-BE that
/// speech-dispatcher lists first), else one of the same primary language; the plain
/// voice rather than one of espeak's "+variant" ones.
fn pick_voice<'a>(voices: &'a [ssip::Voice], tag: &str) -> Option<&'a ssip::Voice> {
    let primary = tag.split('-').next().unwrap_or(tag);
    let plain = |v: &&ssip::Voice| !v.name.contains('+');
    let exact = |v: &&ssip::Voice| v.language.eq_ignore_ascii_case(tag);
    let same_language =
        |v: &&ssip::Voice| v.language.split('-').next().is_some_and(|p| p.eq_ignore_ascii_case(primary));
    (voices.iter().find(|v| exact(v) && plain(v)))
        .or_else(|| voices.iter().find(exact))
        .or_else(|| voices.iter().find(|v| same_language(v) && plain(v)))
        .or_else(|| voices.iter().find(same_language))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(name: &str, language: &str) -> ssip::Voice {
        ssip::Voice { name: name.into(), language: language.into(), variant: "none".into() }
    }

    #[test]
    fn the_exact_plain_voice_wins_over_variants_and_neighbours() {
        let voices = [
            voice("French (Belgium)", "fr-BE"),
            voice("French (France)+Adam", "fr-FR"),
            voice("French (France)", "fr-FR"),
            voice("Arabic", "ar"),
            voice("English (Great Britain)", "en-GB"),
        ];
        assert_eq!(pick_voice(&voices, "fr-FR").unwrap().name, "French (France)");
        assert_eq!(pick_voice(&voices, "ar").unwrap().name, "Arabic");
        assert_eq!(pick_voice(&voices, "en").unwrap().name, "English (Great Britain)");
        assert!(pick_voice(&voices, "tr").is_none());
    }
}
