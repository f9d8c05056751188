//! Golden wire tests for the agent ↔ fleet bodies (`protocol/golden/fleet/`), both ways,
//! as for the kiosk ↔ agent messages: a kiosk in the field with an older agent must keep
//! talking to a newer fleet. `GOLDEN_UPDATE=1` rewrites the files.

use std::collections::BTreeMap;

use guichet_protocol::fleet::*;
use guichet_protocol::{DeviceStatus, Supply};

fn check<T>(name: &str, value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let path = format!("{}/golden/fleet/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let ours = serde_json::to_string_pretty(value).unwrap();
    if std::env::var_os("GOLDEN_UPDATE").is_some() {
        std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{ours}\n")).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(ours, golden.trim_end(), "serialisation of {name} drifted from {path}");
    let parsed: T = serde_json::from_str(&golden).unwrap();
    assert_eq!(&parsed, value, "{path} no longer parses to the same value");
}

fn sample() -> HealthSample {
    HealthSample {
        taken_at: 1_796_212_800,
        uptime_s: 86_400,
        in_session: false,
        kiosk: KioskHealth { alive: true, screen: "attract".into(), last_touch_s: Some(600), screen_on: true },
        devices: vec![
            DeviceStatus {
                device: "printer".into(),
                state: "media_empty".into(),
                simulated: false,
                warnings: vec!["toner_low".into()],
                supplies: vec![Supply { kind: "toner".into(), color: "black".into(), level: 6 }],
            },
            DeviceStatus { device: "scanner".into(), state: "ready".into(), ..Default::default() },
        ],
        disk: Some(Space { free_bytes: 21_474_836_480, total_bytes: 31_914_983_424 }),
        memory: Some(Space { free_bytes: 2_560_000_000, total_bytes: 3_977_000_000 }),
        temperature_c: Some(54.5),
        power: Some(PowerFlags {
            undervoltage_now: false,
            throttled_now: false,
            undervoltage_since_boot: true,
            throttled_since_boot: false,
        }),
        network: NetworkHealth { route: true, interface: "eth0".into() },
        sites: vec![
            SiteReach { url: "https://www.caf.fr".into(), reachable: true, latency_ms: Some(48), error: None },
            SiteReach {
                url: "https://ants.gouv.fr".into(),
                reachable: false,
                latency_ms: None,
                error: Some("timeout".into()),
            },
        ],
    }
}

#[test]
fn fleet_bodies_match_golden_files() {
    check("enrol_request", &EnrolRequest { code: "K7QM-4TZX-9PRA".into(), agent_version: "0.1.0".into() });
    check(
        "enrol_response",
        &EnrolResponse {
            kiosk_id: "k-3fa9c2e1d0".into(),
            token: "q5Tk0y3nW1iP2GvB9dXc8eLfRz4sJhAu7mNoKpQrStU".into(),
            site: "Mairie de Saint-Denis".into(),
            signing_key: "1Q2+T8r0xH5b6pN9qW3eR7tY4uI0oP1aS2dF3gH4jK8=".into(),
        },
    );
    let mut counters = BTreeMap::new();
    counters.insert("sessions_started".to_owned(), 14);
    counters.insert("procedure_started/caf-prime-activite".to_owned(), 5);
    counters.insert("abandoned/caf-prime-activite/revenus".to_owned(), 2);
    counters.insert("language/ar".to_owned(), 3);
    let mut problems = BTreeMap::new();
    problems.insert("printer".to_owned(), vec!["media_empty".to_owned()]);
    check(
        "report",
        &Report {
            seq: 42,
            agent_version: "0.1.0".into(),
            samples: vec![sample()],
            summaries: vec![SampleSummary {
                from: 1_795_000_000,
                to: 1_795_086_100,
                samples: 288,
                device_problems: problems,
                kiosk_down_samples: 0,
                offline_samples: 288,
                min_disk_free_bytes: Some(21_000_000_000),
                max_temperature_c: Some(61.0),
                undervoltage: false,
            }],
            usage: vec![UsageDay { day: "2026-12-02".into(), counters }],
            acks: vec![
                CommandAck { id: 7, ok: true, detail: "applied".into() },
                CommandAck { id: 8, ok: false, detail: "bad_signature".into() },
            ],
        },
    );
    let signed = Signed { payload: "eyJpc3N1ZWRfYXQiOjF9".into(), signature: "c2lnbmF0dXJl".into() };
    check(
        "report_response",
        &ReportResponse {
            accepted_seq: 42,
            commands: vec![
                Command { id: 9, action: Action::Reboot },
                Command { id: 10, action: Action::WipeNow },
                Command { id: 11, action: Action::Settings { signed: signed.clone() } },
                Command { id: 12, action: Action::Content { url: "/api/v1/bundles/3".into(), signed } },
                Command {
                    id: 13,
                    action: Action::Message {
                        texts: [("fr".to_owned(), "Fermé jeudi après-midi.".to_owned())].into_iter().collect(),
                        until: Some(1_796_299_200),
                    },
                },
            ],
        },
    );
    check("replayed", &Replayed { last_seq: 42 });
    check(
        "settings_document",
        &SettingsDocument {
            issued_at: 1_796_212_800,
            settings: RemoteSettings {
                mediator_pin_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into()),
                print_page_limit: Some(30),
                scan_page_limit: None,
                health_sites: Some(vec!["https://www.caf.fr".into()]),
                sample_every_min: Some(5),
            },
        },
    );
    check(
        "bundle_manifest",
        &BundleManifest {
            version: "2026-12 mise à jour CAF".into(),
            issued_at: 1_796_212_800,
            files: vec![BundleFile {
                path: "procedures/caf-prime-activite.toml".into(),
                size: 4812,
                sha256: "9f2c1e0b6d5a4f3e2d1c0b9a8f7e6d5c4b3a29180f7e6d5c4b3a291807f6e5d4".into(),
            }],
        },
    );
}

#[test]
fn a_newer_fleets_command_and_an_older_agents_report_both_parse() {
    let future = r#"{"accepted_seq":3,"commands":[{"id":4,"action":"self_destruct","when":"now"}]}"#;
    let answer: ReportResponse = serde_json::from_str(future).unwrap();
    assert_eq!(answer.commands[0].action, Action::Unknown);
    let old = r#"{"seq":1,"samples":[{"taken_at":5}]}"#;
    let report: Report = serde_json::from_str(old).unwrap();
    assert_eq!(report.samples[0].kiosk, KioskHealth::default());
    assert!(report.usage.is_empty() && report.acks.is_empty());
    // Settings a newer fleet knows and this agent does not: refused whole, not half applied.
    assert!(serde_json::from_str::<RemoteSettings>(r#"{"volume":3}"#).is_err());
}
