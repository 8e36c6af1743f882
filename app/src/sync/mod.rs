//! The sync engine: carries the outbox to the server and the server's changes back.
//!
//! A run pushes the outbox in bounded batches ([`transfer`]), then pulls pages until there is
//! nothing more, storing each page with its cursor; a refused push does not keep the pull from
//! running. Runs start when the user's store opens, when the browser regains connectivity,
//! shortly after each local change (debounced), and when [`schedule`]'s probe finds the server
//! answering while changes wait or the last run failed. Only one run at a time. Everything the
//! pages show comes from the local store, never from a run's network answers directly.

mod error;
mod restore;
mod schedule;
mod transfer;

pub use error::SyncError;
use schedule::Backoff;

use chrono::{DateTime, Utc};
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::SplitLoaderError;
use shared::sync::{diff, Conflict, Fields, RecordType};
use uuid::Uuid;

use crate::api::{use_api, Api};
use crate::i18n::{use_i18n, I18n};
use crate::session::{use_session, SessionStore};
use crate::store::{self, LocalRecord, Rejection, StoreError};

/// How long after a local change a run starts (more changes in the meantime wait together).
const DEBOUNCE_MS: u32 = 1_500;

/// The device's sync state, shared through context. `Copy`: every field is a signal.
#[derive(Clone, Copy)]
pub struct SyncState {
    /// The store is open and loaded for the signed-in user.
    pub ready: RwSignal<bool>,
    /// The last attempt reached the server.
    pub online: RwSignal<bool>,
    pub running: RwSignal<bool>,
    /// Changes waiting in the outbox.
    pub pending: RwSignal<usize>,
    pub last_success: RwSignal<Option<DateTime<Utc>>>,
    pub error: RwSignal<Option<String>>,
    /// Records received in the current run (progress of a first sync).
    pub received: RwSignal<usize>,
    /// How the last finished run went: milliseconds pushing, milliseconds pulling, changes sent.
    pub last_run: RwSignal<Option<RunReport>>,
    pub records: RwSignal<Vec<LocalRecord>>,
    pub conflicts: RwSignal<Vec<Conflict>>,
    pub rejections: RwSignal<Vec<Rejection>>,
    /// Bumped by each local change, to debounce runs.
    generation: RwSignal<u64>,
    /// The cached commune list was refreshed since the store was opened.
    pub directory_fresh: RwSignal<bool>,
    /// The referral network's view of the world: the facility directory kept for offline use,
    /// the server's clock and due times, the notices already seen.
    pub network: crate::directory::Network,
    /// When a failed run may be retried.
    backoff: StoredValue<Backoff>,
    /// `performance.now()` when the last run started.
    last_started: StoredValue<f64>,
    /// Which probe loop is the current one: a store opened again starts a new loop and the
    /// older one stops at its next turn.
    probe_loop: StoredValue<u64>,
    api: Api,
    i18n: I18n,
    session: SessionStore,
}

/// Timings of a sync run, for the sync page (and the benchmark harness, which reads them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunReport {
    pub push_ms: f64,
    pub pull_ms: f64,
    pub sent: usize,
    pub received: usize,
}

fn now_ms() -> f64 {
    window()
        .performance()
        .map_or(0.0, |performance| performance.now())
}

