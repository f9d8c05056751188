//! The kiosks' side of the server: enrolment, reports, bundle downloads. Every refusal has
//! its own status code (400 malformed, 401 token, 409 replayed, 413 too large, 503 storage
//! down) and stores nothing; logs name the kiosk, never a token or a code.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing};
use guichet_protocol::fleet::{
    EnrolRequest, EnrolResponse, HealthSample, MAX_REPORT_BYTES, Replayed, Report, ReportResponse, usage_name_allowed,
};

use crate::Fleet;
use crate::metrics::Refusal;
use crate::storage::{NewKiosk, ReportWrite};

/// The most samples one report may carry (the agent sends a day's at most).
const MAX_SAMPLES: usize = 2_000;
const MAX_COUNTERS: usize = 5_000;

pub fn routes() -> Router<Arc<Fleet>> {
    Router::new()
        .route("/api/v1/enrol", routing::post(enrol))
        .route("/api/v1/report", routing::post(report))
        .route("/api/v1/bundles/{id}", routing::get(bundle))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REPORT_BYTES))
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

async fn enrol(State(fleet): State<Arc<Fleet>>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return refuse(e.status(), "the request body could not be read"),
    };
    let Ok(request) = serde_json::from_slice::<EnrolRequest>(&body) else {
        fleet.metrics.enrolments_refused.inc();
        return refuse(StatusCode::BAD_REQUEST, "expected {\"code\": \"…\"}");
    };
    let token = crate::auth::random_token();
    let id = format!("k-{}", crate::auth::random_hex(5));
    let code_hash = crate::auth::code_hash(&request.code);
    let now = fleet.now();
    let kiosk = NewKiosk {
        id: id.clone(),
        name: format!("Borne {}", &id[2..8]),
        token_hash: crate::auth::token_hash(&token),
        agent_version: plain(&request.agent_version, 32),
        enrolled_at: now as i64,
    };
    match fleet.storage.enrol(&code_hash, kiosk).await {
        Ok(Some(row)) => {
            tracing::info!(kiosk = %row.id, site = %row.site, "kiosk enrolled");
            fleet.metrics.enrolments.inc();
            let site = row.site.clone();
            fleet.view.add(row);
            Json(EnrolResponse { kiosk_id: id, token, site, signing_key: fleet.key.public_base64() }).into_response()
        }
        Ok(None) => {
            tracing::warn!("enrolment refused: unknown, used or expired code");
            fleet.metrics.enrolments_refused.inc();
            refuse(StatusCode::FORBIDDEN, "this code is unknown, already used or expired")
        }
        Err(e) => {
            tracing::error!(cause = %e, "cannot enrol");
            refuse(StatusCode::SERVICE_UNAVAILABLE, "storage unavailable, try again later")
        }
    }
}

/// The kiosk a request's bearer token names.
fn kiosk_of(fleet: &Fleet, headers: &HeaderMap) -> Option<crate::view::KioskEntry> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?;
    fleet.view.by_token(&crate::auth::token_hash(token.trim()))
}

async fn report(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            fleet.metrics.refused(Refusal::TooLarge);
            return refuse(e.status(), "the report is larger than 1 MiB");
        }
    };
    let Some(kiosk) = kiosk_of(&fleet, &headers) else {
        fleet.metrics.refused(Refusal::Unauthorized);
        tracing::warn!("report refused: unknown or revoked token");
        return refuse(StatusCode::UNAUTHORIZED, "unknown or revoked token");
    };
    let id = kiosk.info.id.clone();
    let report: Report = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            fleet.metrics.refused(Refusal::Malformed);
            tracing::warn!(kiosk = %id, cause = %e, "malformed report");
            return refuse(StatusCode::BAD_REQUEST, "malformed report");
        }
    };
    if let Err(why) = check(&report) {
        fleet.metrics.refused(Refusal::Malformed);
        tracing::warn!(kiosk = %id, why, "report refused");
        return refuse(StatusCode::BAD_REQUEST, why);
    }

    let _writing = kiosk.writing.lock().await;
    // Read again under the lock: a report of this kiosk may just have been stored.
    let last_seq = fleet.view.get(&id).map_or(kiosk.info.last_seq, |k| k.info.last_seq);
    if (report.seq as i64) <= last_seq {
        fleet.metrics.refused(Refusal::Replayed);
        tracing::warn!(kiosk = %id, seq = report.seq, last_seq, "replayed report refused");
        return (StatusCode::CONFLICT, Json(Replayed { last_seq: last_seq.max(0) as u64 })).into_response();
    }
    let now = fleet.now() as i64;
    let write = to_write(&id, now, &report);
    let samples = report.samples.len() as u64;
    if let Err(e) = fleet.intake.write(write).await {
        tracing::error!(kiosk = %id, cause = %e, "report not stored");
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "storage unavailable, send it again later");
    }
    fleet.metrics.reports.inc();
    fleet.metrics.samples.inc_by(samples);
    fleet.reports_seen.send_modify(|n| *n += 1);
    let newest = report.samples.into_iter().max_by_key(|s| s.taken_at);
    let acked: Vec<u64> = report.acks.iter().map(|a| a.id).collect();
    let mut commands = Vec::new();
    fleet.view.update(&id, |k| {
        k.info.last_seq = report.seq as i64;
        k.info.last_report_at = Some(now);
        k.info.agent_version = plain(&report.agent_version, 32);
        if let Some(sample) = newest.filter(|s| k.sample.as_ref().is_none_or(|old| old.taken_at <= s.taken_at)) {
            k.sample = Some(Arc::new(sample));
        }
        k.pending.retain(|c| !acked.contains(&(c.id as u64)));
        for day in &report.usage {
            for name in ["sessions_started", "mediator_calls"] {
                if let Some(v) = day.counters.get(name) {
                    k.count_today(&day.day, name, *v as i64);
                }
            }
        }
        commands = k.commands();
    });
    Json(ReportResponse { accepted_seq: report.seq, commands }).into_response()
}

