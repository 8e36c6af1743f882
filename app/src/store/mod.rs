//! The browser's own store: IndexedDB, one database per user on this device.
//!
//! Object stores (values sealed by [`seal`]: AES-GCM under the user's data key):
//! - `record_log`: every record the user may see, as [`LocalRecord`]: the server's fields and what
//!   the device shows (the server's fields with pending changes on top), kept as a log of
//!   multi-record entries because IndexedDB's cost is per row ([`log`] explains);
//! - `outbox`: changes not yet answered by the server, keyed by change id (UUIDv7: time order);
//! - `conflicts`: values that lost a same-field race, until someone dismisses them;
//! - `rejections`: changes the server refused, with its reasons, until their author dismisses them;
//! - `meta`: the sync cursor, the last successful sync, cached directory data, screening drafts.
//!
//! Keys stay plain (ids, names of meta values): nothing about a child is in a key but its id.
//! A local change is written with its outbox entry in one transaction: either both or neither.
//! A pulled page is written with the new cursor in one transaction, so an interrupted pull
//! resumes where the last stored page ended. Sealing is asynchronous and an IndexedDB transaction
//! cannot wait for it, so a write that depends on what it read reads in one transaction and
//! writes in the next; [`WRITER`] keeps every write of this page in order meanwhile.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use futures::lock::{Mutex, OwnedMutexGuard};
use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::sync::{overlay, Change, Conflict};
use uuid::Uuid;
use wasm_bindgen::JsValue;

mod exchange;
mod log;
pub mod seal;

pub use exchange::{apply_pull, apply_push, save_change};

pub use log::records;
use log::Entry;

const RECORD_LOG: &str = "record_log";
const OUTBOX: &str = "outbox";
const CONFLICTS: &str = "conflicts";
const REJECTIONS: &str = "rejections";
const META: &str = "meta";
/// The database layout. Version 2 replaced the one-row-per-record `records` store (version 1) with
/// the record log; version 3 seals every value. An older layout is brought up to date by [`open`]:
/// the next pull starts over, and what only the device has (outbox, conflicts, refusals, drafts)
/// is sealed again.
const VERSION: u32 = 3;

// The values kept, shared so that golden tests pin them across app versions.
pub use shared::device::{LocalRecord, Rejection};

#[derive(Debug, Clone, PartialEq)]
pub struct StoreError(pub String);