pub fn provide_sync() -> SyncState {
    let state = SyncState {
        ready: RwSignal::new(false),
        online: RwSignal::new(true),
        running: RwSignal::new(false),
        pending: RwSignal::new(0),
        last_success: RwSignal::new(None),
        error: RwSignal::new(None),
        received: RwSignal::new(0),
        last_run: RwSignal::new(None),
        records: RwSignal::new(Vec::new()),
        conflicts: RwSignal::new(Vec::new()),
        rejections: RwSignal::new(Vec::new()),
        generation: RwSignal::new(0),
        directory_fresh: RwSignal::new(false),
        network: crate::directory::Network::default(),
        backoff: StoredValue::new(Backoff::default()),
        last_started: StoredValue::new(0.0),
        probe_loop: StoredValue::new(0),
        api: use_api(),
        i18n: use_i18n(),
        session: use_session(),
    };
    provide_context(state);
    let session = state.session;
    // Open the signed-in user's store whenever the user changes; close the view when signed out.
    Effect::new(move |_| {
        let user_id = session.user().map(|user| user.id);
        state.ready.set(false);
        state.directory_fresh.set(false);
        let Some(user_id) = user_id else {
            // Signed out, or the server ended the session: the store closes and its key goes.
            store::close();
            return;
        };
        {
            spawn_local(async move {
                if !crate::vault::is_open() {
                    match crate::vault::reopen(state.api, user_id).await {
                        Ok(()) => {}
                        Err(crate::vault::VaultError::Browser(error)) => {
                            state.error.set(Some(error));
                            return;
                        }
                        Err(crate::vault::VaultError::SessionRefused) => return,
                        // Reloaded offline (or the share is gone): the password opens it.
                        Err(_) => {
                            state.session.end(Some(crate::session::SignedOut::Locked));
                            return;
                        }
                    }
                }
                match store::open(user_id).await {
                    Ok(()) => {
                        ask_for_persistent_storage().await;
                        state.reload().await;
                        // What the referral pages keep besides records: read once per opening,
                        // then kept up to date in memory as runs learn it.
                        state.network.reload().await;
                        state
                            .last_success
                            .set(store::get_meta("last_success").await.ok().flatten());
                        state.ready.set(true);
                        state.run();
                        state.repeat(user_id);
                    }
                    // Sealed under a key that is lost: nobody can read it; the next sign-in
                    // starts the store afresh and pulls again.
                    Err(StoreError(error)) if error == store::seal::UNREADABLE => {
                        crate::vault::abandon(user_id).await;
                        state.session.end(Some(crate::session::SignedOut::Locked));
                    }
                    Err(StoreError(error)) => state.error.set(Some(error)),
                }
            });
        }
    });
    let _ = window_event_listener(leptos::ev::online, move |_| state.run());
    let _ = window_event_listener(leptos::ev::offline, move |_| state.online.set(false));
    state
}

impl SyncState {
    /// The catalogue in the user's language, for work that outlives the page that started it.
    pub fn texts(self) -> I18n {
        self.i18n
    }
}

pub fn use_sync() -> SyncState {
    expect_context::<SyncState>()
}

impl SyncState {
    /// Records a user's edit: `after` is the record's fields as the form now has them. Writes the
    /// record and its change locally in one transaction, shows it at once, and schedules a run.
    pub async fn save(
        self,
        record_type: RecordType,
        record_id: Uuid,
        facility_id: Uuid,
        after: Fields,
    ) -> Result<bool, StoreError> {
        let existing = self
            .records
            .with_untracked(|records| records.iter().find(|r| r.id == record_id).cloned());
        let before = existing.as_ref().map(|record| record.fields.clone());
        let Some(mut change) = diff(
            record_type,
            record_id,
            facility_id,
            before.as_ref(),
            &after,
            Utc::now(),
        ) else {
            return Ok(false);
        };
        // The version of the record this device holds, vouched for so that the server may
        // answer with what it stored (and the device need not pull it back).
        change.base_seq = Some(existing.as_ref().and_then(|record| record.seq).unwrap_or(0));
        let record = LocalRecord {
            record_type,
            id: record_id,
            facility_id,
            seq: existing.as_ref().and_then(|record| record.seq),
            server: existing.and_then(|record| record.server),
            fields: after,
            updated_at: change.made_at,
        };
        store::save_change(&record, &change).await?;
        self.records.update(
            |records| match records.iter_mut().find(|r| r.id == record_id) {
                Some(slot) => *slot = record,
                None => records.push(record),
            },
        );
        self.pending.update(|pending| *pending += 1);
        self.nudge();
        Ok(true)
    }

