//! A visit's folder, touched only through descriptors. The kiosk's user owns part of it
//! and must be taken for hostile (a compromised kiosk process, a stranger's USB
//! keyboard): so every file the agent opens there is opened relative to the folder's own
//! descriptor with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV)`, never
//! through a link, never blocking on a FIFO, and only a regular file with one link is read.
//! A document is read once into memory and every later step works on those bytes, so no
//! file can be swapped in between.
//!
//! What the agent writes goes into `scans/`, which is root's: the kiosk's user reads it
//! (group, 0750) and can plant nothing there. The layout:
//!
//! | entry | owner | mode | holds |
//! | --- | --- | --- | --- |
//! | `<id>/` | root, kiosk's group | 0750 | the three below; the kiosk adds nothing here |
//! | `scans/` | root, kiosk's group | 0750 | `page-N.jpg` and `page-N.thumb.jpg`, 0640 |
//! | `prints/` | kiosk | 0700 | what the kiosk draws to print (the summary sheet) |
//! | `imports/` | kiosk | 0700 | documents the person brought |
//!
//! It never names a file in a log: the kiosk's files may carry names a person chose.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

use rustix::fs::{self as rfs, AtFlags, FileType, Gid, Mode, OFlags, ResolveFlags, Uid};
use rustix::io::Errno;

/// Top-level subfolders of a session folder, each a kind on the receipt.
pub const SCANS: &str = "scans";
pub const PRINTS: &str = "prints";
pub const IMPORTS: &str = "imports";

/// The largest document the agent reads to print: a 30-page scanned PDF is about 10 MB.
pub const MAX_DOCUMENT: u64 = 32 << 20;
/// Below this much free space (or these many free inodes) the visit's storage is full:
/// one more scanned page would not fit.
const FULL_BYTES: u64 = 4 << 20;
const FULL_INODES: u64 = 8;

pub(crate) const DIR: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::NOFOLLOW).union(OFlags::CLOEXEC);
/// Reading: no link followed, no FIFO waited on, no terminal taken.
const READ: OFlags =
    OFlags::RDONLY.union(OFlags::NOFOLLOW).union(OFlags::NONBLOCK).union(OFlags::CLOEXEC).union(OFlags::NOCTTY);
const BENEATH: ResolveFlags = ResolveFlags::BENEATH
    .union(ResolveFlags::NO_SYMLINKS)
    .union(ResolveFlags::NO_MAGICLINKS)
    .union(ResolveFlags::NO_XDEV);

/// The kiosk's user: who gets `prints/` and `imports/`, and whose group reads `scans/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KioskIds {
    pub uid: u32,
    pub gid: u32,
}

/// Why a document of the visit cannot be read. Says nothing of the file's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("not a file of the session (absolute, `..`, a link, or another file system)")]
    NotInside,
    #[error("no such file in the session")]
    Missing,
    #[error("not a regular file (a folder, FIFO, socket or device)")]
    NotRegular,
    #[error("a file with other names (hard links) elsewhere")]
    Linked,
    #[error("larger than {} MiB", MAX_DOCUMENT >> 20)]
    TooLarge,
    #[error("unreadable: {0}")]
    Unreadable(String),
}

/// The open visit's folder: its path (for the kiosk and for scanimage, whose chain of
/// folders is root's alone) and descriptors of the folder and of `scans/`.
#[derive(Debug)]
pub struct SessionFolder {
    path: PathBuf,
    root: OwnedFd,
    scans: OwnedFd,
    kiosk: Option<KioskIds>,
}

