//! Hostile and broken clients: every bad frame is refused with its code, the connections
//! that must close do, and the agent keeps serving a well-behaved client throughout.

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, ErrorCode, MAX_FRAME_LEN};
use guichet_tests::{BOUND, TestAgent, next_msg};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut f = (body.len() as u32).to_le_bytes().to_vec();
    f.extend_from_slice(body);
    f
}

async fn greeted(agent: &TestAgent) -> UnixStream {
    let mut s = UnixStream::connect(agent.socket()).await.unwrap();
    s.write_all(&frame(br#"{"type":"hello","protocol":1,"client":"test"}"#)).await.unwrap();
    assert!(matches!(next_msg(&mut s).await, AgentMessage::Welcome { protocol: 1, .. }));
    s
}

fn code_of(msg: AgentMessage) -> (Option<u64>, ErrorCode) {
    match msg {
        AgentMessage::Error { id, code, .. } => (id, code),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// After a fatal error the agent must close: the next read sees end of file.
async fn assert_closed(s: &mut UnixStream) {
    let mut buf = [0u8; 1];
    let n = tokio::time::timeout(BOUND, s.read(&mut buf)).await.expect("agent kept the connection").unwrap_or(0);
    assert_eq!(n, 0, "connection still open");
}

async fn still_serving(good: &mut Client, id: u64) {
    let reply = good.request(&ClientMessage::Ping { id }, |_| {}).await.unwrap();
    assert_eq!(reply, AgentMessage::Pong { id });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_frame_gets_its_code_and_others_are_still_served() {
    let agent = TestAgent::start(|_| {});
    let mut good = Client::connect(&agent.socket(), "good").await.unwrap();

    // Over the limit: refused on the prefix alone, then closed.
    let mut s = greeted(&agent).await;
    s.write_all(&(MAX_FRAME_LEN + 1).to_le_bytes()).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await), (None, ErrorCode::FrameTooLarge));
    assert_closed(&mut s).await;
    still_serving(&mut good, 1).await;

    // A 4 GiB claim is no different.
    let mut s = greeted(&agent).await;
    s.write_all(&u32::MAX.to_le_bytes()).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await), (None, ErrorCode::FrameTooLarge));
    assert_closed(&mut s).await;

    // Zero length.
    let mut s = greeted(&agent).await;
    s.write_all(&[0, 0, 0, 0]).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await), (None, ErrorCode::BadLength));
    assert_closed(&mut s).await;
    still_serving(&mut good, 2).await;

    // Bad JSON, unknown type, bad fields: refused, connection kept.
    let mut s = greeted(&agent).await;
    s.write_all(&frame(b"{\"type\": \"ping\", \"id\": ")).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await), (None, ErrorCode::BadJson));
    s.write_all(&frame(br#"{"type":"format_disk","id":7}"#)).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await), (Some(7), ErrorCode::UnknownType));
    s.write_all(&frame(br#"{"type":"end_session","id":8,"reason":"bored"}"#)).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await), (Some(8), ErrorCode::BadRequest));
    s.write_all(&frame(br#"{"type":"ping","id":9}"#)).await.unwrap();
    assert_eq!(next_msg(&mut s).await, AgentMessage::Pong { id: 9 });
    still_serving(&mut good, 3).await;

    // A body that is exactly at the limit is read whole, then refused as JSON.
    let mut big = vec![b' '; MAX_FRAME_LEN as usize];
    big[0] = b'[';
    s.write_all(&frame(&big)).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await), (None, ErrorCode::BadJson));
    s.write_all(&frame(br#"{"type":"ping","id":10}"#)).await.unwrap();
    assert_eq!(next_msg(&mut s).await, AgentMessage::Pong { id: 10 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_rules() {
    let agent = TestAgent::start(|_| {});
    let mut good = Client::connect(&agent.socket(), "good").await.unwrap();

    // A request before hello is refused; the connection may still say hello after.
    let mut s = UnixStream::connect(agent.socket()).await.unwrap();
    s.write_all(&frame(br#"{"type":"start_session","id":1}"#)).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await), (Some(1), ErrorCode::HelloRequired));
    s.write_all(&frame(br#"{"type":"hello","protocol":1}"#)).await.unwrap();
    assert!(matches!(next_msg(&mut s).await, AgentMessage::Welcome { .. }));
    // A second hello is out of place.
    s.write_all(&frame(br#"{"type":"hello","protocol":1}"#)).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await).1, ErrorCode::NotAllowedInState);

    // Another version: refused and closed.
    let mut s = UnixStream::connect(agent.socket()).await.unwrap();
    s.write_all(&frame(br#"{"type":"hello","protocol":99,"client":"future"}"#)).await.unwrap();
    assert_eq!(code_of(next_msg(&mut s).await), (None, ErrorCode::VersionMismatch));
    assert_closed(&mut s).await;

    // A client that vanishes mid-frame harms nobody.
    let mut s = UnixStream::connect(agent.socket()).await.unwrap();
    s.write_all(&[50, 0, 0, 0, b'{']).await.unwrap();
    drop(s);
    still_serving(&mut good, 4).await;
}

#[test]
fn agentctl_speaks_the_same_protocol() {
    let agent = TestAgent::start(|_| {});
    let run = |args: &[&str]| {
        let out = std::process::Command::new(guichet_tests::bin("agentctl"))
            .arg("--socket")
            .arg(agent.socket())
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (ok, out) = run(&["status"]);
    assert!(ok, "{out}");
    assert!(out.contains("state: Idle"), "{out}");
    assert!(out.contains("printer: ready (simulated)"), "{out}");
    // `start` ends its session when stdin closes, and shows the receipt.
    let (ok, out) = run(&["start"]);
    assert!(ok, "{out}");
    assert!(out.contains("open in"), "{out}");
    assert!(out.contains("wiped (Completed)"), "{out}");
    // `end` with nothing open is refused with a non-zero exit.
    let (ok, out) = run(&["end"]);
    assert!(!ok);
    assert!(out.contains("NotAllowedInState"), "{out}");
    let (ok, out) = run(&["--json", "wipe"]);
    assert!(ok, "{out}");
    assert!(out.contains(r#""type":"ack""#), "{out}");
    let (_, out) = run(&["status"]);
    assert!(out.contains("sessions: 1 started, 1 completed, 0 abandoned, 1 wiped"), "{out}");
    // hash-pin turns a PIN read on stdin into a config line; too short a PIN is refused.
    let hash = |pin: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(guichet_tests::bin("agentctl"))
            .arg("hash-pin")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(pin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (ok, line) = hash("2468\n");
    assert!(ok && line.starts_with("mediator_pin_hash = \"$argon2id$"), "{line}");
    assert!(!line.contains("2468"), "the PIN itself must not be printed");
    assert!(!hash("12\n").0);
}
