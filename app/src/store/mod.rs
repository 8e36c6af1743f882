//! The browser's own store: IndexedDB, one database per user on this device.
//!
//! Object stores (values are JSON text):
//! - `record_log`: every record the user may see, as [`LocalRecord`]: the server's fields and what
//!   the device shows (the server's fields with pending changes on top), kept as a log of
//!   multi-record entries because IndexedDB's cost is per row ([`log`] explains);
//! - `outbox`: changes not yet answered by the server, keyed by change id (UUIDv7: time order);
//! - `conflicts`: values that lost a same-field race, until someone dismisses them;
//! - `rejections`: changes the server refused, with its reasons, until their author dismisses them;
//! - `meta`: the sync cursor, the last successful sync, cached directory data.
//!
//! A local change is written with its outbox entry in one transaction: either both or neither.
//! A pulled page is written with the new cursor in one transaction, so an interrupted pull
//! resumes where the last stored page ended.

use std::cell::RefCell;
use std::rc::Rc;

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::sync::{overlay, Change, Conflict};
use uuid::Uuid;
use wasm_bindgen::JsValue;

mod exchange;
mod log;

pub use exchange::{apply_pull, apply_push, save_change};

pub use log::records;
use log::Entry;

const RECORD_LOG: &str = "record_log";
const OUTBOX: &str = "outbox";
const CONFLICTS: &str = "conflicts";
const REJECTIONS: &str = "rejections";
const META: &str = "meta";
/// The database layout. Version 2 replaced the one-row-per-record `records` store (version 1) with
/// the record log; the upgrade drops the old store and [`open`] makes the next pull start over.
const VERSION: u32 = 2;

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
}

fn database_name(user_id: Uuid) -> String {
    format!("tam-an-{user_id}")
}

/// Opens (creating if needed) the signed-in user's database.
pub async fn open(user_id: Uuid) -> Result<()> {
    let mut builder = Rexie::builder(&database_name(user_id))
        .version(VERSION)
        .add_object_store(ObjectStore::new(RECORD_LOG).auto_increment(true));
    for name in [OUTBOX, CONFLICTS, REJECTIONS, META] {
        builder = builder.add_object_store(ObjectStore::new(name));
    }
    let database = builder.build().await?;
    OPEN.with(|open| *open.borrow_mut() = Some(Rc::new(database)));
    if get_meta::<u32>("layout").await? != Some(VERSION) {
        start_over().await?;
    }
    Ok(())
}

/// After an upgrade from an older layout (whose records store the upgrade dropped): pull
/// everything again, and show the records that exist only as pending changes until then.
async fn start_over() -> Result<()> {
    let database = database()?;
    let transaction =
        database.transaction(&[RECORD_LOG, OUTBOX, META], TransactionMode::ReadWrite)?;
    let pending: Vec<Change> = decode_all(&transaction.store(OUTBOX)?).await?;
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
    let record_log = transaction.store(RECORD_LOG)?;
    record_log.clear().await?;
    log::append(&record_log, &Entry::of(records)).await?;
    let meta = transaction.store(META)?;
    meta.delete(key("cursor")).await?;
    meta.put(&encode(&VERSION)?, Some(&key("layout"))).await?;
    transaction.done().await?;
    Ok(())
}

/// Closes and deletes the user's database: nothing of theirs stays readable on this device.
pub async fn erase(user_id: Uuid) -> Result<()> {
    if let Some(database) = OPEN.with(|open| open.borrow_mut().take()) {
        if let Ok(database) = Rc::try_unwrap(database) {
            database.close();
        }
    }
    Rexie::delete(&database_name(user_id)).await?;
    Ok(())
}

fn database() -> Result<Rc<Rexie>> {
    OPEN.with(|open| open.borrow().clone())
        .ok_or_else(|| StoreError("the local store is not open".into()))
}

fn key(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn encode<T: Serialize>(value: &T) -> Result<JsValue> {
    Ok(JsValue::from_str(&serde_json::to_string(value)?))
}

fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T> {
    let text = value
        .as_string()
        .ok_or_else(|| StoreError("stored value is not text".into()))?;
    Ok(serde_json::from_str(&text)?)
}

async fn all<T: DeserializeOwned>(store_name: &str) -> Result<Vec<T>> {
    let database = database()?;
    let transaction = database.transaction(&[store_name], TransactionMode::ReadOnly)?;
    decode_all(&transaction.store(store_name)?).await
}

/// Every value of a store, within the caller's transaction.
async fn decode_all<T: DeserializeOwned>(store: &rexie::Store) -> Result<Vec<T>> {
    store
        .get_all(None, None)
        .await?
        .into_iter()
        .map(decode)
        .collect()
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
    let database = database()?;
    let transaction = database.transaction(&[store_name], TransactionMode::ReadWrite)?;
    transaction.store(store_name)?.delete(key(id)).await?;
    transaction.done().await?;
    Ok(())
}

/// A small value kept under a name (cursor, last sync, cached directory).
pub async fn get_meta<T: DeserializeOwned>(name: &str) -> Result<Option<T>> {
    let database = database()?;
    let transaction = database.transaction(&[META], TransactionMode::ReadOnly)?;
    match transaction.store(META)?.get(key(name)).await? {
        Some(value) => Ok(Some(decode(value)?)),
        None => Ok(None),
    }
}

pub async fn remove_meta(name: &str) -> Result<()> {
    remove(META, name).await
}

pub async fn put_meta<T: Serialize>(name: &str, value: &T) -> Result<()> {
    let database = database()?;
    let transaction = database.transaction(&[META], TransactionMode::ReadWrite)?;
    transaction
        .store(META)?
        .put(&encode(value)?, Some(&key(name)))
        .await?;
    transaction.done().await?;
    Ok(())
}
