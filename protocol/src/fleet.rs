//! The agent ↔ fleet server wire format: JSON over HTTPS, the agent always calling (a
//! kiosk sits behind NAT), commands coming back in the answer to a report.
//!
//! `docs/fleet.md` is the normative description, with example bodies; the golden files in
//! `protocol/golden/fleet/` pin each body's JSON. Like the kiosk ↔ agent protocol, it must
//! never carry a citizen's data: health, anonymous per-day counters, command results.
//! Added fields get `#[serde(default)]`; a tag is never renamed or reused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DeviceStatus;

/// The version in the API's path (`/api/v1/…`). Bumped only for a change an older agent
/// cannot follow.
pub const FLEET_API_VERSION: u32 = 1;

/// The largest report body the server takes; the agent splits its queue to stay under it.
pub const MAX_REPORT_BYTES: usize = 1 << 20;

/// `POST /api/v1/enrol`: the one-time code IT staff made in the console for a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub code: String,
    #[serde(default)]
    pub agent_version: String,
}

/// The answer to a good code: the kiosk's id and token (sent only this once; the server
/// keeps a hash), and the fleet's ed25519 public key for signed settings and content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub kiosk_id: String,
    pub token: String,
    pub site: String,
    /// Base64 (standard) of the 32-byte ed25519 public key.
    pub signing_key: String,
}

/// `POST /api/v1/report` with `Authorization: Bearer TOKEN`. `seq` grows by one at every
/// report a kiosk makes; the server refuses one it has already taken (`409`), so a
/// replayed report stores nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub seq: u64,
    #[serde(default)]
    pub agent_version: String,
    /// Oldest first.
    #[serde(default)]
    pub samples: Vec<HealthSample>,
    /// Samples the agent had to merge because its queue was full (server down too long).
    #[serde(default)]
    pub summaries: Vec<SampleSummary>,
    /// Per day, the whole day's value of each counter so far (not an increment): the
    /// server keeps the last value it was told, so a report sent twice counts once.
    #[serde(default)]
    pub usage: Vec<UsageDay>,
    #[serde(default)]
    pub acks: Vec<CommandAck>,
}

/// The kiosk's health at one moment: what makes it usable by the public or not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HealthSample {
    /// Unix seconds.
    pub taken_at: u64,
    #[serde(default)]
    pub uptime_s: u64,
    /// Whether a visit was open (the kiosk was in use).
    #[serde(default)]
    pub in_session: bool,
    #[serde(default)]
    pub kiosk: KioskHealth,
    /// Printer, scanner, GPIO, as `get_status` gives them to the kiosk.
    #[serde(default)]
    pub devices: Vec<DeviceStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<Space>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Space>,
    /// The SoC's temperature; absent where the hardware does not tell it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature_c: Option<f32>,
    /// Raspberry Pi firmware's power and throttling flags; absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<PowerFlags>,
    #[serde(default)]
    pub network: NetworkHealth,
    /// The public-service sites the procedures send people to.
    #[serde(default)]
    pub sites: Vec<SiteReach>,
}

/// The touchscreen UI, as its heartbeats to the agent show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskHealth {
    /// Connected and heard from within the last 30 seconds.
    pub alive: bool,
    /// The screen it shows (`attract`, `step`…), when alive.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub screen: String,
    /// Seconds since the last touch, as far as the agent knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_touch_s: Option<u64>,
    #[serde(default)]
    pub screen_on: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    pub free_bytes: u64,
    pub total_bytes: u64,
}

/// From the firmware's `get_throttled` bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerFlags {
    pub undervoltage_now: bool,
    pub throttled_now: bool,
    pub undervoltage_since_boot: bool,
    pub throttled_since_boot: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkHealth {
    /// A default route exists.
    pub route: bool,
    /// The interface it goes through (`eth0`, `wlan0`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interface: String,
}

/// Whether one site answered over HTTPS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteReach {
    pub url: String,
    pub reachable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u32>,
    /// Why not: `dns`, `connect`, `tls`, `timeout`, `request`, or `http_NNN` (a 5xx).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Samples merged into one when the queue was full: the span, how many, and the worst of
/// what they said, so a week offline still tells "the printer ran out of paper on Tuesday".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SampleSummary {
    pub from: u64,
    pub to: u64,
    pub samples: u64,
    /// Each device's states seen, `ready` left out: `{"printer": ["media_empty"]}`.
    #[serde(default)]
    pub device_problems: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub kiosk_down_samples: u64,
    #[serde(default)]
    pub offline_samples: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_disk_free_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_temperature_c: Option<f32>,
    #[serde(default)]
    pub undervoltage: bool,
}

