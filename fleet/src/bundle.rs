//! Content bundles: IT staff upload a tar of `procedures/*.toml` and `po/*.po` (made with
//! `fleet bundle`, or by hand); the fleet checks every file as a kiosk would read it,
//! rebuilds the tar in a fixed order and signs its manifest (each file's size and
//! SHA-256). A kiosk checks the signature, then each file against the manifest.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use guichet_protocol::fleet::{BundleFile, BundleManifest};
use sha2::{Digest, Sha256};

/// Bounds on what one bundle may hold: content is text, a few hundred kilobytes in all.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
pub const MAX_BUNDLE_BYTES: u64 = 16 << 20;
pub const MAX_FILES: usize = 500;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BundleError {
    #[error("the upload is not a tar archive: {0}")]
    NotTar(String),
    #[error("{0}: only procedures/NAME.toml and po/NAME.po may be in a bundle")]
    PathNotAllowed(String),
    #[error("{0} is in the bundle twice")]
    Duplicate(String),
    #[error("{0} is larger than 1 MiB")]
    FileTooLarge(String),
    #[error("the bundle is larger than 16 MiB or holds more than 500 files")]
    TooLarge,
    #[error("{0} is not UTF-8 text")]
    NotText(String),
    #[error("{0}")]
    BadProcedure(String),
    #[error("{file}: not a readable translation file: {message}")]
    BadTranslation { file: String, message: String },
    #[error("the bundle holds no procedure")]
    NoProcedure,
}

