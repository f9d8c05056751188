//! What a kiosk's last report means for IT staff: one state (usable or not, and why) and
//! the alerts to act on. Pure functions of the sample and the time, so every rule is
//! tested without a server.

use guichet_protocol::fleet::HealthSample;
use serde::Serialize;

/// A kiosk's state, worst first. `Warning` is still usable by the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KioskState {
    Unusable,
    Offline,
    Warning,
    Ok,
    NeverSeen,
}

impl KioskState {
    pub const ALL: [KioskState; 5] =
        [KioskState::Ok, KioskState::Warning, KioskState::Unusable, KioskState::Offline, KioskState::NeverSeen];

    pub fn code(self) -> &'static str {
        match self {
            KioskState::Ok => "ok",
            KioskState::Warning => "warning",
            KioskState::Unusable => "unusable",
            KioskState::Offline => "offline",
            KioskState::NeverSeen => "never_seen",
        }
    }

    /// In the console's words (French: the console is for French town halls' IT teams).
    pub fn label(self) -> &'static str {
        match self {
            KioskState::Ok => "En service",
            KioskState::Warning => "À surveiller",
            KioskState::Unusable => "Inutilisable",
            KioskState::Offline => "Hors ligne",
            KioskState::NeverSeen => "Jamais vue",
        }
    }
}

/// Something IT staff should act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    Offline,
    UiDown,
    PaperOut,
    PaperJam,
    PrinterDown,
    ScannerMissing,
    TonerLow,
    PaperLow,
    SiteUnreachable,
    DiskLow,
    Undervoltage,
}

impl AlertKind {
    pub const ALL: [AlertKind; 11] = [
        AlertKind::Offline,
        AlertKind::UiDown,
        AlertKind::PaperOut,
        AlertKind::PaperJam,
        AlertKind::PrinterDown,
        AlertKind::ScannerMissing,
        AlertKind::TonerLow,
        AlertKind::PaperLow,
        AlertKind::SiteUnreachable,
        AlertKind::DiskLow,
        AlertKind::Undervoltage,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AlertKind::Offline => "offline",
            AlertKind::UiDown => "ui_down",
            AlertKind::PaperOut => "paper_out",
            AlertKind::PaperJam => "paper_jam",
            AlertKind::PrinterDown => "printer_down",
            AlertKind::ScannerMissing => "scanner_missing",
            AlertKind::TonerLow => "toner_low",
            AlertKind::PaperLow => "paper_low",
            AlertKind::SiteUnreachable => "site_unreachable",
            AlertKind::DiskLow => "disk_low",
            AlertKind::Undervoltage => "undervoltage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertKind::Offline => "Hors ligne",
            AlertKind::UiDown => "Écran tactile ne répond pas",
            AlertKind::PaperOut => "Plus de papier",
            AlertKind::PaperJam => "Bourrage papier",
            AlertKind::PrinterDown => "Imprimante en panne",
            AlertKind::ScannerMissing => "Scanner absent",
            AlertKind::TonerLow => "Toner bas",
            AlertKind::PaperLow => "Papier bas",
            AlertKind::SiteUnreachable => "Site public injoignable",
            AlertKind::DiskLow => "Disque presque plein",
            AlertKind::Undervoltage => "Alimentation insuffisante",
        }
    }

    /// What to do, for the person who reads the alert.
    pub fn advice(self) -> &'static str {
        match self {
            AlertKind::Offline => "Vérifier le courant et le réseau de la borne, ou appeler l'accueil du site.",
            AlertKind::UiDown => "Redémarrer la borne à distance ; si cela recommence, prévoir une intervention.",
            AlertKind::PaperOut => "Appeler l'accueil du site pour remettre du papier.",
            AlertKind::PaperJam => "Appeler l'accueil du site pour retirer la feuille coincée.",
            AlertKind::PrinterDown => "L'imprimante est arrêtée ou injoignable : vérifier qu'elle est allumée.",
            AlertKind::ScannerMissing => "Vérifier que le scanner est branché et allumé.",
            AlertKind::TonerLow => "Commander une cartouche de toner.",
            AlertKind::PaperLow => "Prévoir du papier pour le site.",
            AlertKind::SiteUnreachable => {
                "Un site public ne répond pas depuis la borne : réseau du site ou site en panne."
            }
            AlertKind::DiskLow => "Le disque de la borne se remplit : la réinstaller ou la changer.",
            AlertKind::Undervoltage => "Alimentation trop faible : changer le bloc d'alimentation de la borne.",
        }
    }

    /// Whether the public cannot use the kiosk while this lasts.
    pub fn blocks_public(self) -> bool {
        matches!(
            self,
            AlertKind::Offline
                | AlertKind::UiDown
                | AlertKind::PaperOut
                | AlertKind::PaperJam
                | AlertKind::PrinterDown
                | AlertKind::ScannerMissing
        )
    }
}

