//! Checking what the fleet signed: settings and content manifests carry an ed25519
//! signature over their exact bytes. Anything unsigned, signed by another key, or altered
//! by one bit is refused, whoever delivered it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use guichet_protocol::fleet::Signed;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no fleet signing key is known (set fleet.signing_key, or enrol)")]
    NoKey,
    #[error("the fleet signing key is not a base64 ed25519 public key")]
    BadKey,
    #[error("bad_signature")]
    Bad,
    #[error("bad_payload: {0}")]
    Payload(String),
}

pub fn public_key(base64: &str) -> Result<VerifyingKey, SignatureError> {
    let bytes: [u8; 32] =
        B64.decode(base64.trim()).ok().and_then(|b| b.try_into().ok()).ok_or(SignatureError::BadKey)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| SignatureError::BadKey)
}

/// The payload's bytes if the signature is the fleet's, then parsed as `T`.
pub fn open<T: serde::de::DeserializeOwned>(signed: &Signed, key: Option<&VerifyingKey>) -> Result<T, SignatureError> {
    let key = key.ok_or(SignatureError::NoKey)?;
    let payload = B64.decode(&signed.payload).map_err(|_| SignatureError::Bad)?;
    let signature: [u8; 64] =
        B64.decode(&signed.signature).ok().and_then(|s| s.try_into().ok()).ok_or(SignatureError::Bad)?;
    key.verify(&payload, &Signature::from_bytes(&signature)).map_err(|_| SignatureError::Bad)?;
    serde_json::from_slice(&payload).map_err(|e| SignatureError::Payload(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn sign(key: &SigningKey, payload: &[u8]) -> Signed {
        Signed { payload: B64.encode(payload), signature: B64.encode(key.sign(payload).to_bytes()) }
    }

    #[test]
    fn only_the_fleets_untouched_signature_opens() {
        let fleet = SigningKey::from_bytes(&[7; 32]);
        let other = SigningKey::from_bytes(&[8; 32]);
        let public = public_key(&B64.encode(fleet.verifying_key().to_bytes())).unwrap();
        let good = sign(&fleet, b"{\"issued_at\":5}");
        let value: serde_json::Value = open(&good, Some(&public)).unwrap();
        assert_eq!(value["issued_at"], 5);

        assert_eq!(open::<serde_json::Value>(&good, None), Err(SignatureError::NoKey));
        assert_eq!(open::<serde_json::Value>(&sign(&other, b"{}"), Some(&public)), Err(SignatureError::Bad));
        let mut tampered = good.clone();
        tampered.payload = B64.encode(b"{\"issued_at\":6}");
        assert_eq!(open::<serde_json::Value>(&tampered, Some(&public)), Err(SignatureError::Bad));
        let unsigned = Signed { payload: good.payload.clone(), signature: String::new() };
        assert_eq!(open::<serde_json::Value>(&unsigned, Some(&public)), Err(SignatureError::Bad));
        assert_eq!(public_key("short"), Err(SignatureError::BadKey));
    }
}
