//! The writes that carry records between the device and the server: a local change with its
//! outbox entry, the server's answers to a push, and a pulled page with its cursor. Each is one
//! IndexedDB transaction.

use chrono::Utc;
use rexie::TransactionMode;
use shared::sync::{overlay, settle, settlements, Change, ChangeResult, Outcome, PullResponse};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::log::{self, Entry};
use super::{
    database, decode_all, encode, key, writer, LocalRecord, Rejection, Result, StoreError,
    CONFLICTS, META, OUTBOX, RECORD_LOG, REJECTIONS,
};

/// Writes a record as the device now shows it together with the change that made it so.
pub async fn save_change(record: &LocalRecord, change: &Change) -> Result<()> {
    // The writer first: two quick saves reach the store in the order they were made.
    let _writing = writer().await;
    let entry = log::seal_entry(&Entry::of(vec![record.clone()])).await?;
    let sealed_change = encode(change).await?;
    let database = database()?;
    let transaction = database.transaction(&[RECORD_LOG, OUTBOX], TransactionMode::ReadWrite)?;
    if let Some(entry) = entry {
        transaction.store(RECORD_LOG)?.add(&entry, None).await?;
    }
    transaction
        .store(OUTBOX)?
        .put(&sealed_change, Some(&key(&change.id.to_string())))
        .await?;
    transaction.done().await?;
    Ok(())
}

/// The stores' values read in one transaction, to be opened after it.
async fn read(stores: &[&str]) -> Result<Vec<Vec<JsValue>>> {
    let database = database()?;
    let transaction = database.transaction(stores, TransactionMode::ReadOnly)?;
    let mut read = Vec::with_capacity(stores.len());
    for name in stores {
        read.push(transaction.store(name)?.get_all(None, None).await?);
    }
    transaction.done().await?;
    Ok(read)
}

/// Takes the server's answers: answered changes leave the outbox; refused ones are kept for their
/// author and the record shows the server's fields again (with what is still pending on top). An
/// answer with the server's fields makes the record's server copy what the server stored
/// (`shared::sync::settle`), in the order of the answers, unless the copy is newer already: the
/// device's pulls leave such records out.
pub async fn apply_push(sent: &[Change], results: &[ChangeResult]) -> Result<()> {
    let _writing = writer().await;
    let mut rejections = Vec::new();
    let mut touched: Vec<Uuid> = Vec::new();
    let mut refused_records: Vec<Uuid> = Vec::new();
    for result in results {
        let Some(change) = sent.iter().find(|change| change.id == result.change_id) else {
            continue;
        };
        match &result.outcome {
            Outcome::Rejected {
                message, fields, ..
            } => {
                let rejection = Rejection {
                    change: change.clone(),
                    message: message.clone(),
                    fields: fields.clone(),
                };
                rejections.push((change.id, encode(&rejection).await?));
                refused_records.push(change.record_id);
                touched.push(change.record_id);
            }
            Outcome::Applied {
                server_fields: Some(_),
                ..
            } => touched.push(change.record_id),
            _ => {}
        }
    }
    let mut entry = None;
    if !touched.is_empty() {
        let stored = read(&[OUTBOX, RECORD_LOG]).await?;
        let answered: Vec<Uuid> = results.iter().map(|r| r.change_id).collect();
        let pending: Vec<Change> = decode_all::<Change>(&stored[0])
            .await?
            .into_iter()
            .filter(|change| !answered.contains(&change.id))
            .collect();
        let mut by_id = log::fold(&stored[1]).await?;
        settle_answers(&mut by_id, sent, results);
        touched.sort_unstable();
        touched.dedup();
        let mut shown = Entry::default();
        for id in touched {
            let Some(mut record) = by_id.remove(&id) else {
                continue;
            };
            let mine: Vec<&Change> = pending.iter().filter(|c| c.record_id == id).collect();
            if record.server.is_none() && mine.is_empty() && refused_records.contains(&id) {
                // Never accepted anywhere: the record exists only as the refused change.
                shown.removed.push(record.id);
                continue;
            }
            record.fields = overlay(record.server.as_ref(), &mine);
            shown.records.push(record);
        }
        entry = log::seal_entry(&shown).await?;
    }
    let database = database()?;
    let transaction = database.transaction(
        &[RECORD_LOG, OUTBOX, REJECTIONS],
        TransactionMode::ReadWrite,
    )?;
    remove_answered(&transaction.store(OUTBOX)?, sent, results).await?;
    for (change_id, rejection) in &rejections {
        transaction
            .store(REJECTIONS)?
            .put(rejection, Some(&key(&change_id.to_string())))
            .await?;
    }
    if let Some(entry) = entry {
        transaction.store(RECORD_LOG)?.add(&entry, None).await?;
    }
    transaction.done().await?;
    Ok(())
}

