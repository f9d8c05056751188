//! Crash recovery, as systemd's `Restart=always` would do it, 100 times each way:
//!
//! - the agent killed (-9) mid-session: started again, it has wiped the session folder
//!   before it accepts anyone, and the kiosk (a real window under Xvfb) is back on its
//!   attract screen, reconnected, within 2 seconds of the restart;
//! - the kiosk killed (-9) mid-session (a tap on its attract screen opened one): the agent
//!   wipes the session when the connection drops, and the new kiosk is on a clean attract
//!   screen within 2 seconds of its start.
//!
//! It also checks that the kiosk tells systemd it is ready and pings the watchdog.

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, AgentStatus, ClientMessage, SessionState};
use guichet_tests::xvfb::Xvfb;
use guichet_tests::{AgentProcess, BOUND, bin};

const ROUNDS: usize = 100;
const WITHIN: Duration = Duration::from_secs(2);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// The agent's status, or None while it does not answer.
fn status(rt: &tokio::runtime::Runtime, socket: &Path) -> Option<AgentStatus> {
    rt.block_on(async {
        let mut client = tokio::time::timeout(BOUND, Client::connect(socket, "test")).await.ok()?.ok()?;
        match client.request(&ClientMessage::GetStatus { id: 1 }, |_| {}).await.ok()? {
            AgentMessage::Status { status, .. } => Some(status),
            _ => None,
        }
    })
}

/// Polls `check` until it holds, for at most `BOUND`; returns how long it took.
fn wait_for(what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < BOUND, "{what}: not within {BOUND:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
    start.elapsed()
}

/// The kiosk is on a clean attract screen: its latest heartbeat, on a live connection,
/// says so, and it came after `since`.
fn kiosk_on_attract(status: &AgentStatus, since: Instant) -> bool {
    status.kiosk.as_ref().is_some_and(|k| {
        k.connected && k.screen == "attract" && Instant::now() - Duration::from_millis(k.age_ms) >= since
    }) && status.state == SessionState::Idle
}

fn spawn_kiosk(socket: &Path, display: &str, notify: Option<&Path>) -> Child {
    let mut kiosk = Command::new(bin("kiosk"));
    kiosk
        .arg("--socket")
        .arg(socket)
        .args(["--speech", "off"])
        .env("DISPLAY", display)
        .env("SLINT_BACKEND", "winit-software")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(path) = notify {
        kiosk.env("NOTIFY_SOCKET", path).env("WATCHDOG_USEC", "1000000");
    }
    kiosk.spawn().expect("spawn kiosk")
}

fn kill9(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn session_folders(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("run/session")).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default()
}

#[test]
fn killed_a_hundred_times_each_the_agent_and_the_kiosk_come_back_clean() {
    let xvfb = match Xvfb::start() {
        Ok(x) => x,
        Err(e) => panic!("{e}"),
    };
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("run/agent.sock");
    let mut agent = AgentProcess::spawn(dir.path());
    agent.wait_log("ready");

    // The kiosk, under a watchdog as systemd would run it.
    let notify_path = dir.path().join("notify.sock");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify.set_read_timeout(Some(BOUND)).unwrap();
    let mut kiosk = spawn_kiosk(&socket, &xvfb.display, Some(&notify_path));
    let mut said = Vec::new();
    while said.iter().filter(|s: &&String| s.contains("WATCHDOG=1")).count() < 2 {
        let mut buf = [0u8; 256];
        let n = notify.recv(&mut buf).expect("the kiosk stopped talking to its watchdog");
        said.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert!(said[0].contains("READY=1"), "READY=1 comes first: {said:?}");
    // Read on as systemd would: unread, the socket's buffer fills and the pings block.
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while notify.recv(&mut buf).is_ok() {}
    });
    let started = Instant::now();
    wait_for("the first kiosk on attract", || status(&rt, &socket).is_some_and(|s| kiosk_on_attract(&s, started)));

    // The agent, killed mid-session.
    let mut slowest = Duration::ZERO;
    for round in 0..ROUNDS {
        let AgentMessage::SessionStarted { folder, .. } = rt.block_on(async {
            let mut client = Client::connect(&socket, "test").await.unwrap();
            let reply = client.request(&ClientMessage::StartSession { id: 1 }, |_| {}).await.unwrap();
            // Dropping the connection would wipe it: keep the socket open until the kill.
            std::mem::forget(client);
            reply
        }) else {
            panic!("round {round}: no session")
        };
        std::fs::write(Path::new(&folder).join("scans/page-1.jpg"), b"a citizen's page").unwrap();
        agent.kill9();
        assert!(Path::new(&folder).exists(), "killed, the agent could not have wiped it");

        let restarted = Instant::now();
        agent = AgentProcess::spawn(dir.path());
        let took = wait_for("the agent back with the kiosk on attract", || {
            status(&rt, &socket).is_some_and(|s| kiosk_on_attract(&s, restarted))
        });
        assert!(session_folders(dir.path()).is_empty(), "round {round}: a session survived: {folder}");
        assert!(took <= WITHIN, "round {round}: {took:?} after the agent's restart");
        slowest = slowest.max(took);
    }
    eprintln!("agent killed {ROUNDS} times: kiosk on attract and session wiped at most {slowest:?} after restart");

    // The kiosk, killed mid-session.
    let mut slowest = Duration::ZERO;
    for round in 0..ROUNDS {
        // A tap on the attract screen opens a session, as a visitor's would. Tapped again
        // if the new window was not yet mapped when its first heartbeat went out.
        let start = Instant::now();
        while status(&rt, &socket).is_none_or(|s| s.state != SessionState::InSession) {
            assert!(start.elapsed() < BOUND, "round {round}: tapping the attract screen opened no session");
            xvfb.tap(640, 400).unwrap();
            std::thread::sleep(Duration::from_millis(100));
        }
        let folders = session_folders(dir.path());
        assert_eq!(folders.len(), 1);
        kill9(&mut kiosk);

        let restarted = Instant::now();
        kiosk = spawn_kiosk(&socket, &xvfb.display, None);
        let took = wait_for("the new kiosk on a clean attract screen", || {
            status(&rt, &socket).is_some_and(|s| kiosk_on_attract(&s, restarted))
        });
        assert!(!folders[0].exists(), "round {round}: the killed kiosk's session survived");
        assert!(took <= WITHIN, "round {round}: {took:?} after the kiosk's restart");
        slowest = slowest.max(took);
    }
    eprintln!("kiosk killed {ROUNDS} times: back on attract, session wiped, at most {slowest:?} after restart");
    kill9(&mut kiosk);
    let counters = status(&rt, &socket).unwrap().counters;
    assert!(counters.sessions_wiped >= ROUNDS as u64, "{counters:?}");
}
