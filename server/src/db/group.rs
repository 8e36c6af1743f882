//! Group commit: writes queue, and one thread at a time runs every queued write in one
//! transaction, each in its own savepoint, then commits once and answers them all.
//!
//! A write is answered only after the commit that holds it is durable; if that commit fails (a
//! full disk), every write of the group gets the error and none was acknowledged. A write that
//! waited longer than [`MAX_WAIT`] is answered 503 `busy` without running: under overload the
//! queue stays bounded in time, and clients (the app) retry after the time they are told.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use super::{poisoned, DbInner};
use crate::error::ApiError;

/// The most writes one transaction takes.
const GROUP_MAX: usize = 64;
/// A write still waiting after this long is answered "busy".
pub const MAX_WAIT: Duration = Duration::from_secs(10);
/// What a client is told to wait then.
const RETRY_AFTER_SECONDS: u64 = 2;

type Work = Box<dyn FnOnce(&Transaction<'_>) -> Result<(), ApiError> + Send>;

struct Job {
    work: Work,
    done: oneshot::Sender<Result<(), ApiError>>,
    queued: Instant,
}

#[derive(Default)]
pub struct Queue {
    waiting: Mutex<VecDeque<Job>>,
    /// A thread is running groups (it will find what is queued).
    leading: AtomicBool,
}

/// Queues `work` and waits for its group's commit.
pub async fn submit<T, F>(inner: &Arc<DbInner>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
{
    let slot: Arc<Mutex<Option<T>>> = Arc::default();
    let out = slot.clone();
    let work: Work = Box::new(move |transaction| {
        let value = work(transaction)?;
        *out.lock().map_err(|_| poisoned())? = Some(value);
        Ok(())
    });
    let (done, answer) = oneshot::channel();
    inner
        .queue
        .waiting
        .lock()
        .map_err(|_| poisoned())?
        .push_back(Job {
            work,
            done,
            queued: Instant::now(),
        });
    if !inner.queue.leading.swap(true, Ordering::AcqRel) {
        let inner = inner.clone();
        tokio::task::spawn_blocking(move || lead(&inner));
    }
    answer
        .await
        .map_err(|_| ApiError::Internal("the database writer stopped".into()))??;
    let value = slot.lock().map_err(|_| poisoned())?.take();
    value.ok_or_else(|| ApiError::Internal("a write gave no value".into()))
}

/// Runs groups until nothing is queued.
fn lead(inner: &DbInner) {
    loop {
        let jobs: Vec<Job> = match inner.queue.waiting.lock() {
            Ok(mut waiting) => {
                let n = waiting.len().min(GROUP_MAX);
                waiting.drain(..n).collect()
            }
            Err(_) => Vec::new(),
        };
        if jobs.is_empty() {
            inner.queue.leading.store(false, Ordering::Release);
            // A write queued between the drain and the store would wait for nobody: take the
            // lead again unless another thread already has.
            let empty = inner
                .queue
                .waiting
                .lock()
                .map(|w| w.is_empty())
                .unwrap_or(true);
            if empty || inner.queue.leading.swap(true, Ordering::AcqRel) {
                return;
            }
            continue;
        }
        run(inner, jobs);
    }
}

/// One group: each job in its savepoint, one commit, then every answer.
fn run(inner: &DbInner, jobs: Vec<Job>) {
    let (jobs, stale): (Vec<Job>, Vec<Job>) = jobs
        .into_iter()
        .partition(|job| job.queued.elapsed() < MAX_WAIT);
    for job in stale {
        let _ = job.done.send(Err(ApiError::Busy {
            retry_after_seconds: RETRY_AFTER_SECONDS,
        }));
    }
    if jobs.is_empty() {
        return;
    }
    let mut answers = Vec::with_capacity(jobs.len());
    let mut works = Vec::with_capacity(jobs.len());
    for job in jobs {
        answers.push(job.done);
        works.push(job.work);
    }
    match commit_group(inner, works) {
        Ok(outcomes) => {
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                let _ = answer.send(outcome);
            }
        }
        Err(error) => {
            for answer in answers {
                let _ = answer.send(Err(error.clone()));
            }
        }
    }
}

fn commit_group(inner: &DbInner, works: Vec<Work>) -> Result<Vec<Result<(), ApiError>>, ApiError> {
    inner.check_identity()?;
    let mut connection = inner.writer.lock().map_err(|_| poisoned())?;
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(works.len());
    for work in works {
        transaction.execute_batch("SAVEPOINT write")?;
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| work(&transaction)))
            .unwrap_or_else(|_| Err(ApiError::Internal("a write panicked".into())));
        match &outcome {
            Ok(()) => transaction.execute_batch("RELEASE write")?,
            // Some errors (a full disk) make SQLite roll the whole transaction back: then the
            // group's earlier writes are gone too, and every write of it gets this error.
            Err(error) if transaction.is_autocommit() => return Err(error.clone()),
            Err(error) => {
                if transaction
                    .execute_batch("ROLLBACK TO write; RELEASE write")
                    .is_err()
                {
                    return Err(error.clone());
                }
            }
        }
        outcomes.push(outcome);
    }
    transaction.commit()?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use crate::db::Db;
    use crate::error::ApiError;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_undoes_only_itself_and_each_gets_its_own_answer() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("group.db")).unwrap();
        db.write(|t| {
            t.execute_batch("CREATE TABLE numbers (n INTEGER PRIMARY KEY)")?;
            Ok(())
        })
        .await
        .unwrap();
        // 200 writes at once: they share commits, every tenth fails after writing its row.
        let writes = (0..200i64).map(|n| {
            let db = db.clone();
            async move {
                db.write(move |t| {
                    t.execute("INSERT INTO numbers (n) VALUES (?1)", [n])?;
                    if n % 10 == 0 {
                        return Err(ApiError::Malformed(format!("refused {n}")));
                    }
                    Ok(n * 2)
                })
                .await
            }
        });
        let results = futures::future::join_all(writes).await;
        for (n, result) in results.iter().enumerate() {
            match result {
                Ok(doubled) => assert_eq!(*doubled, n as i64 * 2),
                Err(ApiError::Malformed(text)) => {
                    assert_eq!(n % 10, 0);
                    assert_eq!(text, &format!("refused {n}"));
                }
                Err(other) => panic!("{n}: {other:?}"),
            }
        }
        let (count, refused): (i64, i64) = db
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*), count(*) FILTER (WHERE n % 10 = 0) FROM numbers",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )?)
            })
            .await
            .unwrap();
        assert_eq!((count, refused), (180, 0));
    }
}
