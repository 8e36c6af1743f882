//! The facility's programme activities on the device (`shared::activity`). Pure.

use shared::activity::Activity;
use shared::sync::RecordType;
use uuid::Uuid;

use crate::store::LocalRecord;

/// Every activity on this device with its record and facility ids, newest first (by the day it
/// was held, then creation).
pub fn activities(records: &[LocalRecord]) -> Vec<(Uuid, Uuid, Activity)> {
    let mut found: Vec<(Uuid, Uuid, Activity)> = records
        .iter()
        .filter(|r| r.record_type == RecordType::Activity)
        .filter_map(|r| Activity::from_fields(&r.fields).map(|a| (r.id, r.facility_id, a)))
        .collect();
    found.sort_by_key(|(id, _, a)| std::cmp::Reverse((a.held_on, *id)));
    found
}
