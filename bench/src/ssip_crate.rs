//! The same speaker as the kiosk's, written on the `ssip-client-async` crate (its blocking
//! client, default features) instead of `kiosk/src/ssip.rs`, so the two can be timed side
//! by side against one speech-dispatcher. It sends what the kiosk sends: client name,
//! notifications, priority, the voice list once, then per utterance a cancel, the voice
//! when it changes, and the text.

use std::sync::mpsc;
use std::thread;

use guichet_kiosk::speech::SpeechEvent;
use ssip_client_async::{ClientName, ClientScope, MessageScope, NotificationType, OK_CANCELED, Priority, fifo};

pub struct CrateSpeaker {
    tx: mpsc::Sender<(String, String)>,
}

impl CrateSpeaker {
    /// Connects to the speech-dispatcher at `socket` (already running) on a thread of its
    /// own; `events` hears Ready, Began and Ended as the kiosk's speaker tells them.
    pub fn start(socket: std::path::PathBuf, events: mpsc::Sender<SpeechEvent>) -> CrateSpeaker {
        let (tx, rx) = mpsc::channel::<(String, String)>();
        thread::spawn(move || {
            if let Err(e) = run(&socket, &rx, &events) {
                let _ = events.send(SpeechEvent::Unavailable { reason: e.to_string() });
            }
        });
        CrateSpeaker { tx }
    }

    pub fn speak(&self, voice: &str, text: &str) {
        let _ = self.tx.send((voice.to_owned(), text.to_owned()));
    }
}

fn run(
    socket: &std::path::Path,
    rx: &mpsc::Receiver<(String, String)>,
    events: &mpsc::Sender<SpeechEvent>,
) -> anyhow::Result<()> {
    let mut client = fifo::synchronous::Builder::new().path(socket).build()?;
    client.set_client_name(ClientName::with_component("guichet", "bench", "crate"))?.check_client_name_set()?;
    client.set_notification(NotificationType::All, true)?.receive()?;
    client.set_priority(Priority::Text)?.receive()?;
    let voices = client.list_synthesis_voices()?.receive_synthesis_voices()?;
    events.send(SpeechEvent::Ready { voices: voices.len() })?;
    let mut current = String::new();
    while let Ok((voice, text)) = rx.recv() {
        client.cancel(MessageScope::Last)?.check_status(OK_CANCELED)?;
        if voice != current {
            let primary = voice.split('-').next().unwrap_or(&voice);
            let plain = |v: &&ssip_client_async::SynthesisVoice| !v.name.contains('+');
            let language = |v: &&ssip_client_async::SynthesisVoice| v.language.clone().unwrap_or_default();
            let chosen = (voices.iter().find(|v| plain(v) && language(v).eq_ignore_ascii_case(&voice)))
                .or_else(|| voices.iter().find(|v| plain(v) && language(v).split('-').next() == Some(primary)));
            if let Some(v) = chosen {
                client.set_synthesis_voice(ClientScope::Current, &v.name)?.receive()?;
            }
            current = voice;
        }
        client.speak()?.check_receiving_data()?.send_line(&text)?.receive_message_id()?;
        // The blocking client reads events in turn on the same stream as replies; with one
        // utterance at a time nothing else can come between.
        loop {
            let event = client.receive_event()?;
            match event.ntype {
                ssip_client_async::EventType::Begin => events.send(SpeechEvent::Began)?,
                ssip_client_async::EventType::End => {
                    events.send(SpeechEvent::Ended)?;
                    break;
                }
                ssip_client_async::EventType::Cancel => break,
                _ => {}
            }
        }
    }
    Ok(())
}