/// What JSON alone cannot say: bounds, and counter names that are ids, not text.
fn check(report: &Report) -> Result<(), &'static str> {
    if report.seq == 0 || report.seq > i64::MAX as u64 {
        return Err("seq must be between 1 and 2^63");
    }
    if report.samples.len() > MAX_SAMPLES || report.summaries.len() > MAX_SAMPLES {
        return Err("too many samples in one report");
    }
    if report.usage.iter().map(|d| d.counters.len()).sum::<usize>() > MAX_COUNTERS {
        return Err("too many counters in one report");
    }
    for day in &report.usage {
        if time::Date::parse(&day.day, time::macros::format_description!("[year]-[month]-[day]")).is_err() {
            return Err("a usage day is not YYYY-MM-DD");
        }
        for (name, value) in &day.counters {
            if !name.split('/').all(usage_name_allowed) || *value > i64::MAX as u64 {
                return Err("a usage counter's name is not made of ids");
            }
        }
    }
    Ok(())
}

/// Text a kiosk sent, as stored: bounded, without control characters (PostgreSQL refuses
/// a NUL, and one refused row would fail the whole batch of other kiosks' reports).
fn plain(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

fn to_write(kiosk: &str, now: i64, report: &Report) -> ReportWrite {
    let json = |s: &HealthSample| serde_json::to_string(s).unwrap_or_default();
    ReportWrite {
        kiosk: kiosk.to_owned(),
        seq: report.seq as i64,
        received_at: now,
        agent_version: plain(&report.agent_version, 32),
        samples: report.samples.iter().map(|s| (s.taken_at.min(i64::MAX as u64) as i64, json(s))).collect(),
        summaries: report
            .summaries
            .iter()
            .map(|s| (s.from as i64, s.to as i64, serde_json::to_string(s).unwrap_or_default()))
            .collect(),
        usage: report
            .usage
            .iter()
            .flat_map(|d| d.counters.iter().map(|(name, value)| (d.day.clone(), name.clone(), *value as i64)))
            .collect(),
        acks: report.acks.iter().map(|a| (a.id.min(i64::MAX as u64) as i64, a.ok, plain(&a.detail, 500))).collect(),
    }
}

async fn bundle(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let Some(kiosk) = kiosk_of(&fleet, &headers) else {
        tracing::warn!(bundle = id, "bundle download refused: unknown or revoked token");
        return refuse(StatusCode::UNAUTHORIZED, "unknown or revoked token");
    };
    match fleet.storage.bundle_tar(id).await {
        Ok(Some(tar)) => {
            tracing::info!(kiosk = %kiosk.info.id, bundle = id, "bundle downloaded");
            ([(header::CONTENT_TYPE, "application/x-tar")], tar).into_response()
        }
        Ok(None) => refuse(StatusCode::NOT_FOUND, "no such bundle"),
        Err(e) => {
            tracing::error!(cause = %e, "cannot read a bundle");
            refuse(StatusCode::SERVICE_UNAVAILABLE, "storage unavailable")
        }
    }
}