/// One alert with a short detail for the console ("toner noir 4 %", a site's URL).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub detail: String,
}

/// Thresholds, from the server's config.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// A kiosk silent for longer is offline.
    pub offline_after_s: u64,
    /// Below this fraction of free disk, `disk_low`.
    pub disk_low_ratio: f64,
    /// At or below this percent, `toner_low`.
    pub toner_low_percent: i32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { offline_after_s: 600, disk_low_ratio: 0.10, toner_low_percent: 10 }
    }
}

/// The state and alerts of a kiosk whose last report came at `last_report` with `sample`
/// (both `None` for one enrolled that never reported), judged at `now`.
pub fn assess(
    sample: Option<&HealthSample>,
    last_report: Option<u64>,
    now: u64,
    rules: &Rules,
) -> (KioskState, Vec<Alert>) {
    let (Some(sample), Some(last)) = (sample, last_report) else { return (KioskState::NeverSeen, Vec::new()) };
    let mut alerts = sample_alerts(sample, rules);
    let offline = now.saturating_sub(last) > rules.offline_after_s;
    if offline {
        let minutes = now.saturating_sub(last) / 60;
        alerts.insert(0, Alert { kind: AlertKind::Offline, detail: format!("depuis {minutes} min") });
    }
    let state = if offline {
        KioskState::Offline
    } else if alerts.iter().any(|a| a.kind.blocks_public()) {
        KioskState::Unusable
    } else if alerts.is_empty() {
        KioskState::Ok
    } else {
        KioskState::Warning
    };
    (state, alerts)
}

/// What one sample says, whatever its age.
pub fn sample_alerts(sample: &HealthSample, rules: &Rules) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let mut add = |kind, detail: String| alerts.push(Alert { kind, detail });
    if !sample.kiosk.alive {
        add(AlertKind::UiDown, String::new());
    }
    for device in &sample.devices {
        match (device.device.as_str(), device.state.as_str()) {
            (_, "ready") => {}
            ("printer", "media_empty") => add(AlertKind::PaperOut, String::new()),
            ("printer", "media_jam") => add(AlertKind::PaperJam, String::new()),
            ("printer", state) => add(AlertKind::PrinterDown, crate::words::state(state).to_owned()),
            ("scanner", state) => add(AlertKind::ScannerMissing, crate::words::state(state).to_owned()),
            // The GPIO header only carries the mediator button: worth knowing, not blocking.
            _ => {}
        }
        if device.device == "printer" {
            if device.warnings.iter().any(|w| w == "media_low") {
                add(AlertKind::PaperLow, String::new());
            }
            let low: Vec<String> = device
                .supplies
                .iter()
                .filter(|s| {
                    matches!(s.kind.as_str(), "toner" | "ink") && (0..=rules.toner_low_percent).contains(&s.level)
                })
                .map(|s| format!("{} {} %", crate::words::colour(&s.color), s.level))
                .collect();
            if !low.is_empty() || device.warnings.iter().any(|w| w == "toner_low") {
                add(AlertKind::TonerLow, low.join(", "));
            }
        }
    }
    let unreachable: Vec<&str> = sample.sites.iter().filter(|s| !s.reachable).map(|s| s.url.as_str()).collect();
    if !unreachable.is_empty() {
        add(AlertKind::SiteUnreachable, unreachable.join(", "));
    }
    if let Some(disk) = sample.disk
        && disk.total_bytes > 0
        && (disk.free_bytes as f64) < rules.disk_low_ratio * disk.total_bytes as f64
    {
        add(AlertKind::DiskLow, format!("{} Mo libres", disk.free_bytes / 1_000_000));
    }
    if sample.power.is_some_and(|p| p.undervoltage_now) {
        add(AlertKind::Undervoltage, String::new());
    }
    alerts
}