impl SessionFolder {
    /// Makes `<sessions>/<name>` and its three subfolders, each given its owner and mode on
    /// its own descriptor. `sessions` is root's (0711), so nobody else can race for
    /// `<name>`; the folders are still opened with `O_NOFOLLOW` and changed by descriptor.
    pub fn create(sessions: &Path, name: &str, kiosk: Option<KioskIds>) -> std::io::Result<SessionFolder> {
        let parent = rfs::open(sessions, DIR, Mode::empty())?;
        rfs::mkdirat(&parent, name, Mode::from_raw_mode(0o700))?;
        let root = rfs::openat(&parent, name, DIR, Mode::empty())?;
        let group = kiosk.map(|k| k.gid);
        hand_over(&root, None, group, 0o750)?;
        let scans = make_subfolder(&root, SCANS, None, group, 0o750)?;
        for sub in [PRINTS, IMPORTS] {
            make_subfolder(&root, sub, kiosk.map(|k| k.uid), group, 0o700)?;
        }
        Ok(SessionFolder { path: sessions.join(name), root, scans, kiosk })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A document the kiosk names by its path inside the folder (`prints/resume.jpg`),
    /// read whole. Refused: anything outside the folder, a link anywhere on the way, a
    /// FIFO, socket or folder, a file with hard links, more than `MAX_DOCUMENT`.
    pub fn read_document(&self, relative: &str) -> Result<Vec<u8>, DocumentError> {
        let path = Path::new(relative);
        if relative.is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(DocumentError::NotInside);
        }
        let fd = open_beneath(&self.root, path, READ).map_err(|e| match e {
            Errno::NOENT => DocumentError::Missing,
            Errno::LOOP | Errno::XDEV | Errno::NOTDIR => DocumentError::NotInside,
            other => DocumentError::Unreadable(other.to_string()),
        })?;
        read_regular(fd, MAX_DOCUMENT)
    }

    /// The numbers of the pages in `scans/`, in order (`page-2.jpg` before `page-10.jpg`).
    pub fn page_numbers(&self) -> Vec<u32> {
        let Ok(dir) = rfs::Dir::read_from(&self.scans) else { return Vec::new() };
        let mut numbers: Vec<u32> = dir.flatten().filter_map(|e| page_number(e.file_name().to_bytes())).collect();
        numbers.sort_unstable();
        numbers
    }

    /// Page `n`'s JPEG, read whole.
    pub fn read_page(&self, n: u32) -> Result<Vec<u8>, DocumentError> {
        let fd = rfs::openat(&self.scans, page_name(n), READ, Mode::empty()).map_err(|e| match e {
            Errno::NOENT => DocumentError::Missing,
            other => DocumentError::Unreadable(other.to_string()),
        })?;
        read_regular(fd, MAX_DOCUMENT)
    }

    /// A fresh staging folder in `scans/` for the scanner to write into by path (every
    /// folder on that path is root's, so the path cannot be redirected).
    pub fn staging(&self, name: &str) -> std::io::Result<Staging> {
        rfs::mkdirat(&self.scans, name, Mode::from_raw_mode(0o700))?;
        let fd = rfs::openat(&self.scans, name, DIR, Mode::empty())?;
        let scans = self.scans.try_clone()?;
        Ok(Staging { fd, scans, name: name.to_owned(), path: self.path.join(SCANS).join(name) })
    }

    /// Moves `from` of `staging` into place as page `number`, with its preview written
    /// first; both readable by the kiosk's group. A page there already (a redo) is
    /// replaced whole, never half.
    pub fn place_page(&self, staging: &Staging, from: &str, number: u32, preview: &[u8]) -> std::io::Result<()> {
        self.write_scan(&thumb_name(number), preview)?;
        let page = rfs::openat(&staging.fd, from, READ, Mode::empty())?;
        require_regular(&page)?;
        hand_over(&page, None, self.kiosk.map(|k| k.gid), 0o640)?;
        rfs::renameat(&staging.fd, from, &self.scans, page_name(number))?;
        Ok(())
    }

