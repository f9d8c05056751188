//! Small contacts with the operating system: users and groups, systemd notification,
//! random ids. Kept here so the rest of the agent reads as plain logic.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use nix::unistd::{Gid, Group, User};

use crate::error::AgentError;

/// The uid and primary group of a user name, if that user exists here.
pub fn ids_of(user: &str) -> Option<crate::session_folder::KioskIds> {
    let user = User::from_name(user).ok().flatten()?;
    Some(crate::session_folder::KioskIds { uid: user.uid.as_raw(), gid: user.gid.as_raw() })
}

pub fn gid_of(group: &str) -> Result<u32, AgentError> {
    Group::from_name(group)
        .ok()
        .flatten()
        .map(|g| g.gid.as_raw())
        .ok_or_else(|| AgentError::UnknownGroup { name: group.to_owned() })
}

/// Mode 0660 and, when given, the kiosk's group: the kiosk can connect, nobody else can.
pub fn secure_socket(path: &Path, group: Option<u32>) -> Result<(), AgentError> {
    let err = |source| AgentError::SetPermissions { path: path.to_owned(), source };
    if let Some(gid) = group {
        nix::unistd::chown(path, None, Some(Gid::from_raw(gid))).map_err(|e| err(e.into()))?;
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660)).map_err(err)
}

/// 16 hex digits from the kernel's random source: unguessable, meaningless.
pub fn random_id() -> String {
    let mut bytes = [0u8; 8];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)).is_err() {
        // Only uniqueness matters for a folder name; fall back to time and pid.
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        bytes = (t.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32)).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds since 1970 (UTC), for the fleet's reports.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Tells systemd the agent is ready (a no-op outside systemd).
pub fn notify_ready() {
    if let Err(e) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
        tracing::warn!(cause = %e, "could not notify systemd");
    }
}

/// The watchdog interval systemd asked for, if any; ping at half of it.
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled().map(|d| d / 2)
}

pub fn notify_watchdog() {
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
}