#[cfg(test)]
mod tests {
    use super::*;
    use guichet_protocol::fleet::{KioskHealth, PowerFlags, SiteReach, Space};
    use guichet_protocol::{DeviceStatus, Supply};

    fn good() -> HealthSample {
        HealthSample {
            taken_at: 1000,
            kiosk: KioskHealth { alive: true, screen: "attract".into(), last_touch_s: Some(60), screen_on: true },
            devices: vec![
                DeviceStatus { device: "printer".into(), state: "ready".into(), ..Default::default() },
                DeviceStatus { device: "scanner".into(), state: "ready".into(), ..Default::default() },
            ],
            disk: Some(Space { free_bytes: 5_000_000_000, total_bytes: 8_000_000_000 }),
            sites: vec![SiteReach {
                url: "https://www.caf.fr".into(),
                reachable: true,
                latency_ms: Some(40),
                error: None,
            }],
            ..Default::default()
        }
    }

    fn kinds(sample: &HealthSample) -> Vec<AlertKind> {
        sample_alerts(sample, &Rules::default()).iter().map(|a| a.kind).collect()
    }

    #[test]
    fn a_healthy_kiosk_is_ok_until_it_falls_silent() {
        let rules = Rules::default();
        assert_eq!(assess(Some(&good()), Some(1000), 1000 + 600, &rules).0, KioskState::Ok);
        let (state, alerts) = assess(Some(&good()), Some(1000), 1000 + 601, &rules);
        assert_eq!(state, KioskState::Offline);
        assert_eq!(alerts[0].kind, AlertKind::Offline);
        assert_eq!(assess(None, None, 5, &rules).0, KioskState::NeverSeen);
    }

    #[test]
    fn what_stops_the_public_makes_it_unusable_and_the_rest_a_warning() {
        let rules = Rules::default();
        let mut s = good();
        s.devices[0].state = "media_empty".into();
        assert_eq!(kinds(&s), [AlertKind::PaperOut]);
        assert_eq!(assess(Some(&s), Some(1000), 1000, &rules).0, KioskState::Unusable);

        let mut s = good();
        s.devices[0].supplies = vec![Supply { kind: "toner".into(), color: "black".into(), level: 4 }];
        s.devices[0].warnings = vec!["media_low".into()];
        assert_eq!(kinds(&s), [AlertKind::PaperLow, AlertKind::TonerLow]);
        assert_eq!(sample_alerts(&s, &rules)[1].detail, "noir 4 %");
        assert_eq!(assess(Some(&s), Some(1000), 1000, &rules).0, KioskState::Warning);

        // An unknown level (negative, as IPP says it) is not "low".
        let mut s = good();
        s.devices[0].supplies = vec![Supply { kind: "toner".into(), color: "black".into(), level: -2 }];
        assert!(kinds(&s).is_empty());
    }

    #[test]
    fn each_rule_fires_on_its_own_sign() {
        let mut s = good();
        s.kiosk.alive = false;
        assert_eq!(kinds(&s), [AlertKind::UiDown]);
        let mut s = good();
        s.devices[0].state = "media_jam".into();
        s.devices[1].state = "missing".into();
        assert_eq!(kinds(&s), [AlertKind::PaperJam, AlertKind::ScannerMissing]);
        let mut s = good();
        s.devices[0].state = "unreachable".into();
        assert_eq!(sample_alerts(&s, &Rules::default())[0].detail, "injoignable");
        let mut s = good();
        s.sites[0].reachable = false;
        assert_eq!(kinds(&s), [AlertKind::SiteUnreachable]);
        let mut s = good();
        s.disk = Some(Space { free_bytes: 700_000_000, total_bytes: 8_000_000_000 });
        assert_eq!(kinds(&s), [AlertKind::DiskLow]);
        let mut s = good();
        s.power = Some(PowerFlags { undervoltage_now: true, ..Default::default() });
        assert_eq!(kinds(&s), [AlertKind::Undervoltage]);
        // Under-voltage earlier since boot alone is history, not an alert.
        s.power = Some(PowerFlags { undervoltage_since_boot: true, ..Default::default() });
        assert!(kinds(&s).is_empty());
    }
}