    /// Writes `bytes` as `name` in `scans/`: into a new file made with `O_EXCL`, then
    /// renamed over the old one.
    fn write_scan(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let temporary = format!(".{name}.new");
        let create = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rfs::openat(&self.scans, &temporary, create, Mode::from_raw_mode(0o600)) {
            Err(Errno::EXIST) => {
                // Left by an earlier try that failed half-way (scans/ is only the agent's).
                rfs::unlinkat(&self.scans, &temporary, AtFlags::empty())?;
                rfs::openat(&self.scans, &temporary, create, Mode::from_raw_mode(0o600))?
            }
            other => other?,
        };
        let mut file = std::fs::File::from(fd);
        let written = file.write_all(bytes).and_then(|()| hand_over(&file, None, self.kiosk.map(|k| k.gid), 0o640));
        if let Err(e) = written {
            let _ = rfs::unlinkat(&self.scans, &temporary, AtFlags::empty());
            return Err(e);
        }
        rfs::renameat(&self.scans, &temporary, &self.scans, name)?;
        Ok(())
    }

    /// Whether the visit's storage (its own tmpfs on the device) has no room left for
    /// another page.
    pub fn is_full(&self) -> bool {
        rfs::fstatvfs(&self.root).is_ok_and(|s| {
            let bytes = s.f_bavail.saturating_mul(s.f_frsize);
            // A file system without an inode limit says 0 inodes in all.
            bytes < FULL_BYTES || (s.f_files > 0 && s.f_favail < FULL_INODES)
        })
    }
}

/// A staging folder in `scans/`; removed with what it still holds when dropped.
#[derive(Debug)]
pub struct Staging {
    fd: OwnedFd,
    scans: OwnedFd,
    name: String,
    path: PathBuf,
}

impl Staging {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `name` in it is a JPEG written to its end (a page cut short has none).
    pub fn is_complete_jpeg(&self, name: &str) -> bool {
        rfs::openat(&self.fd, name, READ, Mode::empty())
            .ok()
            .and_then(|fd| read_regular(fd, MAX_DOCUMENT).ok())
            .is_some_and(|b| is_complete_jpeg(&b))
    }

    /// The bytes of `name` in it.
    pub fn read(&self, name: &str) -> Result<Vec<u8>, DocumentError> {
        let fd = rfs::openat(&self.fd, name, READ, Mode::empty()).map_err(|e| match e {
            Errno::NOENT => DocumentError::Missing,
            other => DocumentError::Unreadable(other.to_string()),
        })?;
        read_regular(fd, MAX_DOCUMENT)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Ok(dir) = rfs::Dir::read_from(&self.fd) {
            for entry in dir.flatten() {
                let name = entry.file_name();
                if name.to_bytes() != b"." && name.to_bytes() != b".." {
                    let _ = rfs::unlinkat(&self.fd, name, AtFlags::empty());
                }
            }
        }
        let _ = rfs::unlinkat(&self.scans, self.name.as_str(), AtFlags::REMOVEDIR);
    }
}

/// A JPEG with its start and end markers.
pub fn is_complete_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF]) && bytes.ends_with(&[0xFF, 0xD9])
}

pub fn page_name(n: u32) -> String {
    format!("page-{n}.jpg")
}

fn thumb_name(n: u32) -> String {
    format!("page-{n}.thumb.jpg")
}

/// `page-12.jpg` → 12; previews and anything else → `None`.
fn page_number(name: &[u8]) -> Option<u32> {
    std::str::from_utf8(name).ok()?.strip_prefix("page-")?.strip_suffix(".jpg")?.parse().ok()
}

fn make_subfolder(
    root: &OwnedFd,
    name: &str,
    owner: Option<u32>,
    group: Option<u32>,
    mode: u32,
) -> std::io::Result<OwnedFd> {
    rfs::mkdirat(root, name, Mode::from_raw_mode(0o700))?;
    let fd = rfs::openat(root, name, DIR, Mode::empty())?;
    hand_over(&fd, owner, group, mode)?;
    Ok(fd)
}

/// Owner (when running as root) and mode, on the descriptor itself.
pub(crate) fn hand_over(fd: impl AsFd, owner: Option<u32>, group: Option<u32>, mode: u32) -> std::io::Result<()> {
    if nix::unistd::Uid::effective().is_root() && (owner.is_some() || group.is_some()) {
        rfs::fchown(&fd, owner.map(Uid::from_raw), group.map(Gid::from_raw))?;
    }
    rfs::fchmod(&fd, Mode::from_raw_mode(mode))?;
    Ok(())
}

