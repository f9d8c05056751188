//! Golden wire tests: each message's JSON is pinned in `protocol/golden/`. Both ways are
//! checked — our serialisation must equal the file to the byte, and the file must parse
//! back to the same value — so an accidental rename or reorder of a field fails here
//! before it breaks a kiosk in the field. `GOLDEN_UPDATE=1` rewrites the files.

use guichet_protocol::*;

fn receipt() -> WipeReceipt {
    WipeReceipt {
        scans: 3,
        print_jobs: 1,
        imported_files: 0,
        other_files: 2,
        folders: 2,
        bytes: 1_843_200,
        verified: true,
    }
}

fn page(number: u32) -> ScannedPage {
    ScannedPage { number, file: format!("scans/page-{number}.jpg"), thumb: format!("scans/page-{number}.thumb.jpg") }
}

fn client_samples() -> Vec<(&'static str, ClientMessage)> {
    vec![
        ("hello", ClientMessage::Hello { protocol: 1, client: "kiosk".into() }),
        ("start_session", ClientMessage::StartSession { id: 1 }),
        ("end_session", ClientMessage::EndSession { id: 2, reason: EndReason::Completed }),
        ("get_status", ClientMessage::GetStatus { id: 3 }),
        ("wipe_now", ClientMessage::WipeNow { id: 4 }),
        ("ping", ClientMessage::Ping { id: 5 }),
        ("call_mediator", ClientMessage::CallMediator { id: 6 }),
        ("mediator_unlock", ClientMessage::MediatorUnlock { id: 7, pin: "482913".into() }),
        ("print", ClientMessage::Print { id: 8, file: "prints/summary.jpg".into(), copies: 1 }),
        ("scan", ClientMessage::Scan { id: 9, preset: ScanPreset::IdCard, redo: Some(2) }),
        ("print_scans", ClientMessage::PrintScans { id: 10, copies: 2, mono: true }),
        ("alive", ClientMessage::Alive { id: 11, screen: "attract".into(), idle_s: 42 }),
        ("wake", ClientMessage::Wake { id: 12 }),
        (
            "usage",
            ClientMessage::Usage {
                id: 13,
                usage: UsageEvent::StepReached { procedure: "caf-prime-activite".into(), step: "revenus".into() },
            },
        ),
    ]
}

fn agent_samples() -> Vec<(&'static str, AgentMessage)> {
    let session = SessionId("k7f2a9c4e1b03d58".into());
    vec![
        (
            "welcome",
            AgentMessage::Welcome {
                protocol: 1,
                agent_version: "0.1.0".into(),
                site: Some(SiteInfo {
                    name: "Mairie de Saint-Denis".into(),
                    phone: "01 49 33 62 00".into(),
                    hours: vec![OpeningHours {
                        first: Weekday::Mon,
                        last: Weekday::Fri,
                        open: "08:30".into(),
                        close: "17:00".into(),
                    }],
                }),
                attract_message: Default::default(),
                content: None,
            },
        ),
        (
            "session_started",
            AgentMessage::SessionStarted {
                id: 1,
                session: session.clone(),
                folder: "/run/guichet-visit/k7f2a9c4e1b03d58".into(),
            },
        ),
        ("ack", AgentMessage::Ack { id: 2 }),
        (
            "status",
            AgentMessage::Status {
                id: 3,
                status: AgentStatus {
                    state: SessionState::InSession,
                    session: Some(session.clone()),
                    uptime_s: 3600,
                    devices: vec![
                        DeviceStatus {
                            device: "printer".into(),
                            state: "ready".into(),
                            simulated: false,
                            warnings: vec!["toner_low".into()],
                            supplies: vec![Supply { kind: "toner".into(), color: "black".into(), level: 8 }],
                        },
                        DeviceStatus {
                            device: "scanner".into(),
                            state: "ready".into(),
                            simulated: true,
                            ..Default::default()
                        },
                    ],
                    counters: Counters {
                        sessions_started: 12,
                        sessions_completed: 9,
                        sessions_abandoned: 2,
                        sessions_wiped: 12,
                        mediator_calls: 3,
                        mediator_openings: 2,
                        prints: 4,
                        pages_printed: 7,
                        pages_scanned: 11,
                    },
                    screen_on: true,
                    kiosk: Some(KioskSeen { screen: "step".into(), idle_s: 12, age_ms: 1800, connected: true }),
                },
            },
        ),
        ("pong", AgentMessage::Pong { id: 5 }),
        (
            "error",
            AgentMessage::Error {
                id: Some(6),
                code: ErrorCode::NotAllowedInState,
                message: "a session is already open".into(),
                detail: None,
            },
        ),
        ("mediator_granted", AgentMessage::MediatorGranted { id: 7 }),
        ("session_wiped", AgentMessage::SessionWiped { session, reason: EndReason::Completed, receipt: receipt() }),
        ("scanned", AgentMessage::Scanned { id: 9, file: "scans/page-2.jpg".into(), pages: 2, added: vec![page(2)] }),
        ("scan_page", AgentMessage::ScanPage { id: 9, page: page(2) }),
        ("print_queued", AgentMessage::PrintQueued { id: 8, job: 41, pages: 2, pages_left: 18 }),
        ("print_job", AgentMessage::PrintJob { job: 41, state: JobState::Aborted, reason: Some("media_jam".into()) }),
        ("screen", AgentMessage::Screen { on: false }),
        ("mediator_called", AgentMessage::MediatorCalled { from: CallSource::Button }),
        (
            "attract_message",
            AgentMessage::AttractMessage {
                texts: [("fr".to_owned(), "Fermé jeudi après-midi.".to_owned())].into_iter().collect(),
            },
        ),
        (
            "content_changed",
            AgentMessage::ContentChanged {
                folder: "/var/lib/guichet-content/current".into(),
                version: "2026-12 mise à jour CAF".into(),
            },
        ),
    ]
}

