//! When runs start on their own. While the page is visible a cheap probe asks every few seconds
//! whether the server answers, so the header tells the truth within seconds either way (the
//! browser's `online` event does not fire when only the server went away or came back). A run
//! starts when the probe answers and changes wait or the last run failed (after a pause that
//! doubles with each failure, or what the server asked for), and at least every few minutes.
//! A hidden page only runs every few minutes.

use leptos::prelude::*;
use shared::retry::backoff_ms;
use uuid::Uuid;

use super::{now_ms, SyncError, SyncState};

/// Between probes while the page is visible.
const PROBE_EVERY_MS: u32 = 3_000;
/// A full run at least this often, visible or not.
const PERIOD_MS: f64 = 180_000.0;

/// When the next run may start after a failed one, and why it failed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Backoff {
    pub failures: u32,
    /// `performance.now()` before which no retry starts.
    pub not_before: f64,
}

impl Backoff {
    /// After a run: cleared on success; after a failure the pause grows, except that a server
    /// out of reach is retried as soon as a probe answers.
    pub fn after(&self, outcome: Result<(), &SyncError>, now: f64) -> Backoff {
        match outcome {
            Ok(()) => Backoff::default(),
            Err(SyncError::Unreachable) => Backoff {
                failures: self.failures + 1,
                not_before: now,
            },
            Err(error) => {
                let failures = self.failures + 1;
                let asked = match error {
                    SyncError::Busy {
                        retry_after_seconds,
                        ..
                    } => *retry_after_seconds,
                    _ => None,
                };
                Backoff {
                    failures,
                    not_before: now + f64::from(backoff_ms(failures, asked)),
                }
            }
        }
    }
}

fn page_visible() -> bool {
    document().visibility_state() == web_sys::VisibilityState::Visible
}

impl SyncState {
    /// Probes and runs while this user stays signed in.
    pub(super) fn repeat(self, user_id: Uuid) {
        let session = self.session;
        self.probe_loop.update_value(|n| *n += 1);
        let this_loop = self.probe_loop.get_value();
        leptos::task::spawn_local(async move {
            loop {
                gloo_timers::future::TimeoutFuture::new(PROBE_EVERY_MS).await;
                if session.user_untracked().map(|user| user.id) != Some(user_id)
                    || self.probe_loop.get_value() != this_loop
                {
                    return;
                }
                if self.running.get_untracked() {
                    // A run can hang on a link that connects but never answers (its calls have
                    // long deadlines, for slow uploads): the probe still tells the header.
                    if page_visible() && !self.api.probe().await && self.running.get_untracked() {
                        self.online.set(false);
                    }
                    continue;
                }
                let now = now_ms();
                let periodic = now - self.last_started.get_value() >= PERIOD_MS;
                if !page_visible() {
                    if periodic {
                        self.run();
                    }
                    continue;
                }
                let reachable = self.api.probe().await;
                if self.running.get_untracked() {
                    // A run started meanwhile says better than the probe.
                    continue;
                }
                if self.online.get_untracked() != reachable {
                    self.online.set(reachable);
                }
                let backoff = self.backoff.get_value();
                let waiting = self.pending.get_untracked() > 0 || backoff.failures > 0;
                if reachable && (periodic || (waiting && now_ms() >= backoff.not_before)) {
                    self.run();
                }
            }
        });
    }
}
