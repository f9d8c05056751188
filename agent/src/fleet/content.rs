//! Installing a content bundle: every file checked against the signed manifest (path,
//! size, SHA-256), every procedure and translation read as the kiosk reads them, then
//! written to a folder of its own and switched to in one rename. A bad bundle changes
//! nothing: the content in use stays.

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use guichet_protocol::fleet::{BundleFile, BundleManifest};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleError {
    #[error("bad_bundle: the manifest lists {0}, which a bundle may not hold")]
    PathNotAllowed(String),
    #[error("bad_bundle: the manifest lists no procedure")]
    NoProcedure,
    #[error("bad_bundle: the archive is unreadable: {0}")]
    NotTar(String),
    #[error("bad_bundle: {0} is in the archive but not in the manifest, or twice")]
    Unexpected(String),
    #[error("bad_bundle: {0} differs from the manifest")]
    Mismatch(String),
    #[error("bad_bundle: {0} is in the manifest but not in the archive")]
    Missing(String),
    #[error("bad_content: {0}")]
    BadContent(String),
    #[error("cannot install: {0}")]
    Io(String),
}

/// Checks `tar` against `manifest` and installs it under `dir`; the new folder.
pub fn install(tar: &[u8], manifest: &BundleManifest, dir: &Path) -> Result<PathBuf, BundleError> {
    let files = check(tar, manifest)?;
    let io = |e: std::io::Error| BundleError::Io(e.to_string());
    std::fs::create_dir_all(dir).map_err(io)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    let name = {
        let mut h = Sha256::new();
        for f in &manifest.files {
            h.update(f.path.as_bytes());
            h.update(f.sha256.as_bytes());
        }
        format!("bundle-{}", hex(&h.finalize())[..16].to_owned())
    };
    // A staging folder left by a power cut during an earlier install.
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten().filter(|e| e.file_name().to_string_lossy().starts_with(".staging-")) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
    let target = dir.join(&name);
    if !target.is_dir() {
        let staging = dir.join(format!(".staging-{}", crate::system::random_id()));
        let written = write_tree(&staging, &files);
        if let Err(e) = written.and_then(|()| std::fs::rename(&staging, &target)) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(io(e));
        }
    }
    // `current` is switched in one rename: the kiosk sees the old content or the new.
    let link = dir.join(".current-new");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&name, &link).map_err(io)?;
    std::fs::rename(&link, dir.join("current")).map_err(io)?;
    prune(dir, &name);
    Ok(target)
}

fn check(tar: &[u8], manifest: &BundleManifest) -> Result<BTreeMap<String, Vec<u8>>, BundleError> {
    let wanted: BTreeMap<&str, &BundleFile> = manifest.files.iter().map(|f| (f.path.as_str(), f)).collect();
    if let Some(bad) = manifest.files.iter().find(|f| !BundleFile::path_allowed(&f.path)) {
        return Err(BundleError::PathNotAllowed(bad.path.clone()));
    }
    if !wanted.keys().any(|p| p.starts_with("procedures/")) {
        return Err(BundleError::NoProcedure);
    }
    let mut files = BTreeMap::new();
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries().map_err(|e| BundleError::NotTar(e.to_string()))? {
        let mut entry = entry.map_err(|e| BundleError::NotTar(e.to_string()))?;
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(expected) = wanted.get(path.as_str()) else { return Err(BundleError::Unexpected(path)) };
        if entry.header().entry_type() != tar::EntryType::Regular || files.contains_key(&path) {
            return Err(BundleError::Unexpected(path));
        }
        let mut data = Vec::new();
        entry
            .by_ref()
            .take(expected.size + 1)
            .read_to_end(&mut data)
            .map_err(|e| BundleError::NotTar(e.to_string()))?;
        if data.len() as u64 != expected.size || hex(&Sha256::digest(&data)) != expected.sha256 {
            return Err(BundleError::Mismatch(path));
        }
        files.insert(path, data);
    }
    if let Some(missing) = wanted.keys().find(|p| !files.contains_key(**p)) {
        return Err(BundleError::Missing((*missing).to_owned()));
    }
    for (path, data) in &files {
        let text = std::str::from_utf8(data).map_err(|_| BundleError::BadContent(format!("{path} is not UTF-8")))?;
        if path.starts_with("procedures/") {
            guichet_content::parse(text, Path::new(path)).map_err(|e| BundleError::BadContent(e.to_string()))?;
        } else {
            guichet_content::check_catalog(text).map_err(|e| BundleError::BadContent(format!("{path}: {e}")))?;
        }
    }
    Ok(files)
}

