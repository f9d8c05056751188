//! The store's HMAC key: 32 random bytes in `agent.key` beside `agent.db`, root's, 0600,
//! made once with `O_EXCL`. A key file that is not exactly that (another owner, readable
//! by others, a link, the wrong size) is replaced by a new key: a key someone else could
//! read proves nothing, and every value sealed with it is then ignored.

use std::io::{Read, Write};
use std::path::Path;

use ring::hmac;
use rustix::fs::{self as rfs, FileType, Mode, OFlags};

use crate::error::AgentError;

const LEN: usize = 32;

pub fn random() -> hmac::Key {
    let mut bytes = [0u8; LEN];
    // No random source at all leaves a key of zeroes for this run only: values sealed
    // with it fail on the next start, which then makes a proper key.
    let _ = getrandom::fill(&mut bytes);
    hmac::Key::new(hmac::HMAC_SHA256, &bytes)
}

pub fn load_or_make(path: &Path) -> Result<hmac::Key, AgentError> {
    let err = |source: std::io::Error| AgentError::StoreKey { path: path.to_owned(), source };
    match read(path) {
        Ok(Some(bytes)) => return Ok(hmac::Key::new(hmac::HMAC_SHA256, &bytes)),
        Ok(None) => {}
        Err(why) => {
            tracing::error!(path = %path.display(), why, "the store's key is not root's alone: a new one is made");
            std::fs::remove_file(path).map_err(err)?;
        }
    }
    let mut bytes = [0u8; LEN];
    getrandom::fill(&mut bytes).map_err(|e| err(std::io::Error::other(e.to_string())))?;
    let create = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rfs::open(path, create, Mode::from_raw_mode(0o600)).map_err(|e| err(e.into()))?;
    rfs::fchmod(&fd, Mode::from_raw_mode(0o600)).map_err(|e| err(e.into()))?;
    let mut file = std::fs::File::from(fd);
    file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(err)?;
    Ok(hmac::Key::new(hmac::HMAC_SHA256, &bytes))
}

/// The key's bytes; `None` when there is no key file yet; `Err` with why it cannot be
/// trusted.
fn read(path: &Path) -> Result<Option<[u8; LEN]>, &'static str> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = match rfs::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::NOENT) => return Ok(None),
        Err(rustix::io::Errno::LOOP) => return Err("it is a link"),
        Err(_) => return Err("it cannot be opened"),
    };
    let stat = rfs::fstat(&fd).map_err(|_| "it cannot be looked at")?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile || stat.st_nlink != 1 {
        return Err("it is not a plain file");
    }
    if stat.st_uid != nix::unistd::Uid::effective().as_raw() || stat.st_mode & 0o077 != 0 {
        return Err("another user owns or can read it");
    }
    let mut bytes = [0u8; LEN];
    let mut file = std::fs::File::from(fd);
    file.read_exact(&mut bytes).map_err(|_| "it is too short")?;
    if file.read(&mut [0u8; 1]).map_err(|_| "it cannot be read")? != 0 {
        return Err("it is too long");
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.key");
        let first = hmac::sign(&load_or_make(&path).unwrap(), b"x");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let again = hmac::sign(&load_or_make(&path).unwrap(), b"x");
        assert_eq!(first.as_ref(), again.as_ref());
    }

    #[test]
    fn a_key_others_can_read_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.key");
        let first = hmac::sign(&load_or_make(&path).unwrap(), b"x");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let second = hmac::sign(&load_or_make(&path).unwrap(), b"x");
        assert_ne!(first.as_ref(), second.as_ref());
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", &path).unwrap();
        load_or_make(&path).unwrap();
        assert!(!std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink(), "a link is replaced");
    }
}