fn check<T>(dir: &str, name: &str, msg: &T, types: &[&str])
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let path = format!("{}/golden/{dir}/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let ours = serde_json::to_string(msg).unwrap();
    if std::env::var_os("GOLDEN_UPDATE").is_some() {
        std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{ours}\n")).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(ours, golden.trim_end(), "serialisation of {name} drifted from {path}");
    let parsed: T = decode_body(golden.trim_end().as_bytes(), types).unwrap();
    assert_eq!(&parsed, msg, "{path} no longer parses to the same message");
}

#[test]
fn client_messages_match_golden_files() {
    let samples = client_samples();
    assert_eq!(samples.len(), ClientMessage::TYPES.len(), "a client message has no golden file");
    for (name, msg) in &samples {
        assert!(ClientMessage::TYPES.contains(name));
        check("client", name, msg, ClientMessage::TYPES);
    }
}

#[test]
fn agent_messages_match_golden_files() {
    let samples = agent_samples();
    assert_eq!(samples.len(), AgentMessage::TYPES.len(), "an agent message has no golden file");
    for (name, msg) in &samples {
        assert!(AgentMessage::TYPES.contains(name));
        check("agent", name, msg, AgentMessage::TYPES);
    }
}

#[test]
fn every_error_code_has_a_stable_name() {
    let codes = [
        (ErrorCode::FrameTooLarge, "frame_too_large"),
        (ErrorCode::BadLength, "bad_length"),
        (ErrorCode::BadJson, "bad_json"),
        (ErrorCode::UnknownType, "unknown_type"),
        (ErrorCode::BadRequest, "bad_request"),
        (ErrorCode::HelloRequired, "hello_required"),
        (ErrorCode::VersionMismatch, "version_mismatch"),
        (ErrorCode::PeerNotAllowed, "peer_not_allowed"),
        (ErrorCode::NotAllowedInState, "not_allowed_in_state"),
        (ErrorCode::SessionStorage, "session_storage"),
        (ErrorCode::WrongPin, "wrong_pin"),
        (ErrorCode::PinLocked, "pin_locked"),
        (ErrorCode::MediatorNotConfigured, "mediator_not_configured"),
        (ErrorCode::BadDocument, "bad_document"),
        (ErrorCode::PageLimit, "page_limit"),
        (ErrorCode::PrinterProblem, "printer_problem"),
        (ErrorCode::PrinterUnreachable, "printer_unreachable"),
        (ErrorCode::ScannerMissing, "scanner_missing"),
        (ErrorCode::ScannerProblem, "scanner_problem"),
        (ErrorCode::SessionFull, "session_full"),
        (ErrorCode::Internal, "internal"),
    ];
    for (code, name) in codes {
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{name}\""));
    }
    // A newer agent's code must not break an older kiosk.
    let future: ErrorCode = serde_json::from_str("\"scanner_on_fire\"").unwrap();
    assert_eq!(future, ErrorCode::Unknown);
}

#[test]
fn older_peer_without_new_fields_still_parses() {
    let minimal = r#"{"type":"session_wiped","session":"a","reason":"idle_timeout","receipt":{}}"#;
    let msg: AgentMessage = decode_body(minimal.as_bytes(), AgentMessage::TYPES).unwrap();
    match msg {
        AgentMessage::SessionWiped { receipt, reason, .. } => {
            assert_eq!(receipt, WipeReceipt::default());
            assert_eq!(reason, EndReason::IdleTimeout);
        }
        other => panic!("parsed as {other:?}"),
    }
}

#[test]
fn a_welcome_from_an_agent_before_the_fleet_still_parses_and_the_new_fields_travel() {
    let old = r#"{"type":"welcome","protocol":1,"agent_version":"0.1.0"}"#;
    match decode_body::<AgentMessage>(old.as_bytes(), AgentMessage::TYPES).unwrap() {
        AgentMessage::Welcome { attract_message, content, .. } => {
            assert!(attract_message.is_empty() && content.is_none())
        }
        other => panic!("parsed as {other:?}"),
    }
    let new = AgentMessage::Welcome {
        protocol: 1,
        agent_version: "0.2.0".into(),
        site: None,
        attract_message: [("fr".to_owned(), "Fermé".to_owned())].into_iter().collect(),
        content: Some("/var/lib/guichet-content/current".into()),
    };
    assert_eq!(
        serde_json::to_string(&new).unwrap(),
        r#"{"type":"welcome","protocol":1,"agent_version":"0.2.0","attract_message":{"fr":"Fermé"},"content":"/var/lib/guichet-content/current"}"#
    );
}
