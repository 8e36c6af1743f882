//! The audit of reads, kept off the writer's path: a pull notes who received which records in
//! memory, and a background task writes the notes in one transaction every [`FLUSH_EVERY`]. So a
//! pull never waits behind a write storm to say it was read.
//!
//! **Stated bound:** a crash loses at most the reads noted in the last [`FLUSH_EVERY`] (they are
//! flushed again on a clean shutdown). When the notes cannot be written (a full or read-only
//! disk) they are kept and retried; past [`MAX_PENDING`] unwritten notes, reads stop (503 `busy`)
//! rather than go unaudited. Changes are audited in their own transaction, as before
//! ([`crate::audit::record`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::audit::{self, Actor, Event};
use crate::db::Db;
use crate::error::ApiError;

/// How often the noted reads are written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// How many reads may wait unwritten before reads are refused.
pub const MAX_PENDING: usize = 10_000;

#[derive(Clone)]
struct Note {
    at: DateTime<Utc>,
    actor: Actor,
    action: &'static str,
    detail: String,
    /// The records the read returned.
    ids: Vec<uuid::Uuid>,
}

/// The reads noted and not yet written.
#[derive(Default)]
pub struct ReadLog {
    pending: Mutex<Vec<Note>>,
    flushing: AtomicBool,
}

impl ReadLog {
    /// Notes a read; the first note starts the background writer.
    pub fn note(
        self: &Arc<Self>,
        db: &Db,
        at: DateTime<Utc>,
        actor: Actor,
        action: &'static str,
        detail: String,
        ids: Vec<uuid::Uuid>,
    ) -> Result<(), ApiError> {
        {
            let mut pending = self.pending.lock().map_err(|_| poisoned())?;
            if pending.len() >= MAX_PENDING {
                return Err(ApiError::Busy {
                    retry_after_seconds: 5,
                });
            }
            pending.push(Note {
                at,
                actor,
                action,
                detail,
                ids,
            });
        }
        if !self.flushing.swap(true, Ordering::AcqRel) {
            let (log, db) = (self.clone(), db.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(FLUSH_EVERY).await;
                    if let Err(error) = log.flush(&db).await {
                        tracing::debug!(%error, "read audit not written yet; retrying");
                    }
                }
            });
        }
        Ok(())
    }

    /// Writes every noted read now (the audit page does this first, so it is never behind).
    pub async fn flush(&self, db: &Db) -> Result<(), ApiError> {
        let notes = std::mem::take(&mut *self.pending.lock().map_err(|_| poisoned())?);
        if notes.is_empty() {
            return Ok(());
        }
        let kept = Arc::new(notes);
        let written = {
            let notes = kept.clone();
            db.write(move |transaction| {
                for note in notes.iter() {
                    let event = Event::new(note.action).detail(note.detail.clone());
                    audit::record_read(transaction, note.at, &note.actor, event, &note.ids)?;
                }
                Ok(())
            })
            .await
        };
        if written.is_err() {
            // Put them back in front, in order, for the next attempt.
            let notes = Arc::unwrap_or_clone(kept);
            let mut pending = self.pending.lock().map_err(|_| poisoned())?;
            let later = std::mem::replace(&mut *pending, notes);
            pending.extend(later);
        }
        written
    }
}

fn poisoned() -> ApiError {
    ApiError::Internal("read log lock poisoned".into())
}
