//! Scanning for real: the agent drives SANE's `test` backend through `scanimage`, with a
//! private SANE configuration. Pages land in the session's `scans/` as JPEG with their
//! previews, from the feeder or the glass as the preset says, and are wiped with it; a
//! jam, an open cover, an empty feeder and a missing scanner each have a code.

use std::path::Path;

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, ErrorCode, ScanPreset};
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

/// A request, and the `scan_page` events that came before its reply.
async fn scan(client: &mut Client, id: u64, preset: ScanPreset, redo: Option<u32>) -> (AgentMessage, Vec<u32>) {
    let mut landed = Vec::new();
    let msg = ClientMessage::Scan { id, preset, redo };
    let reply = tokio::time::timeout(
        BOUND * 3,
        client.request(&msg, |event| {
            if let AgentMessage::ScanPage { page, .. } = event {
                landed.push(page.number);
            }
        }),
    )
    .await
    .unwrap_or_else(|_| panic!("no reply to {msg:?}"))
    .unwrap();
    (reply, landed)
}

/// A JPEG's width and height, from its frame header.
fn size_of(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    let at = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline JPEG");
    let be = |i: usize| u32::from(u16::from_be_bytes([bytes[at + i], bytes[at + i + 1]]));
    (be(7), be(5))
}

/// Backends round millimetres to pixels each their own way: a pixel or two either way.
fn assert_near(got: (u32, u32), want: (u32, u32), what: &str) {
    assert!(got.0.abs_diff(want.0) <= 2 && got.1.abs_diff(want.1) <= 2, "{what}: {got:?}, not about {want:?}");
}

/// The pages themselves, not their previews.
fn pages_in(folder: &Path) -> usize {
    let names = std::fs::read_dir(folder.join("scans")).unwrap().flatten().map(|e| e.file_name());
    names.filter(|n| !n.to_string_lossy().contains(".thumb.")).count()
}

#[test]
fn the_feeder_the_glass_and_the_presets_give_their_pages() {
    let sane = tempfile::tempdir().unwrap();
    sane_config(sane.path(), "Default");
    let sane_dir = sane.path().to_owned();
    let agent = TestAgent::start(move |c| {
        guichet_tests::use_test_scanner(c, &sane_dir);
        c.scan_page_limit = 13;
    });
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut c = Client::connect(&agent.socket(), "test").await.unwrap();
        let AgentMessage::SessionStarted { folder, .. } = ask(&mut c, ClientMessage::StartSession { id: 1 }).await
        else {
            panic!("no session")
        };
        let folder = Path::new(&folder).to_owned();

        // A document goes through the feeder, which the test backend empties after 10.
        let (reply, landed) = scan(&mut c, 2, ScanPreset::Document, None).await;
        let AgentMessage::Scanned { pages, added, file, .. } = reply else { panic!("{reply:?}") };
        assert_eq!((pages, added.len(), file.as_str()), (10, 10, "scans/page-10.jpg"));
        assert_eq!(landed, (1..=10).collect::<Vec<_>>(), "each page is announced as it lands, in order");
        for page in &added {
            assert!(std::fs::read(folder.join(&page.file)).unwrap().starts_with(&[0xFF, 0xD8, 0xFF]));
            let (w, h) = size_of(&folder.join(&page.thumb));
            assert!(w.max(h) == 320, "a preview is small: {w}×{h}");
        }

        // An identity card from the glass: one side, a card's area at 300 dpi.
        let (reply, landed) = scan(&mut c, 3, ScanPreset::IdCard, None).await;
        let AgentMessage::Scanned { pages: 11, file, .. } = reply else { panic!("{reply:?}") };
        assert_eq!(landed, [11]);
        assert_near(size_of(&folder.join(&file)), (1063, 709), "90 × 60 mm at 300 dpi");

        // Page 2 scanned again as a photo: replaced in place, nothing added.
        let (reply, _) = scan(&mut c, 4, ScanPreset::Photo, Some(2)).await;
        let AgentMessage::Scanned { pages: 11, file, added, .. } = reply else { panic!("{reply:?}") };
        assert_eq!((file.as_str(), added.len()), ("scans/page-2.jpg", 1));
        assert_near(size_of(&folder.join(&file)), (945, 1181), "the test backend's 80 × 100 mm at 300 dpi");
        let (reply, _) = scan(&mut c, 5, ScanPreset::Photo, Some(12)).await;
        assert!(matches!(reply, AgentMessage::Error { code: ErrorCode::BadRequest, .. }), "{reply:?}");

        // The feeder again, stopped at the visit's limit of 13 pages; then no more.
        let (reply, _) = scan(&mut c, 6, ScanPreset::Document, None).await;
        assert!(matches!(reply, AgentMessage::Scanned { pages: 13, .. }), "{reply:?}");
        let (reply, _) = scan(&mut c, 7, ScanPreset::Photo, None).await;
        assert!(matches!(reply, AgentMessage::Error { code: ErrorCode::PageLimit, .. }), "{reply:?}");
        assert_eq!(pages_in(&folder), 13);
        assert!(
            !std::fs::read_dir(folder.join("scans"))
                .unwrap()
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".incoming"))
        );

        let mut receipt = None;
        let msg = ClientMessage::EndSession { id: 8, reason: EndReason::Completed };
        let ack = tokio::time::timeout(
            BOUND,
            c.request(&msg, |event| {
                if let AgentMessage::SessionWiped { receipt: r, .. } = event {
                    receipt = Some(r);
                }
            }),
        );
        assert!(matches!(ack.await.unwrap().unwrap(), AgentMessage::Ack { .. }));
        let receipt = receipt.expect("the wipe is told before the ack");
        assert_eq!(receipt.scans, 13, "pages, not their previews");
    });
}

