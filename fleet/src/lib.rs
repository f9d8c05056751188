//! The Guichet fleet server: where kiosks report their health and anonymous counters, and
//! where IT staff watch them, send them commands, roll out content and settings, and read
//! the needs statistics.
//!
//! It must never hold a citizen's data, and reports carry none: health, per-day counters
//! of ids, command results. `serve` takes its listener and a shutdown future, so a test
//! starts a whole server on a loopback port and stops it cleanly.

pub mod api;
pub mod auth;
pub mod bundle;
pub mod console;
pub mod health;
pub mod intake;
pub mod metrics;
pub mod signing;
pub mod storage;
pub mod time_fmt;
pub mod tls;
pub mod view;
pub mod words;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use axum::Router;

use crate::auth::Sessions;
use crate::health::Rules;
use crate::intake::Intake;
use crate::metrics::Metrics;
use crate::signing::FleetKey;
use crate::storage::{Storage, StorageError};
use crate::view::FleetView;

/// The clock, injectable: tests judge "offline after 10 minutes" without waiting.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()))
}

pub struct Fleet {
    pub storage: Arc<dyn Storage>,
    pub key: FleetKey,
    pub rules: Rules,
    pub view: FleetView,
    pub intake: Intake,
    pub metrics: Metrics,
    pub sessions: Sessions,
    /// Whether the console is served over HTTPS (its cookie is then `Secure`).
    pub https: bool,
    /// Counts accepted reports, for whoever waits for the next one (tests, benchmarks).
    pub reports_seen: tokio::sync::watch::Sender<u64>,
    /// When set, `/metrics` wants `Authorization: Bearer` with it: the metrics name every
    /// kiosk and site, and the listener is the kiosks' one, open to the internet.
    pub metrics_token: std::sync::OnceLock<String>,
    clock: Clock,
}

impl Fleet {
    /// Loads the fleet's view from `storage` and starts the report writer.
    pub async fn new(
        storage: Arc<dyn Storage>,
        key: FleetKey,
        rules: Rules,
        clock: Clock,
        https: bool,
    ) -> Result<Arc<Fleet>, StorageError> {
        let view = FleetView::load(storage.as_ref(), clock()).await?;
        Ok(Arc::new(Fleet {
            intake: Intake::start(Arc::clone(&storage)),
            storage,
            key,
            rules,
            view,
            metrics: Metrics::default(),
            sessions: Sessions::default(),
            https,
            reports_seen: tokio::sync::watch::Sender::new(0),
            metrics_token: std::sync::OnceLock::new(),
            clock,
        }))
    }

    pub fn now(&self) -> u64 {
        (self.clock)()
    }

    /// Today's visits and mediator calls per site, for `/metrics`.
    pub fn today_by_site(&self, today: &str) -> BTreeMap<String, (i64, i64)> {
        let mut sites = BTreeMap::new();
        for k in self.view.all() {
            let entry = sites.entry(k.info.site.clone()).or_insert((0, 0));
            if let Some((day, sessions, calls)) = &k.today
                && day == today
            {
                entry.0 += sessions;
                entry.1 += calls;
            }
        }
        sites
    }

    /// Queues `action` for one kiosk, sent with the answer to its next report until it
    /// is acknowledged; the command's id.
    pub async fn queue(
        &self,
        kiosk: &str,
        action: &guichet_protocol::fleet::Action,
        user: &str,
    ) -> Result<i64, StorageError> {
        let json = serde_json::to_string(action).unwrap_or_default();
        let now = self.now() as i64;
        let id = self.storage.add_command(kiosk, &json, user, now).await?;
        let row = storage::CommandRow {
            id,
            kiosk: kiosk.to_owned(),
            action: json,
            created_by: user.to_owned(),
            created_at: now,
            acked_at: None,
            ok: None,
            detail: String::new(),
        };
        self.view.update(kiosk, |k| k.pending.push(row));
        tracing::info!(user, kiosk, command = id, "command queued");
        Ok(id)
    }

    /// Signs `payload` as JSON: settings and manifests sent to kiosks.
    pub fn sign_json<T: serde::Serialize>(&self, payload: &T) -> guichet_protocol::fleet::Signed {
        self.key.sign(&serde_json::to_vec(payload).unwrap_or_default())
    }
}

/// Every route: the kiosks' API, `/metrics`, the console.
pub fn router(fleet: Arc<Fleet>) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(console::routes())
        .route("/metrics", axum::routing::get(metrics_page))
        .with_state(fleet)
}

async fn metrics_page(
    axum::extract::State(fleet): axum::extract::State<Arc<Fleet>>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Some(token) = fleet.metrics_token.get() {
        let given = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        if given.and_then(|v| v.strip_prefix("Bearer ")).map(str::trim) != Some(token.as_str()) {
            return (axum::http::StatusCode::UNAUTHORIZED, "a bearer token is needed for /metrics").into_response();
        }
    }
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(axum::http::header::CONTENT_TYPE, content_type)], fleet.metrics.render(&fleet)).into_response()
}

/// Serves until `shutdown` resolves, over TLS when `tls` is given.
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    fleet: Arc<Fleet>,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    spawn_pruning(Arc::clone(&fleet));
    let app = router(fleet);
    match tls {
        None => axum::serve(listener, app).with_graceful_shutdown(shutdown).await,
        Some(config) => tls::serve(listener, app, config, shutdown).await,
    }
}

/// Samples older than 90 days go: the charts show weeks, and the needs statistics come
/// from the per-day counters, which are kept.
fn spawn_pruning(fleet: Arc<Fleet>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let before = fleet.now().saturating_sub(90 * 86_400) as i64;
            match fleet.storage.prune_samples(before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(samples = n, "old samples pruned"),
                Err(e) => tracing::warn!(cause = %e, "cannot prune old samples"),
            }
        }
    });
}
