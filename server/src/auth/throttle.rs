//! Password guessing throttled without handing attackers a lockout.
//!
//! Every attempt is counted *before* its password is checked ([`Throttle::begin`]), so a burst of
//! simultaneous guesses gets no more through than guesses one after another. Past a free number
//! of failures in the window, each key (an account, a client address) must wait a delay that
//! doubles with every further failure, up to the window itself: guessing slows to a crawl, while
//! the owner, from a device that signed in before, is not held up at all (the caller skips the
//! account and address keys for a known device; see `auth::device`). A success forgets the
//! attempt; an administrator can forget an account's failures. Kept in memory: a restart forgets
//! it, which errs on the side of letting people work.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Beyond this many tracked keys, empty ones are dropped on the next attempt.
const PRUNE_AT: usize = 10_000;

/// One key and how many failures in the window it may have before delays start.
#[derive(Debug, Clone)]
pub struct Limit {
    pub key: String,
    pub free: usize,
}

impl Limit {
    pub fn new(key: impl Into<String>, free: usize) -> Limit {
        Limit {
            key: key.into(),
            free,
        }
    }
}

#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

/// An attempt counted as a failure until [`Throttle::succeeded`] says otherwise.
#[derive(Debug)]
#[must_use]
pub struct Attempt {
    keys: Vec<String>,
    at: DateTime<Utc>,
}

/// How long a key must wait after its last failure, given how many it has in the window.
fn delay(failures: usize, free: usize, window: Duration) -> Duration {
    if failures < free {
        return Duration::zero();
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(20);
    Duration::seconds(1i64 << doublings).min(window)
}

impl Throttle {
    /// Counts an attempt on every key, or `Err(seconds)` to wait when any key must wait first
    /// (then nothing is counted).
    pub fn begin(
        &self,
        limits: &[Limit],
        now: DateTime<Utc>,
        window: Duration,
    ) -> Result<Attempt, u64> {
        let mut failures = self.failures.lock().expect("throttle lock");
        if failures.len() > PRUNE_AT {
            failures.retain(|_, times| times.back().is_some_and(|t| *t > now - window));
        }
        let mut wait = Duration::zero();
        for limit in limits {
            let Some(times) = failures.get_mut(&limit.key) else {
                continue;
            };
            while times.front().is_some_and(|t| *t <= now - window) {
                times.pop_front();
            }
            if let Some(last) = times.back() {
                let until = *last + delay(times.len(), limit.free, window);
                wait = wait.max(until - now);
            }
        }
        if wait > Duration::zero() {
            return Err(u64::try_from(wait.num_seconds().max(1)).unwrap_or(u64::MAX));
        }
        for limit in limits {
            failures
                .entry(limit.key.clone())
                .or_default()
                .push_back(now);
        }
        Ok(Attempt {
            keys: limits.iter().map(|l| l.key.clone()).collect(),
            at: now,
        })
    }

    /// The attempt's password was right: it is not a failure, and the first key's (the
    /// account's) earlier failures are forgotten.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut failures = self.failures.lock().expect("throttle lock");
        for (i, key) in attempt.keys.iter().enumerate() {
            if i == 0 {
                failures.remove(key);
            } else if let Some(times) = failures.get_mut(key) {
                if let Some(at) = times.iter().rposition(|t| *t == attempt.at) {
                    times.remove(at);
                }
            }
        }
    }

    /// Forgets a key's failures (an administrator unlocking an account).
    pub fn clear(&self, key: &str) {
        self.failures.lock().expect("throttle lock").remove(key);
    }

    /// Failures a key has in the window, for an administrator's view.
    pub fn failures(&self, key: &str, now: DateTime<Utc>, window: Duration) -> usize {
        let failures = self.failures.lock().expect("throttle lock");
        failures.get(key).map_or(0, |times| {
            times.iter().filter(|t| **t > now - window).count()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap()
    }

    #[test]
    fn past_the_free_failures_each_further_one_waits_twice_as_long() {
        let throttle = Throttle::default();
        let window = Duration::minutes(15);
        let lan = [Limit::new("account:lan", 5)];
        let mut now = start();
        for _ in 0..5 {
            let _failed = throttle.begin(&lan, now, window).unwrap();
        }
        // The sixth at once waits 1 s; after it, the seventh 2 s, the eighth 4 s.
        assert_eq!(throttle.begin(&lan, now, window).unwrap_err(), 1);
        for wait in [1, 2, 4] {
            now += Duration::seconds(wait);
            let _failed = throttle.begin(&lan, now, window).unwrap();
            assert_eq!(
                throttle.begin(&lan, now, window).unwrap_err(),
                (wait * 2) as u64
            );
        }
        // Another account is not affected; a success forgets the account's failures.
        let minh = [Limit::new("account:minh", 5)];
        assert!(throttle.begin(&minh, now, window).is_ok());
        now += Duration::seconds(8);
        let right = throttle.begin(&lan, now, window).unwrap();
        throttle.succeeded(right);
        assert_eq!(throttle.failures("account:lan", now, window), 0);
    }

    #[test]
    fn simultaneous_attempts_are_each_counted_before_any_is_checked() {
        let throttle = Throttle::default();
        let window = Duration::minutes(15);
        let limits = [Limit::new("account:lan", 5), Limit::new("address:1", 30)];
        let let_through = (0..100)
            .filter(|_| throttle.begin(&limits, start(), window).is_ok())
            .count();
        assert_eq!(let_through, 5);
        // The delay never exceeds the window: no lockout beyond it.
        assert_eq!(delay(1000, 5, window), window);
    }

    #[test]
    fn a_success_takes_back_only_its_own_attempt_on_the_address() {
        let throttle = Throttle::default();
        let window = Duration::minutes(15);
        let now = start();
        let other = throttle
            .begin(
                &[Limit::new("account:a", 5), Limit::new("address:1", 30)],
                now,
                window,
            )
            .unwrap();
        let mine = throttle
            .begin(
                &[Limit::new("account:b", 5), Limit::new("address:1", 30)],
                now,
                window,
            )
            .unwrap();
        throttle.succeeded(mine);
        drop(other);
        assert_eq!(throttle.failures("address:1", now, window), 1);
        assert_eq!(throttle.failures("account:a", now, window), 1);
    }
}
