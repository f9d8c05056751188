//! Wiping a session folder and counting what it held, by kind, for the receipt.
//!
//! Symlinks are never followed: a link the kiosk user planted towards `/etc` is removed as
//! a link, and what it points to is untouched. On the device the folder is on tmpfs, so
//! unlinking frees the pages; overwriting first would add time and no safety there.

use std::fs;
use std::path::Path;

use guichet_protocol::WipeReceipt;

use crate::error::AgentError;

/// Top-level subfolders of a session folder, each a kind on the receipt.
pub const SCANS: &str = "scans";
pub const PRINTS: &str = "prints";
pub const IMPORTS: &str = "imports";

/// Counts and removes `folder` and everything in it, then checks it is gone.
pub fn wipe_folder(folder: &Path) -> Result<WipeReceipt, AgentError> {
    let mut receipt = WipeReceipt::default();
    match fs::symlink_metadata(folder) {
        Ok(meta) if meta.is_dir() => count(folder, None, &mut receipt)?,
        Ok(_) => receipt.other_files += 1,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            receipt.verified = true;
            return Ok(receipt);
        }
        Err(source) => return Err(AgentError::Wipe { path: folder.to_owned(), source }),
    }
    remove(folder)?;
    match fs::symlink_metadata(folder) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => receipt.verified = true,
        _ => return Err(AgentError::WipeNotVerified { path: folder.to_owned() }),
    }
    Ok(receipt)
}

fn remove(path: &Path) -> Result<(), AgentError> {
    let meta = fs::symlink_metadata(path).map_err(|source| AgentError::Wipe { path: path.to_owned(), source })?;
    let result = if meta.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
    result.map_err(|source| AgentError::Wipe { path: path.to_owned(), source })
}

/// `kind` is the top-level subfolder the walk is under, or `None` at the top.
fn count(dir: &Path, kind: Option<&str>, receipt: &mut WipeReceipt) -> Result<(), AgentError> {
    let entries = fs::read_dir(dir).map_err(|source| AgentError::Wipe { path: dir.to_owned(), source })?;
    for entry in entries {
        let entry = entry.map_err(|source| AgentError::Wipe { path: dir.to_owned(), source })?;
        let meta = entry.path().symlink_metadata().map_err(|source| AgentError::Wipe { path: entry.path(), source })?;
        if meta.is_dir() {
            receipt.folders += 1;
            let name = entry.file_name();
            let sub_kind = kind.or_else(|| name.to_str().filter(|n| [SCANS, PRINTS, IMPORTS].contains(n)));
            // A top-level folder with another name is counted as "other".
            let sub_kind = if kind.is_none() && sub_kind.is_none() { Some("other") } else { sub_kind };
            count(&entry.path(), sub_kind, receipt)?;
            continue;
        }
        receipt.bytes += if meta.is_file() { meta.len() } else { 0 };
        match kind {
            // A page's preview is part of the page, not a scan of its own.
            Some(SCANS) if entry.file_name().to_string_lossy().ends_with(".thumb.jpg") => {}
            Some(SCANS) => receipt.scans += 1,
            Some(PRINTS) => receipt.print_jobs += 1,
            Some(IMPORTS) => receipt.imported_files += 1,
            _ => receipt.other_files += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_kind_and_removes_everything() {
        let tmp = tempfile::tempdir().unwrap();
        let s = tmp.path().join("s1");
        for sub in [SCANS, PRINTS, IMPORTS, "scans/deep/er"] {
            fs::create_dir_all(s.join(sub)).unwrap();
        }
        fs::write(s.join("scans/p1.jpg"), vec![1u8; 1000]).unwrap();
        fs::write(s.join("scans/deep/er/p2.jpg"), vec![1u8; 24]).unwrap();
        fs::write(s.join("prints/job.pdf"), b"%PDF").unwrap();
        fs::write(s.join("notes.txt"), b"x").unwrap();
        let r = wipe_folder(&s).unwrap();
        assert_eq!((r.scans, r.print_jobs, r.imported_files, r.other_files), (2, 1, 0, 1));
        assert_eq!(r.folders, 5);
        assert_eq!(r.bytes, 1029);
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
        fs::create_dir(&s).unwrap();
        std::os::unix::fs::symlink(&outside, s.join("link")).unwrap();
        let r = wipe_folder(&s).unwrap();
        assert_eq!(r.other_files, 1);
        assert!(!s.exists());
        assert!(outside.join("keep.txt").exists(), "wipe followed a symlink out of the session");
    }

    #[test]
    fn missing_folder_is_already_wiped() {
        let tmp = tempfile::tempdir().unwrap();
        let r = wipe_folder(&tmp.path().join("none")).unwrap();
        assert!(r.verified);
        assert_eq!(r.files(), 0);
    }
}
