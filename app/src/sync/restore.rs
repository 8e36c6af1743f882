//! Changes brought back from a file (`shared::pending`): each goes into the outbox under its own
//! id, with the record as the device then shows it, and the next run sends them. A change
//! already waiting here is skipped; one the server already has is answered as a duplicate.

use leptos::prelude::*;
use shared::sync::{overlay, Change};

use super::SyncState;
use crate::store::{self, LocalRecord, StoreError};

impl SyncState {
    /// Puts the changes back in the outbox; how many were new here.
    pub async fn restore(self, changes: Vec<Change>) -> Result<usize, StoreError> {
        let waiting: Vec<uuid::Uuid> = store::outbox()
            .await?
            .into_iter()
            .map(|change| change.id)
            .collect();
        let mut restored = 0;
        for mut change in changes.into_iter().filter(|c| !waiting.contains(&c.id)) {
            // Made on another device (or before this one's copy changed): nobody vouches for
            // the version it was made on, so the record is pulled back as usual.
            change.base_seq = None;
            let existing = self.records.with_untracked(|records| {
                records.iter().find(|r| r.id == change.record_id).cloned()
            });
            let fields = overlay(existing.as_ref().map(|record| &record.fields), &[&change]);
            let record = LocalRecord {
                record_type: change.record_type,
                id: change.record_id,
                facility_id: change.facility_id,
                seq: existing.as_ref().and_then(|record| record.seq),
                server: existing.and_then(|record| record.server),
                fields,
                updated_at: change.made_at,
            };
            store::save_change(&record, &change).await?;
            restored += 1;
        }
        self.reload().await;
        self.nudge();
        Ok(restored)
    }
}
