//! Wiping a session folder, whatever the kiosk's user built in it, and counting what it
//! held, by kind, for the receipt.
//!
//! The kiosk's user may be hostile: it can make trees deeper than PATH_MAX, a million
//! entries, FIFOs and sockets, folders of mode 000, and keep adding or renaming entries
//! while the wipe runs. So, as systemd's `rm_rf_children` does, the wipe works only
//! through descriptors and names relative to them, never a full path, and never follows a
//! link (a link is removed as a link). Each folder is first taken from the kiosk's user
//! (root's, mode 0700, on its descriptor), so nothing can be added to it any more; its
//! files are unlinked and its subfolders moved up to the session folder's top, which keeps
//! two descriptors open at any depth. Counting is done on the way, best-effort; what
//! decides is the check at the end that the folder is gone.
//!
//! On the device the folder is on tmpfs, so unlinking frees the pages; overwriting first
//! would add time and no safety there.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use guichet_protocol::WipeReceipt;
use rustix::fs::{self as rfs, AtFlags, FileType, Mode, RenameFlags};
use rustix::io::Errno;

use crate::session_folder::{DIR, IMPORTS, PRINTS, SCANS, hand_over};

/// How many times a folder is looked at again when something appeared in it after it was
/// emptied (a race the kiosk's user can start, and cannot keep up once its folders are
/// taken from it).
const RETRIES: u32 = 16;

/// Why a wipe failed. Carries the step and the system's error, never a path or a
/// session's id (this text may go to the fleet).
#[derive(Debug, thiserror::Error)]
pub enum WipeError {
    #[error("cannot {step} while wiping: {source}")]
    Io { step: &'static str, source: std::io::Error },
    #[error("the session folder still exists after wiping it")]
    NotVerified,
}

fn io(step: &'static str) -> impl Fn(Errno) -> WipeError {
    move |e| WipeError::Io { step, source: e.into() }
}

/// The receipt's kind of what is under a top-level folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Top,
    Scans,
    Prints,
    Imports,
    Other,
}

/// Wipes the folder `path` (a session folder, or anything in the sessions folder).
pub fn wipe_path(path: &Path) -> Result<WipeReceipt, WipeError> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(WipeError::Io { step: "name the folder", source: std::io::ErrorKind::InvalidInput.into() });
    };
    let parent = match rfs::open(parent, DIR, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(WipeReceipt { verified: true, ..Default::default() }),
        Err(e) => return Err(io("open the sessions folder")(e)),
    };
    wipe_in(parent.as_fd(), name)
}

/// Counts and removes `name` in `parent` and everything in it, then checks it is gone.
pub fn wipe_in(parent: BorrowedFd<'_>, name: &OsStr) -> Result<WipeReceipt, WipeError> {
    let mut receipt = WipeReceipt::default();
    match open_folder(parent, name) {
        Ok(root) => {
            take(&root);
            Walk { root: &root, receipt: &mut receipt, hoisted: 0 }.empty()?;
            remove(parent, name, AtFlags::REMOVEDIR, "remove the session folder")?;
        }
        Err(Errno::NOENT) => {}
        // Not a folder: a file or a link where a session folder would be.
        Err(Errno::NOTDIR | Errno::LOOP) => {
            receipt.other_files += 1;
            remove(parent, name, AtFlags::empty(), "remove a stray file")?;
        }
        Err(e) => return Err(io("open the session folder")(e)),
    }
    match rfs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
        Err(Errno::NOENT) => receipt.verified = true,
        _ => return Err(WipeError::NotVerified),
    }
    Ok(receipt)
}

struct Walk<'a> {
    root: &'a OwnedFd,
    receipt: &'a mut WipeReceipt,
    /// How many folders were moved up to the top, for their fresh names.
    hoisted: u64,
}

