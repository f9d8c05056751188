//! The agent and the fleet server together, over real HTTPS on loopback: enrolment with a
//! one-time code, health and anonymous usage arriving, and every command run once with
//! its result coming back — signed settings and content accepted, tampered ones refused,
//! a reboot that waits for the visit to end.

use guichet_fleet::bundle::Bundle;
use guichet_fleet::storage::BundleRow;
use guichet_protocol::client::Client;
use guichet_protocol::fleet::{Action, RemoteSettings, SettingsDocument, Signed};
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, ErrorCode, UsageEvent};
use guichet_tests::fleet::TestFleet;
use guichet_tests::{BOUND, TestAgent};

fn agent_for(fleet: &TestFleet, code: &str) -> TestAgent {
    let (url, ca, code) = (fleet.url.clone(), fleet.ca.clone(), code.to_owned());
    TestAgent::start(move |c| {
        c.fleet.url = Some(url.clone());
        c.fleet.ca_certificate = Some(ca);
        c.fleet.enrolment_code = Some(code);
        c.fleet.sample_every_s = 1;
        c.fleet.report_every_s = 1;
        // The "reboot" writes to a pipe the test reads: an event to wait on, no machine
        // restarted.
        let pipe = c.state_dir.join("rebooted");
        c.fleet.reboot_command = vec!["sh".into(), "-c".into(), format!("echo rebooted > '{}'", pipe.display())];
        // One site that answers (the fleet itself) and one where nothing listens.
        c.health.sites = vec![format!("{url}/metrics"), "https://127.0.0.1:1/".into()];
    })
}

/// The next event or reply that `pick` accepts, skipping the others.
async fn next<T>(client: &mut Client, what: &str, mut pick: impl FnMut(AgentMessage) -> Option<T>) -> T {
    let wait = async {
        loop {
            if let Some(t) = pick(client.recv().await.expect("agent frame")) {
                return t;
            }
        }
    };
    tokio::time::timeout(BOUND, wait).await.unwrap_or_else(|_| panic!("the agent never sent {what}"))
}

async fn ask(client: &mut Client, msg: ClientMessage) -> AgentMessage {
    tokio::time::timeout(BOUND, client.request(&msg, |_| {})).await.expect("reply in time").expect("reply")
}

