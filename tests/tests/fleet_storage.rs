//! Both storage backends of the fleet, SQLite (a file) and PostgreSQL (a real server of
//! the test's own), held to the same behaviour through the one `Storage` trait; then a
//! real agent reporting to a fleet that stores in PostgreSQL.

use std::sync::Arc;

use guichet_fleet::storage::postgres::PostgresStorage;
use guichet_fleet::storage::sqlite::SqliteStorage;
use guichet_fleet::storage::{BundleRow, CodeRow, NewKiosk, ReportWrite, Role, Storage, StorageError, UserRow};
use guichet_tests::postgres::TestPostgres;

fn code(hash: &str, site: &str, expires_at: i64) -> CodeRow {
    CodeRow {
        code_hash: hash.into(),
        hint: "ABCD".into(),
        site: site.into(),
        created_by: "admin".into(),
        created_at: 10,
        expires_at,
        used_by: None,
    }
}

fn kiosk(id: &str) -> NewKiosk {
    NewKiosk {
        id: id.into(),
        name: format!("Borne {id}"),
        token_hash: format!("hash-{id}"),
        agent_version: "0.1.0".into(),
        enrolled_at: 100,
    }
}

fn report(kiosk: &str, seq: i64, at: i64, value: i64, acks: Vec<(i64, bool, String)>) -> ReportWrite {
    ReportWrite {
        kiosk: kiosk.into(),
        seq,
        received_at: at,
        agent_version: "0.1.0".into(),
        samples: vec![(at, format!("{{\"taken_at\":{at}}}"))],
        summaries: vec![(at - 100, at - 50, "{\"samples\":3}".into())],
        usage: vec![("2026-12-02".into(), "sessions_started".into(), value)],
        acks,
    }
}