/// One day's anonymous counters (`day` is `YYYY-MM-DD`, UTC). Names are a closed set plus
/// content ids: `sessions_started`, `procedure_started/ID`, `procedure_completed/ID`,
/// `abandoned/ID/STEP`, `language/CODE`, `mediator_calls`, `prints`… (`docs/fleet.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageDay {
    pub day: String,
    pub counters: BTreeMap<String, u64>,
}

/// What became of a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandAck {
    pub id: u64,
    pub ok: bool,
    /// Why it failed (`bad_signature`, `bad_bundle: …`), or what it did.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// The answer to a report: the last `seq` the server holds, and every command not yet
/// acknowledged (sent again until it is: the agent runs each id once).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportResponse {
    pub accepted_seq: u64,
    #[serde(default)]
    pub commands: Vec<Command>,
}

/// The body of a `409 Conflict`: that `seq` is not newer than what the server has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replayed {
    pub last_seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub id: u64,
    #[serde(flatten)]
    pub action: Action,
}

/// What IT staff asked of one kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Restart the machine, once no visit is open.
    Reboot,
    /// Erase the open visit now, if any.
    WipeNow,
    /// New settings: `signed.payload` is a `SettingsDocument`.
    Settings { signed: Signed },
    /// New content: download the bundle at `url` (same token) and check each file against
    /// `signed.payload`, a `BundleManifest`.
    Content { url: String, signed: Signed },
    /// Show `texts` (by language code; `fr` at least) on the attract screen until `until`
    /// (unix seconds); an empty `texts` takes the message away.
    Message {
        #[serde(default)]
        texts: BTreeMap<String, String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<u64>,
    },
    /// An action this agent does not know (a newer server): acknowledged as refused.
    #[serde(other)]
    Unknown,
}

/// A payload and the fleet's ed25519 signature over its bytes, both base64 (standard).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub payload: String,
    pub signature: String,
}

/// Settings pushed by the fleet. Every field is optional: an absent one keeps what the
/// kiosk's own config says. `issued_at` orders them: an older document is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsDocument {
    pub issued_at: u64,
    #[serde(default)]
    pub settings: RemoteSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSettings {
    /// The mediators' PIN as an argon2 hash, so IT staff can change it on every kiosk of a
    /// site at once (a lost card, a mediator gone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediator_pin_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_page_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_page_limit: Option<u32>,
    /// The public-service sites whose reachability is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_sites: Option<Vec<String>>,
    /// Minutes between health samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_every_min: Option<u32>,
}

/// What a content bundle holds: every file with its size and SHA-256 (hex). The bundle
/// itself is a tar of exactly these files; anything else in it refuses the whole bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleManifest {
    /// Shown to IT staff and reported back once installed ("2026-12-02 CAF update").
    pub version: String,
    pub issued_at: u64,
    pub files: Vec<BundleFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFile {
    /// Relative, `/`-separated, under `procedures/` or `po/`.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

impl BundleFile {
    /// Whether `path` is one a bundle may hold: `procedures/NAME.toml` or `po/NAME.po`,
    /// NAME of ASCII letters, digits, `-` and `_`. No `..`, no absolute path, no depth.
    pub fn path_allowed(path: &str) -> bool {
        let Some((dir, file)) = path.split_once('/') else { return false };
        let stem = match dir {
            "procedures" => file.strip_suffix(".toml"),
            "po" => file.strip_suffix(".po"),
            _ => None,
        };
        stem.is_some_and(|s| {
            !s.is_empty() && s.len() <= 80 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    }
}

/// Whether `name` may be a usage counter's name part (a procedure's or step's id, a
/// language code): short, ASCII letters, digits, `-` and `_`. Anything else could carry
/// what a person typed, so it is refused before it is counted.
pub fn usage_name_allowed(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_content_paths_are_allowed() {
        for ok in ["procedures/caf-prime-activite.toml", "po/ar.po", "po/pt_BR.po"] {
            assert!(BundleFile::path_allowed(ok), "{ok}");
        }
        for bad in [
            "../etc/passwd",
            "procedures/../../x.toml",
            "/procedures/a.toml",
            "procedures/a/b.toml",
            "procedures/.toml",
            "procedures/a.sh",
            "po/a.po/x",
            "bin/agent",
            "procedures/a b.toml",
            "",
        ] {
            assert!(!BundleFile::path_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn usage_names_are_ids_not_text() {
        assert!(usage_name_allowed("caf-prime-activite") && usage_name_allowed("step_3") && usage_name_allowed("ar"));
        for bad in ["", "Jean Dupont", "a/b", "é", &"x".repeat(65)] {
            assert!(!usage_name_allowed(bad), "{bad}");
        }
    }
}