async fn acked(fleet: &TestFleet, kiosk: &str, command: i64) -> (bool, String) {
    let find = move || async move {
        let rows = fleet.fleet.storage.commands(kiosk, 100).await.unwrap();
        rows.into_iter().find(|c| c.id == command && c.acked_at.is_some()).map(|c| (c.ok == Some(true), c.detail))
    };
    fleet.wait_until("a command's result", || async move { find().await.is_some() }).await;
    find().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_enrols_reports_and_runs_what_it_is_sent() {
    let fleet = TestFleet::start().await;
    let code = fleet.code("Mairie de Test").await;
    let agent = agent_for(&fleet, &code);

    // --- Enrolment and the first report ----------------------------------------------
    fleet.wait_for("the kiosk's first report", |f| f.view.all().iter().any(|k| k.sample.is_some())).await;
    let kiosk = fleet.fleet.view.all().remove(0);
    assert_eq!(kiosk.info.site, "Mairie de Test");
    let sample = kiosk.sample.clone().unwrap();
    assert!(sample.devices.iter().any(|d| d.device == "printer" && d.state == "ready" && d.simulated));
    assert!(sample.disk.is_some_and(|d| d.total_bytes > 0) && sample.memory.is_some());
    assert!(sample.temperature_c.is_none() && sample.power.is_none(), "no Raspberry Pi here: said absent");
    let [up, down] = &sample.sites[..] else { panic!("{:?}", sample.sites) };
    assert!(up.reachable && up.latency_ms.is_some(), "{up:?}");
    assert_eq!((down.reachable, down.error.as_deref()), (false, Some("connect")));
    assert!(!sample.kiosk.alive, "no kiosk UI is connected yet");
    let id = kiosk.info.id.clone();
    // The code is spent.
    let codes = fleet.fleet.storage.codes().await.unwrap();
    assert_eq!(codes[0].used_by.as_deref(), Some(id.as_str()));

    // --- A visit: anonymous usage ----------------------------------------------------
    let mut client = Client::connect(&agent.socket(), "kiosk").await.unwrap();
    ask(&mut client, ClientMessage::Alive { id: 1, screen: "attract".into(), idle_s: 3 }).await;
    ask(&mut client, ClientMessage::StartSession { id: 2 }).await;
    for (n, usage) in [
        UsageEvent::Language { language: "ar".into() },
        UsageEvent::ProcedureStarted { procedure: "caf-prime-activite".into() },
        UsageEvent::StepReached { procedure: "caf-prime-activite".into(), step: "simulation".into() },
        UsageEvent::ProcedureStarted { procedure: "ameli-attestation-droits".into() },
        UsageEvent::ProcedureCompleted { procedure: "ameli-attestation-droits".into() },
    ]
    .into_iter()
    .enumerate()
    {
        assert_eq!(
            ask(&mut client, ClientMessage::Usage { id: 10 + n as u64, usage }).await,
            AgentMessage::Ack { id: 10 + n as u64 }
        );
    }
    // What a person typed can never become a counter.
    let typed = UsageEvent::ProcedureStarted { procedure: "Jean Dupont 12 rue".into() };
    assert!(matches!(
        ask(&mut client, ClientMessage::Usage { id: 20, usage: typed }).await,
        AgentMessage::Error { code: ErrorCode::BadRequest, .. }
    ));
    ask(&mut client, ClientMessage::EndSession { id: 21, reason: EndReason::Abandoned }).await;
    let today = guichet_fleet::time_fmt::day(fleet.fleet.now());
    fleet
        .wait_until("the visit's counters", || {
            let storage = fleet.fleet.storage.clone();
            let today = today.clone();
            async move {
                let rows = storage.usage(&today, &today).await.unwrap();
                let value = |name: &str| rows.iter().find(|r| r.name == name).map(|r| r.value);
                value("abandoned/caf-prime-activite/simulation") == Some(1)
                    && value("language/ar") == Some(1)
                    && value("procedure_completed/ameli-attestation-droits") == Some(1)
                    && value("sessions_abandoned") == Some(1)
                    && value("abandoned/ameli-attestation-droits/start").is_none()
            }
        })
        .await;
    fleet
        .wait_for("the UI alive", |f| f.view.get(&id).and_then(|k| k.sample.clone()).is_some_and(|s| s.kiosk.alive))
        .await;

    // --- A message on the attract screen ---------------------------------------------
    let texts = [("fr".to_owned(), "Fermé jeudi après-midi.".to_owned())].into_iter().collect();
    let message = fleet
        .fleet
        .queue(&id, &Action::Message { texts, until: Some(fleet.fleet.now() + 3600) }, "test")
        .await
        .unwrap();
    let shown = next(&mut client, "the attract message", |m| match m {
        AgentMessage::AttractMessage { texts } => Some(texts),
        _ => None,
    })
    .await;
    assert_eq!(shown["fr"], "Fermé jeudi après-midi.");
    assert_eq!(acked(&fleet, &id, message).await, (true, "message shown".into()));
    // A kiosk that connects later is told in its welcome.
    let later = Client::connect(&agent.socket(), "kiosk").await.unwrap();
    drop(later);

    // --- Settings: tampered refused, signed applied (a new mediator PIN) --------------
    let hash = guichet_fleet::auth::hash_password("246813").unwrap();
    let document = SettingsDocument {
        issued_at: fleet.fleet.now(),
        settings: RemoteSettings { mediator_pin_hash: Some(hash), print_page_limit: Some(7), ..Default::default() },
    };
    let signed = fleet.fleet.sign_json(&document);
    let mut altered = document.clone();
    altered.settings.print_page_limit = Some(500);
    let tampered = Signed { payload: fleet.fleet.sign_json(&altered).payload, signature: signed.signature.clone() };
    let bad = fleet.fleet.queue(&id, &Action::Settings { signed: tampered }, "test").await.unwrap();
    let good = fleet.fleet.queue(&id, &Action::Settings { signed: signed.clone() }, "test").await.unwrap();
    assert_eq!(acked(&fleet, &id, bad).await, (false, "bad_signature".into()));
    assert_eq!(acked(&fleet, &id, good).await, (true, "applied".into()));
    let granted = ask(&mut client, ClientMessage::MediatorUnlock { id: 30, pin: "246813".into() }).await;
    assert_eq!(granted, AgentMessage::MediatorGranted { id: 30 });
    // An older document (a replay of last month's) is refused; a later one that only sets
    // the page limit keeps the new PIN: settings add up.
    let old = SettingsDocument { issued_at: document.issued_at - 3600, settings: RemoteSettings::default() };
    let replay =
        fleet.fleet.queue(&id, &Action::Settings { signed: fleet.fleet.sign_json(&old) }, "test").await.unwrap();
    assert_eq!(acked(&fleet, &id, replay).await, (false, "stale: older than the settings in use".into()));
    let later = SettingsDocument {
        issued_at: document.issued_at + 1,
        settings: RemoteSettings { print_page_limit: Some(9), ..Default::default() },
    };
    let more =
        fleet.fleet.queue(&id, &Action::Settings { signed: fleet.fleet.sign_json(&later) }, "test").await.unwrap();
    assert_eq!(acked(&fleet, &id, more).await, (true, "applied".into()));
    let still = ask(&mut client, ClientMessage::MediatorUnlock { id: 31, pin: "246813".into() }).await;
    assert_eq!(still, AgentMessage::MediatorGranted { id: 31 }, "the PIN set before is kept");

    // --- Content: a signed bundle installed, one signed by another key refused -------
    let bundle = Bundle::from_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")).unwrap();
    let manifest = bundle.manifest("2026-12 test", fleet.fleet.now());
    let signed = fleet.fleet.sign_json(&manifest);
    let row = BundleRow {
        id: 0,
        version: manifest.version.clone(),
        payload: signed.payload.clone(),
        signature: signed.signature.clone(),
        size: 0,
        created_by: "test".into(),
        created_at: 0,
    };
    let bundle_id = fleet.fleet.storage.add_bundle(row, bundle.to_tar()).await.unwrap();
    let url = format!("/api/v1/bundles/{bundle_id}");
    let stranger = guichet_fleet::signing::FleetKey::from_seed([9; 32]).sign(&serde_json::to_vec(&manifest).unwrap());
    let refused =
        fleet.fleet.queue(&id, &Action::Content { url: url.clone(), signed: stranger }, "test").await.unwrap();
    let content = fleet.fleet.queue(&id, &Action::Content { url, signed }, "test").await.unwrap();
    let (folder, version) = next(&mut client, "content_changed", |m| match m {
        AgentMessage::ContentChanged { folder, version } => Some((folder, version)),
        _ => None,
    })
    .await;
    assert_eq!(version, "2026-12 test");
    assert!(std::path::Path::new(&folder).join("procedures/caf-prime-activite.toml").is_file());
    assert_eq!(acked(&fleet, &id, refused).await, (false, "bad_signature".into()));
    assert_eq!(acked(&fleet, &id, content).await, (true, "installed 2026-12 test".into()));

    // --- Wipe now, during a visit ----------------------------------------------------
    ask(&mut client, ClientMessage::StartSession { id: 40 }).await;
    let wipe = fleet.fleet.queue(&id, &Action::WipeNow, "test").await.unwrap();
    let reason = next(&mut client, "session_wiped", |m| match m {
        AgentMessage::SessionWiped { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert_eq!(reason, EndReason::WipedByStaff);
    assert_eq!(acked(&fleet, &id, wipe).await, (true, "the visit in progress was erased".into()));

    // --- Reboot: waits for the visit to end ------------------------------------------
    let rebooted = agent.config.state_dir.join("rebooted");
    assert!(std::process::Command::new("mkfifo").arg(&rebooted).status().unwrap().success());
    let (said, heard) = std::sync::mpsc::channel();
    let pipe = rebooted.clone();
    std::thread::spawn(move || {
        // Blocks until the reboot command opens the pipe and writes.
        let _ = said.send(std::fs::read_to_string(pipe).unwrap_or_default());
    });
    ask(&mut client, ClientMessage::StartSession { id: 50 }).await;
    let reboot = fleet.fleet.queue(&id, &Action::Reboot, "test").await.unwrap();
    let start = fleet.fleet.reports_seen.borrow().to_owned();
    fleet.wait_for("two more reports", |f| *f.reports_seen.borrow() >= start + 2).await;
    assert!(heard.try_recv().is_err(), "rebooted in the middle of a visit");
    assert!(fleet.fleet.view.get(&id).unwrap().pending.iter().any(|c| c.id == reboot));
    ask(&mut client, ClientMessage::EndSession { id: 51, reason: EndReason::Completed }).await;
    assert_eq!(acked(&fleet, &id, reboot).await, (true, "rebooting".into()));
    assert_eq!(heard.recv_timeout(BOUND).expect("the reboot command never ran").trim(), "rebooted");
    // Each command ran once: nothing is left pending.
    fleet.wait_for("no command pending", |f| f.view.get(&id).is_some_and(|k| k.pending.is_empty())).await;
}