    /// Starts a run soon, unless another change comes first.
    pub fn nudge(self) {
        self.generation.update(|g| *g += 1);
        let generation = self.generation.get_untracked();
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(DEBOUNCE_MS).await;
            if self.generation.get_untracked() == generation {
                self.run();
            }
        });
    }

    /// Starts a run now, unless one is going.
    pub fn run(self) {
        if self.running.get_untracked() || !self.ready.get_untracked() {
            return;
        }
        self.running.set(true);
        self.received.set(0);
        self.last_started.set_value(now_ms());
        spawn_local(async move {
            match engine(self).await {
                Ok(run) => run.await,
                // The engine's code could not be fetched: as a run that did not reach the server.
                Err(_) => {
                    self.backoff.update_value(|backoff| {
                        *backoff = backoff.after(Err(&SyncError::Unreachable), now_ms());
                    });
                    self.online.set(false);
                }
            }
            self.running.set(false);
        });
    }

    /// One run: the outbox pushed, the server's changes pulled, what the pages show reloaded.
    async fn run_once(self) {
        {
            let started = now_ms();
            let pushed = self.push_all().await;
            let pushed_at = now_ms();
            // A push the server refused does not keep the server's changes from this device; only
            // a server out of reach or a failing store stops the run.
            let outcome = match pushed {
                Ok(sent) => self.pull_all().await.map(|()| sent),
                Err(error @ (SyncError::Unreachable | SyncError::LocalStore(_))) => Err(error),
                Err(error) => match self.pull_all().await {
                    Ok(()) => Err(error),
                    Err(pull_error) => Err(pull_error),
                },
            };
            self.backoff.update_value(|backoff| {
                *backoff = backoff.after(outcome.as_ref().map(|_| ()), now_ms());
            });
            // After an idle run (nothing sent, nothing received) the store is as the pages show
            // it; reading every record back would be wasted work every few minutes.
            let moved = outcome
                .as_ref()
                .map_or(true, |sent| *sent > 0 || self.received.get_untracked() > 0);
            match outcome {
                Ok(sent) => {
                    let received = self.received.get_untracked();
                    let report = RunReport {
                        push_ms: pushed_at - started,
                        pull_ms: now_ms() - pushed_at,
                        sent,
                        received,
                    };
                    self.last_run.set(Some(report));
                    if !self.directory_fresh.get_untracked() {
                        // Keep the directory the forms need (communes) for when the network is gone;
                        // once per opening of the store is enough.
                        crate::directory::fetch_areas(self.api).await;
                        self.network.keep_facilities(self.api).await;
                        self.directory_fresh.set(true);
                    }
                    let now = Utc::now();
                    let _ = store::put_meta("last_success", &now).await;
                    self.last_success.set(Some(now));
                    self.online.set(true);
                    self.error.set(None);
                }
                Err(SyncError::Unreachable) => self.online.set(false),
                Err(error) => {
                    // The server answered (or the store failed, which says nothing of the
                    // network): online stays as the last answer said.
                    if !matches!(error, SyncError::LocalStore(_)) {
                        self.online.set(true);
                    }
                    self.error.set(Some(error.message(self.i18n)));
                }
            }
            if moved {
                self.reload().await;
            }
        }
    }

    /// Reloads what the pages show from the store.
    pub async fn reload(self) {
        if let Ok(records) = store::records().await {
            self.records.set(records);
        }
        if let Ok(outbox) = store::outbox().await {
            self.pending.set(outbox.len());
        }
        if let Ok(conflicts) = store::conflicts().await {
            self.conflicts.set(conflicts);
        }
        if let Ok(rejections) = store::rejections().await {
            self.rejections.set(rejections);
        }
    }
}

/// A run's code, in a wasm module of its own (see `app/src/routes.rs`): fetched with the first
/// run after signing in, so the sign-in form does not wait for it.
#[leptos::wasm_split::wasm_split(sync_engine, wasm_split_path = ::leptos::wasm_split, fallible)]
fn engine(state: SyncState) -> Result<LocalBoxFuture<'static, ()>, SplitLoaderError> {
    Ok(Box::pin(state.run_once()))
}

/// Asks the browser not to evict this origin's data under storage pressure.
async fn ask_for_persistent_storage() {
    if let Ok(promise) = window().navigator().storage().persist() {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}
