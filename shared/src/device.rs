//! What a device keeps in its own store between app versions: the values the browser's
//! IndexedDB holds (the app's `store` module reads and writes them; this module knows nothing of
//! IndexedDB). An app update must read what the previous version stored, so these shapes are
//! pinned by golden tests (`shared/tests/golden.rs`) like the wire types.
//!
//! The `meta` store holds, by key: `layout` (u32, the store's layout version), `cursor` (i64, the
//! pull cursor), `last_success` (an instant), `clock_skew_ms` (i64), `due_times`
//! ([`crate::referral::DueTimes`]), `facilities` (a list of [`crate::api::Facility`]), `areas`
//! (a list of [`crate::api::Area`]), `notices_seen` and screening drafts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sync::{Change, Fields, RecordType};

/// A record as a device keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalRecord {
    pub record_type: RecordType,
    pub id: Uuid,
    pub facility_id: Uuid,
    /// The fields as the server last sent them (`None` until the first push is pulled back).
    pub server: Option<Fields>,
    /// What the device shows: `server` with pending changes on top.
    pub fields: Fields,
    pub updated_at: DateTime<Utc>,
    /// The server's order of the record's last change, as last pulled (`None` before): what
    /// the server decided came first, whatever the devices' clocks said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
}

/// A change the server refused, kept for its author to read and dismiss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    pub change: Change,
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

/// One write to the record log (a pulled page or a local edit).
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<LocalRecord>,
    /// Records that no longer exist on this device (a refused first change of a record).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Uuid>,
}

impl LogEntry {
    pub fn of(records: Vec<LocalRecord>) -> Self {
        LogEntry {
            records,
            removed: Vec::new(),
        }
    }
}
