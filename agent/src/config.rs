//! The agent's configuration: `/etc/guichet/agent.toml`, every path overridable by a flag
//! so tests run in temporary folders. An unknown key is an error naming the key, because a
//! misspelt setting silently ignored on a kiosk nobody watches is worse than a refusal.

use std::path::{Path, PathBuf};

use guichet_protocol::{OpeningHours, SiteInfo, Weekday};
use serde::Deserialize;

use crate::error::AgentError;

pub const DEFAULT_CONFIG: &str = "/etc/guichet/agent.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Holds the socket and, unless `sessions_dir` says otherwise, `session/`.
    pub runtime_dir: PathBuf,
    /// Where the visit's folder is made: on the device its own tmpfs,
    /// `/run/guichet-visit`, whose size and inode limits bound what one visit can store
    /// (one visit at a time), so a visit can never fill `/run`, which systemd and logind
    /// need. Unset: `<runtime_dir>/session`.
    pub sessions_dir: Option<PathBuf>,
    /// The kiosk's socket; `<runtime_dir>/agent.sock` when unset.
    pub socket: Option<PathBuf>,
    /// Holds `agent.db`, the anonymous counters (persistent partition on the device).
    pub state_dir: PathBuf,
    /// The unprivileged user the kiosk runs as: owns session folders, may use the socket.
    pub kiosk_user: Option<String>,
    /// The socket's group (mode 0660); unset keeps the agent's own group.
    pub socket_group: Option<String>,
    /// Other uids allowed on the socket, besides the kiosk user's.
    pub allowed_uids: Vec<u32>,
    /// Whether root (IT staff's `agentctl` on the device) may use the socket.
    pub allow_root: bool,
    /// The mediators' PIN as an argon2 hash (`agentctl hash-pin` makes one); unset, the
    /// mediator panel cannot be opened.
    pub mediator_pin_hash: Option<String>,
    pub devices: DeviceConfig,
    /// Pages one visit may print, copies included.
    pub print_page_limit: u32,
    /// Pages one visit may scan: a feeder full of paper stops there.
    pub scan_page_limit: u32,
    /// The reception: shown to the public when the kiosk cannot serve them. Its opening
    /// hours also decide when the screen sleeps.
    pub site: Option<SiteConfig>,
    pub screen: crate::screen_power::ScreenConfig,
    pub lockdown: LockdownConfig,
    pub fleet: FleetConfig,
    pub health: HealthConfig,
    /// The content shipped with the image (`/usr/share/guichet/content`), which the kiosk
    /// shows until the fleet pushes a bundle: the agent reads its procedures' and steps'
    /// ids, the only names it counts. Unset: that folder, or the source tree's on a
    /// developer's machine.
    pub shipped_content: Option<PathBuf>,
}

/// `[fleet]`: where the kiosk reports. Without `url` it reports nowhere (a kiosk run
/// alone); everything else still works.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FleetConfig {
    /// `https://fleet.example.fr`; `http://` only for loopback tests.
    pub url: Option<String>,
    /// The one-time code from the console, used once to get the kiosk's token.
    pub enrolment_code: Option<String>,
    /// A PEM certificate to trust for the fleet besides the system's authorities (a
    /// fleet with its own CA, or a self-signed test server).
    pub ca_certificate: Option<PathBuf>,
    /// The fleet's ed25519 public key (base64). Settings and content signed with another
    /// key are refused. Unset, the key given at enrolment is kept and used.
    pub signing_key: Option<String>,
    /// Seconds between health samples, and between reports when all goes well.
    pub sample_every_s: u64,
    pub report_every_s: u64,
    /// Samples kept while the fleet cannot be reached (four weeks at five minutes);
    /// beyond, the oldest are merged into summaries.
    pub queue_limit: u32,
    /// What `reboot` runs, once no visit is open.
    pub reboot_command: Vec<String>,
    /// Where pushed content bundles are installed (`current` points to the one in use);
    /// `/var/lib/guichet-content` by default, readable by the kiosk's user.
    pub content_dir: Option<PathBuf>,
}

impl Default for FleetConfig {
    fn default() -> Self {
        FleetConfig {
            url: None,
            enrolment_code: None,
            ca_certificate: None,
            signing_key: None,
            sample_every_s: 300,
            report_every_s: 300,
            queue_limit: 8064,
            reboot_command: vec!["systemctl".into(), "reboot".into()],
            content_dir: None,
        }
    }
}

/// `[health]`: what "usable" is checked against besides the devices.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthConfig {
    /// The public-service sites the procedures send people to; each is asked over HTTPS.
    pub sites: Vec<String>,
    /// Where the SoC's temperature and the Raspberry Pi firmware's flags are read
    /// (`/sys`); tests point it at a folder of their own.
    pub sys_root: PathBuf,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            sites: [
                "https://www.caf.fr",
                "https://www.ameli.fr",
                "https://www.impots.gouv.fr",
                "https://www.francetravail.fr",
                "https://ants.gouv.fr",
            ]
            .map(String::from)
            .to_vec(),
            sys_root: PathBuf::from("/sys"),
        }
    }
}

