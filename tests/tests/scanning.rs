//! Scanning for real: the agent drives SANE's `test` backend through `scanimage`, with a
//! private SANE configuration. Pages land in the session's `scans/` as JPEG and are wiped
//! with it; a jam, an open cover, an empty feeder and a missing scanner each have a code.

use std::path::Path;

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, ErrorCode};
use guichet_tests::{BOUND, TestAgent};

fn sane_config(dir: &Path, status: &str) {
    guichet_tests::sane_test_backend(dir, status, "");
}

fn agent_with(device: &str, sane: &Path) -> TestAgent {
    let (device, sane) = (device.to_owned(), sane.to_owned());
    TestAgent::start(move |c| {
        c.devices.scanner = device;
        c.devices.sane_config_dir = Some(sane);
        c.devices.scan_timeout_s = 5;
    })
}

async fn ask(client: &mut Client, msg: ClientMessage) -> AgentMessage {
    tokio::time::timeout(BOUND * 3, client.request(&msg, |_| {}))
        .await
        .unwrap_or_else(|_| panic!("no reply to {msg:?}"))
        .unwrap()
}

async fn scanner_state(client: &mut Client) -> String {
    let AgentMessage::Status { status, .. } = ask(client, ClientMessage::GetStatus { id: 99 }).await else {
        panic!("no status")
    };
    status.devices.into_iter().find(|d| d.device == "scanner").unwrap().state
}

#[test]
fn pages_land_in_the_session_and_faults_have_codes() {
    let sane = tempfile::tempdir().unwrap();
    sane_config(sane.path(), "Default");
    let agent = agent_with("test:0", sane.path());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut c = Client::connect(&agent.socket(), "test").await.unwrap();
        assert_eq!(scanner_state(&mut c).await, "ready");
        let refused = ask(&mut c, ClientMessage::Scan { id: 1 }).await;
        assert!(matches!(refused, AgentMessage::Error { code: ErrorCode::NotAllowedInState, .. }), "no session yet");
        let AgentMessage::SessionStarted { folder, .. } = ask(&mut c, ClientMessage::StartSession { id: 2 }).await
        else {
            panic!("no session")
        };
        let folder = Path::new(&folder).to_owned();

        for n in 1..=2u32 {
            let reply = ask(&mut c, ClientMessage::Scan { id: 10 + u64::from(n) }).await;
            let AgentMessage::Scanned { file, pages, .. } = reply else { panic!("{reply:?}") };
            assert_eq!((file.as_str(), pages), (format!("scans/page-{n}.jpg").as_str(), n));
            let page = std::fs::read(folder.join(&file)).unwrap();
            assert!(page.starts_with(&[0xFF, 0xD8, 0xFF]), "page {n} is not a JPEG");
        }

        // Each fault the backend can return, as the code the kiosk explains.
        for ((status, code), id) in [
            ("SANE_STATUS_JAMMED", "jammed"),
            ("SANE_STATUS_COVER_OPEN", "cover_open"),
            ("SANE_STATUS_NO_DOCS", "no_docs"),
            ("SANE_STATUS_IO_ERROR", "io_error"),
        ]
        .into_iter()
        .zip(20..)
        {
            sane_config(sane.path(), status);
            // SANE's test backend now and then hangs while cancelling a scan it failed
            // (its reader thread, under load): the agent stops it at the time limit and
            // says `timeout`. That is the agent doing its job; the fault is asked again.
            let mut detail = None;
            for _ in 0..3 {
                let reply = ask(&mut c, ClientMessage::Scan { id }).await;
                let AgentMessage::Error { code: ErrorCode::ScannerProblem, detail: d, .. } = reply else {
                    panic!("{reply:?}")
                };
                detail = d;
                if detail.as_deref() != Some("timeout") {
                    break;
                }
            }
            assert_eq!(detail.as_deref(), Some(code), "{status}");
        }
        assert_eq!(std::fs::read_dir(folder.join("scans")).unwrap().count(), 2, "a failed scan leaves no file");

        let wiped = ask(&mut c, ClientMessage::EndSession { id: 30, reason: EndReason::Completed }).await;
        assert!(matches!(wiped, AgentMessage::Ack { .. }));
        let AgentMessage::SessionWiped { receipt, .. } = tokio::time::timeout(BOUND, c.recv()).await.unwrap().unwrap()
        else {
            panic!("no wipe event")
        };
        assert_eq!(receipt.scans, 2);
        assert!(!folder.exists());
    });
}

#[test]
fn a_scanner_that_is_not_there_is_reported_missing() {
    let sane = tempfile::tempdir().unwrap();
    sane_config(sane.path(), "Default");
    let agent = agent_with("test:7", sane.path());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut c = Client::connect(&agent.socket(), "test").await.unwrap();
        assert_eq!(scanner_state(&mut c).await, "missing");
        ask(&mut c, ClientMessage::StartSession { id: 1 }).await;
        let reply = ask(&mut c, ClientMessage::Scan { id: 2 }).await;
        assert!(matches!(reply, AgentMessage::Error { code: ErrorCode::ScannerMissing, .. }), "{reply:?}");
        assert!(matches!(ask(&mut c, ClientMessage::Ping { id: 3 }).await, AgentMessage::Pong { .. }));
    });
}
