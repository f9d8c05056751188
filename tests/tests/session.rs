//! A session end to end: the real agent, the kiosk's real link, real files on disk.

use std::path::PathBuf;
use std::sync::mpsc;

use guichet_kiosk::agent_link::Link;
use guichet_kiosk::commands::{Command, Event};
use guichet_kiosk::view::ScreenContent;
use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, ErrorCode, WipeReceipt};
use guichet_tests::{AgentProcess, BOUND, TestAgent};

/// The kiosk's link, with its events delivered to a channel instead of the UI.
fn kiosk_link(socket: PathBuf) -> (Link, mpsc::Receiver<Event>) {
    let (tx, rx) = mpsc::channel();
    let link = Link::start(socket, move |ev| {
        let _ = tx.send(ev);
    });
    (link, rx)
}

fn next_agent_msg(rx: &mpsc::Receiver<Event>) -> AgentMessage {
    loop {
        match rx.recv_timeout(BOUND).expect("no event from the link in time") {
            Event::Agent(msg) => return msg,
            Event::Connected | Event::Site(_) | Event::PrintFailed => continue,
            Event::Disconnected => panic!("link lost the agent"),
        }
    }
}

fn expect_connected(rx: &mpsc::Receiver<Event>) {
    loop {
        match rx.recv_timeout(BOUND).expect("link never connected") {
            Event::Connected => return,
            Event::Disconnected => continue, // retried until the agent answers
            // What the welcome said of the fleet's message and content comes first.
            Event::Site(_)
            | Event::Agent(AgentMessage::AttractMessage { .. } | AgentMessage::ContentChanged { .. }) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn start_session(link: &Link, rx: &mpsc::Receiver<Event>) -> PathBuf {
    link.send(Command::StartSession);
    match next_agent_msg(rx) {
        AgentMessage::SessionStarted { folder, .. } => PathBuf::from(folder),
        other => panic!("expected session_started, got {other:?}"),
    }
}

/// Fills a session folder like a real visit: scans (one nested), a print job, an
/// imported file, a large file and a stray one.
fn fill(folder: &std::path::Path) {
    std::fs::write(folder.join("scans/page-1.jpg"), vec![7u8; 300_000]).unwrap();
    std::fs::create_dir_all(folder.join("scans/batch/2")).unwrap();
    std::fs::write(folder.join("scans/batch/2/page-2.jpg"), vec![7u8; 200_000]).unwrap();
    std::fs::write(folder.join("prints/job-1.pdf"), b"%PDF-1.7\n").unwrap();
    std::fs::write(folder.join("imports/payslip.pdf"), vec![1u8; 25 * 1024 * 1024]).unwrap();
    std::fs::write(folder.join("notes.tmp"), b"x").unwrap();
}

#[test]
fn session_folder_is_wiped_with_a_true_receipt() {
    let agent = TestAgent::start(|_| {});
    let (link, rx) = kiosk_link(agent.socket());
    expect_connected(&rx);
    let folder = start_session(&link, &rx);
    assert!(folder.starts_with(agent.sessions_dir()), "session outside the runtime root");
    for sub in ["scans", "prints", "imports"] {
        assert!(folder.join(sub).is_dir(), "{sub}/ missing");
    }
    fill(&folder);

    link.send(Command::EndSession(EndReason::Completed));
    // What a request caused is told before its reply.
    let AgentMessage::SessionWiped { receipt, reason, .. } = next_agent_msg(&rx) else {
        panic!("expected session_wiped");
    };
    assert!(matches!(next_agent_msg(&rx), AgentMessage::Ack { .. }));
    assert_eq!(reason, EndReason::Completed);
    assert_eq!(
        receipt,
        WipeReceipt {
            scans: 2,
            print_jobs: 1,
            imported_files: 1,
            other_files: 1,
            folders: 5,
            bytes: 300_000 + 200_000 + 9 + 25 * 1024 * 1024 + 1,
            verified: true,
        }
    );
    assert!(!folder.exists(), "session folder survived the wipe");
    assert_eq!(std::fs::read_dir(agent.sessions_dir()).unwrap().count(), 0);
}

#[test]
fn a_second_session_is_refused_while_one_is_open() {
    let agent = TestAgent::start(|_| {});
    let (link, rx) = kiosk_link(agent.socket());
    expect_connected(&rx);
    start_session(&link, &rx);
    link.send(Command::StartSession);
    match next_agent_msg(&rx) {
        AgentMessage::Error { code, .. } => assert_eq!(code, ErrorCode::NotAllowedInState),
        other => panic!("expected a refusal, got {other:?}"),
    }
    link.send(Command::EndSession(EndReason::Abandoned));
    assert!(matches!(next_agent_msg(&rx), AgentMessage::SessionWiped { .. }));
    assert!(matches!(next_agent_msg(&rx), AgentMessage::Ack { .. }));
    // Ending again, with nothing open, is refused too, and nothing panics.
    link.send(Command::EndSession(EndReason::Completed));
    assert!(matches!(next_agent_msg(&rx), AgentMessage::Error { code: ErrorCode::NotAllowedInState, .. }));
}

#[test]
fn kiosk_disconnecting_wipes_its_session() {
    let agent = TestAgent::start(|_| {});
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut watcher = Client::connect(&agent.socket(), "watcher").await.unwrap();
        let mut kiosk = Client::connect(&agent.socket(), "kiosk").await.unwrap();
        let reply = kiosk.request(&ClientMessage::StartSession { id: 1 }, |_| {}).await.unwrap();
        let AgentMessage::SessionStarted { folder, .. } = reply else { panic!("{reply:?}") };
        std::fs::write(PathBuf::from(&folder).join("scans/a.jpg"), b"jpeg").unwrap();
        drop(kiosk); // the kiosk process dies
        let event = tokio::time::timeout(BOUND, watcher.recv()).await.unwrap().unwrap();
        let AgentMessage::SessionWiped { reason, receipt, .. } = event else { panic!("{event:?}") };
        assert_eq!(reason, EndReason::ClientGone);
        assert_eq!(receipt.scans, 1);
        assert!(!PathBuf::from(&folder).exists());
    });
}

#[test]
fn agent_killed_mid_session_wipes_leftovers_before_accepting() {
    let dir = tempfile::tempdir().unwrap();
    let mut agent = AgentProcess::spawn(dir.path());
    agent.wait_log("ready");
    let socket = dir.path().join("run/agent.sock");
    let (link, rx) = kiosk_link(socket.clone());
    expect_connected(&rx);
    let folder = start_session(&link, &rx);
    fill(&folder);
    agent.kill9();
    assert!(folder.join("imports/payslip.pdf").exists(), "the test needs a real leftover");

    let agent = AgentProcess::spawn(dir.path());
    // The kiosk's link reconnects by itself; its first reply proves the agent accepted it,
    // and by then the leftover must already be gone.
    expect_connected(&rx);
    assert!(!folder.exists(), "leftover session survived the restart");
    let line = agent.wait_log("ready");
    assert!(line.contains("leftovers=1"), "{line}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = rt.block_on(async {
        let mut c = Client::connect(&socket, "test").await.unwrap();
        c.request(&ClientMessage::GetStatus { id: 9 }, |_| {}).await.unwrap()
    });
    let AgentMessage::Status { status, .. } = status else { panic!("{status:?}") };
    assert_eq!(status.counters.sessions_started, 1);
    assert_eq!(status.counters.sessions_wiped, 1, "the leftover wipe is counted");
    assert!(status.session.is_none());
}

