//! The server's notion of "now", injectable so that tests can move time (session expiry,
//! throttle windows, and later overdue referrals) without sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Default)]
pub enum Clock {
    #[default]
    System,
    /// A clock that stands still until a test moves it.
    Manual(Arc<Mutex<DateTime<Utc>>>),
    /// The system clock moved by an offset a test sets (browser tests: time runs, and jumps).
    Shifted(Arc<Mutex<Duration>>),
}

impl Clock {
    pub fn manual(start: DateTime<Utc>) -> Clock {
        Clock::Manual(Arc::new(Mutex::new(start)))
    }

    pub fn shifted() -> Clock {
        Clock::Shifted(Arc::new(Mutex::new(Duration::zero())))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(now) => *now.lock().expect("clock lock"),
            Clock::Shifted(by) => Utc::now() + *by.lock().expect("clock lock"),
        }
    }

    /// Moves a manual or shifted clock forward; does nothing to the system clock.
    pub fn advance(&self, by: Duration) {
        match self {
            Clock::System => {}
            Clock::Manual(now) => *now.lock().expect("clock lock") += by,
            Clock::Shifted(shift) => *shift.lock().expect("clock lock") += by,
        }
    }
}
