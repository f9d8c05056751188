//! A fleet server for tests: the real one, on a loopback port, over HTTPS with a
//! self-signed certificate the agents are told to trust, storing in SQLite (or in any
//! `Storage`) in a temporary folder.

use std::path::PathBuf;
use std::sync::Arc;

use guichet_fleet::health::Rules;
use guichet_fleet::signing::FleetKey;
use guichet_fleet::storage::sqlite::SqliteStorage;
use guichet_fleet::storage::{CodeRow, Storage};
use guichet_fleet::{Clock, Fleet};

use crate::BOUND;

pub struct TestFleet {
    pub fleet: Arc<Fleet>,
    /// `https://127.0.0.1:PORT`
    pub url: String,
    /// The server's certificate, for `fleet.ca_certificate`.
    pub ca: PathBuf,
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The signing key of every test fleet, so a test can sign as the fleet (or not).
pub const SEED: [u8; 32] = [42; 32];

impl TestFleet {
    /// On the current runtime, with SQLite in a new folder.
    pub async fn start() -> TestFleet {
        let dir = tempfile::tempdir().expect("temp dir");
        let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&dir.path().join("fleet.db")).expect("fleet db"));
        TestFleet::start_with(dir, storage, guichet_fleet::system_clock()).await
    }

    pub async fn start_with(dir: tempfile::TempDir, storage: Arc<dyn Storage>, clock: Clock) -> TestFleet {
        TestFleet::start_on(dir, storage, clock, 0).await
    }

    /// On `port` (0: any free one), for a server that comes back where it was. It runs on
    /// a runtime of its own, so that stopping it closes every connection, as a server
    /// going down does.
    pub async fn start_on(dir: tempfile::TempDir, storage: Arc<dyn Storage>, clock: Clock, port: u16) -> TestFleet {
        // The same certificate across a restart, as a real server keeps its own.
        let ca = dir.path().join("fleet-ca.pem");
        let key = dir.path().join("fleet-key.pem");
        let tls = if ca.exists() && key.exists() {
            guichet_fleet::tls::from_pem_files(&ca, &key).expect("certificate")
        } else {
            let (tls, pem, key_pem) =
                guichet_fleet::tls::self_signed(&["127.0.0.1", "localhost"]).expect("certificate");
            std::fs::write(&ca, pem).expect("write certificate");
            std::fs::write(&key, key_pem).expect("write key");
            tls
        };
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let fleet =
                    Fleet::new(storage, FleetKey::from_seed(SEED), Rules::default(), clock, true).await.expect("fleet");
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
                let url = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
                let _ = ready_tx.send((Arc::clone(&fleet), url));
                let _ = guichet_fleet::serve(listener, fleet, Some(tls), async {
                    let _ = stopped.await;
                })
                .await;
            });
        });
        let (fleet, url) = tokio::time::timeout(BOUND, ready_rx).await.expect("fleet start").expect("fleet started");
        TestFleet { fleet, url, ca, dir, stop: Some(stop), thread: Some(thread) }
    }

    /// A fresh enrolment code for `site`, valid a day.
    pub async fn code(&self, site: &str) -> String {
        let code = guichet_fleet::auth::new_code();
        let now = self.fleet.now() as i64;
        self.fleet
            .storage
            .add_code(CodeRow {
                code_hash: guichet_fleet::auth::code_hash(&code),
                hint: code[..4].to_owned(),
                site: site.to_owned(),
                created_by: "test".into(),
                created_at: now,
                expires_at: now + 86_400,
                used_by: None,
            })
            .await
            .expect("code");
        code
    }

    /// Waits until `done` (which may ask the storage) holds after a report, at most the
    /// test bound.
    pub async fn wait_until<F, Fut>(&self, what: &str, mut done: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let mut seen = self.fleet.reports_seen.subscribe();
        let wait = async {
            while !done().await {
                if seen.changed().await.is_err() {
                    break;
                }
            }
        };
        tokio::time::timeout(BOUND, wait).await.unwrap_or_else(|_| panic!("the fleet never saw {what}"));
    }

    /// Waits until `done` holds after a report, at most the test bound.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&Fleet) -> bool) {
        let mut seen = self.fleet.reports_seen.subscribe();
        let wait = async {
            while !done(&self.fleet) {
                if seen.changed().await.is_err() {
                    break;
                }
            }
        };
        tokio::time::timeout(BOUND, wait).await.unwrap_or_else(|_| panic!("the fleet never saw {what}"));
    }

    /// Stops the server (the kiosks find nobody there) and returns its folder.
    pub async fn stop(mut self) -> tempfile::TempDir {
        self.shutdown();
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TestFleet {
    fn drop(&mut self) {
        self.shutdown();
    }
}
