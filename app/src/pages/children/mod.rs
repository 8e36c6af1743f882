//! The child registry: list and search, register and edit, a child's page. Everything reads and
//! writes the local store through [`crate::sync::SyncState`]; nothing waits for the network.

pub mod detail;
pub mod form;
pub mod list;

use chrono::{NaiveDate, Utc};
use shared::lang::vietnam_offset;

/// Today in Vietnam (ages and date checks use it).
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&vietnam_offset()).date_naive()
}