/// Opens `relative` under `dir` with no link followed and no other file system entered:
/// `openat2` where the kernel has it, else one `O_NOFOLLOW` step per component.
fn open_beneath(dir: &OwnedFd, relative: &Path, flags: OFlags) -> Result<OwnedFd, Errno> {
    match rfs::openat2(dir, relative, flags, Mode::empty(), BENEATH) {
        // No openat2 (a kernel before 5.6, or a system call filter that refuses it).
        Err(Errno::NOSYS | Errno::PERM) => open_step_by_step(dir.as_fd(), relative, flags),
        other => other,
    }
}

/// The same as `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV)` for a path
/// of plain components (no `..`, checked by the caller).
pub(crate) fn open_step_by_step(dir: BorrowedFd<'_>, relative: &Path, flags: OFlags) -> Result<OwnedFd, Errno> {
    let device = rfs::fstat(dir)?.st_dev;
    let mut parts: Vec<&OsStr> = Vec::new();
    for c in relative.components() {
        match c {
            Component::Normal(part) => parts.push(part),
            _ => return Err(Errno::XDEV),
        }
    }
    let Some((last, folders)) = parts.split_last() else { return Err(Errno::NOENT) };
    let mut here: Option<OwnedFd> = None;
    for part in folders {
        let next = rfs::openat(here.as_ref().map_or(dir, |f| f.as_fd()), *part, DIR, Mode::empty())?;
        if rfs::fstat(&next)?.st_dev != device {
            return Err(Errno::XDEV);
        }
        here = Some(next);
    }
    let fd = rfs::openat(here.as_ref().map_or(dir, |f| f.as_fd()), *last, flags | OFlags::NOFOLLOW, Mode::empty())?;
    if rfs::fstat(&fd)?.st_dev != device {
        return Err(Errno::XDEV);
    }
    Ok(fd)
}

fn require_regular(fd: impl AsFd) -> std::io::Result<()> {
    let stat = rfs::fstat(fd)?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile || stat.st_nlink != 1 {
        return Err(std::io::Error::other("not a regular file with one link"));
    }
    Ok(())
}

