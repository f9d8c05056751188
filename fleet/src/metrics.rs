//! `GET /metrics`: the fleet for an existing Prometheus. Counters live as long as the
//! server; gauges are drawn afresh from the in-memory view at every scrape, so a kiosk
//! that stopped having a problem has no stale series. Names and the alert rules that use
//! them are in `fleet/contrib/`.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::Fleet;
use crate::health::{AlertKind, KioskState};

type Labels = Vec<(&'static str, String)>;
type IntGauges = Family<Labels, Gauge>;
type FloatGauges = Family<Labels, Gauge<f64, AtomicU64>>;

#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    Unauthorized,
    Replayed,
    Malformed,
    TooLarge,
}

impl Refusal {
    fn code(self) -> &'static str {
        match self {
            Refusal::Unauthorized => "unauthorized",
            Refusal::Replayed => "replayed",
            Refusal::Malformed => "malformed",
            Refusal::TooLarge => "too_large",
        }
    }
}

#[derive(Default)]
pub struct Metrics {
    pub reports: Counter,
    pub samples: Counter,
    pub refused_reports: Family<Labels, Counter>,
    pub enrolments: Counter,
    pub enrolments_refused: Counter,
}

impl Metrics {
    pub fn refused(&self, why: Refusal) {
        self.refused_reports.get_or_create(&vec![("reason", why.code().to_owned())]).inc();
    }