impl Walk<'_> {
    /// Empties the session folder: every top-level entry, then every folder moved up,
    /// until a last look finds it empty.
    fn empty(&mut self) -> Result<(), WipeError> {
        for _ in 0..RETRIES {
            let mut queue: Vec<(OsString, Kind)> = Vec::new();
            for entry in rfs::Dir::read_from(self.root).map_err(io("list the session folder"))? {
                let entry = entry.map_err(io("list the session folder"))?;
                let name = OsStr::from_bytes(entry.file_name().to_bytes());
                if name != "." && name != ".." {
                    queue.push((name.to_owned(), top_kind(name)));
                }
            }
            if queue.is_empty() {
                return Ok(());
            }
            while let Some((name, kind)) = queue.pop() {
                self.entry(&name, kind, &mut queue)?;
            }
        }
        Err(WipeError::NotVerified)
    }

    /// Removes one top-level entry; a folder's subfolders join `queue` at the top.
    fn entry(&mut self, name: &OsStr, kind: Kind, queue: &mut Vec<(OsString, Kind)>) -> Result<(), WipeError> {
        let folder = match open_folder(self.root.as_fd(), name) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(()),
            Err(Errno::NOTDIR | Errno::LOOP) => return self.file(self.root.as_fd(), name, kind),
            Err(e) => return Err(io("open a folder")(e)),
        };
        take(&folder);
        let inner = if kind == Kind::Top { Kind::Other } else { kind };
        for entry in rfs::Dir::read_from(&folder).map_err(io("list a folder"))? {
            let entry = entry.map_err(io("list a folder"))?;
            let child = OsStr::from_bytes(entry.file_name().to_bytes());
            if child == "." || child == ".." {
                continue;
            }
            if entry.file_type() == FileType::Directory || entry.file_type() == FileType::Unknown {
                match self.hoist(&folder, child)? {
                    Some(top) => queue.push((top, inner)),
                    // Not a folder after all: removed as a file below.
                    None => self.file(folder.as_fd(), child, inner)?,
                }
            } else {
                self.file(folder.as_fd(), child, inner)?;
            }
        }
        drop(folder);
        match rfs::unlinkat(self.root, name, AtFlags::REMOVEDIR) {
            Ok(()) => self.receipt.folders += 1,
            Err(Errno::NOENT) => {}
            // Something came in before it was taken: it is looked at again.
            Err(Errno::NOTEMPTY | Errno::EXIST) => queue.push((name.to_owned(), kind)),
            Err(e) => return Err(io("remove a folder")(e)),
        }
        Ok(())
    }

    /// Moves the folder `child` of `folder` to the top under a fresh name; `None` when it
    /// turns out not to be a folder.
    fn hoist(&mut self, folder: &OwnedFd, child: &OsStr) -> Result<Option<OsString>, WipeError> {
        match rfs::statat(folder, child, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) if FileType::from_raw_mode(stat.st_mode) == FileType::Directory => {}
            Ok(_) => return Ok(None),
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(io("look at an entry")(e)),
        }
        loop {
            self.hoisted += 1;
            let top = OsString::from(format!(".wiping-{}", self.hoisted));
            match rfs::renameat_with(folder, child, self.root, &top, RenameFlags::NOREPLACE) {
                Ok(()) => return Ok(Some(top)),
                Err(Errno::EXIST) => continue,
                Err(Errno::NOENT) => return Ok(None),
                Err(e) => return Err(io("move a folder up")(e)),
            }
        }
    }

    /// Counts and unlinks a non-folder entry (file, link, FIFO, socket).
    fn file(&mut self, folder: BorrowedFd<'_>, name: &OsStr, kind: Kind) -> Result<(), WipeError> {
        let stat = match rfs::statat(folder, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => stat,
            Err(Errno::NOENT) => return Ok(()),
            Err(e) => return Err(io("look at an entry")(e)),
        };
        if FileType::from_raw_mode(stat.st_mode) == FileType::Directory {
            // Swapped for a folder meanwhile: it is taken at the top next round.
            return Ok(());
        }
        match rfs::unlinkat(folder, name, AtFlags::empty()) {
            Ok(()) => {}
            Err(Errno::NOENT) => return Ok(()),
            Err(e) => return Err(io("remove a file")(e)),
        }
        let r = &mut *self.receipt;
        if FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile {
            r.bytes += stat.st_size as u64;
        }
        match kind {
            // A page's preview is part of the page, not a scan of its own.
            Kind::Scans if name.as_bytes().ends_with(b".thumb.jpg") => {}
            Kind::Scans => r.scans += 1,
            Kind::Prints => r.print_jobs += 1,
            Kind::Imports => r.imported_files += 1,
            Kind::Top | Kind::Other => r.other_files += 1,
        }
        Ok(())
    }
}

fn top_kind(name: &OsStr) -> Kind {
    match name.to_str() {
        Some(SCANS) => Kind::Scans,
        Some(PRINTS) => Kind::Prints,
        Some(IMPORTS) => Kind::Imports,
        _ => Kind::Top,
    }
}

