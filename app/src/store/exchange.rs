//! The writes that carry records between the device and the server: a local change with its
//! outbox entry, the server's answers to a push, and a pulled page with its cursor. Each is one
//! IndexedDB transaction.

use chrono::Utc;
use rexie::TransactionMode;
use shared::sync::{overlay, Change, ChangeResult, Outcome, PullResponse};

use super::log::{self, Entry};
use super::{
    database, decode_all, encode, key, LocalRecord, Rejection, Result, StoreError, CONFLICTS, META,
    OUTBOX, RECORD_LOG, REJECTIONS,
};

/// Writes a record as the device now shows it together with the change that made it so.
pub async fn save_change(record: &LocalRecord, change: &Change) -> Result<()> {
    let database = database()?;
    let transaction = database.transaction(&[RECORD_LOG, OUTBOX], TransactionMode::ReadWrite)?;
    log::append(
        &transaction.store(RECORD_LOG)?,
        &Entry::of(vec![record.clone()]),
    )
    .await?;
    transaction
        .store(OUTBOX)?
        .put(&encode(change)?, Some(&key(&change.id.to_string())))
        .await?;
    transaction.done().await?;
    Ok(())
}

/// Takes the server's answers: answered changes leave the outbox; refused ones are kept for their
/// author and the record shows the server's fields again (with what is still pending on top).
pub async fn apply_push(sent: &[Change], results: &[ChangeResult]) -> Result<()> {
    let database = database()?;
    let transaction = database.transaction(
        &[RECORD_LOG, OUTBOX, REJECTIONS],
        TransactionMode::ReadWrite,
    )?;
    let outbox = transaction.store(OUTBOX)?;
    remove_answered(&outbox, sent, results).await?;
    let mut refused_records = Vec::new();
    for result in results {
        if let Outcome::Rejected {
            message, fields, ..
        } = &result.outcome
        {
            if let Some(change) = sent.iter().find(|change| change.id == result.change_id) {
                let rejection = Rejection {
                    change: change.clone(),
                    message: message.clone(),
                    fields: fields.clone(),
                };
                transaction
                    .store(REJECTIONS)?
                    .put(&encode(&rejection)?, Some(&key(&change.id.to_string())))
                    .await?;
                refused_records.push(change.record_id);
            }
        }
    }
    if !refused_records.is_empty() {
        let pending: Vec<Change> = decode_all(&outbox).await?;
        let mut entry = Entry::default();
        for mut record in log::some(&transaction, &refused_records).await? {
            let mine: Vec<&Change> = pending
                .iter()
                .filter(|c| c.record_id == record.id)
                .collect();
            if record.server.is_none() && mine.is_empty() {
                // Never accepted anywhere: the record exists only as the refused change.
                entry.removed.push(record.id);
                continue;
            }
            record.fields = overlay(record.server.as_ref(), &mine);
            entry.records.push(record);
        }
        log::append(&transaction.store(RECORD_LOG)?, &entry).await?;
    }
    transaction.done().await?;
    Ok(())
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
    let database = database()?;
    let transaction = database.transaction(
        &[RECORD_LOG, OUTBOX, CONFLICTS, META],
        TransactionMode::ReadWrite,
    )?;
    let pending: Vec<Change> = decode_all(&transaction.store(OUTBOX)?).await?;
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
    log::append(&transaction.store(RECORD_LOG)?, &Entry::of(pulled)).await?;
    let conflicts = transaction.store(CONFLICTS)?;
    for conflict in &page.conflicts {
        let id = format!("{}/{}", conflict.change_id, conflict.field);
        conflicts.put(&encode(conflict)?, Some(&key(&id))).await?;
    }
    transaction
        .store(META)?
        .put(&encode(&page.cursor)?, Some(&key("cursor")))
        .await?;
    transaction.done().await?;
    Ok(())
}