impl From<rexie::Error> for StoreError {
    fn from(error: rexie::Error) -> Self {
        StoreError(error.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        StoreError(format!("stored data: {error}"))
    }
}

type Result<T> = std::result::Result<T, StoreError>;

thread_local! {
    static OPEN: RefCell<Option<Rc<Rexie>>> = const { RefCell::new(None) };
    /// Held by every write for its whole read–seal–write sequence.
    static WRITER: Arc<Mutex<()>> = Arc::new(Mutex::new(()));
}

/// Waits for the other writes of this page to finish.
async fn writer() -> OwnedMutexGuard<()> {
    WRITER.with(Arc::clone).lock_owned().await
}

fn database_name(user_id: Uuid) -> String {
    format!("tam-an-{user_id}")
}

/// Opens (creating if needed) the signed-in user's database. The vault must have handed the
/// data key to [`seal`] first.
pub async fn open(user_id: Uuid) -> Result<()> {
    if !seal::has_key() {
        return Err(StoreError("the local store is locked".into()));
    }
    let mut builder = Rexie::builder(&database_name(user_id))
        .version(VERSION)
        .add_object_store(ObjectStore::new(RECORD_LOG).auto_increment(true));
    for name in [OUTBOX, CONFLICTS, REJECTIONS, META] {
        builder = builder.add_object_store(ObjectStore::new(name));
    }
    let database = builder.build().await?;
    OPEN.with(|open| *open.borrow_mut() = Some(Rc::new(database)));
    let _writing = writer().await;
    if get_meta::<u32>("layout").await? != Some(VERSION) {
        start_over().await?;
    }
    Ok(())
}

/// After an upgrade from an older layout: pull everything again, show the records that exist only
/// as pending changes until then, and seal again what only this device has.
async fn start_over() -> Result<()> {
    let database = database()?;
    let kept = {
        let transaction = database.transaction(
            &[OUTBOX, CONFLICTS, REJECTIONS, META],
            TransactionMode::ReadOnly,
        )?;
        let mut kept = Vec::new();
        for name in [OUTBOX, CONFLICTS, REJECTIONS, META] {
            let store = transaction.store(name)?;
            let keys = store.get_all_keys(None, None).await?;
            let values = store.get_all(None, None).await?;
            kept.push((name, keys, values));
        }
        transaction.done().await?;
        kept
    };
    let mut pending: Vec<Change> = Vec::new();
    let mut resealed = Vec::new();
    for (name, keys, values) in kept {
        for (key, value) in keys.into_iter().zip(values) {
            if name == META
                && key
                    .as_string()
                    .is_some_and(|k| k == "cursor" || k == "layout")
            {
                continue;
            }
            let plain = open_bytes(&value).await?;
            if name == OUTBOX {
                pending.push(serde_json::from_slice(&plain)?);
            }
            resealed.push((name, key, seal::seal(&plain).await?));
        }
    }
    let mut records: Vec<LocalRecord> = Vec::new();
    for change in &pending {
        if records.iter().any(|record| record.id == change.record_id) {
            continue;
        }
        let mine: Vec<&Change> = pending
            .iter()
            .filter(|c| c.record_id == change.record_id)
            .collect();
        records.push(LocalRecord {
            record_type: change.record_type,
            id: change.record_id,
            facility_id: change.facility_id,
            server: None,
            fields: overlay(None, &mine),
            updated_at: change.made_at,
            seq: None,
        });
    }
    let entry = log::seal_entry(&Entry::of(records)).await?;
    let layout = encode(&VERSION).await?;
    let transaction = database.transaction(
        &[RECORD_LOG, OUTBOX, CONFLICTS, REJECTIONS, META],
        TransactionMode::ReadWrite,
    )?;
    let record_log = transaction.store(RECORD_LOG)?;
    record_log.clear().await?;
    if let Some(entry) = entry {
        record_log.add(&entry, None).await?;
    }
    for (name, key, value) in resealed {
        transaction.store(name)?.put(&value, Some(&key)).await?;
    }
    let meta = transaction.store(META)?;
    meta.delete(key("cursor")).await?;
    meta.put(&layout, Some(&key("layout"))).await?;
    transaction.done().await?;
    Ok(())
}

/// Closes and deletes the user's database: nothing of theirs stays readable on this device.
pub async fn erase(user_id: Uuid) -> Result<()> {
    close();
    Rexie::delete(&database_name(user_id)).await?;
    Ok(())
}

/// Closes the user's database (the session ended) and forgets its key.
pub fn close() {
    if let Some(database) = OPEN.with(|open| open.borrow_mut().take()) {
        if let Ok(database) = Rc::try_unwrap(database) {
            database.close();
        }
    }
    seal::clear_key();
}

fn database() -> Result<Rc<Rexie>> {
    OPEN.with(|open| open.borrow().clone())
        .ok_or_else(|| StoreError("the local store is not open".into()))
}

fn key(text: &str) -> JsValue {
    JsValue::from_str(text)
}

/// A value as the store keeps it: its JSON, sealed.
async fn encode<T: Serialize>(value: &T) -> Result<JsValue> {
    seal::seal(&serde_json::to_vec(value)?).await
}

/// The plain bytes of a stored value (sealed, or text an older version wrote).
async fn open_bytes(value: &JsValue) -> Result<Vec<u8>> {
    match seal::open(value).await? {
        Some(plain) => Ok(plain),
        None => Ok(value.as_string().unwrap_or_default().into_bytes()),
    }
}

async fn decode<T: DeserializeOwned>(value: &JsValue) -> Result<T> {
    Ok(serde_json::from_slice(&open_bytes(value).await?)?)
}

/// Every value of a store, read in one transaction and opened after it.
async fn all<T: DeserializeOwned>(store_name: &str) -> Result<Vec<T>> {
    let values = {
        let database = database()?;
        let transaction = database.transaction(&[store_name], TransactionMode::ReadOnly)?;
        let values = transaction.store(store_name)?.get_all(None, None).await?;
        transaction.done().await?;
        values
    };
    decode_all(&values).await
}

/// Opens the values together (WebCrypto works off the page's thread), in their order.
async fn decode_all<T: DeserializeOwned>(values: &[JsValue]) -> Result<Vec<T>> {
    futures::future::try_join_all(values.iter().map(decode)).await
}

/// The outbox in the order the changes were made.
pub async fn outbox() -> Result<Vec<Change>> {
    all(OUTBOX).await
}

pub async fn conflicts() -> Result<Vec<Conflict>> {
    all(CONFLICTS).await
}

pub async fn rejections() -> Result<Vec<Rejection>> {
    all(REJECTIONS).await
}

pub async fn dismiss_rejection(change_id: Uuid) -> Result<()> {
    remove(REJECTIONS, &change_id.to_string()).await
}

pub async fn dismiss_conflict(conflict: &Conflict) -> Result<()> {
    remove(
        CONFLICTS,
        &format!("{}/{}", conflict.change_id, conflict.field),
    )
    .await
}

async fn remove(store_name: &str, id: &str) -> Result<()> {
    let _writing = writer().await;
    let database = database()?;
    let transaction = database.transaction(&[store_name], TransactionMode::ReadWrite)?;
    transaction.store(store_name)?.delete(key(id)).await?;
    transaction.done().await?;
    Ok(())
}

/// A small value kept under a name (cursor, last sync, cached directory, a draft).
pub async fn get_meta<T: DeserializeOwned>(name: &str) -> Result<Option<T>> {
    let value = {
        let database = database()?;
        let transaction = database.transaction(&[META], TransactionMode::ReadOnly)?;
        let value = transaction.store(META)?.get(key(name)).await?;
        transaction.done().await?;
        value
    };
    match value {
        Some(value) => Ok(Some(decode(&value).await?)),
        None => Ok(None),
    }
}

pub async fn remove_meta(name: &str) -> Result<()> {
    remove(META, name).await
}

pub async fn put_meta<T: Serialize>(name: &str, value: &T) -> Result<()> {
    // The writer first: a draft saved twice (or saved, then removed) lands in that order.
    let _writing = writer().await;
    let value = encode(value).await?;
    let database = database()?;
    let transaction = database.transaction(&[META], TransactionMode::ReadWrite)?;
    transaction
        .store(META)?
        .put(&value, Some(&key(name)))
        .await?;
    transaction.done().await?;
    Ok(())
}