#[test]
fn faults_have_codes_and_leave_nothing_half_written() {
    let sane = tempfile::tempdir().unwrap();
    sane_config(sane.path(), "Default");
    let agent = agent_with("test:0", sane.path());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut c = Client::connect(&agent.socket(), "test").await.unwrap();
        assert_eq!(scanner_state(&mut c).await, "ready");
        let (refused, _) = scan(&mut c, 1, ScanPreset::Photo, None).await;
        assert!(matches!(refused, AgentMessage::Error { code: ErrorCode::NotAllowedInState, .. }), "no session yet");
        let AgentMessage::SessionStarted { folder, .. } = ask(&mut c, ClientMessage::StartSession { id: 2 }).await
        else {
            panic!("no session")
        };
        let folder = Path::new(&folder).to_owned();
        let (reply, _) = scan(&mut c, 3, ScanPreset::Photo, None).await;
        assert!(matches!(reply, AgentMessage::Scanned { pages: 1, .. }), "{reply:?}");

        // Each fault the backend can return, as the code the kiosk explains; the
        // document preset tries the feeder, then the glass.
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
                let (reply, _) = scan(&mut c, id, ScanPreset::Document, None).await;
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
        // A redo that fails keeps the page it was to replace.
        let before = std::fs::read(folder.join("scans/page-1.jpg")).unwrap();
        let (reply, _) = scan(&mut c, 30, ScanPreset::IdCard, Some(1)).await;
        assert!(matches!(reply, AgentMessage::Error { code: ErrorCode::ScannerProblem, .. }), "{reply:?}");
        assert_eq!(std::fs::read(folder.join("scans/page-1.jpg")).unwrap(), before);
        assert_eq!(pages_in(&folder), 1, "a failed scan leaves no file");
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
        let (reply, _) = scan(&mut c, 2, ScanPreset::Document, None).await;
        assert!(matches!(reply, AgentMessage::Error { code: ErrorCode::ScannerMissing, .. }), "{reply:?}");
        assert!(matches!(ask(&mut c, ClientMessage::Ping { id: 3 }).await, AgentMessage::Pong { .. }));
    });
}

/// A network scanner, through the real `sane-airscan` backend: the project's fake eSCL
/// server, with three sheets in its feeder.
#[test]
fn an_escl_scanner_scans_through_sane_airscan() {
    let escl = guichet_tests::escl::FakeEscl::start(3);
    let sane = tempfile::tempdir().unwrap();
    let device = escl.sane_config(sane.path());
    let agent = agent_with(&device, sane.path());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut c = Client::connect(&agent.socket(), "test").await.unwrap();
        assert_eq!(scanner_state(&mut c).await, "ready", "scanimage -L lists it");
        let AgentMessage::SessionStarted { folder, .. } = ask(&mut c, ClientMessage::StartSession { id: 1 }).await
        else {
            panic!("no session")
        };
        let folder = Path::new(&folder).to_owned();
        // The three sheets of the feeder, then an ID card from the glass.
        let (reply, landed) = scan(&mut c, 2, ScanPreset::Document, None).await;
        assert!(matches!(reply, AgentMessage::Scanned { pages: 3, .. }), "{reply:?}");
        assert_eq!(landed, [1, 2, 3]);
        assert_eq!(escl.sheets_left(), 0);
        assert_eq!(size_of(&folder.join("scans/page-1.jpg")), (1240, 1754), "A4 at 150 dpi");
        let (reply, _) = scan(&mut c, 3, ScanPreset::IdCard, None).await;
        let AgentMessage::Scanned { pages: 4, file, .. } = reply else { panic!("{reply:?}") };
        assert_near(size_of(&folder.join(&file)), (1063, 709), "90 × 60 mm at 300 dpi");
        // With the feeder empty, a document comes from the glass.
        let (reply, _) = scan(&mut c, 4, ScanPreset::Document, None).await;
        assert!(matches!(reply, AgentMessage::Scanned { pages: 5, .. }), "{reply:?}");
        let asked = escl.requests();
        assert!(
            asked.contains(&"POST ScanJobs Feeder".to_owned()) && asked.contains(&"POST ScanJobs Platen".to_owned()),
            "{asked:?}"
        );
    });
}