/// `[lockdown]`: both on for a kiosk; off on a developer's machine and in most tests,
/// which must not take the machine's keyboards or terminals.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LockdownConfig {
    /// Lock virtual terminal switching while the agent runs.
    pub terminals: bool,
    /// Grab every keyboard and let only what the filter passes through.
    pub keyboards: bool,
}

impl Default for LockdownConfig {
    fn default() -> Self {
        LockdownConfig { terminals: true, keyboards: true }
    }
}

/// `[site]`: the reception's name, phone and opening hours, for instance
/// `hours = [{ days = "mon-fri", open = "08:30", close = "12:00" }]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub hours: Vec<HoursConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursConfig {
    /// One day ("sat") or a range ("mon-fri"), in English three-letter codes.
    pub days: String,
    /// "HH:MM", 24 hours.
    pub open: String,
    pub close: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeviceConfig {
    /// `simulated`, or the printer's `ipp://` or `ipps://` URI (`ipps://printer.local/ipp/print`,
    /// or a CUPS queue `ipp://localhost:631/printers/NAME`).
    pub printer: String,
    /// For `ipps://`: the printer's own certificate (PEM or DER), trusted besides the
    /// system's authorities. Printers sign their certificate themselves, so without it
    /// most are refused, rightly: anyone on the network could pose as the printer.
    pub printer_certificate: Option<PathBuf>,
    /// `simulated`, or a SANE device name as `scanimage -L` lists it (`airscan:e0:Office`).
    pub scanner: String,
    /// SANE's configuration folder, when not the system's `/etc/sane.d`.
    pub sane_config_dir: Option<PathBuf>,
    /// A scan not finished after this many seconds is stopped (the backend is stuck).
    pub scan_timeout_s: u64,
    /// `simulated`, or `rpi` for the Raspberry Pi's header.
    pub gpio: String,
    /// `simulated`, `sysfs` (every `/sys/class/backlight/*`: the Raspberry Pi touch
    /// display and most panels) or `none` (an HDMI screen: the kiosk only draws black).
    pub backlight: String,
    /// `[devices.pins]`: which header pins the button, LED and sensor are on.
    pub pins: crate::devices::pins::PinConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            runtime_dir: PathBuf::from("/run/guichet"),
            sessions_dir: None,
            socket: None,
            state_dir: PathBuf::from("/var/lib/guichet"),
            kiosk_user: Some("guichet-kiosk".into()),
            socket_group: Some("guichet-kiosk".into()),
            allowed_uids: Vec::new(),
            allow_root: true,
            mediator_pin_hash: None,
            devices: DeviceConfig::default(),
            print_page_limit: 20,
            scan_page_limit: 30,
            site: None,
            screen: Default::default(),
            lockdown: Default::default(),
            fleet: Default::default(),
            health: Default::default(),
            shipped_content: None,
        }
    }
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            printer: "simulated".into(),
            printer_certificate: None,
            scanner: "simulated".into(),
            sane_config_dir: None,
            scan_timeout_s: 90,
            gpio: "simulated".into(),
            backlight: "simulated".into(),
            pins: Default::default(),
        }
    }
}

impl Config {
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, AgentError> {
        let bad = |message: String| AgentError::BadConfig { path: path.to_owned(), message };
        let config: Config = toml::from_str(text).map_err(|e| bad(e.to_string().trim().replace('\n', " ")))?;
        // Checked now, so that a typo in the hours stops the agent at start-up with its
        // place named, rather than showing wrong hours to the public.
        config.site_info().map_err(bad)?;
        Ok(config)
    }

