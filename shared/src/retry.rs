//! When a device tries again: the rules the sync engine follows after a failed request, kept
//! here (pure) so they are tested without a browser.

/// What a refused request's status says about trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The server cannot take it now (408, 429, 5xx, or an answer that could not be read):
    /// the same request later.
    Later,
    /// The request was refused for what it carries (400, 413, 422): its changes in smaller
    /// parts; one change refused alone is refused for good.
    Split,
    /// The request itself is not allowed (401, 403, …): only a change of session or directory
    /// helps, so retry rarely.
    Stop,
}

impl Retry {
    pub fn of(status: u16) -> Retry {
        match status {
            0 | 408 | 429 | 500..=599 => Retry::Later,
            400 | 413 | 422 => Retry::Split,
            _ => Retry::Stop,
        }
    }
}

/// The first pause after a failure, and the longest.
pub const BACKOFF_MIN_MS: u32 = 2_000;
pub const BACKOFF_MAX_MS: u32 = 60_000;

/// The pause before the next run after `failures` failed runs in a row (1 or more): doubling from
/// [`BACKOFF_MIN_MS`] up to [`BACKOFF_MAX_MS`], never shorter than what the server asked for.
pub fn backoff_ms(failures: u32, retry_after_seconds: Option<u32>) -> u32 {
    let doubled = BACKOFF_MIN_MS.saturating_mul(1 << failures.saturating_sub(1).min(16));
    let asked = retry_after_seconds.unwrap_or(0).saturating_mul(1000);
    doubled.min(BACKOFF_MAX_MS).max(asked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_say_whether_to_wait_split_or_stop() {
        for status in [0, 408, 429, 500, 502, 503] {
            assert_eq!(Retry::of(status), Retry::Later, "{status}");
        }
        for status in [400, 413, 422] {
            assert_eq!(Retry::of(status), Retry::Split, "{status}");
        }
        for status in [401, 403, 404, 409] {
            assert_eq!(Retry::of(status), Retry::Stop, "{status}");
        }
    }

    #[test]
    fn the_pause_doubles_up_to_a_minute_and_honours_the_server() {
        let pauses: Vec<u32> = (1..=7).map(|n| backoff_ms(n, None)).collect();
        assert_eq!(
            pauses,
            [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]
        );
        assert_eq!(backoff_ms(40, None), BACKOFF_MAX_MS);
        assert_eq!(backoff_ms(1, Some(30)), 30_000);
        assert_eq!(backoff_ms(6, Some(5)), 60_000);
    }
}
