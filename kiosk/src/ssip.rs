//! A small client for speech-dispatcher's own protocol, SSIP (a line protocol over its
//! Unix socket), used by the speech thread.
//!
//! Why not the `tts` crate, which the kiosk first used: through it (and libspeechd's
//! threaded mode underneath) the first sound came 1.4–1.5 s after the request for most
//! utterances, while the same daemon answers SSIP's SPEAK with a "begin" event in 1–6 ms
//! (measured both ways on the same private speech-dispatcher; see BENCHMARKS.md). The
//! goal is 150 ms. Why not the `ssip-client` crate: its blocking client reads replies and
//! events from one stream in order, and an event arriving while a reply is awaited is
//! taken for the reply. Here a reader thread sorts the two.
//!
//! Protocol: every reply is one or more lines `NNN-text` ended by `NNN text`; events are
//! replies with codes 700–705 that arrive on their own once notifications are on; a
//! message to speak follows `SPEAK`, ends with a line holding one dot, and a line of
//! its own that starts with a dot gets a second one.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long a reply may take before the daemon is taken for dead.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum SsipError {
    #[error("cannot reach speech-dispatcher at {path}: {source}")]
    Connect { path: PathBuf, source: std::io::Error },
    #[error("cannot start speech-dispatcher: {0}")]
    Spawn(std::io::Error),
    #[error("speech-dispatcher connection lost: {0}")]
    Io(#[from] std::io::Error),
    #[error("speech-dispatcher stopped answering")]
    NoReply,
    #[error("speech-dispatcher refused {command}: {code} {text}")]
    Refused { command: &'static str, code: u16, text: String },
}

/// One complete reply: its code, and the text of each of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

/// What speech-dispatcher reports about a message once notifications are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Begin,
    End,
    Cancelled,
}

/// A synthesis voice as speech-dispatcher lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voice {
    pub name: String,
    pub language: String,
    pub variant: String,
}

pub struct Connection {
    writer: UnixStream,
    replies: mpsc::Receiver<Reply>,
}

/// Where speech-dispatcher listens: `SPEECHD_ADDRESS` when it names a Unix socket,
/// else its default under `XDG_RUNTIME_DIR`.
pub fn socket_path() -> PathBuf {
    if let Ok(address) = std::env::var("SPEECHD_ADDRESS")
        && let Some(path) = address.strip_prefix("unix_socket:")
    {
        return PathBuf::from(path);
    }
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    runtime.join("speech-dispatcher/speechd.sock")
}

impl Connection {
    /// Connects, starting speech-dispatcher first when nothing listens, as libspeechd
    /// does (`--spawn` makes it exit on its own once no client is left). `notices`
    /// receives the begin/end/cancel events of this connection's messages.
    pub fn open(path: &Path, notices: impl Fn(Notice) + Send + 'static) -> Result<Connection, SsipError> {
        let stream = match UnixStream::connect(path) {
            Ok(s) => s,
            Err(_) => {
                spawn_daemon(path)?;
                UnixStream::connect(path).map_err(|source| SsipError::Connect { path: path.to_owned(), source })?
            }
        };
        let reader = BufReader::new(stream.try_clone()?);
        let (reply_tx, replies) = mpsc::channel();
        std::thread::Builder::new().name("ssip-reader".into()).spawn(move || read_loop(reader, reply_tx, notices))?;
        let mut c = Connection { writer: stream, replies };
        c.command("SET self CLIENT_NAME guichet:kiosk:main", "CLIENT_NAME")?;
        c.command("SET self NOTIFICATION ALL on", "NOTIFICATION")?;
        // Text priority: a new screen's words cut off the old ones with CANCEL, and
        // nothing else on the kiosk speaks.
        c.command("SET self PRIORITY text", "PRIORITY")?;
        Ok(c)
    }

    /// Sends one command line and waits for its reply, refusing 3xx/4xx/5xx codes.
    pub fn command(&mut self, line: &str, name: &'static str) -> Result<Reply, SsipError> {
        self.writer.write_all(format!("{line}\r\n").as_bytes())?;
        self.reply(name)
    }

    fn reply(&mut self, name: &'static str) -> Result<Reply, SsipError> {
        let reply = self.replies.recv_timeout(REPLY_TIMEOUT).map_err(|_| SsipError::NoReply)?;
        if reply.code >= 300 {
            let text = reply.lines.last().cloned().unwrap_or_default();
            return Err(SsipError::Refused { command: name, code: reply.code, text });
        }
        Ok(reply)
    }

    pub fn voices(&mut self) -> Result<Vec<Voice>, SsipError> {
        let reply = self.command("LIST SYNTHESIS_VOICES", "LIST SYNTHESIS_VOICES")?;
        Ok(parse_voices(&reply))
    }

    pub fn set_voice(&mut self, name: &str) -> Result<(), SsipError> {
        self.command(&format!("SET self SYNTHESIS_VOICE {name}"), "SYNTHESIS_VOICE").map(drop)
    }

    /// Rate from -100 (slowest) to 100; 0 is the voice's normal rate.
    pub fn set_rate(&mut self, rate: i32) -> Result<(), SsipError> {
        self.command(&format!("SET self RATE {}", rate.clamp(-100, 100)), "RATE").map(drop)
    }