/// Opens a folder without following a link; one of mode 000 is made readable first (the
/// agent without `CAP_DAC_OVERRIDE`, as on a developer's machine).
fn open_folder(parent: BorrowedFd<'_>, name: &OsStr) -> Result<OwnedFd, Errno> {
    match rfs::openat(parent, name, DIR, Mode::empty()) {
        Err(Errno::ACCESS) => {
            rfs::chmodat(parent, name, Mode::from_raw_mode(0o700), AtFlags::SYMLINK_NOFOLLOW)?;
            rfs::openat(parent, name, DIR, Mode::empty())
        }
        other => other,
    }
}

/// The folder becomes root's, 0700: the kiosk's user can add nothing to it any more, not
/// even through a descriptor it holds. Best-effort: a wipe as an ordinary user goes on.
fn take(folder: &OwnedFd) {
    let _ = hand_over(folder, Some(0), Some(0), 0o700);
}

fn remove(parent: BorrowedFd<'_>, name: &OsStr, flags: AtFlags, step: &'static str) -> Result<(), WipeError> {
    match rfs::unlinkat(parent, name, flags) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(io(step)(e)),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn counts_by_kind_and_removes_everything() {
        let tmp = tempfile::tempdir().unwrap();
        let s = tmp.path().join("s1");
        for sub in [SCANS, PRINTS, IMPORTS, "scans/deep/er"] {
            fs::create_dir_all(s.join(sub)).unwrap();
        }
        fs::write(s.join("scans/p1.jpg"), vec![1u8; 1000]).unwrap();
        fs::write(s.join("scans/p1.thumb.jpg"), vec![1u8; 10]).unwrap();
        fs::write(s.join("scans/deep/er/p2.jpg"), vec![1u8; 24]).unwrap();
        fs::write(s.join("prints/job.pdf"), b"%PDF").unwrap();
        fs::write(s.join("notes.txt"), b"x").unwrap();
        let r = wipe_path(&s).unwrap();
        assert_eq!((r.scans, r.print_jobs, r.imported_files, r.other_files), (2, 1, 0, 1));
        assert_eq!(r.folders, 5);
        assert_eq!(r.bytes, 1039);
        assert!(r.verified);
        assert!(!s.exists());
    }

    #[test]
    fn symlink_target_outside_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("keep.txt"), b"keep").unwrap();
        let s = tmp.path().join("s2");
        fs::create_dir_all(s.join("prints")).unwrap();
        std::os::unix::fs::symlink(&outside, s.join("link")).unwrap();
        std::os::unix::fs::symlink(&outside, s.join("prints/link")).unwrap();
        let r = wipe_path(&s).unwrap();
        assert_eq!((r.other_files, r.print_jobs), (1, 1));
        assert!(!s.exists());
        assert!(outside.join("keep.txt").exists(), "wipe followed a symlink out of the session");
    }

    #[test]
    fn missing_folder_is_already_wiped() {
        let tmp = tempfile::tempdir().unwrap();
        let r = wipe_path(&tmp.path().join("none")).unwrap();
        assert!(r.verified);
        assert_eq!(r.files(), 0);
    }

    #[test]
    fn a_tree_deeper_than_path_max_with_fifos_sockets_and_closed_folders_goes() {
        let tmp = tempfile::tempdir().unwrap();
        let s = tmp.path().join("s3");
        fs::create_dir_all(s.join(IMPORTS)).unwrap();
        // 3,000 levels of 2-byte names: 6,000 bytes of path, past PATH_MAX (4,096).
        let mut here = rfs::open(s.join(IMPORTS), DIR, Mode::empty()).unwrap();
        for level in 0..3000 {
            rfs::mkdirat(&here, "d", Mode::from_raw_mode(0o700)).unwrap();
            if level % 500 == 0 {
                rfs::mkfifoat(&here, "fifo", Mode::from_raw_mode(0o600)).unwrap();
                let at = format!("/proc/self/fd/{}/sock", std::os::fd::AsRawFd::as_raw_fd(&here));
                drop(std::os::unix::net::UnixListener::bind(at).unwrap());
            }
            here = rfs::openat(&here, "d", DIR, Mode::empty()).unwrap();
        }
        rfs::mkdirat(&here, "closed", Mode::from_raw_mode(0o000)).unwrap();
        let r = wipe_path(&s).unwrap();
        assert!(r.verified);
        assert_eq!(r.imported_files, 12, "6 FIFOs and 6 sockets");
        assert_eq!(r.folders, 3002);
        assert!(!s.exists());
    }

    #[test]
    fn a_file_where_a_session_folder_would_be_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("s4"), b"x").unwrap();
        let r = wipe_path(&tmp.path().join("s4")).unwrap();
        assert_eq!(r.other_files, 1);
        assert!(r.verified);
    }
}
