//! The record log: how the device keeps its records in IndexedDB.
//!
//! IndexedDB's cost is per row, not per byte: in Chromium 156 on the project machine, 14,000
//! puts of 300 to 2,000 bytes take 1.1–1.4 s, the same bytes as 7 rows take about 50 ms (see
//! BENCHMARKS.md). So records are not one row each: every write appends one *entry* to the
//! `record_log` store (auto-incremented keys, so key order is write order) holding the records it
//! wrote and the ids it removed. A pulled page of 2,000 records is one entry; a local edit is an
//! entry of one record.
//!
//! Reading folds the entries in key order (a later entry wins). When the log has grown to more
//! than [`COMPACT_AFTER`] entries, the fold is written back as a few entries of at most
//! [`ENTRY_MAX`] records and the old entries are deleted, in the same transaction: a reader sees
//! either the old log or the new one.
//!
//! The pages never read single records from here: they work from the records in memory, which
//! are loaded once when the store opens and kept current by the sync engine.

use std::collections::HashMap;

use rexie::TransactionMode;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::{database, decode, encode, writer, LocalRecord, Result, StoreError, RECORD_LOG};

/// Entries beyond which reading compacts the log.
pub const COMPACT_AFTER: usize = 64;
/// Records per entry when compacting (a pull page is at most this size too).
pub const ENTRY_MAX: usize = 2_000;

/// One write to the record log (its shape is `shared::device::LogEntry`).
pub use shared::device::LogEntry as Entry;

/// The entry as the log keeps it (sealed), or `None` when it writes nothing.
pub async fn seal_entry(entry: &Entry) -> Result<Option<JsValue>> {
    if entry.records.is_empty() && entry.removed.is_empty() {
        return Ok(None);
    }
    Ok(Some(encode(entry).await?))
}

/// Every record the stored entries leave, by id, opened and folded in write order.
pub async fn fold(values: &[JsValue]) -> Result<HashMap<Uuid, LocalRecord>> {
    let entries = futures::future::try_join_all(values.iter().map(decode::<Entry>)).await?;
    Ok(fold_entries(entries))
}

/// The records the entries leave, read in write order: a later entry wins.
fn fold_entries(entries: impl IntoIterator<Item = Entry>) -> HashMap<Uuid, LocalRecord> {
    let mut records = HashMap::new();
    for entry in entries {
        for id in entry.removed {
            records.remove(&id);
        }
        for record in entry.records {
            records.insert(record.id, record);
        }
    }
    records
}

/// Every record on the device, in id order (ids are UUIDv7: creation order). Compacts the log
/// when it has grown long.
pub async fn records() -> Result<Vec<LocalRecord>> {
    let _writing = writer().await;
    let database = database()?;
    let (keys, values) = {
        let transaction = database.transaction(&[RECORD_LOG], TransactionMode::ReadOnly)?;
        let store = transaction.store(RECORD_LOG)?;
        let keys = store.get_all_keys(None, None).await?;
        let values = store.get_all(None, None).await?;
        transaction.done().await?;
        (keys, values)
    };
    let mut records: Vec<LocalRecord> = fold(&values).await?.into_values().collect();
    records.sort_by_key(|record| record.id);
    if let (true, Some(last)) = (values.len() > COMPACT_AFTER, keys.last()) {
        compact(&records, last).await?;
    }
    Ok(records)
}

/// Replaces the entries up to `last` (those just read, this page's writer held since) with the
/// folded records.
async fn compact(records: &[LocalRecord], last: &JsValue) -> Result<()> {
    let mut sealed = Vec::new();
    for chunk in records.chunks(ENTRY_MAX) {
        sealed.extend(seal_entry(&Entry::of(chunk.to_vec())).await?);
    }
    let read =
        web_sys::IdbKeyRange::upper_bound(last).map_err(|_| StoreError("key range".into()))?;
    let database = database()?;
    let transaction = database.transaction(&[RECORD_LOG], TransactionMode::ReadWrite)?;
    let store = transaction.store(RECORD_LOG)?;
    // Another tab of the same user may have written since: then its entries would end up before
    // the compacted ones and lose; leave compacting to a later read.
    let newer = web_sys::IdbKeyRange::lower_bound_with_open(last, true)
        .map_err(|_| StoreError("key range".into()))?;
    if store.count(Some(rexie::KeyRange::from(newer))).await? == 0 {
        store.delete(read.into()).await?;
        for entry in &sealed {
            store.add(entry, None).await?;
        }
    }
    transaction.done().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use shared::sync::RecordType;

    fn record(id: Uuid, name: &str) -> LocalRecord {
        let mut fields = shared::sync::Fields::new();
        fields.insert("full_name".into(), name.into());
        LocalRecord {
            record_type: RecordType::Child,
            id,
            facility_id: Uuid::nil(),
            server: None,
            fields,
            updated_at: Utc::now(),
            seq: None,
        }
    }

    fn name(records: &HashMap<Uuid, LocalRecord>, id: Uuid) -> Option<&str> {
        records
            .get(&id)
            .and_then(|r| r.fields["full_name"].as_str())
    }

    #[test]
    fn a_later_entry_wins_and_removal_holds_until_written_again() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let entries = vec![
            Entry::of(vec![record(a, "An"), record(b, "Bình")]),
            Entry::of(vec![record(a, "An (sửa)")]),
            Entry {
                records: Vec::new(),
                removed: vec![b],
            },
        ];
        let folded = fold_entries(entries);
        assert_eq!(name(&folded, a), Some("An (sửa)"));
        assert_eq!(name(&folded, b), None);
        assert_eq!(folded.len(), 1);

        let again = fold_entries(vec![
            Entry {
                records: Vec::new(),
                removed: vec![b],
            },
            Entry::of(vec![record(b, "Bình")]),
        ]);
        assert_eq!(name(&again, b), Some("Bình"));
    }

    /// What an earlier version of the app stored must still fold into the same records. The
    /// stored form is frozen in the golden file `shared` keeps (never written from today's type,
    /// so a renamed field fails here and there, not silently on users' devices).
    #[test]
    fn an_entry_stored_by_an_earlier_app_still_folds() {
        const STORED: &str = include_str!("../../../shared/tests/golden/log_entry.json");
        let entry: Entry = serde_json::from_str(STORED).expect("the stored form still reads");
        let removed = entry.removed.clone();
        assert_eq!(removed.len(), 1);
        let child: Uuid = "01934b7a-0000-7000-8000-000000000001".parse().unwrap();
        let folded = fold_entries(vec![Entry::of(vec![record(removed[0], "Gỡ")]), entry]);
        assert_eq!(name(&folded, child), Some("Lý Văn Tài"));
        assert_eq!(folded[&child].record_type, RecordType::Child);
        assert!(folded[&child].server.is_some(), "the server's copy is kept");
        assert_eq!(name(&folded, removed[0]), None, "removed stays removed");
        let empty: Entry = serde_json::from_str("{}").unwrap();
        assert!(empty.records.is_empty() && empty.removed.is_empty());
    }
}
