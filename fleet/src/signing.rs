//! The fleet's ed25519 key: it signs every settings document and content manifest it
//! sends, so a kiosk refuses anything the fleet did not make, even from a server that
//! answers on the fleet's address. The private key stays in the data folder (mode 0600).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer, SigningKey};
use guichet_protocol::fleet::Signed;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the signing key {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write the signing key {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("the signing key {path} is not 32 bytes of base64")]
    Malformed { path: String },
}

pub struct FleetKey {
    key: SigningKey,
}

impl FleetKey {
    /// Reads the key at `path`, or makes one there if there is none.
    pub fn load_or_create(path: &Path) -> Result<FleetKey, KeyError> {
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = B64.decode(text.trim()).map_err(|_| KeyError::Malformed { path: shown.clone() })?;
                let seed: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed { path: shown })?;
                Ok(FleetKey { key: SigningKey::from_bytes(&seed) })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| KeyError::Write { path: shown.clone(), source: e.into() })?;
                let write = |source| KeyError::Write { path: shown.clone(), source };
                let mut file =
                    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(write)?;
                file.write_all(B64.encode(seed).as_bytes()).and_then(|()| file.sync_all()).map_err(write)?;
                tracing::info!(path = %shown, "made a new fleet signing key");
                Ok(FleetKey { key: SigningKey::from_bytes(&seed) })
            }
            Err(source) => Err(KeyError::Read { path: shown, source }),
        }
    }

    /// A key that lives only in memory (tests, benchmarks).
    pub fn from_seed(seed: [u8; 32]) -> FleetKey {
        FleetKey { key: SigningKey::from_bytes(&seed) }
    }

    /// The public half, base64, as the agent's `fleet.signing_key` wants it.
    pub fn public_base64(&self) -> String {
        B64.encode(self.key.verifying_key().to_bytes())
    }

    pub fn sign(&self, payload: &[u8]) -> Signed {
        Signed { payload: B64.encode(payload), signature: B64.encode(self.key.sign(payload).to_bytes()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    #[test]
    fn a_key_is_made_once_kept_private_and_signs_verifiably() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signing.key");
        let first = FleetKey::load_or_create(&path).unwrap();
        let again = FleetKey::load_or_create(&path).unwrap();
        assert_eq!(first.public_base64(), again.public_base64());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);

        let signed = first.sign(b"{\"issued_at\":1}");
        let public: [u8; 32] = B64.decode(first.public_base64()).unwrap().try_into().unwrap();
        let key = VerifyingKey::from_bytes(&public).unwrap();
        let signature: [u8; 64] = B64.decode(&signed.signature).unwrap().try_into().unwrap();
        let payload = B64.decode(&signed.payload).unwrap();
        assert!(key.verify(&payload, &Signature::from_bytes(&signature)).is_ok());
        assert!(key.verify(b"{\"issued_at\":2}", &Signature::from_bytes(&signature)).is_err());

        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(FleetKey::load_or_create(&path), Err(KeyError::Malformed { .. })));
    }
}