    /// Stops what this connection is saying and drops what it had queued.
    pub fn cancel(&mut self) -> Result<(), SsipError> {
        self.command("CANCEL self", "CANCEL").map(drop)
    }

    pub fn speak(&mut self, text: &str) -> Result<(), SsipError> {
        self.command("SPEAK", "SPEAK")?;
        self.writer.write_all(escape_message(text).as_bytes())?;
        self.reply("SPEAK").map(drop)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let _ = self.writer.write_all(b"QUIT\r\n");
        let _ = self.writer.shutdown(std::net::Shutdown::Both);
    }
}

fn spawn_daemon(path: &Path) -> Result<(), SsipError> {
    let status = std::process::Command::new("speech-dispatcher")
        .args(["--spawn", "--communication-method", "unix_socket", "--socket-path"])
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(SsipError::Spawn)?;
    // With --spawn the command returns once the daemon listens (or another one won the
    // race); a failure status still lets the connect that follows tell what went wrong.
    if !status.success() {
        tracing::warn!(%status, "speech-dispatcher --spawn reported a failure");
    }
    Ok(())
}

/// The message as SSIP wants it: CRLF line ends, a leading dot doubled, a lone dot to end.
pub fn escape_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.lines() {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(".\r\n");
    out
}

fn parse_voices(reply: &Reply) -> Vec<Voice> {
    // Every line but the closing "OK VOICE LIST SENT" is "name\tlanguage\tvariant".
    let body = &reply.lines[..reply.lines.len().saturating_sub(1)];
    body.iter()
        .filter_map(|l| {
            let mut parts = l.split('\t');
            let name = parts.next()?.to_owned();
            let language = parts.next()?.to_owned();
            let variant = parts.next().unwrap_or("none").to_owned();
            Some(Voice { name, language, variant })
        })
        .collect()
}

/// Splits the stream into replies and events until the daemon hangs up.
fn read_loop(mut input: impl BufRead, replies: mpsc::Sender<Reply>, notices: impl Fn(Notice)) {
    let mut pending: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let Some((code, last, text)) = split_line(&line) else {
            tracing::warn!("speech-dispatcher sent a line that is not SSIP");
            continue;
        };
        pending.push(text.to_owned());
        if !last {
            continue;
        }
        let reply = Reply { code, lines: std::mem::take(&mut pending) };
        let notice = match code {
            701 => Some(Notice::Begin),
            702 => Some(Notice::End),
            703 => Some(Notice::Cancelled),
            700..=799 => None, // index marks, pause, resume: not used by the kiosk
            _ => {
                if replies.send(reply).is_err() {
                    return;
                }
                continue;
            }
        };
        if let Some(n) = notice {
            notices(n);
        }
    }
}

/// `"225-12\r\n"` → (225, false, "12"); `"225 OK MESSAGE QUEUED"` → (225, true, …).
fn split_line(line: &str) -> Option<(u16, bool, &str)> {
    let line = line.trim_end_matches(['\r', '\n']);
    let code = line.get(..3)?.parse().ok()?;
    let last = match line.as_bytes().get(3) {
        Some(b' ') | None => true,
        Some(b'-') => false,
        Some(_) => return None,
    };
    Some((code, last, line.get(4..).unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_and_events_are_told_apart_even_when_interleaved() {
        let stream = "701-5\r\n701-1\r\n701 BEGIN\r\n249-French (France)\tfr-FR\tnone\r\n\
                      249-Arabic\tar\tnone\r\n249 OK VOICE LIST SENT\r\n702-5\r\n702-1\r\n702 END\r\n";
        let (rtx, rrx) = mpsc::channel();
        let (ntx, nrx) = mpsc::channel();
        read_loop(stream.as_bytes(), rtx, move |n| ntx.send(n).unwrap());
        let reply = rrx.try_recv().unwrap();
        assert_eq!(reply.code, 249);
        let voices = parse_voices(&reply);
        assert_eq!(
            voices[0],
            Voice { name: "French (France)".into(), language: "fr-FR".into(), variant: "none".into() }
        );
        assert_eq!(voices.len(), 2);
        assert!(rrx.try_recv().is_err(), "events are not replies");
        assert_eq!(nrx.try_iter().collect::<Vec<_>>(), vec![Notice::Begin, Notice::End]);
    }

    #[test]
    fn a_line_starting_with_a_dot_cannot_end_the_message_early() {
        assert_eq!(escape_message("Bonjour\n.\n...ok"), "Bonjour\r\n..\r\n....ok\r\n.\r\n");
        assert_eq!(escape_message(""), ".\r\n");
    }

    #[test]
    fn garbage_lines_are_skipped_not_taken_for_replies() {
        let (rtx, rrx) = mpsc::channel();
        read_loop("hello\r\n2x0 no\r\n208 OK ALL CANCELED\r\n".as_bytes(), rtx, |_| {});
        assert_eq!(rrx.try_iter().map(|r| r.code).collect::<Vec<_>>(), vec![208]);
    }
}
