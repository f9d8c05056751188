//! The agent's configuration: `/etc/guichet/agent.toml`, every path overridable by a flag
//! so tests run in temporary folders. An unknown key is an error naming the key, because a
//! misspelt setting silently ignored on a kiosk nobody watches is worse than a refusal.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::AgentError;

pub const DEFAULT_CONFIG: &str = "/etc/guichet/agent.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Holds the socket and `session/` (tmpfs on the device, so a power cut erases it).
    pub runtime_dir: PathBuf,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeviceConfig {
    /// `simulated`, or an `ipp://` / `ipps://` printer URI (printing lands with the device work).
    pub printer: String,
    /// `simulated`, or a SANE device name.
    pub scanner: String,
    /// `simulated`, or `rpi` for the Raspberry Pi's header.
    pub gpio: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            runtime_dir: PathBuf::from("/run/guichet"),
            socket: None,
            state_dir: PathBuf::from("/var/lib/guichet"),
            kiosk_user: Some("guichet-kiosk".into()),
            socket_group: Some("guichet-kiosk".into()),
            allowed_uids: Vec::new(),
            allow_root: true,
            mediator_pin_hash: None,
            devices: DeviceConfig::default(),
        }
    }
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig { printer: "simulated".into(), scanner: "simulated".into(), gpio: "simulated".into() }
    }
}

impl Config {
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, AgentError> {
        toml::from_str(text).map_err(|e| AgentError::BadConfig {
            path: path.to_owned(),
            message: e.to_string().trim().replace('\n', " "),
        })
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
        self.runtime_dir.join("session")
    }

    pub fn store_path(&self) -> PathBuf {
        self.state_dir.join("agent.db")
    }
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
    fn missing_default_file_is_fine_but_named_file_is_not() {
        let p = Path::new("/nonexistent/guichet/agent.toml");
        assert!(Config::load(p, false).is_ok());
        assert!(matches!(Config::load(p, true), Err(AgentError::ReadConfig { .. })));
    }
}