#[test]
fn peer_with_another_uid_is_refused() {
    // Only uid 4242 may connect; this test runs as someone else.
    let agent = TestAgent::start(|c| {
        c.allowed_uids = vec![4242];
        c.allow_root = false;
    });
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        match Client::connect(&agent.socket(), "intruder").await {
            Err(guichet_protocol::client::ClientError::Refused { code, .. }) => {
                assert_eq!(code, ErrorCode::PeerNotAllowed)
            }
            Err(e) => panic!("refused the wrong way: {e}"),
            Ok(_) => panic!("a peer with the wrong uid was let in"),
        }
    });
}

#[test]
fn clean_stop_wipes_the_open_session() {
    let agent = TestAgent::start(|_| {});
    let (link, rx) = kiosk_link(agent.socket());
    expect_connected(&rx);
    let folder = start_session(&link, &rx);
    fill(&folder);
    let _dir = agent.stop();
    assert!(!folder.exists());
}

#[test]
fn socket_is_only_for_its_owner_and_group() {
    use std::os::unix::fs::PermissionsExt;
    let agent = TestAgent::start(|_| {});
    let mode = std::fs::metadata(agent.socket()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660, "socket mode is {mode:o}");
}

/// The reception's phone and hours, from the agent's config, reach the kiosk when it
/// connects, and are still on the "out of service" screen once the agent is gone: that is
/// when a person needs them.
#[test]
fn site_details_reach_the_kiosk_and_outlive_the_agent() {
    use guichet_agent::config::{HoursConfig, SiteConfig};
    use guichet_kiosk::controller::{Controller, Screen};
    use guichet_kiosk::texts as t;
    let agent = TestAgent::start(|c| {
        c.site = Some(SiteConfig {
            name: "Mairie de Saint-Denis".into(),
            phone: "01 49 33 62 00".into(),
            hours: vec![
                HoursConfig { days: "mon-fri".into(), open: "08:30".into(), close: "17:00".into() },
                HoursConfig { days: "sat".into(), open: "09:00".into(), close: "12:00".into() },
            ],
        })
    });
    let (_link, rx) = kiosk_link(agent.socket());
    let assets = guichet_kiosk::Assets::load(&PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../content")));
    let mut kiosk = Controller::new(assets.procedures, assets.catalogs);
    loop {
        let event = rx.recv_timeout(BOUND).expect("link never connected");
        let connected = event == Event::Connected;
        kiosk.on_event(event);
        if connected {
            break;
        }
    }
    drop(agent);
    loop {
        let event = rx.recv_timeout(BOUND).expect("the link never noticed the agent left");
        let gone = event == Event::Disconnected;
        kiosk.on_event(event);
        if gone {
            break;
        }
    }
    assert_eq!(kiosk.screen(), Screen::OutOfService);
    let view = ScreenContent::of(&kiosk);
    assert!(view.hint.contains("Mairie de Saint-Denis"), "{view:?}");
    assert_eq!(
        view.items,
        [
            format!("{} \u{2066}01 49 33 62 00\u{2069}", t::SITE_PHONE),
            t::SITE_HOURS.to_string(),
            "Lundi – Vendredi, 08:30 – 17:00".to_string(),
            "Samedi, 09:00 – 12:00".to_string(),
        ]
    );
    for line in &view.items {
        assert!(view.spoken.contains(line.as_str()), "not spoken: {line}");
    }
    // In Arabic, the day names are translated; the digits stay as written.
    kiosk.choose_language("ar");
    let arabic = ScreenContent::of(&kiosk);
    assert!(arabic.items[2].ends_with("08:30 – 17:00") && !arabic.items[2].contains("Lundi"), "{:?}", arabic.items);
}
