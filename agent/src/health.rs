//! Health that means "usable": one sample of everything that decides whether a person can
//! use this kiosk now — the UI answering, the touch, the printer's paper and toner, the
//! scanner, the disk, memory, the SoC's temperature and power where the hardware tells
//! it, the network, and whether the public-service sites answer.
//!
//! Never a citizen's data: states, levels and counts only.

use std::path::Path;
use std::time::{Duration, Instant};

use guichet_protocol::fleet::{HealthSample, KioskHealth, NetworkHealth, PowerFlags, SiteReach, Space};

use crate::session::Agent;

/// A kiosk heard from within this long is alive.
const ALIVE_WITHIN: Duration = Duration::from_secs(30);
const SITE_TIMEOUT: Duration = Duration::from_secs(8);

impl Agent {
    /// Takes one sample. The devices are asked only between visits: a scanner asked for
    /// its list in the middle of a scan can fail it; during a visit `previous` is reused.
    pub async fn health_sample(&self, http: &reqwest::Client, previous: Option<&HealthSample>) -> HealthSample {
        let in_session = self.in_session();
        let devices = match previous {
            Some(p) if in_session => p.devices.clone(),
            _ => self.devices().statuses().await,
        };
        let config = self.config();
        let sites = self.remote().settings().health_sites.unwrap_or_else(|| config.health.sites.clone());
        let status_started = Instant::now();
        let sites = futures_util::future::join_all(sites.iter().map(|url| reach(http, url))).await;
        tracing::debug!(elapsed_ms = status_started.elapsed().as_millis() as u64, "sites checked");
        let sys = &config.health.sys_root;
        HealthSample {
            taken_at: crate::system::unix_now(),
            uptime_s: self.uptime().as_secs(),
            in_session,
            kiosk: self.kiosk_health(),
            devices,
            disk: disk(&config.state_dir),
            memory: std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| memory(&t)),
            temperature_c: temperature(sys),
            power: power(sys),
            network: std::fs::read_to_string("/proc/net/route").map(|t| route(&t)).unwrap_or_default(),
            sites,
        }
    }

    fn kiosk_health(&self) -> KioskHealth {
        let screen_on = self.screen_on();
        match self.kiosk_seen() {
            Some(seen) => {
                let age = Duration::from_millis(seen.age_ms);
                let alive = seen.connected && age < ALIVE_WITHIN;
                KioskHealth {
                    alive,
                    screen: if alive { seen.screen } else { String::new() },
                    last_touch_s: Some(u64::from(seen.idle_s) + age.as_secs()),
                    screen_on,
                }
            }
            None => KioskHealth { alive: false, screen: String::new(), last_touch_s: None, screen_on },
        }
    }
}

/// Whether `url` answers over HTTPS: any answer below 500 counts (a site that redirects or
/// refuses HEAD is up). Why not, in one word.
async fn reach(http: &reqwest::Client, url: &str) -> SiteReach {
    let started = Instant::now();
    let result = http.head(url).timeout(SITE_TIMEOUT).send().await;
    let latency = Some(started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32);
    let (reachable, error) = match result {
        Ok(r) if r.status().as_u16() < 500 => (true, None),
        Ok(r) => (false, Some(format!("http_{}", r.status().as_u16()))),
        Err(e) if e.is_timeout() => (false, Some("timeout".to_owned())),
        Err(e) if e.is_connect() => {
            let text = format!("{e:?}").to_lowercase();
            let why = if text.contains("dns") || text.contains("resolve") { "dns" } else { "connect" };
            (false, Some(why.to_owned()))
        }
        Err(e) => {
            let text = format!("{e:?}").to_lowercase();
            (
                false,
                Some(if text.contains("certificate") || text.contains("tls") { "tls" } else { "request" }.to_owned()),
            )
        }
    };
    SiteReach { url: url.to_owned(), reachable, latency_ms: reachable.then_some(latency).flatten(), error }
}

fn disk(path: &Path) -> Option<Space> {
    let s = nix::sys::statvfs::statvfs(path).ok()?;
    let block = s.fragment_size() as u64;
    Some(Space { free_bytes: s.blocks_available() as u64 * block, total_bytes: s.blocks() as u64 * block })
}