    /// The exposition text (OpenMetrics) for one scrape.
    pub fn render(&self, fleet: &Fleet) -> String {
        let mut registry = Registry::with_prefix("guichet_fleet");
        // Counters: registered without `_total`, which the encoder adds.
        registry.register("reports", "Reports accepted", self.reports.clone());
        registry.register("report_samples", "Health samples in accepted reports", self.samples.clone());
        registry.register("reports_refused", "Reports refused, by reason", self.refused_reports.clone());
        registry.register("enrolments", "Kiosks enrolled", self.enrolments.clone());
        registry.register("enrolments_refused", "Enrolments refused", self.enrolments_refused.clone());

        let g = Gauges::default();
        let now = fleet.now();
        let mut states = [0i64; 5];
        let mut alerts = [0i64; AlertKind::ALL.len()];
        let today = crate::time_fmt::day(now);
        // A revoked kiosk is gone from the fleet: no series, no alert.
        for k in fleet.view.all().into_iter().filter(|k| !k.info.revoked) {
            let (state, active) = k.assess(now, &fleet.rules);
            states[KioskState::ALL.iter().position(|s| *s == state).unwrap_or(0)] += 1;
            for a in &active {
                alerts[AlertKind::ALL.iter().position(|x| *x == a.kind).unwrap_or(0)] += 1;
            }
            let who = || vec![("kiosk", k.info.id.clone()), ("site", k.info.site.clone())];
            let with = |extra: &[(&'static str, &str)]| {
                let mut l = who();
                l.extend(extra.iter().map(|(n, v)| (*n, (*v).to_owned())));
                l
            };
            let up = state != KioskState::Offline && state != KioskState::NeverSeen;
            g.up.get_or_create(&who()).set(i64::from(up));
            if let Some(t) = k.info.last_report_at {
                g.last_report.get_or_create(&who()).set(t);
            }
            let Some(s) = &k.sample else { continue };
            let usable = up && !active.iter().any(|a| a.kind.blocks_public());
            g.usable.get_or_create(&who()).set(i64::from(usable));
            g.ui_alive.get_or_create(&who()).set(i64::from(s.kiosk.alive));
            if let Some(t) = s.kiosk.last_touch_s {
                g.last_touch.get_or_create(&who()).set(t.min(i64::MAX as u64) as i64);
            }
            for d in &s.devices {
                g.device_ready.get_or_create(&with(&[("device", &d.device)])).set(i64::from(d.state == "ready"));
                if d.state != "ready" {
                    g.device_problem.get_or_create(&with(&[("device", &d.device), ("state", &d.state)])).set(1);
                }
                for supply in d.supplies.iter().filter(|s| s.level >= 0) {
                    let l = with(&[("kind", &supply.kind), ("color", &supply.color)]);
                    g.supply.get_or_create(&l).set(i64::from(supply.level));
                }
            }
            if let Some(d) = s.disk.filter(|d| d.total_bytes > 0) {
                g.disk_free.get_or_create(&who()).set(d.free_bytes as f64 / d.total_bytes as f64);
            }
            if let Some(m) = s.memory.filter(|m| m.total_bytes > 0) {
                g.memory.get_or_create(&who()).set(m.free_bytes as f64 / m.total_bytes as f64);
            }
            if let Some(t) = s.temperature_c {
                g.temperature.get_or_create(&who()).set(f64::from(t));
            }
            if let Some(p) = s.power {
                g.undervoltage.get_or_create(&who()).set(i64::from(p.undervoltage_now));
                g.throttled.get_or_create(&who()).set(i64::from(p.throttled_now));
            }
            for site in &s.sites {
                g.site_reachable.get_or_create(&with(&[("target", &site.url)])).set(i64::from(site.reachable));
            }
        }
        for (state, n) in KioskState::ALL.iter().zip(states) {
            g.kiosks.get_or_create(&vec![("state", state.code().to_owned())]).set(n);
        }
        for (kind, n) in AlertKind::ALL.iter().zip(alerts) {
            g.alerts.get_or_create(&vec![("kind", kind.code().to_owned())]).set(n);
        }
        let pending = Gauge::<i64>::default();
        pending.set(fleet.view.pending_count() as i64);
        for (site, (sessions, calls)) in fleet.today_by_site(&today) {
            g.sessions_today.get_or_create(&vec![("site", site.clone())]).set(sessions);
            g.calls_today.get_or_create(&vec![("site", site)]).set(calls);
        }
        g.register(&mut registry);
        registry.register("commands_pending", "Commands sent and not yet acknowledged", pending);
        let mut out = String::new();
        if let Err(e) = encode(&mut out, &registry) {
            tracing::error!(cause = %e, "cannot encode the metrics");
        }
        out
    }
}

#[derive(Default)]
struct Gauges {
    kiosks: IntGauges,
    up: IntGauges,
    last_report: IntGauges,
    usable: IntGauges,
    ui_alive: IntGauges,
    last_touch: IntGauges,
    device_ready: IntGauges,
    device_problem: IntGauges,
    supply: IntGauges,
    disk_free: FloatGauges,
    memory: FloatGauges,
    temperature: FloatGauges,
    undervoltage: IntGauges,
    throttled: IntGauges,
    site_reachable: IntGauges,
    alerts: IntGauges,
    sessions_today: IntGauges,
    calls_today: IntGauges,
}

impl Gauges {
    fn register(self, r: &mut Registry) {
        r.register("kiosks", "Kiosks in each state", self.kiosks);
        r.register("kiosk_up", "1 if the kiosk reported within the offline threshold", self.up);
        r.register("kiosk_last_report_timestamp_seconds", "Unix time of the kiosk's last report", self.last_report);
        r.register("kiosk_usable", "1 if the public can use the kiosk", self.usable);
        r.register("kiosk_ui_alive", "1 if the touchscreen UI answers its agent", self.ui_alive);
        r.register("kiosk_last_touch_seconds", "Seconds since the screen was last touched", self.last_touch);
        r.register("kiosk_device_ready", "1 if the device is ready", self.device_ready);
        r.register("kiosk_device_problem", "1 for each device that is not ready, with its state", self.device_problem);
        r.register("kiosk_supply_level_percent", "Printer consumables", self.supply);
        r.register("kiosk_disk_free_ratio", "Free disk, 0 to 1", self.disk_free);
        r.register("kiosk_memory_available_ratio", "Available memory, 0 to 1", self.memory);
        r.register("kiosk_temperature_celsius", "SoC temperature, where the hardware tells it", self.temperature);
        r.register("kiosk_undervoltage", "1 while the Raspberry Pi firmware reports under-voltage", self.undervoltage);
        r.register("kiosk_throttled", "1 while the Raspberry Pi firmware reports throttling", self.throttled);
        r.register("kiosk_site_reachable", "1 if the public-service site answered", self.site_reachable);
        r.register("alerts", "Active alerts, by kind", self.alerts);
        r.register("sessions_today", "Visits started today (UTC), by site", self.sessions_today);
        r.register("mediator_calls_today", "Mediator calls today (UTC), by site", self.calls_today);
    }
}
