//! Secrets and who may do what: kiosk tokens and enrolment codes (kept as SHA-256: they
//! are long and random), console passwords (argon2: people choose them), and the
//! console's sign-in sessions with their CSRF token.

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::storage::Role;

/// How long a console session lasts without use.
pub const SESSION_IDLE_S: u64 = 8 * 3600;
/// Wrong passwords in a row before a name is locked out for `LOCK_S`.
const MAX_FAILURES: u32 = 5;
const LOCK_S: u64 = 300;

/// 32 random bytes, URL-safe base64: a kiosk token or a console session id.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The kernel's random source does not fail on Linux once booted.
    getrandom::fill(&mut bytes).expect("the kernel's random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `n` random bytes as lowercase hex: ids that read well and fit in a URL.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the kernel's random source");
    crate::bundle::hex(&bytes)
}

pub fn token_hash(token: &str) -> String {
    crate::bundle::hex(&Sha256::digest(token.as_bytes()))
}

/// An enrolment code as IT staff read it: 12 letters and digits in groups of four, with
/// no 0/O or 1/I to misread. 60 bits: not guessable before it expires.
pub fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the kernel's random source");
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The code's hash, whatever its case, dashes and spaces as typed on the kiosk.
pub fn code_hash(code: &str) -> String {
    let plain: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    token_hash(&plain)
}

pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A signed-in console user.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: Role,
    /// Every form carries it back; a page of another site cannot.
    pub csrf: String,
    /// What the last action did (HTML), shown once by the page it redirected to, so that
    /// reloading that page never does the action again.
    pub flash: Option<String>,
    last_used: u64,
}

impl Session {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

#[derive(Default)]
pub struct Sessions {
    by_id: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, (u32, u64)>>,
}

impl Sessions {
    pub fn open(&self, user: &str, role: Role, now: u64) -> String {
        let id = random_token();
        let session = Session { user: user.to_owned(), role, csrf: random_token(), flash: None, last_used: now };
        let mut all = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        all.retain(|_, s| now.saturating_sub(s.last_used) < SESSION_IDLE_S);
        all.insert(id.clone(), session);
        id
    }

    pub fn get(&self, id: &str, now: u64) -> Option<Session> {
        let mut all = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        let session = all.get_mut(id)?;
        if now.saturating_sub(session.last_used) >= SESSION_IDLE_S {
            all.remove(id);
            return None;
        }
        session.last_used = now;
        let seen = session.clone();
        session.flash = None;
        Some(seen)
    }

    /// Keeps `html` for the session's next page.
    pub fn flash(&self, id: &str, html: String) {
        if let Some(s) = self.by_id.lock().unwrap_or_else(|p| p.into_inner()).get_mut(id) {
            s.flash = Some(html);
        }
    }

    pub fn close(&self, id: &str) {
        self.by_id.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }

    /// Whether `user` may try a password now (not locked after too many wrong ones).
    pub fn may_try(&self, user: &str, now: u64) -> bool {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.get(user).is_none_or(|(n, at)| *n < MAX_FAILURES || now.saturating_sub(*at) >= LOCK_S)
    }

    pub fn failed(&self, user: &str, now: u64) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Names tried long ago are forgotten: the map cannot grow with every name guessed.
        failures.retain(|_, (_, at)| now.saturating_sub(*at) < LOCK_S);
        let entry = failures.entry(user.to_owned()).or_insert((0, now));
        if now.saturating_sub(entry.1) >= LOCK_S {
            *entry = (0, now);
        }
        entry.0 += 1;
        entry.1 = now;
    }

    pub fn succeeded(&self, user: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_well_and_hash_the_same_however_typed() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert!(!code.contains(['0', 'O', '1', 'I']));
        assert_eq!(code_hash(&code), code_hash(&code.to_lowercase().replace('-', " ")));
        assert_ne!(code_hash(&code), code_hash(&new_code()));
    }

    #[test]
    fn passwords_are_hashed_and_checked() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2"));
        assert!(password_matches("correct horse", &hash));
        assert!(!password_matches("correct hors", &hash));
        assert!(!password_matches("x", "not a hash"));
    }

    #[test]
    fn sessions_expire_and_wrong_passwords_lock_for_a_while() {
        let sessions = Sessions::default();
        let id = sessions.open("alice", Role::Viewer, 100);
        assert_eq!(sessions.get(&id, 200).unwrap().user, "alice");
        assert!(sessions.get(&id, 200 + SESSION_IDLE_S).is_none());
        assert!(sessions.get("made-up", 200).is_none());

        for _ in 0..MAX_FAILURES {
            assert!(sessions.may_try("bob", 1000));
            sessions.failed("bob", 1000);
        }
        assert!(!sessions.may_try("bob", 1001));
        assert!(sessions.may_try("bob", 1000 + LOCK_S));
        assert!(sessions.may_try("alice", 1001), "one name's failures do not lock another");
    }
}
