//! The fleet for teams that already run Prometheus: Debian's real Prometheus scrapes the
//! fleet's /metrics over HTTPS, a kiosk out of paper shows in a query, and the alert
//! rules of `fleet/contrib/` load and go pending. promtool checks the rules, their unit
//! tests and the example configuration.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use guichet_agent::fleet::link::{Link, https_client};
use guichet_agent::fleet::{enrol, outbox, send_queued};
use guichet_protocol::DeviceStatus;
use guichet_protocol::fleet::{HealthSample, KioskHealth};
use guichet_tests::BOUND;
use guichet_tests::fleet::TestFleet;

fn contrib() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fleet/contrib")
}

fn promtool(args: &[&str]) {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(contrib())
        .output()
        .expect("promtool (apt-get install prometheus)");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("SUCCESS"), "promtool {args:?}:\n{text}");
}

#[test]
fn the_alert_rules_and_example_config_pass_promtool() {
    promtool(&["check", "rules", "alert-rules.yml"]);
    promtool(&["test", "rules", "alert-rules.test.yml"]);
    promtool(&["check", "config", "prometheus.yml"]);
}

struct Prometheus(std::process::Child);

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"_-.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_the_fleet_and_sees_a_kiosk_out_of_paper() {
    let fleet = TestFleet::start().await;
    let code = fleet.code("Mairie de Test").await;
    let kiosk_dir = tempfile::tempdir().unwrap();
    let store = guichet_agent::store::Store::open(&kiosk_dir.path().join("agent.db")).unwrap();
    let link = Link::new(&fleet.url, Some(&std::fs::read(&fleet.ca).unwrap())).unwrap();
    let id = enrol(&store, &link, &code).await.unwrap();
    let sample = HealthSample {
        taken_at: guichet_fleet::system_clock()(),
        kiosk: KioskHealth { alive: true, ..Default::default() },
        devices: vec![DeviceStatus { device: "printer".into(), state: "media_empty".into(), ..Default::default() }],
        ..Default::default()
    };
    outbox::push(&store, &sample, 100).unwrap();
    send_queued(&store, &link, &id.token).await.unwrap();

    // A Prometheus of the test's own: the contrib rules, the fleet as its target every second.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(contrib().join("alert-rules.yml"), dir.path().join("alert-rules.yml")).unwrap();
    let target = fleet.url.trim_start_matches("https://");
    let config = format!(
        "global: {{ scrape_interval: 1s, evaluation_interval: 1s }}\nrule_files: [alert-rules.yml]\n\
         scrape_configs:\n  - job_name: guichet-fleet\n    scheme: https\n    tls_config: {{ ca_file: {ca:?} }}\n\
         \x20   static_configs: [{{ targets: [\"{target}\"] }}]\n",
        ca = fleet.ca.display()
    );
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    let port = free_port();
    let _prometheus = Prometheus(
        Command::new("prometheus")
            .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus (apt-get install prometheus)"),
    );
    let http = https_client(None, Duration::from_secs(5)).unwrap();
    let api = format!("http://127.0.0.1:{port}/api/v1");
    // Prometheus tells nothing when a scrape lands: its API is asked until it knows, within
    // a bound.
    let deadline = Instant::now() + 3 * BOUND;
    let query = "guichet_fleet_kiosk_device_problem{device=\"printer\",state=\"media_empty\"}";
    let (mut seen, mut pending) = (false, false);
    while !(seen && pending) {
        assert!(
            Instant::now() < deadline,
            "Prometheus never saw the kiosk out of paper (seen {seen}, pending {pending})"
        );
        if let Ok(r) = http.get(format!("{api}/query?query={}", encode(query))).send().await {
            let body: serde_json::Value = r.json().await.unwrap_or_default();
            let result = &body["data"]["result"];
            seen = result.as_array().is_some_and(|r| {
                r.len() == 1 && r[0]["metric"]["kiosk"] == id.kiosk_id.as_str() && r[0]["value"][1] == "1"
            });
        }
        if let Ok(r) = http.get(format!("{api}/alerts")).send().await {
            let body: serde_json::Value = r.json().await.unwrap_or_default();
            pending = body["data"]["alerts"].as_array().is_some_and(|a| {
                a.iter().any(|x| {
                    x["labels"]["alertname"] == "PrinterOutOfPaper" && x["labels"]["kiosk"] == id.kiosk_id.as_str()
                })
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Every rule of the contrib file loaded and evaluates without error.
    let rules: serde_json::Value = http.get(format!("{api}/rules")).send().await.unwrap().json().await.unwrap();
    let all: Vec<&serde_json::Value> =
        rules["data"]["groups"].as_array().unwrap().iter().flat_map(|g| g["rules"].as_array().unwrap()).collect();
    assert!(all.len() >= 12, "{rules}");
    assert!(all.iter().all(|r| r["health"] != "err"), "{rules}");
}
