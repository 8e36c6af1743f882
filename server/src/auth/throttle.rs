//! Sign-in throttling: failed attempts counted per account and per client address in a sliding
//! window. Kept in memory: a restart forgets it, which errs on the side of letting people work.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Beyond this many tracked keys, empty ones are dropped on the next failure.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl Throttle {
    /// `Err(seconds)` when any key has reached its limit within the window: how long until the
    /// oldest failure that counts leaves the window.
    pub fn check(
        &self,
        limits: &[(&str, usize)],
        now: DateTime<Utc>,
        window: Duration,
    ) -> Result<(), u64> {
        let mut failures = self.failures.lock().expect("throttle lock");
        let mut wait = 0i64;
        for (key, limit) in limits {
            let Some(times) = failures.get_mut(*key) else {
                continue;
            };
            times.retain(|time| *time > now - window);
            if times.len() >= *limit {
                // The attempt that would be allowed again is the one `limit` failures back.
                let blocking = times[times.len() - limit];
                wait = wait.max((blocking + window - now).num_seconds().max(1));
            }
        }
        if wait > 0 {
            Err(wait as u64)
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, keys: &[&str], now: DateTime<Utc>) {
        let mut failures = self.failures.lock().expect("throttle lock");
        if failures.len() > PRUNE_AT {
            failures.retain(|_, times| !times.is_empty());
        }
        for key in keys {
            failures
                .entry((*key).to_string())
                .or_default()
                .push_back(now);
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn clear(&self, key: &str) {
        self.failures.lock().expect("throttle lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_limit_blocks_until_the_oldest_counted_failure_leaves_the_window() {
        let throttle = Throttle::default();
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap();
        let window = Duration::minutes(15);
        for minute in 0..5 {
            assert!(throttle
                .check(
                    &[("user:lan", 5)],
                    start + Duration::minutes(minute),
                    window
                )
                .is_ok());
            throttle.record_failure(&["user:lan"], start + Duration::minutes(minute));
        }
        let now = start + Duration::minutes(5);
        assert_eq!(
            throttle.check(&[("user:lan", 5)], now, window),
            Err(10 * 60)
        );
        // Another account is not affected.
        assert!(throttle.check(&[("user:minh", 5)], now, window).is_ok());
        // Once the first failure is 15 minutes old, one more attempt is allowed.
        assert!(throttle
            .check(
                &[("user:lan", 5)],
                start + Duration::minutes(15) + Duration::seconds(1),
                window
            )
            .is_ok());
        throttle.clear("user:lan");
        assert!(throttle.check(&[("user:lan", 5)], now, window).is_ok());
    }
}
