//! The mediator's PIN: checked against an argon2 hash from the config, never stored or
//! logged in clear, with a lock after repeated wrong tries so it cannot be guessed at the
//! screen. The kiosk only ever passes the digits through.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Wrong tries allowed before the lock.
pub const MAX_TRIES: u32 = 5;
/// How long the lock lasts.
pub const LOCK: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Granted,
    Wrong,
    Locked,
    NotConfigured,
}

pub struct PinGuard {
    hash: Option<String>,
    state: Mutex<(u32, Option<Instant>)>,
}

impl PinGuard {
    pub fn new(hash: Option<String>) -> PinGuard {
        PinGuard { hash, state: Mutex::new((0, None)) }
    }

    /// Checks `pin` at time `now` (a parameter, so tests need not wait out the lock).
    pub fn check(&self, pin: &str, now: Instant) -> Verdict {
        let Some(hash) = self.hash.as_deref() else { return Verdict::NotConfigured };
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = state.1 {
            if now < until {
                return Verdict::Locked;
            }
            *state = (0, None);
        }
        let right = PasswordHash::new(hash)
            .map(|parsed| Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok())
            .unwrap_or_else(|e| {
                tracing::error!(cause = %e, "mediator_pin_hash is not a valid argon2 hash");
                false
            });
        if right {
            *state = (0, None);
            Verdict::Granted
        } else {
            state.0 += 1;
            if state.0 >= MAX_TRIES {
                state.1 = Some(now + LOCK);
            }
            Verdict::Wrong
        }
    }
}

/// An argon2id hash of `pin` for the config, with a random salt.
pub fn hash_pin(pin: &str) -> Result<String, String> {
    let mut bytes = [0u8; 16];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom").map_err(|e| e.to_string())?, &mut bytes)
        .map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&bytes).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(pin.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_wrong_locked_and_unlocked_again() {
        let guard = PinGuard::new(Some(hash_pin("482913").unwrap()));
        let t0 = Instant::now();
        assert_eq!(guard.check("482913", t0), Verdict::Granted);
        for _ in 0..MAX_TRIES {
            assert_eq!(guard.check("000000", t0), Verdict::Wrong);
        }
        // Locked: even the right PIN is refused, without being checked.
        assert_eq!(guard.check("482913", t0 + Duration::from_secs(10)), Verdict::Locked);
        assert_eq!(guard.check("482913", t0 + LOCK + Duration::from_secs(1)), Verdict::Granted);
        assert_eq!(PinGuard::new(None).check("1", t0), Verdict::NotConfigured);
        assert_eq!(PinGuard::new(Some("not a hash".into())).check("1", t0), Verdict::Wrong);
    }
}