async fn behaves(s: Arc<dyn Storage>) {
    // Codes: used once, not after they expire.
    s.add_code(code("c1", "Mairie A", 1000)).await.unwrap();
    s.add_code(code("c2", "Mairie B", 1000)).await.unwrap();
    s.add_code(code("old", "Mairie B", 50)).await.unwrap();
    assert_eq!(s.codes().await.unwrap().len(), 3);
    let a = s.enrol("c1", kiosk("ka")).await.unwrap().expect("a good code");
    assert_eq!((a.site.as_str(), a.last_seq, a.revoked), ("Mairie A", 0, false));
    assert!(s.enrol("c1", kiosk("kx")).await.unwrap().is_none(), "used");
    assert!(s.enrol("old", kiosk("ky")).await.unwrap().is_none(), "expired");
    assert!(s.enrol("nope", kiosk("kz")).await.unwrap().is_none(), "unknown");
    s.enrol("c2", kiosk("kb")).await.unwrap().unwrap();
    let codes = s.codes().await.unwrap();
    assert_eq!(codes.iter().find(|c| c.code_hash == "c1").unwrap().used_by.as_deref(), Some("ka"));
    assert_eq!(s.kiosks().await.unwrap().iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), ["ka", "kb"]);
    s.rename("kb", "Accueil", "Mairie A").await.unwrap();
    s.set_revoked("ka", true).await.unwrap();
    let ks = s.kiosks().await.unwrap();
    assert!(ks.iter().any(|k| k.id == "kb" && k.name == "Accueil" && k.site == "Mairie A"));
    assert!(ks.iter().any(|k| k.id == "ka" && k.revoked));

    // Commands, acknowledged by a report.
    let c1 = s.add_command("ka", "{\"action\":\"reboot\"}", "admin", 200).await.unwrap();
    let c2 = s.add_command("ka", "{\"action\":\"wipe_now\"}", "admin", 201).await.unwrap();
    s.add_command("kb", "{\"action\":\"reboot\"}", "admin", 202).await.unwrap();
    assert_eq!(s.pending_commands().await.unwrap().len(), 3);

    // Reports, in one batch; then the same sample again, and an older day's value.
    s.write_reports(&[
        report("ka", 1, 1000, 5, vec![(c1, true, "rebooting".into()), (c2, false, "bad_signature".into())]),
        report("kb", 1, 1001, 2, vec![(c1, true, "not mine".into())]),
    ])
    .await
    .unwrap();
    s.write_reports(&[report("ka", 2, 1000, 3, vec![]), report("ka", 3, 2000, 7, vec![])]).await.unwrap();
    assert_eq!(s.sample_count("ka").await.unwrap(), 2, "a sample sent twice is kept once");
    let ka = s.kiosks().await.unwrap().into_iter().find(|k| k.id == "ka").unwrap();
    assert_eq!((ka.last_seq, ka.last_report_at), (3, Some(2000)));
    let mut latest = s.latest_samples().await.unwrap();
    latest.sort();
    assert_eq!(latest.iter().map(|(k, t, _)| (k.as_str(), *t)).collect::<Vec<_>>(), [("ka", 2000), ("kb", 1001)]);
    assert_eq!(s.samples("ka", 1500, 10).await.unwrap().len(), 1);
    assert_eq!(s.summaries("ka", 10).await.unwrap().len(), 2, "one per distinct span");
    let usage = s.usage("2026-12-01", "2026-12-31").await.unwrap();
    let of = |k: &str| usage.iter().find(|u| u.kiosk == k).unwrap().value;
    assert_eq!((of("ka"), of("kb")), (7, 2), "a day's value never goes back");
    assert!(s.usage("2027-01-01", "2027-12-31").await.unwrap().is_empty());
    let done = s.commands("ka", 10).await.unwrap();
    assert_eq!(done.iter().map(|c| c.id).collect::<Vec<_>>(), [c2, c1], "newest first");
    assert_eq!((done[0].ok, done[0].detail.as_str()), (Some(false), "bad_signature"));
    assert_eq!((done[1].ok, done[1].acked_at), (Some(true), Some(1000)));
    let pending = s.pending_commands().await.unwrap();
    assert_eq!(pending.len(), 1, "kb cannot acknowledge ka's command");
    assert_eq!(pending[0].kiosk, "kb");
    assert_eq!(s.prune_samples(1500).await.unwrap(), 2);
    assert_eq!(s.sample_count("ka").await.unwrap(), 1);

    // Users and bundles.
    s.add_user(UserRow { name: "alice".into(), password_hash: "$argon2id$x".into(), role: Role::Admin }).await.unwrap();
    let again = s.add_user(UserRow { name: "alice".into(), password_hash: "y".into(), role: Role::Viewer }).await;
    assert!(matches!(again, Err(StorageError::Exists(_))), "{again:?}");
    assert_eq!(s.user("alice").await.unwrap().unwrap().role, Role::Admin);
    assert!(s.user("bob").await.unwrap().is_none());
    assert_eq!(s.users().await.unwrap().len(), 1);
    assert!(s.set_password("alice", "$argon2id$new").await.unwrap());
    assert_eq!(s.user("alice").await.unwrap().unwrap().password_hash, "$argon2id$new");
    assert!(!s.set_password("bob", "x").await.unwrap());
    s.add_user(UserRow { name: "carol".into(), password_hash: "h".into(), role: Role::Viewer }).await.unwrap();
    assert!(s.remove_user("carol").await.unwrap() && !s.remove_user("carol").await.unwrap());
    let row = BundleRow {
        id: 0,
        version: "v1".into(),
        payload: "p".into(),
        signature: "s".into(),
        size: 3,
        created_by: "alice".into(),
        created_at: 5,
    };
    let id = s.add_bundle(row, vec![1, 2, 3]).await.unwrap();
    assert_eq!(s.bundles().await.unwrap()[0].version, "v1");
    assert_eq!(s.bundle_tar(id).await.unwrap(), Some(vec![1, 2, 3]));
    assert_eq!(s.bundle_tar(id + 99).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_behaves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.db");
    behaves(Arc::new(SqliteStorage::open(&path).unwrap())).await;
    // Opened again, the migrations are not run twice.
    assert_eq!(SqliteStorage::open(&path).unwrap().kiosks().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_behaves_the_same_and_takes_an_agents_reports() {
    let pg = TestPostgres::start();
    behaves(Arc::new(PostgresStorage::connect(&pg.url).await.unwrap())).await;
    let storage = PostgresStorage::connect(&pg.url).await.expect("a second connect migrates nothing");
    assert_eq!(storage.kiosks().await.unwrap().len(), 2);

    // A fleet on PostgreSQL, a real agent's client reporting to it.
    use guichet_agent::fleet::{enrol, link::Link, outbox, send_queued};
    let fleet = guichet_tests::fleet::TestFleet::start_with(
        tempfile::tempdir().unwrap(),
        Arc::new(storage),
        guichet_fleet::system_clock(),
    )
    .await;
    let code = fleet.code("Mairie C").await;
    let kiosk_dir = tempfile::tempdir().unwrap();
    let store = guichet_agent::store::Store::open(&kiosk_dir.path().join("agent.db")).unwrap();
    let link = Link::new(&fleet.url, Some(&std::fs::read(&fleet.ca).unwrap())).unwrap();
    let id = enrol(&store, &link, &code).await.unwrap();
    for t in 0..700u64 {
        outbox::push(
            &store,
            &guichet_protocol::fleet::HealthSample { taken_at: 1_796_212_800 + t * 300, ..Default::default() },
            8064,
        )
        .unwrap();
    }
    store.add("procedure_started/caf-prime-activite", 4).unwrap();
    send_queued(&store, &link, &id.token).await.unwrap();
    assert_eq!(fleet.fleet.storage.sample_count(&id.kiosk_id).await.unwrap(), 700, "two batches of a report each");
    let usage = fleet.fleet.storage.usage("2000-01-01", "2100-01-01").await.unwrap();
    assert!(usage.iter().any(|u| u.name == "procedure_started/caf-prime-activite" && u.value == 4));
    drop(fleet);
    drop(pg);
}
