//! The SQLite store: one writer connection and a few readers, all used off the async executor.
//!
//! SQLite runs in WAL mode, so readers never wait for the writer and the writer never waits for
//! readers; writes are serialised by the writer's mutex (SQLite allows one writer at a time anyway).
//! [`Db::write`] runs a closure inside one `BEGIN IMMEDIATE` transaction and commits only if the
//! closure returns `Ok`, which is how a change and its audit entry land together or not at all.
//!
//! Writes are committed in groups ([`group`]): while one group is being made durable (an fsync,
//! `synchronous=FULL`), the writes that arrive queue, and the next group runs them all in one
//! transaction, each inside its own savepoint: a write that fails undoes only itself, and every
//! write is answered only once its group is on disk. One fsync then serves many pushes.

mod group;
mod migrations;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{ApiError, StorageProblem};

/// How many idle reader connections to keep.
const MAX_IDLE_READERS: usize = 4;

#[derive(Clone)]
pub struct Db {
    inner: Arc<DbInner>,
}

struct DbInner {
    /// The file the server opened (device, inode): a path that later names another file is
    /// refused, so that readers (opened by path) and the writer never see two databases.
    identity: Option<(u64, u64)>,
    /// The last write's storage trouble: 0 none, else a [`StorageProblem`] (see `storage_code`).
    storage: std::sync::atomic::AtomicU8,
    /// Set once the replacement has been logged.
    replaced: std::sync::atomic::AtomicBool,
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Writes waiting for the next group, and whether a thread is running groups.
    queue: group::Queue,
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db, ApiError> {
        let mut writer = open_connection(path, false)?;
        migrations::run(&mut writer)?;
        crate::facts::backfill(&mut writer)?;
        Ok(Db {
            inner: Arc::new(DbInner {
                identity: identity(path),
                storage: std::sync::atomic::AtomicU8::new(0),
                replaced: std::sync::atomic::AtomicBool::new(false),
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
                queue: group::Queue::default(),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `work` in a write transaction on a blocking thread: its changes are kept on `Ok`
    /// (answered once committed, possibly with other writes' in the same group), undone on `Err`.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let result = group::submit(&self.inner, work).await;
        match &result {
            Ok(_) => self.note_storage(None),
            Err(ApiError::Storage(StorageProblem::Replaced)) => {}
            Err(ApiError::Storage(problem)) => self.note_storage(Some(*problem)),
            Err(_) => {}
        }
        result
    }

    /// Why the last write could not be stored, until a write succeeds again; or that the file
    /// was replaced under the server.
    pub fn storage_problem(&self) -> Option<StorageProblem> {
        if self.inner.check_identity().is_err() {
            return Some(StorageProblem::Replaced);
        }
        match self
            .inner
            .storage
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            1 => Some(StorageProblem::Full),
            2 => Some(StorageProblem::ReadOnly),
            _ => None,
        }
    }

    /// Records the storage state; a change is logged once, not every failing request.
    fn note_storage(&self, problem: Option<StorageProblem>) {
        let code = match problem {
            None => 0,
            Some(StorageProblem::Full) => 1,
            Some(StorageProblem::ReadOnly) => 2,
            // Checked on every call instead (`check_identity`).
            Some(StorageProblem::Replaced) => return,
        };
        let before = self
            .inner
            .storage
            .swap(code, std::sync::atomic::Ordering::Relaxed);
        if before != code {
            match problem {
                Some(problem) => tracing::error!(
                    database = %self.inner.path.display(),
                    problem = problem.code(),
                    "the database cannot be written: changes are refused with 503 until this is fixed"
                ),
                None => {
                    tracing::warn!(database = %self.inner.path.display(), "the database can be written again")
                }
            }
        }
    }

    /// Runs `work` as [`Db::write`] does, then rolls back whatever it did: a rehearsal (an
    /// import's preview), exact because it runs the very same code as the real thing.
    pub async fn rehearse<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let inner = self.inner.clone();
        run_blocking(move || {
            inner.check_identity()?;
            let mut connection = inner.writer.lock().map_err(|_| poisoned())?;
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = work(&transaction)?;
            transaction.rollback()?;
            Ok(value)
        })
        .await
    }

    /// Runs `work` on a reader connection on a blocking thread.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let inner = self.inner.clone();
        run_blocking(move || {
            inner.check_identity()?;
            let idle = inner.readers.lock().map_err(|_| poisoned())?.pop();
            let connection = match idle {
                Some(connection) => connection,
                None => open_connection(&inner.path, true)?,
            };
            let result = work(&connection);
            let mut readers = inner.readers.lock().map_err(|_| poisoned())?;
            if readers.len() < MAX_IDLE_READERS {
                readers.push(connection);
            }
            result
        })
        .await
    }
}

impl DbInner {
    /// The path still names the file the server opened (a stat per call: microseconds).
    fn check_identity(&self) -> Result<(), ApiError> {
        if self.identity.is_some() && identity(&self.path) != self.identity {
            if !self
                .replaced
                .swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                tracing::error!(
                    database = %self.path.display(),
                    "the database file was replaced under the running server: refusing every request until a restart"
                );
            }
            return Err(ApiError::Storage(StorageProblem::Replaced));
        }
        Ok(())
    }
}

/// A file's (device, inode), where the platform has them.
fn identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A UTC instant as stored in the database (the text rusqlite writes for `DateTime<Utc>`), for
/// building comparisons in dynamic queries.
pub fn timestamp(instant: chrono::DateTime<chrono::Utc>) -> String {
    instant.format("%F %T%.f%:z").to_string()
}

fn open_connection(path: &Path, read_only: bool) -> Result<Connection, ApiError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    if !read_only {
        connection.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a commit is on disk before the client hears "applied", even across a power cut
        // (NORMAL in WAL mode survives crashes of the process, not of the machine).
        connection.pragma_update(None, "synchronous", "FULL")?;
    }
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(connection)
}

async fn run_blocking<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ApiError::Internal(format!("database task failed: {error}")))?
}

fn poisoned() -> ApiError {
    ApiError::Internal("database lock poisoned".into())
}