/// The whole content of an open regular file with one link, at most `max` bytes.
fn read_regular(fd: OwnedFd, max: u64) -> Result<Vec<u8>, DocumentError> {
    let stat = rfs::fstat(&fd).map_err(|e| DocumentError::Unreadable(e.to_string()))?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
        return Err(DocumentError::NotRegular);
    }
    if stat.st_nlink != 1 {
        return Err(DocumentError::Linked);
    }
    if stat.st_size as u64 > max {
        return Err(DocumentError::TooLarge);
    }
    let mut bytes = Vec::with_capacity(stat.st_size as usize);
    // The file may grow while it is read: never past the bound.
    std::fs::File::from(fd)
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| DocumentError::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > max {
        return Err(DocumentError::TooLarge);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn visit() -> (tempfile::TempDir, SessionFolder) {
        let dir = tempfile::tempdir().unwrap();
        let folder = SessionFolder::create(dir.path(), "s", None).unwrap();
        (dir, folder)
    }

    #[test]
    fn only_regular_files_of_the_folder_are_read() {
        let (dir, folder) = visit();
        let s = folder.path().to_owned();
        std::fs::write(s.join("prints/a.jpg"), b"\xFF\xD8\xFFjpeg").unwrap();
        std::fs::write(dir.path().join("secret.pdf"), b"%PDF-1.4 secret").unwrap();
        symlink(dir.path().join("secret.pdf"), s.join("prints/link.pdf")).unwrap();
        symlink(dir.path(), s.join("up")).unwrap();
        std::fs::hard_link(dir.path().join("secret.pdf"), s.join("prints/hard.pdf")).unwrap();
        rustix::fs::mkfifoat(rustix::fs::CWD, s.join("prints/fifo.pdf"), Mode::from_raw_mode(0o600)).unwrap();
        assert_eq!(folder.read_document("prints/a.jpg").unwrap(), b"\xFF\xD8\xFFjpeg");
        for (bad, why) in [
            ("", DocumentError::NotInside),
            ("/etc/passwd", DocumentError::NotInside),
            ("../secret.pdf", DocumentError::NotInside),
            ("prints/../../secret.pdf", DocumentError::NotInside),
            ("prints/link.pdf", DocumentError::NotInside),
            ("up/secret.pdf", DocumentError::NotInside),
            ("prints", DocumentError::NotRegular),
            ("prints/none.jpg", DocumentError::Missing),
            ("prints/hard.pdf", DocumentError::Linked),
            // Opened without blocking, then refused: a FIFO never hangs a request.
            ("prints/fifo.pdf", DocumentError::NotRegular),
        ] {
            assert_eq!(folder.read_document(bad), Err(why), "{bad:?}");
        }
    }

    #[test]
    fn the_step_by_step_walk_refuses_what_openat2_refuses() {
        let (dir, folder) = visit();
        let s = folder.path().to_owned();
        std::fs::write(s.join("prints/a.jpg"), b"x").unwrap();
        symlink(dir.path(), s.join("prints/up")).unwrap();
        let walk = |p: &str| open_step_by_step(folder.root.as_fd(), Path::new(p), READ);
        assert!(walk("prints/a.jpg").is_ok());
        // A link where a folder is expected: O_DIRECTORY | O_NOFOLLOW says "not a folder".
        assert!(matches!(walk("prints/up/s").unwrap_err(), Errno::LOOP | Errno::NOTDIR));
        assert_eq!(walk("prints/up").unwrap_err(), Errno::LOOP);
        assert_eq!(walk("../s").unwrap_err(), Errno::XDEV);
    }

    #[test]
    fn a_document_over_the_bound_is_refused() {
        let (_dir, folder) = visit();
        let big = std::fs::File::create(folder.path().join("imports/big.pdf")).unwrap();
        big.set_len(MAX_DOCUMENT + 1).unwrap();
        assert_eq!(folder.read_document("imports/big.pdf"), Err(DocumentError::TooLarge));
    }

    #[test]
    fn pages_are_placed_with_their_preview_and_listed_in_order() {
        let (_dir, folder) = visit();
        let jpeg = b"\xFF\xD8\xFFpage\xFF\xD9".to_vec();
        for (n, number) in [(1, 2), (2, 10), (3, 1)] {
            let staging = folder.staging(&format!(".incoming-{n}")).unwrap();
            std::fs::write(staging.path().join("1.jpg"), &jpeg).unwrap();
            assert!(staging.is_complete_jpeg("1.jpg"));
            folder.place_page(&staging, "1.jpg", number, b"preview").unwrap();
            drop(staging);
            assert!(!folder.path().join(format!("scans/.incoming-{n}")).exists(), "staging removed");
        }
        assert_eq!(folder.page_numbers(), [1, 2, 10]);
        assert_eq!(folder.read_page(10).unwrap(), jpeg);
        assert_eq!(std::fs::read(folder.path().join("scans/page-2.thumb.jpg")).unwrap(), b"preview");
        // A redo replaces the page and its preview whole.
        let staging = folder.staging(".incoming-redo").unwrap();
        std::fs::write(staging.path().join("1.jpg"), b"\xFF\xD8\xFFnew\xFF\xD9").unwrap();
        folder.place_page(&staging, "1.jpg", 2, b"new preview").unwrap();
        assert_eq!(folder.read_page(2).unwrap(), b"\xFF\xD8\xFFnew\xFF\xD9");
        assert_eq!(folder.page_numbers(), [1, 2, 10]);
    }

    #[test]
    fn modes_keep_the_kiosk_out_of_scans() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, folder) = visit();
        let mode = |p: &str| std::fs::metadata(folder.path().join(p)).unwrap().permissions().mode() & 0o7777;
        assert_eq!((mode(""), mode("scans"), mode("prints"), mode("imports")), (0o750, 0o750, 0o700, 0o700));
        assert!(!folder.is_full(), "a temporary folder has room");
    }
}
