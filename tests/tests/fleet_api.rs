//! The fleet's API against bad input, over real HTTPS: malformed reports, wrong or revoked
//! tokens, replayed reports, oversized bodies, counters that are not ids, bad enrolment
//! codes. Each gets its own status code, nothing is stored, and the refusal is counted
//! in /metrics.

use std::time::Duration;

use guichet_agent::fleet::link::https_client;
use guichet_fleet::storage::CodeRow;
use guichet_protocol::fleet::{EnrolResponse, Replayed, Report};
use guichet_tests::fleet::TestFleet;
use reqwest::StatusCode;
use serde_json::json;

struct Api {
    http: reqwest::Client,
    url: String,
}

impl Api {
    async fn post(&self, path: &str, token: Option<&str>, body: Vec<u8>) -> (StatusCode, String) {
        let mut r = self.http.post(format!("{}{path}", self.url)).header("content-type", "application/json").body(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let r = r.send().await.expect("the fleet answers");
        (r.status(), r.text().await.unwrap_or_default())
    }

    async fn report(&self, token: &str, report: serde_json::Value) -> (StatusCode, String) {
        self.post("/api/v1/report", Some(token), report.to_string().into_bytes()).await
    }
}

fn report(seq: u64) -> serde_json::Value {
    json!({ "seq": seq, "samples": [{ "taken_at": 1_796_212_800 + seq, "kiosk": { "alive": true } }],
            "usage": [{ "day": "2026-12-02", "counters": { "sessions_started": seq } }] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_its_own_code_and_stores_nothing() {
    let fleet = TestFleet::start().await;
    let api = Api {
        http: https_client(Some(&std::fs::read(&fleet.ca).unwrap()), Duration::from_secs(10)).unwrap(),
        url: fleet.url.clone(),
    };

    // --- Enrolment ---
    let (status, _) = api.post("/api/v1/enrol", None, br#"{"code":"AAAA-BBBB-CCCC"}"#.to_vec()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an unknown code");
    let (status, _) = api.post("/api/v1/enrol", None, b"{not json".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let expired = guichet_fleet::auth::new_code();
    fleet
        .fleet
        .storage
        .add_code(CodeRow {
            code_hash: guichet_fleet::auth::code_hash(&expired),
            hint: expired[..4].into(),
            site: "Mairie".into(),
            created_by: "test".into(),
            created_at: 0,
            expires_at: 1,
            used_by: None,
        })
        .await
        .unwrap();
    let (status, _) = api.post("/api/v1/enrol", None, json!({ "code": expired }).to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an expired code");
    let code = fleet.code("Mairie").await;
    // Typed on a kiosk in lower case with spaces: the same code.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, body) = api.post("/api/v1/enrol", None, json!({ "code": typed }).to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let enrolled: EnrolResponse = serde_json::from_str(&body).unwrap();
    let (status, _) = api.post("/api/v1/enrol", None, json!({ "code": code }).to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a code is used once");
    let token = enrolled.token.as_str();
    let kiosk = enrolled.kiosk_id.as_str();

    // --- Reports ---
    assert_eq!(api.report(token, report(1)).await.0, StatusCode::OK);
    assert_eq!(api.report("made-up-token", report(2)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api.post("/api/v1/report", None, report(2).to_string().into_bytes()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api.post("/api/v1/report", Some(token), b"{\"seq\": 2, ".to_vec()).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(api.report(token, json!({ "seq": 2, "samples": "many" })).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(api.report(token, report(0)).await.0, StatusCode::BAD_REQUEST, "seq starts at 1");
    let mut typed = report(2);
    typed["usage"][0]["counters"] = json!({ "procedure_started/Jean Dupont": 1 });
    assert_eq!(api.report(token, typed).await.0, StatusCode::BAD_REQUEST, "a counter name that is not ids");
    let mut bad_day = report(2);
    bad_day["usage"][0]["day"] = json!("yesterday");
    assert_eq!(api.report(token, bad_day).await.0, StatusCode::BAD_REQUEST);
    // On a connection of its own: the fleet answers before the 2 MiB are sent and closes it.
    let big = Api {
        http: https_client(Some(&std::fs::read(&fleet.ca).unwrap()), Duration::from_secs(10)).unwrap(),
        url: fleet.url.clone(),
    };
    let huge = vec![b' '; 2 << 20];
    assert_eq!(big.post("/api/v1/report", Some(token), huge).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    // The same report again (a replay): refused, with what the fleet holds.
    let (status, body) = api.report(token, report(1)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(serde_json::from_str::<Replayed>(&body).unwrap(), Replayed { last_seq: 1 });
    assert_eq!(fleet.fleet.storage.sample_count(kiosk).await.unwrap(), 1, "nothing refused was stored");
    let usage = fleet.fleet.storage.usage("2026-12-02", "2026-12-02").await.unwrap();
    assert_eq!(usage.len(), 1);
    assert_eq!(usage[0].value, 1);

    // A good one after all that still goes in; one that was well-formed JSON for an older
    // agent (no usage, no acks) too.
    assert_eq!(api.report(token, report(2)).await.0, StatusCode::OK);
    let minimal: Report = serde_json::from_str(r#"{"seq": 3}"#).unwrap();
    assert_eq!(api.report(token, serde_json::to_value(minimal).unwrap()).await.0, StatusCode::OK);

    // --- Revoked: the kiosk's token stops working at once ---
    fleet.fleet.storage.set_revoked(kiosk, true).await.unwrap();
    fleet.fleet.view.update(kiosk, |k| k.info.revoked = true);
    assert_eq!(api.report(token, report(4)).await.0, StatusCode::UNAUTHORIZED);
    let r = api.http.get(format!("{}/api/v1/bundles/1", fleet.url)).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // --- Every refusal is counted for Prometheus ---
    let metrics = api.http.get(format!("{}/metrics", fleet.url)).send().await.unwrap().text().await.unwrap();
    for (reason, n) in [("unauthorized", 3), ("malformed", 5), ("too_large", 1), ("replayed", 1)] {
        let line = format!("guichet_fleet_reports_refused_total{{reason=\"{reason}\"}} {n}");
        assert!(metrics.contains(&line), "no {line:?} in\n{metrics}");
    }
    assert!(metrics.contains("guichet_fleet_reports_total 3"), "{metrics}");
    assert!(metrics.contains("guichet_fleet_enrolments_refused_total 4"), "{metrics}");
}