/// Files 0644 and folders 0755: the kiosk's user reads them, nobody but root writes.
fn write_tree(root: &Path, files: &BTreeMap<String, Vec<u8>>) -> std::io::Result<()> {
    for sub in ["procedures", "po"] {
        std::fs::create_dir_all(root.join(sub))?;
        std::fs::set_permissions(root.join(sub), std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755))?;
    for (path, data) in files {
        let file = root.join(path);
        std::fs::write(&file, data)?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))?;
        std::fs::File::open(&file)?.sync_all()?;
    }
    Ok(())
}

/// Keeps the bundle in use and the one before it (to look at after a bad rollout).
fn prune(dir: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut bundles: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("bundle-") && e.file_name() != keep)
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    bundles.sort();
    bundles.pop();
    for (_, old) in bundles {
        let _ = std::fs::remove_dir_all(old);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(name: &str) -> Vec<u8> {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../content").join(name)).unwrap()
    }

    fn bundle(files: &[(&str, Vec<u8>)]) -> (Vec<u8>, BundleManifest) {
        let mut b = tar::Builder::new(Vec::new());
        let mut listed = Vec::new();
        for (path, data) in files {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, path, data.as_slice()).unwrap();
            listed.push(BundleFile {
                path: (*path).into(),
                size: data.len() as u64,
                sha256: hex(&Sha256::digest(data)),
            });
        }
        (b.into_inner().unwrap(), BundleManifest { version: "t".into(), issued_at: 1, files: listed })
    }

    #[test]
    fn a_good_bundle_is_switched_to_and_a_bad_one_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (tar, manifest) = bundle(&[
            ("procedures/cheque-energie.toml", content("procedures/cheque-energie.toml")),
            ("po/ar.po", content("po/ar.po")),
        ]);
        let folder = install(&tar, &manifest, dir.path()).unwrap();
        let current = dir.path().join("current");
        assert_eq!(std::fs::canonicalize(&current).unwrap(), std::fs::canonicalize(&folder).unwrap());
        assert!(current.join("procedures/cheque-energie.toml").is_file() && current.join("po/ar.po").is_file());

        // One byte changed in the archive: refused, `current` untouched.
        let mut tampered = tar.clone();
        let at = tampered.windows(2).position(|w| w == b"id").unwrap();
        tampered[at] = b'X';
        assert!(matches!(install(&tampered, &manifest, dir.path()), Err(BundleError::Mismatch(_))));
        // A file the manifest does not list, and one it lists that is missing.
        let (extra, _) = bundle(&[
            ("procedures/cheque-energie.toml", content("procedures/cheque-energie.toml")),
            ("po/tr.po", content("po/tr.po")),
        ]);
        assert!(matches!(install(&extra, &manifest, dir.path()), Err(BundleError::Unexpected(p)) if p == "po/tr.po"));
        let (short, _) = bundle(&[("procedures/cheque-energie.toml", content("procedures/cheque-energie.toml"))]);
        assert!(matches!(install(&short, &manifest, dir.path()), Err(BundleError::Missing(p)) if p == "po/ar.po"));
        // Signed but wrong inside: a procedure the kiosk would refuse.
        let (broken, broken_manifest) = bundle(&[("procedures/x.toml", b"id = \"x\"\n".to_vec())]);
        assert!(matches!(install(&broken, &broken_manifest, dir.path()), Err(BundleError::BadContent(_))));
        let mut escaping = manifest.clone();
        escaping.files[0].path = "../../etc/cron.d/x".into();
        assert!(matches!(install(&tar, &escaping, dir.path()), Err(BundleError::PathNotAllowed(_))));
        assert_eq!(std::fs::canonicalize(&current).unwrap(), std::fs::canonicalize(&folder).unwrap());
        assert!(
            !std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".staging"))
        );
    }
}
