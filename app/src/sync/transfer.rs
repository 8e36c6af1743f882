//! The two halves of a run: pushing the outbox and pulling the server's changes.
//!
//! Pushes go in batches bounded by count and by bytes (the server limits a body's size after
//! decompression). A batch refused for what it carries (too large, malformed) is split in two
//! and each half sent again; a single change refused that way is refused for good and moves to
//! the refusals list, so one bad change never stalls the rest.

use futures::future::{join, LocalBoxFuture};
use leptos::prelude::*;
use shared::sync::{Change, ChangeResult, Outcome, PullResponse, PushRequest, PushResponse};

use super::{SyncError, SyncState};
use crate::store;

/// Changes per push request at most (the server's own limit is `shared::sync::PUSH_MAX_CHANGES`).
const BATCH: usize = 1_000;
/// Bytes of JSON per push request at most: half the server's default body limit, so a batch
/// fits even with the request's own envelope and a server configured lower.
const BATCH_BYTES: usize = 512 * 1024;

/// The outbox cut into batches of at most [`BATCH`] changes and about [`BATCH_BYTES`] bytes (a
/// single larger change is a batch of its own).
fn batches(outbox: &[Change]) -> Vec<&[Change]> {
    let mut cuts = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (at, change) in outbox.iter().enumerate() {
        let size = serde_json::to_string(change).map_or(0, |json| json.len() + 1);
        if at > start && (at - start >= BATCH || bytes + size > BATCH_BYTES) {
            cuts.push(&outbox[start..at]);
            (start, bytes) = (at, 0);
        }
        bytes += size;
    }
    if start < outbox.len() {
        cuts.push(&outbox[start..]);
    }
    cuts
}

impl SyncState {
    /// Sends the outbox until it is empty; returns how many changes were sent. The outbox is
    /// read once and sent batch by batch, then read again for changes made in the meantime.
    /// Batches go in order, one request at a time (the server applies them in the order sent);
    /// the answer to one batch is stored while the next is on the wire.
    pub(super) async fn push_all(self) -> Result<usize, SyncError> {
        let mut sent = 0;
        loop {
            let outbox = store::outbox().await?;
            if outbox.is_empty() {
                return Ok(sent);
            }
            let mut answered: Option<(&[Change], PushResponse)> = None;
            for batch in batches(&outbox) {
                let send = self.push_batch(batch);
                let response = match answered.take() {
                    Some((done, answer)) => {
                        let (stored, response) = join(self.store_push(done, &answer), send).await;
                        sent += stored?;
                        response?
                    }
                    None => send.await?,
                };
                answered = Some((batch, response));
            }
            if let Some((done, answer)) = answered {
                sent += self.store_push(done, &answer).await?;
            }
        }
    }

    /// One batch, split in halves while the server refuses it for what it carries; the answers
    /// of the parts, in order, as one.
    fn push_batch<'a>(
        self,
        batch: &'a [Change],
    ) -> LocalBoxFuture<'a, Result<PushResponse, SyncError>> {
        Box::pin(async move {
            let request = PushRequest {
                changes: batch.to_vec(),
            };
            let error = match self
                .api
                .post::<_, PushResponse>("/api/sync/push", &request)
                .await
            {
                Ok(response) => return Ok(response),
                Err(failure) => SyncError::from(failure),
            };
            if !error.splits() {
                return Err(error);
            }
            if let [change] = batch {
                // Refused alone: for good. It goes to the refusals, with the server's reason.
                let message = error.message(self.i18n);
                return Ok(PushResponse {
                    results: vec![ChangeResult {
                        change_id: change.id,
                        outcome: Outcome::Rejected {
                            code: error.code().to_string(),
                            message,
                            fields: Default::default(),
                        },
                    }],
                });
            }
            let (first, second) = batch.split_at(batch.len() / 2);
            let mut answer = self.push_batch(first).await?;
            answer
                .results
                .extend(self.push_batch(second).await?.results);
            Ok(answer)
        })
    }

    /// Stores the server's answer to one batch; returns the batch's size.
    async fn store_push(self, batch: &[Change], answer: &PushResponse) -> Result<usize, SyncError> {
        store::apply_push(batch, &answer.results).await?;
        self.pending
            .update(|pending| *pending = pending.saturating_sub(batch.len()));
        Ok(batch.len())
    }

    /// Pulls pages until the server has nothing more. Each page is stored with its cursor in one
    /// transaction, so an interrupted pull resumes where it stopped; the next page is fetched
    /// while the previous one is being stored.
    pub(super) async fn pull_all(self) -> Result<(), SyncError> {
        let cursor: i64 = store::get_meta("cursor").await?.unwrap_or(0);
        let mut page = self.fetch_page(cursor).await?;
        loop {
            if !page.more {
                return self.store_page(&page).await;
            }
            let (stored, next) = join(self.store_page(&page), self.fetch_page(page.cursor)).await;
            stored?;
            page = next?;
        }
    }

    async fn fetch_page(self, since: i64) -> Result<PullResponse, SyncError> {
        let page: PullResponse = self
            .api
            .get(&format!("/api/sync/pull?since={since}&skip_own=true"))
            .await?;
        self.network.learn(&page).await;
        Ok(page)
    }

    async fn store_page(self, page: &PullResponse) -> Result<(), SyncError> {
        store::apply_pull(page).await?;
        self.received
            .update(|received| *received += page.records.len());
        Ok(())
    }
}