/// `MemAvailable` and `MemTotal` from `/proc/meminfo`.
pub fn memory(meminfo: &str) -> Option<Space> {
    let field = |name: &str| {
        meminfo.lines().find_map(|l| l.strip_prefix(name)?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
    };
    Some(Space { free_bytes: field("MemAvailable:")? * 1024, total_bytes: field("MemTotal:")? * 1024 })
}

/// The first thermal zone's temperature (the SoC on a Raspberry Pi); none elsewhere.
pub fn temperature(sys: &Path) -> Option<f32> {
    let text = std::fs::read_to_string(sys.join("class/thermal/thermal_zone0/temp")).ok()?;
    text.trim().parse::<i64>().ok().map(|milli| milli as f32 / 1000.0)
}

/// The Raspberry Pi firmware's `get_throttled` bits: 0 under-voltage now, 2 throttled now,
/// 16 under-voltage since boot, 18 throttled since boot. Where only the hwmon
/// `rpi_volt` sensor exists (newer kernels), its alarm gives under-voltage now.
pub fn power(sys: &Path) -> Option<PowerFlags> {
    if let Ok(text) = std::fs::read_to_string(sys.join("devices/platform/soc/soc:firmware/get_throttled")) {
        let t = text.trim();
        let bits = u32::from_str_radix(t.trim_start_matches("0x"), 16).ok()?;
        let bit = |n: u32| bits & (1 << n) != 0;
        return Some(PowerFlags {
            undervoltage_now: bit(0),
            throttled_now: bit(2),
            undervoltage_since_boot: bit(16),
            throttled_since_boot: bit(18),
        });
    }
    let hwmon = std::fs::read_dir(sys.join("class/hwmon")).ok()?;
    for entry in hwmon.flatten() {
        let name = std::fs::read_to_string(entry.path().join("name")).unwrap_or_default();
        if name.trim() == "rpi_volt" {
            let alarm = std::fs::read_to_string(entry.path().join("in0_lcrit_alarm")).unwrap_or_default();
            return Some(PowerFlags { undervoltage_now: alarm.trim() == "1", ..Default::default() });
        }
    }
    None
}

/// The default route's interface, from `/proc/net/route`.
pub fn route(table: &str) -> NetworkHealth {
    let default = table.lines().skip(1).find_map(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        (cols.get(1) == Some(&"00000000") && cols.get(7) == Some(&"00000000")).then(|| cols[0].to_owned())
    });
    NetworkHealth { route: default.is_some(), interface: default.unwrap_or_default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_route_and_the_pi_firmware_are_read_from_their_files() {
        let m = memory("MemTotal:        3884532 kB\nMemFree:  100 kB\nMemAvailable:    2500000 kB\n").unwrap();
        assert_eq!((m.total_bytes, m.free_bytes), (3_884_532 * 1024, 2_500_000 * 1024));
        assert!(memory("nothing").is_none());

        let table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
                     wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\n\
                     eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\n";
        assert_eq!(route(table), NetworkHealth { route: true, interface: "eth0".into() });
        assert!(!route("Iface\tDestination\n").route);

        let sys = tempfile::tempdir().unwrap();
        assert_eq!((temperature(sys.path()), power(sys.path())), (None, None), "absent off a Pi");
        let zone = sys.path().join("class/thermal/thermal_zone0");
        std::fs::create_dir_all(&zone).unwrap();
        std::fs::write(zone.join("temp"), "61235\n").unwrap();
        assert_eq!(temperature(sys.path()), Some(61.235));
        let fw = sys.path().join("devices/platform/soc/soc:firmware");
        std::fs::create_dir_all(&fw).unwrap();
        std::fs::write(fw.join("get_throttled"), "0x10005\n").unwrap();
        let p = power(sys.path()).unwrap();
        assert!(p.undervoltage_now && p.throttled_now && p.undervoltage_since_boot && !p.throttled_since_boot);
        std::fs::write(fw.join("get_throttled"), "0x0\n").unwrap();
        assert_eq!(power(sys.path()), Some(PowerFlags::default()));
    }

    #[test]
    fn newer_kernels_tell_under_voltage_through_hwmon() {
        let sys = tempfile::tempdir().unwrap();
        let hw = sys.path().join("class/hwmon/hwmon1");
        std::fs::create_dir_all(&hw).unwrap();
        std::fs::write(hw.join("name"), "rpi_volt\n").unwrap();
        std::fs::write(hw.join("in0_lcrit_alarm"), "1\n").unwrap();
        assert!(power(sys.path()).unwrap().undervoltage_now);
    }
}
