//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), run off the executor.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distributions::{Alphanumeric, DistString};

use crate::error::ApiError;

/// Hashes a password into a PHC string (algorithm, parameters, salt and hash together).
pub fn hash(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ApiError::Internal(format!("password hashing: {error}")))
}

/// Checks a password against a stored PHC string; a malformed hash never verifies.
pub fn verify(stored_hash: &str, password: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

pub async fn hash_async(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|error| ApiError::Internal(format!("hashing task: {error}")))?
}

/// Verifies on a blocking thread. With no stored hash (unknown user) it still does the same work
/// against a dummy hash, so the response time does not reveal which usernames exist.
pub async fn verify_async(stored_hash: Option<String>, password: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || match stored_hash {
        Some(stored_hash) => verify(&stored_hash, &password),
        None => {
            let _ = hash(&password);
            false
        }
    })
    .await
    .map_err(|error| ApiError::Internal(format!("hashing task: {error}")))
}

/// A one-time password for a new user or a reset: 12 letters and digits, easy to read out.
pub fn one_time() -> String {
    let raw = Alphanumeric.sample_string(&mut rand::thread_rng(), 12);
    // Avoid look-alikes that get misread when a password is dictated or copied from paper.
    raw.chars()
        .map(|c| match c {
            '0' | 'O' | 'o' => 'x',
            '1' | 'l' | 'I' => 'k',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("mây trắng 2026").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(&stored, "mây trắng 2026"));
        assert!(!verify(&stored, "may trang 2026"));
        assert!(!verify("not a hash", "anything"));
    }

    #[test]
    fn one_time_passwords_are_long_and_unambiguous() {
        let password = one_time();
        assert_eq!(password.chars().count(), 12);
        assert!(!password.contains(['0', 'O', 'o', '1', 'l', 'I']));
        assert_ne!(password, one_time());
    }
}
