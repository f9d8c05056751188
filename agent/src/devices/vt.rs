//! Virtual terminal switching, locked while the agent runs (`VT_LOCKSWITCH` on /dev/tty0),
//! so that no key combination the filter might miss, and no keyboard it never saw, can
//! bring up another terminal. A clean stop unlocks; a crash leaves it locked, which is the
//! safe side: systemd starts the agent again and nothing else needs a terminal.

use std::fs::File;
use std::os::fd::AsRawFd;

const TTY0: &str = "/dev/tty0";

nix::ioctl_none_bad!(vt_lockswitch, 0x560B);
nix::ioctl_none_bad!(vt_unlockswitch, 0x560C);
nix::ioctl_write_int_bad!(vt_activate, 0x5606);
nix::ioctl_read_bad!(vt_getstate, 0x5603, VtState);

/// `struct vt_stat`.
#[repr(C)]
#[derive(Default)]
pub struct VtState {
    pub active: u16,
    pub signal: u16,
    pub state: u16,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot lock terminal switching through {TTY0}: {source}")]
pub struct VtError {
    #[source]
    source: std::io::Error,
}

/// Terminal switching locked until this is dropped.
pub struct VtLock {
    tty: File,
}

impl VtLock {
    pub fn lock() -> Result<VtLock, VtError> {
        let tty = open()?;
        // SAFETY: a request with no argument on a file descriptor we own.
        unsafe { vt_lockswitch(tty.as_raw_fd()) }.map_err(|e| VtError { source: e.into() })?;
        tracing::info!("terminal switching locked");
        Ok(VtLock { tty })
    }
}

impl Drop for VtLock {
    fn drop(&mut self) {
        // SAFETY: as above.
        match unsafe { vt_unlockswitch(self.tty.as_raw_fd()) } {
            Ok(_) => tracing::info!("terminal switching unlocked"),
            Err(e) => tracing::warn!(cause = %e, "cannot unlock terminal switching"),
        }
    }
}

fn open() -> Result<File, VtError> {
    std::fs::OpenOptions::new().read(true).write(true).open(TTY0).map_err(|source| VtError { source })
}

/// The active terminal's number (1 for tty1), for tests and health.
pub fn active() -> Result<u16, VtError> {
    let tty = open()?;
    let mut state = VtState::default();
    // SAFETY: the kernel fills a `struct vt_stat` we own.
    unsafe { vt_getstate(tty.as_raw_fd(), &mut state) }.map_err(|e| VtError { source: e.into() })?;
    Ok(state.active)
}

/// Asks for terminal `n` as Ctrl+Alt+Fn would: refused silently while locked.
pub fn activate(n: u16) -> Result<(), VtError> {
    let tty = open()?;
    // SAFETY: an integer argument on a file descriptor we own.
    unsafe { vt_activate(tty.as_raw_fd(), n.into()) }.map_err(|e| VtError { source: e.into() })?;
    Ok(())
}