/// The server copies the answers with server fields leave, in the order answered: each settles
/// on what the server stored, unless the copy is as new already.
fn settle_answers(
    by_id: &mut std::collections::HashMap<Uuid, LocalRecord>,
    sent: &[Change],
    results: &[ChangeResult],
) {
    for (change, seq, server_fields) in settlements(sent, results) {
        let record = by_id
            .entry(change.record_id)
            .or_insert_with(|| LocalRecord {
                record_type: change.record_type,
                id: change.record_id,
                facility_id: change.facility_id,
                fields: Default::default(),
                server: None,
                updated_at: change.made_at,
                seq: None,
            });
        if record.seq.is_some_and(|at| at >= seq) {
            continue;
        }
        record.server = Some(settle(record.server.as_ref(), change, server_fields));
        record.seq = Some(seq);
    }
}

/// Removes answered changes from the outbox. A batch is the oldest changes, and their UUIDv7 keys
/// sort by time, so one key-range delete usually does it; it is used only when the range holds
/// exactly the sent changes (a device clock set back could place a newer change inside it).
async fn remove_answered(
    outbox: &rexie::Store,
    sent: &[Change],
    results: &[ChangeResult],
) -> Result<()> {
    let all_answered = results.len() == sent.len()
        && sent
            .iter()
            .all(|c| results.iter().any(|r| r.change_id == c.id));
    let bounds = (
        sent.iter().map(|c| c.id).min(),
        sent.iter().map(|c| c.id).max(),
    );
    if let (true, (Some(first), Some(last))) = (all_answered, bounds) {
        let range = web_sys::IdbKeyRange::bound(&key(&first.to_string()), &key(&last.to_string()))
            .map_err(|_| StoreError("key range".into()))?;
        let in_range = outbox
            .count(Some(rexie::KeyRange::from(range.clone())))
            .await?;
        if in_range as usize == sent.len() {
            outbox.delete(range.into()).await?;
            return Ok(());
        }
    }
    for result in results {
        outbox.delete(key(&result.change_id.to_string())).await?;
    }
    Ok(())
}

/// Stores a pulled page and the new cursor together.
pub async fn apply_pull(page: &PullResponse) -> Result<()> {
    let _writing = writer().await;
    let stored = read(&[OUTBOX]).await?;
    let pending: Vec<Change> = decode_all(&stored[0]).await?;
    let now = Utc::now();
    let mut pulled = Vec::with_capacity(page.records.len());
    for record in &page.records {
        let mine: Vec<&Change> = pending
            .iter()
            .filter(|c| c.record_id == record.id)
            .collect();
        let local = LocalRecord {
            record_type: record.record_type,
            id: record.id,
            facility_id: record.facility_id,
            fields: overlay(Some(&record.fields), &mine),
            server: Some(record.fields.clone()),
            updated_at: now,
            seq: Some(record.seq),
        };
        pulled.push(local);
    }
    let entry = log::seal_entry(&Entry::of(pulled)).await?;
    let mut conflicts = Vec::with_capacity(page.conflicts.len());
    for conflict in &page.conflicts {
        let id = format!("{}/{}", conflict.change_id, conflict.field);
        conflicts.push((id, encode(conflict).await?));
    }
    let cursor = encode(&page.cursor).await?;
    let database = database()?;
    let transaction =
        database.transaction(&[RECORD_LOG, CONFLICTS, META], TransactionMode::ReadWrite)?;
    if let Some(entry) = entry {
        transaction.store(RECORD_LOG)?.add(&entry, None).await?;
    }
    let store = transaction.store(CONFLICTS)?;
    for (id, conflict) in &conflicts {
        store.put(conflict, Some(&key(id))).await?;
    }
    transaction
        .store(META)?
        .put(&cursor, Some(&key("cursor")))
        .await?;
    transaction.done().await?;
    Ok(())
}
