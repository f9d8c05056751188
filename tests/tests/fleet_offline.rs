//! A fleet server down for a week, then back: the agent's queue (its real SQLite store)
//! keeps every sample within its bound and every counter, reports resume with backoff, and
//! past the bound the oldest samples come back as summaries that still count them and say
//! what went wrong. Time is simulated: the week passes as sample times and backoff
//! delays, each report attempt a real HTTPS call to a port where nobody answers.

use std::sync::Arc;

use guichet_agent::fleet::link::{Link, backoff, jitter};
use guichet_agent::fleet::{enrol, outbox, send_queued};
use guichet_agent::store::Store;
use guichet_fleet::storage::Storage;
use guichet_fleet::storage::sqlite::SqliteStorage;
use guichet_protocol::DeviceStatus;
use guichet_protocol::fleet::{HealthSample, KioskHealth};
use guichet_tests::fleet::TestFleet;

const EVERY: u64 = 300;
const WEEK: u64 = 7 * 86_400;

fn sample(t: u64, printer: &str) -> HealthSample {
    HealthSample {
        taken_at: t,
        kiosk: KioskHealth { alive: true, ..Default::default() },
        devices: vec![DeviceStatus { device: "printer".into(), state: printer.into(), ..Default::default() }],
        ..Default::default()
    }
}

struct Offline {
    attempts: u32,
    pushed: u64,
}

/// A week of samples every five minutes with the fleet unreachable; the printer runs out
/// of paper on the third day. Each attempt the backoff allows must fail.
async fn a_week_offline(store: &Store, link: &Link, token: &str, start: u64, limit: u32) -> Offline {
    let (mut failures, mut attempts, mut pushed) = (0, 0, 0);
    let mut next_attempt = start;
    let mut t = start;
    while t < start + WEEK {
        let printer = if (2 * 86_400..3 * 86_400).contains(&(t - start)) { "media_empty" } else { "ready" };
        outbox::push(store, &sample(t, printer), limit).unwrap();
        pushed += 1;
        if t.is_multiple_of(3600) {
            store.add("sessions_started", 1).unwrap();
        }
        if t >= next_attempt {
            attempts += 1;
            let err = send_queued(store, link, token).await.expect_err("nobody is listening");
            assert!(err.to_string().contains("cannot be reached"), "{err}");
            failures += 1;
            next_attempt = t + backoff(failures, jitter()).as_secs();
        }
        t += EVERY;
    }
    Offline { attempts, pushed }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_week_without_the_fleet_loses_nothing() {
    let fleet = TestFleet::start().await;
    let code = fleet.code("Mairie de Test").await;
    let kiosk = tempfile::tempdir().unwrap();
    let store = Store::open(&kiosk.path().join("agent.db")).unwrap();
    let link = Link::new(&fleet.url, Some(&std::fs::read(&fleet.ca).unwrap())).unwrap();
    let id = enrol(&store, &link, &code).await.unwrap();
    let start = 1_796_212_800;
    outbox::push(&store, &sample(start - EVERY, "ready"), 8064).unwrap();
    send_queued(&store, &link, &id.token).await.unwrap();

    let port: u16 = fleet.url.rsplit(':').next().unwrap().parse().unwrap();
    let dir = fleet.stop().await;
    let week = a_week_offline(&store, &link, &id.token, start, 8064).await;
    assert_eq!(week.pushed, WEEK / EVERY);
    assert_eq!(outbox::queued(&store).unwrap(), (week.pushed as u32, 0), "all kept, none merged");
    // Doubling to an hour, with jitter: about one attempt an hour, not one per sample.
    assert!((150..=340).contains(&week.attempts), "{} attempts in a week", week.attempts);

    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&dir.path().join("fleet.db")).unwrap());
    let fleet = TestFleet::start_on(dir, storage, guichet_fleet::system_clock(), port).await;
    send_queued(&store, &link, &id.token).await.expect("the fleet is back");
    assert_eq!(outbox::queued(&store).unwrap(), (0, 0));
    assert_eq!(fleet.fleet.storage.sample_count(&id.kiosk_id).await.unwrap(), 1 + week.pushed as i64);
    let usage = fleet.fleet.storage.usage("2000-01-01", "2100-01-01").await.unwrap();
    let sessions: i64 = usage.iter().filter(|r| r.name == "sessions_started").map(|r| r.value).sum();
    assert_eq!(sessions, (WEEK / 3600) as i64, "every counter arrived");
    // Sent again (an answer lost on the way back): stored once.
    outbox::push(&store, &sample(start + WEEK, "ready"), 8064).unwrap();
    send_queued(&store, &link, &id.token).await.unwrap();
    assert_eq!(fleet.fleet.storage.sample_count(&id.kiosk_id).await.unwrap(), 2 + week.pushed as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_bound_the_oldest_are_summarised_and_counted() {
    let fleet = TestFleet::start().await;
    let code = fleet.code("Mairie de Test").await;
    let kiosk = tempfile::tempdir().unwrap();
    let store = Store::open(&kiosk.path().join("agent.db")).unwrap();
    let link = Link::new(&fleet.url, Some(&std::fs::read(&fleet.ca).unwrap())).unwrap();
    let id = enrol(&store, &link, &code).await.unwrap();
    let port: u16 = fleet.url.rsplit(':').next().unwrap().parse().unwrap();
    let dir = fleet.stop().await;

    // Room for two days only: the first five days are merged a day at a time.
    let limit = 576;
    let start = 1_796_212_800;
    let week = a_week_offline(&store, &link, &id.token, start, limit).await;
    let (samples, summaries) = outbox::queued(&store).unwrap();
    assert!(samples <= 2 * limit && summaries >= 5, "{samples} samples, {summaries} summaries");

    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&dir.path().join("fleet.db")).unwrap());
    let fleet = TestFleet::start_on(dir, storage, guichet_fleet::system_clock(), port).await;
    send_queued(&store, &link, &id.token).await.expect("the fleet is back");
    let stored = fleet.fleet.storage.sample_count(&id.kiosk_id).await.unwrap() as u64;
    let merged: Vec<guichet_protocol::fleet::SampleSummary> = (fleet.fleet.storage.summaries(&id.kiosk_id, 100).await)
        .unwrap()
        .iter()
        .map(|(_, _, body)| serde_json::from_str(body).unwrap())
        .collect();
    let counted: u64 = merged.iter().map(|s| s.samples).sum();
    assert_eq!(stored + counted, week.pushed, "every sample is either kept or counted in a summary");
    // The paper ran out on the third day, which was merged: the summary still says so.
    assert!(
        merged.iter().any(|s| s.device_problems.get("printer").is_some_and(|p| p.contains(&"media_empty".to_owned())))
    );
}
