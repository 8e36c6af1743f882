//! Password hashing with argon2id (the crate's defaults, OWASP's: 19 MiB, 2 passes, 1 lane), run
//! off the executor by a bounded [`Hasher`]: a burst of sign-ins queues instead of taking 19 MiB
//! each at once.

use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// A bounded pool of argon2 work: at most `permits` hashes at once, each in a reused 19 MiB
/// block buffer (so memory stays at `permits` × 19 MiB however many sign-ins arrive, and is not
/// left behind in the allocator), and a queue that answers 503 + Retry-After after `wait`.
pub struct Hasher {
    permits: tokio::sync::Semaphore,
    memory: std::sync::Mutex<Vec<Vec<Block>>>,
    wait: Duration,
}

/// Seconds a refused sign-in is told to wait.
const BUSY_RETRY_SECONDS: u64 = 2;

impl Hasher {
    pub fn new(permits: usize, wait: Duration) -> Hasher {
        Hasher {
            permits: tokio::sync::Semaphore::new(permits.max(1)),
            memory: std::sync::Mutex::new(Vec::new()),
            wait,
        }
    }

    /// One hash per core, waiting up to 10 seconds: the server's default.
    pub fn for_this_machine() -> Hasher {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hasher::new(cores, Duration::from_secs(10))
    }

    /// The process's shared hasher, for work outside a request (the first start's seeding).
    pub fn shared() -> &'static Hasher {
        static SHARED: std::sync::OnceLock<Hasher> = std::sync::OnceLock::new();
        SHARED.get_or_init(Hasher::for_this_machine)
    }

    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move |memory| hash_in(&password, memory)).await?
    }

    /// With no stored hash (unknown user) it still does the same work against a dummy, so the
    /// response time does not reveal which usernames exist.
    pub async fn verify(
        &self,
        stored_hash: Option<String>,
        password: String,
    ) -> Result<bool, ApiError> {
        self.run(move |memory| match stored_hash {
            Some(stored_hash) => verify_in(&stored_hash, &password, memory),
            None => {
                let _ = hash_in(&password, memory);
                false
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let busy = ApiError::Busy {
            retry_after_seconds: BUSY_RETRY_SECONDS,
        };
        let _permit = tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| busy)?
            .map_err(|_| ApiError::Internal("hashing closed".into()))?;
        let reused = self.memory.lock().map_err(|_| poisoned())?.pop();
        let mut memory = reused.unwrap_or_default();
        let (value, memory) = tokio::task::spawn_blocking(move || {
            let value = work(&mut memory);
            (value, memory)
        })
        .await
        .map_err(|error| ApiError::Internal(format!("hashing task: {error}")))?;
        self.memory.lock().map_err(|_| poisoned())?.push(memory);
        Ok(value)
    }
}

fn poisoned() -> ApiError {
    ApiError::Internal("hashing memory lock poisoned".into())
}

/// The buffer, grown to what these parameters need (it is kept at its largest).
fn blocks_for<'m>(memory: &'m mut Vec<Block>, params: &Params) -> &'m mut [Block] {
    let needed = params.block_count();
    if memory.len() < needed {
        memory.resize(needed, Block::default());
    }
    &mut memory[..needed]
}

/// [`hash`], in a given buffer; the same PHC string.
fn hash_in(password: &str, memory: &mut Vec<Block>) -> Result<String, ApiError> {
    let failed = |error: String| ApiError::Internal(format!("password hashing: {error}"));
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_buffer)
        .map_err(|e| failed(e.to_string()))?;
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_bytes,
            &mut out,
            blocks_for(memory, &params),
        )
        .map_err(|e| failed(e.to_string()))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(e.to_string()))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(e.to_string()))?),
    };
    Ok(phc.to_string())
}

/// [`verify`], in a given buffer; any algorithm, version and parameters the string names.
fn verify_in(stored_hash: &str, password: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored_hash) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
        None => Version::default(),
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buffer = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
        password.as_bytes(),
        salt_bytes,
        &mut out,
        blocks_for(memory, &params),
    );
    // `Output`'s equality is constant-time.
    computed.is_ok() && Output::new(&out).is_ok_and(|out| out == expected)
}

/// Hashes on the shared hasher (bounded like a request's).
pub async fn hash_async(password: String) -> Result<String, ApiError> {
    Hasher::shared().hash(password).await
}

/// Verifies on the shared hasher (bounded like a request's).
pub async fn verify_async(stored_hash: Option<String>, password: String) -> Result<bool, ApiError> {
    Hasher::shared().verify(stored_hash, password).await
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
    fn the_pooled_hash_is_the_standard_phc_string_both_ways() {
        let mut memory = Vec::new();
        let pooled = hash_in("mây trắng 2026", &mut memory).unwrap();
        assert!(verify(&pooled, "mây trắng 2026"), "the crate reads ours");
        assert!(!verify(&pooled, "may trang 2026"));
        let standard = hash("mây trắng 2026").unwrap();
        assert!(
            verify_in(&standard, "mây trắng 2026", &mut memory),
            "we read the crate's"
        );
        assert!(!verify_in(&standard, "sai", &mut memory));
        assert!(!verify_in("not a hash", "anything", &mut memory));
        assert_eq!(
            memory.len(),
            Params::default().block_count(),
            "one buffer, reused"
        );
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy() {
        let hasher = std::sync::Arc::new(Hasher::new(1, Duration::ZERO));
        let attempts: Vec<_> = (0..4)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.verify(None, "x".into()).await })
            })
            .collect();
        let mut busy = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Err(ApiError::Busy {
                    retry_after_seconds,
                }) => {
                    assert!(retry_after_seconds > 0);
                    busy += 1;
                }
                Ok(verified) => assert!(!verified),
                Err(other) => panic!("{other}"),
            }
        }
        assert!(
            busy >= 1,
            "with one permit and no wait, some of four at once are refused"
        );
    }

    #[test]
    fn one_time_passwords_are_long_and_unambiguous() {
        let password = one_time();
        assert_eq!(password.chars().count(), 12);
        assert!(!password.contains(['0', 'O', 'o', '1', 'l', 'I']));
        assert_ne!(password, one_time());
    }
}