    /// The `[site]` section as the protocol sends it.
    pub fn site_info(&self) -> Result<Option<SiteInfo>, String> {
        let Some(site) = &self.site else { return Ok(None) };
        let hours = (site.hours.iter().enumerate())
            .map(|(i, h)| parse_hours(h).map_err(|e| format!("site.hours[{i}]: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(SiteInfo { name: site.name.clone(), phone: site.phone.clone(), hours }))
    }

    /// Reads `path`; a missing file at the default location means "all defaults", so a
    /// development machine needs no /etc, but a missing file named on purpose is an error.
    pub fn load(path: &Path, must_exist: bool) -> Result<Config, AgentError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::from_toml(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => Ok(Config::default()),
            Err(source) => Err(AgentError::ReadConfig { path: path.to_owned(), source }),
        }
    }

    pub fn socket_path(&self) -> PathBuf {
        self.socket.clone().unwrap_or_else(|| self.runtime_dir.join("agent.sock"))
    }

    pub fn sessions_dir(&self) -> PathBuf {
        self.sessions_dir.clone().unwrap_or_else(|| self.runtime_dir.join("session"))
    }

    pub fn store_path(&self) -> PathBuf {
        self.state_dir.join("agent.db")
    }

    pub fn shipped_content_dir(&self) -> PathBuf {
        self.shipped_content.clone().unwrap_or_else(|| {
            let installed = PathBuf::from("/usr/share/guichet/content");
            if installed.is_dir() {
                installed
            } else {
                PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../content"))
            }
        })
    }

    pub fn content_dir(&self) -> PathBuf {
        // Not under state_dir, which is root's alone: the kiosk's user reads content.
        self.fleet.content_dir.clone().unwrap_or_else(|| PathBuf::from("/var/lib/guichet-content"))
    }
}

fn parse_hours(h: &HoursConfig) -> Result<OpeningHours, String> {
    let day = |d: &str| {
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let all = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
        (days.iter().position(|x| x.eq_ignore_ascii_case(d.trim())))
            .map(|i| all[i])
            .ok_or_else(|| format!("{d:?} is not a day (mon, tue, wed, thu, fri, sat, sun)"))
    };
    let (first, last) = match h.days.split_once('-') {
        Some((a, b)) => (day(a)?, day(b)?),
        None => (day(&h.days)?, day(&h.days)?),
    };
    if last < first {
        return Err(format!("{:?} runs backwards", h.days));
    }
    let minutes = |t: &str| -> Result<u32, String> {
        let bad = || format!("{t:?} is not a time such as 08:30");
        let (hh, mm) = t.split_once(':').ok_or_else(bad)?;
        let (hh, mm): (u32, u32) = (hh.parse().map_err(|_| bad())?, mm.parse().map_err(|_| bad())?);
        if hh > 23 || mm > 59 || t.len() != 5 {
            return Err(bad());
        }
        Ok(hh * 60 + mm)
    };
    if minutes(&h.open)? >= minutes(&h.close)? {
        return Err(format!("opens at {} but closes at {}", h.open, h.close));
    }
    Ok(OpeningHours { first, last, open: h.open.clone(), close: h.close.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml("runtime_dir = \"/tmp/x\"\nsocket_mode = 1\n", Path::new("a.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("socket_mode"), "{err}");
        assert!(err.contains("a.toml"), "{err}");
        let err = Config::from_toml("[devices]\nprinterr = \"x\"\n", Path::new("a.toml")).unwrap_err();
        assert!(err.to_string().contains("printerr"), "{err}");
    }

    #[test]
    fn defaults_and_derived_paths() {
        let c = Config::from_toml("runtime_dir = \"/tmp/g\"\n", Path::new("a.toml")).unwrap();
        assert_eq!(c.socket_path(), PathBuf::from("/tmp/g/agent.sock"));
        assert_eq!(c.sessions_dir(), PathBuf::from("/tmp/g/session"));
        assert_eq!(c.devices.printer, "simulated");
        assert!(c.allow_root);
    }

    #[test]
    fn site_hours_are_checked_at_load() {
        let good = "[site]\nname = \"Mairie\"\nphone = \"01 02 03 04 05\"\n\
                    hours = [{ days = \"mon-fri\", open = \"08:30\", close = \"12:00\" }, \
                    { days = \"sat\", open = \"09:00\", close = \"12:00\" }]\n";
        let site = Config::from_toml(good, Path::new("a.toml")).unwrap().site_info().unwrap().unwrap();
        assert_eq!(site.hours.len(), 2);
        assert_eq!((site.hours[0].first, site.hours[0].last), (Weekday::Mon, Weekday::Fri));
        assert_eq!((site.hours[1].first, site.hours[1].last), (Weekday::Sat, Weekday::Sat));
        for (bad, named) in [
            (good.replace("mon-fri", "lun-ven"), "\"lun\" is not a day"),
            (good.replace("mon-fri", "fri-mon"), "runs backwards"),
            (good.replace("08:30", "8h30"), "\"8h30\" is not a time"),
            (good.replace("\"12:00\" }, ", "\"08:00\" }, "), "opens at 08:30 but closes at 08:00"),
        ] {
            let err = Config::from_toml(&bad, Path::new("a.toml")).unwrap_err().to_string();
            assert!(err.contains(named) && err.contains("site.hours[0]"), "{err}");
        }
    }

    #[test]
    fn the_demo_config_loads_with_its_example_reception() {
        let demo = include_str!("../../scripts/demo-agent.toml");
        let c = Config::from_toml(demo, Path::new("scripts/demo-agent.toml")).unwrap();
        assert_eq!(c.site_info().unwrap().unwrap().hours.len(), 2);
    }

    #[test]
    fn missing_default_file_is_fine_but_named_file_is_not() {
        let p = Path::new("/nonexistent/guichet/agent.toml");
        assert!(Config::load(p, false).is_ok());
        assert!(matches!(Config::load(p, true), Err(AgentError::ReadConfig { .. })));
    }
}