/// A checked bundle: its files by path, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Bundle {
    /// Reads and checks an uploaded tar. Folders in it are skipped; anything else that is
    /// not a regular file (a link, a device) refuses the bundle.
    pub fn from_tar(bytes: &[u8]) -> Result<Bundle, BundleError> {
        let mut archive = tar::Archive::new(bytes);
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        for entry in archive.entries().map_err(|e| BundleError::NotTar(e.to_string()))? {
            let mut entry = entry.map_err(|e| BundleError::NotTar(e.to_string()))?;
            let path = String::from_utf8_lossy(&entry.path_bytes()).trim_start_matches("./").to_owned();
            match entry.header().entry_type() {
                tar::EntryType::Directory => continue,
                tar::EntryType::Regular => {}
                _ => return Err(BundleError::PathNotAllowed(path)),
            }
            if !BundleFile::path_allowed(&path) {
                return Err(BundleError::PathNotAllowed(path));
            }
            let size = entry.header().size().map_err(|e| BundleError::NotTar(e.to_string()))?;
            if size > MAX_FILE_BYTES {
                return Err(BundleError::FileTooLarge(path));
            }
            total += size;
            if total > MAX_BUNDLE_BYTES || files.len() >= MAX_FILES {
                return Err(BundleError::TooLarge);
            }
            let mut data = Vec::with_capacity(size as usize);
            entry
                .by_ref()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut data)
                .map_err(|e| BundleError::NotTar(e.to_string()))?;
            if files.insert(path.clone(), data).is_some() {
                return Err(BundleError::Duplicate(path));
            }
        }
        let bundle = Bundle { files };
        bundle.check()?;
        Ok(bundle)
    }

    /// Reads `procedures/` and `po/` of a content folder (the repository's `content/`).
    pub fn from_dir(dir: &Path) -> Result<Bundle, BundleError> {
        let mut files = BTreeMap::new();
        for sub in ["procedures", "po"] {
            let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = format!("{sub}/{name}");
                if !BundleFile::path_allowed(&path) {
                    continue; // guichet.pot, editor backups: not content a kiosk reads
                }
                let data = std::fs::read(entry.path()).map_err(|e| BundleError::NotTar(e.to_string()))?;
                files.insert(path, data);
            }
        }
        let bundle = Bundle { files };
        bundle.check()?;
        Ok(bundle)
    }

    /// Every procedure must load as the kiosk loads it; every translation must parse.
    fn check(&self) -> Result<(), BundleError> {
        if self.files.len() > MAX_FILES || self.files.values().map(|d| d.len() as u64).sum::<u64>() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge);
        }
        let mut procedures = 0;
        for (path, data) in &self.files {
            if data.len() as u64 > MAX_FILE_BYTES {
                return Err(BundleError::FileTooLarge(path.clone()));
            }
            let text = std::str::from_utf8(data).map_err(|_| BundleError::NotText(path.clone()))?;
            if path.starts_with("procedures/") {
                guichet_content::parse(text, Path::new(path)).map_err(|e| BundleError::BadProcedure(e.to_string()))?;
                procedures += 1;
            } else {
                guichet_content::check_catalog(text)
                    .map_err(|message| BundleError::BadTranslation { file: path.clone(), message })?;
            }
        }
        if procedures == 0 {
            return Err(BundleError::NoProcedure);
        }
        Ok(())
    }

    pub fn manifest(&self, version: &str, issued_at: u64) -> BundleManifest {
        let files = self
            .files
            .iter()
            .map(|(path, data)| BundleFile {
                path: path.clone(),
                size: data.len() as u64,
                sha256: hex(&Sha256::digest(data)),
            })
            .collect();
        BundleManifest { version: version.to_owned(), issued_at, files }
    }

    /// The tar a kiosk downloads: the files in path order, with fixed owners, modes and
    /// times, so the same content always makes the same bytes.
    pub fn to_tar(&self) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in &self.files {
            let mut header = tar::Header::new_ustar();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_entry_type(tar::EntryType::Regular);
            // A path checked by `path_allowed` is short ASCII: it always fits.
            if builder.append_data(&mut header, path, data.as_slice()).is_err() {
                tracing::error!(path, "cannot add a file to a bundle");
            }
        }
        builder.into_inner().unwrap_or_default()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
    }

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            builder.append_data(&mut header, path, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn the_projects_own_content_makes_a_stable_bundle() {
        let bundle = Bundle::from_dir(&content_dir()).unwrap();
        assert!(bundle.files.keys().any(|p| p == "po/ar.po"));
        assert!(!bundle.files.keys().any(|p| p.ends_with(".pot")));
        let tar = bundle.to_tar();
        assert_eq!(tar, Bundle::from_tar(&tar).unwrap().to_tar(), "same content, same bytes");
        let manifest = bundle.manifest("v1", 5);
        assert_eq!(manifest.files.len(), bundle.files.len());
        assert!(manifest.files.iter().all(|f| f.sha256.len() == 64));
    }

    #[test]
    fn a_bad_upload_is_refused_with_its_reason() {
        let good = std::fs::read(content_dir().join("procedures/cheque-energie.toml")).unwrap();
        assert!(Bundle::from_tar(&tar_of(&[("procedures/cheque-energie.toml", &good)])).is_ok());
        assert!(Bundle::from_tar(b"garbage that is no tar at all").is_err());
        assert_eq!(
            Bundle::from_tar(&tar_of(&[("procedures/x.sh", b"rm -rf /")])),
            Err(BundleError::PathNotAllowed("procedures/x.sh".into()))
        );
        assert!(matches!(
            Bundle::from_tar(&tar_of(&[("procedures/a.toml", b"id = ")])),
            Err(BundleError::BadProcedure(_))
        ));
        let po = std::fs::read(content_dir().join("po/ar.po")).unwrap();
        assert_eq!(Bundle::from_tar(&tar_of(&[("po/ar.po", &po)])), Err(BundleError::NoProcedure));
        assert!(matches!(
            Bundle::from_tar(&tar_of(&[("procedures/cheque-energie.toml", &good), ("po/ar.po", b"msgid \"a\n")])),
            Err(BundleError::BadTranslation { .. })
        ));
        let big = vec![b'#'; (MAX_FILE_BYTES + 1) as usize];
        assert_eq!(
            Bundle::from_tar(&tar_of(&[("procedures/big.toml", &big)])),
            Err(BundleError::FileTooLarge("procedures/big.toml".into()))
        );
    }
}
