//! The sync protocol: how a change made on a device reaches the server and every other device.
//!
//! Terms:
//! - A **record** is a map of fields ([`Fields`]) with an id, a type and an owning facility.
//! - A **change** is one user action on one record: the fields it sets, and for each of them the
//!   value the device had before (its **base**). Changes get client-made UUIDv7 ids and wait in
//!   the device's **outbox** until the server has answered for them.
//! - **Push** sends outbox changes; the server answers each with an [`Outcome`] and remembers the
//!   answer under the change id, so a repeated push changes nothing and gets the same answer.
//! - **Pull** returns, in server order, the records (whole, current) and conflicts that changed
//!   after a **cursor**; the device stores each page and the new cursor together.
//!
//! Conflict rules (enforced by [`merge`], on the server, in server order):
//! - Changes to different fields of a record merge.
//! - A field whose server value still equals the change's base takes the new value.
//! - A field that someone else changed since (server value ≠ base) keeps the server value: the
//!   first change to reach the server wins, and the other value is kept as a [`Conflict`] that
//!   every user who can see the record is shown, and can re-apply as a new change.
//! - Setting a field to the value it already has is a no-op, not a conflict.
//! - Nothing is deleted by sync: a record is voided by setting its `voided_reason`.
//!
//! This module does no I/O: the server and the app each carry it out with their own storage.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Field name → value. Ordered, so encodings are deterministic.
pub type Fields = BTreeMap<String, Value>;

/// A typed record as sync fields.
pub fn to_fields<T: Serialize>(record: &T) -> Fields {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        _ => Fields::new(),
    }
}

/// The typed view of synced fields; `None` when they do not form that kind of record.
pub fn from_fields<T: serde::de::DeserializeOwned>(fields: &Fields) -> Option<T> {
    serde_json::from_value(present(fields)).ok()
}

/// The fields as one JSON object without the null ones: a null field reads as an absent one,
/// whatever its type. A field a form cleared (an optional value, an emptied list) is not written
/// by the type, so [`diff`] carries it as null, and the merged record holds that null.
pub fn present(fields: &Fields) -> Value {
    Value::Object(
        fields
            .iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(field, value)| (field.clone(), value.clone()))
            .collect(),
    )
}

/// The largest number of changes one push may carry.
pub const PUSH_MAX_CHANGES: usize = 1000;
/// The largest number of records in one pull page.
pub const PULL_PAGE_MAX: usize = 2000;
/// About the largest pull page, in bytes of record fields: the page ends after the record that
/// passes it (a single change's records always travel together). Compressed, such a page takes a
/// few seconds on slow 3G, so a pull broken on a weak link loses little.
pub const PULL_PAGE_BYTES: usize = 512 * 1024;

coded! {
    /// The kinds of record that travel through sync. Later features add theirs here.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum RecordType {
        Child = "child",
        /// A screening ([`crate::screening`]): checked and rescored by the server; never edited,
        /// only voided.
        Screening = "screening",
        /// A referral ([`crate::referral`]): made by the sender, never edited; the server keeps its
        /// status and shares it with the receiving facility.
        Referral = "referral",
        /// A consent to process the child's data ([`crate::consent`]).
        Consent = "consent",
        /// A counselling or support session ([`crate::care`]).
        Session = "session",
        /// A special circumstance, with dates ([`crate::care`]).
        Circumstance = "circumstance",
        /// A care arrangement of an orphan or a child without family care ([`crate::care`]).
        CareArrangement = "care_arrangement",
        /// A step in a referral's life by either side ([`crate::referral::ReferralEvent`]).
        ReferralEvent = "referral_event",
        /// An urgent flag raised by a critical answer ([`crate::urgent`]): raised before the
        /// screening is finished, ended by a safety plan or a completed referral.
        UrgentFlag = "urgent_flag",
        /// A programme activity of a facility: a training, a communication session, a parent
        /// meeting ([`crate::activity`]). About no child.
        Activity = "activity",
        /// A mental, neurological or intellectual condition known of a child, or autism
        /// ([`crate::health_condition`]).
        HealthCondition = "health_condition",
    }
}

/// Who acted, as the server knows them: the signed-in user, stamped by the server on the records
/// whose author others are shown (a referral, a referral's step). A device never names the actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    pub user_id: Uuid,
    pub name: String,
    pub role: crate::role::Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_id: Option<Uuid>,
}

/// One user action on one record. Do not rename fields: devices keep these in their outbox
/// across app updates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub id: Uuid,
    pub record_type: RecordType,
    pub record_id: Uuid,
    /// The facility that owns the record.
    pub facility_id: Uuid,
    /// The fields this change sets.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub set: Fields,
    /// For each field in `set`, the value the device had before; absent means "no value".
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub base: Fields,
    /// When the user acted (device clock).
    pub made_at: DateTime<Utc>,
    /// The server order of the record as the device held it when the change was made (0: the
    /// device held none). The device vouches with it that its copy was that version, so the
    /// server may answer with [`Outcome::Applied::server_fields`]. Absent from older apps and
    /// from changes brought back from a file, which another device may have made. Not part of
    /// the change's identity ([`Change::identity`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_seq: Option<i64>,
}

impl Change {
    /// The change as it is recognised when sent again: every field but [`Change::base_seq`], in
    /// the wire form of a change without it, so that a copy restored on another device (which
    /// cannot vouch for the base) is the same change.
    pub fn identity(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Identity<'a> {
            id: Uuid,
            record_type: RecordType,
            record_id: Uuid,
            facility_id: Uuid,
            set: &'a Fields,
            base: &'a Fields,
            made_at: DateTime<Utc>,
        }
        serde_json::to_vec(&Identity {
            id: self.id,
            record_type: self.record_type,
            record_id: self.record_id,
            facility_id: self.facility_id,
            set: &self.set,
            base: &self.base,
            made_at: self.made_at,
        })
        .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One result per change, in the order sent.
    pub results: Vec<ChangeResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeResult {
    pub change_id: Uuid,
    pub outcome: Outcome,
}

/// What the server did with a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// Stored at this position in server order. `superseded` lists fields that kept another
    /// device's newer value (each is a [`Conflict`]).
    Applied {
        seq: i64,
        superseded: Vec<String>,
        /// Present when the sending device holds the record as stored once it applies the change
        /// to the copy it vouched for and then these fields: the server's own values (a
        /// registration day, an author); null removes a field ([`settle`]). The device's pulls
        /// then leave the record out until someone else writes it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
        server_fields: Option<Fields>,
    },
    /// Every field kept another device's value; nothing of this change is in the record.
    Superseded { seq: i64, superseded: Vec<String> },
    /// Not allowed or not valid; nothing was stored. The message is for the user.
    Rejected {
        code: String,
        message: String,
        fields: BTreeMap<String, String>,
    },
}

/// A record as the server holds it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Record {
    pub record_type: RecordType,
    pub id: Uuid,
    pub facility_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: Fields,
    /// Server order of the last change applied to it.
    pub seq: i64,
}

/// A value that did not win: kept so that people can see it and re-apply it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// The change that proposed the value.
    pub change_id: Uuid,
    pub record_type: RecordType,
    pub record_id: Uuid,
    pub field: String,
    /// Any JSON value.
    pub proposed: Value,
    /// The value the record kept, at the time (null when the field had none).
    pub kept: Option<Value>,
    pub proposed_by: String,
    pub made_at: DateTime<Utc>,
    pub seq: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub records: Vec<Record>,
    pub conflicts: Vec<Conflict>,
    /// Pass as `since` next time.
    pub cursor: i64,
    /// More pages are waiting: pull again at once.
    pub more: bool,
    /// The server's clock when the page was read: devices measure their own clock's error
    /// against it (overdue referrals are judged on the corrected time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time: Option<DateTime<Utc>>,
    /// The referral due times this installation is configured with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub due_times: Option<crate::referral::DueTimes>,
}

/// The result of merging a change into a record's current fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// The record's fields after the change.
    pub fields: Fields,
    /// Fields the change set (or already had the value).
    pub applied: Vec<String>,
    /// Fields that kept the server value: (field, value proposed, value kept).
    pub superseded: Vec<(String, Value, Option<Value>)>,
}

/// Merges a change into a record's current fields (`None`: the record does not exist yet).
pub fn merge(current: Option<&Fields>, change: &Change) -> Merge {
    let mut fields = current.cloned().unwrap_or_default();
    let mut applied = Vec::new();
    let mut superseded = Vec::new();
    for (field, value) in &change.set {
        let now = fields.get(field);
        let base = change.base.get(field);
        if now == Some(value) || now == base {
            applied.push(field.clone());
            fields.insert(field.clone(), value.clone());
        } else {
            superseded.push((field.clone(), value.clone(), now.cloned()));
        }
    }
    Merge {
        fields,
        applied,
        superseded,
    }
}

/// What a device shows for a record: the server's fields with its own pending changes on top.
pub fn overlay(server: Option<&Fields>, pending: &[&Change]) -> Fields {
    let mut fields = server.cloned().unwrap_or_default();
    for change in pending {
        for (field, value) in &change.set {
            fields.insert(field.clone(), value.clone());
        }
    }
    fields
}

/// Whether the device that sent `change` (`device`: its session's key) holds the record as the
/// server has it just before the change, so that it can [`settle`] on what is stored and its
/// pulls may leave the record out. `current` is the stored record's server order and the device
/// whose push last wrote it with server fields (`None`: the record is new). It does when it
/// vouched for that very version (`base_seq`; 0 for a record it did not have), or when the last
/// write was its own push so answered (it settled then, answers being applied in order).
pub fn holds_current(change: &Change, current: Option<(i64, Option<i64>)>, device: i64) -> bool {
    match (change.base_seq, current) {
        (None, _) => false,
        (Some(base), None) => base == 0,
        (Some(base), Some((seq, pushed_by))) => base == seq || pushed_by == Some(device),
    }
}

/// What the server's rules changed in a merged record before storing it: each field whose stored
/// value differs, with null for a field the stored record lacks.
pub fn stamps(merged: &Fields, stored: &Fields) -> Fields {
    let mut stamps: Fields = stored
        .iter()
        .filter(|(field, value)| merged.get(*field) != Some(value))
        .map(|(field, value)| (field.clone(), value.clone()))
        .collect();
    for field in merged.keys().filter(|field| !stored.contains_key(*field)) {
        stamps.insert(field.clone(), Value::Null);
    }
    stamps
}

/// The record as the server stored it, from the copy the device vouched for, its change, and the
/// server's [`stamps`] (the device's side of [`Outcome::Applied::server_fields`]).
pub fn settle(copy: Option<&Fields>, change: &Change, server_fields: &Fields) -> Fields {
    let mut fields = overlay(copy, &[change]);
    for (field, value) in server_fields {
        if value.is_null() {
            fields.remove(field);
        } else {
            fields.insert(field.clone(), value.clone());
        }
    }
    fields
}

/// The answers a device settles on, in the order answered: each `applied` answer that carries
/// server fields, with the change of `sent` it answers and the stored record's `seq`.
pub fn settlements<'a>(
    sent: &'a [Change],
    results: &'a [ChangeResult],
) -> impl Iterator<Item = (&'a Change, i64, &'a Fields)> + 'a {
    results.iter().filter_map(move |result| {
        let Outcome::Applied {
            seq,
            server_fields: Some(server_fields),
            ..
        } = &result.outcome
        else {
            return None;
        };
        let change = sent.iter().find(|change| change.id == result.change_id)?;
        Some((change, *seq, server_fields))
    })
}

/// A change that sets `after`'s fields that differ from `before` (the device's current view),
/// with `before`'s values as the base; `None` when nothing changed.
pub fn diff(
    record_type: RecordType,
    record_id: Uuid,
    facility_id: Uuid,
    before: Option<&Fields>,
    after: &Fields,
    made_at: DateTime<Utc>,
) -> Option<Change> {
    let empty = Fields::new();
    let before = before.unwrap_or(&empty);
    let mut set = Fields::new();
    let mut base = Fields::new();
    for (field, value) in after {
        if before.get(field) != Some(value) {
            set.insert(field.clone(), value.clone());
            if let Some(old) = before.get(field) {
                base.insert(field.clone(), old.clone());
            }
        }
    }
    // A field the form cleared (optional fields disappear from the map) is set to null.
    for (field, old) in before {
        if !after.contains_key(field) && !old.is_null() {
            set.insert(field.clone(), Value::Null);
            base.insert(field.clone(), old.clone());
        }
    }
    if set.is_empty() {
        return None;
    }
    Some(Change {
        id: Uuid::now_v7(),
        record_type,
        record_id,
        facility_id,
        set,
        base,
        made_at,
        base_seq: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(pairs: &[(&str, Value)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn change(set: &[(&str, Value)], base: &[(&str, Value)]) -> Change {
        Change {
            id: Uuid::now_v7(),
            record_type: RecordType::Child,
            record_id: Uuid::nil(),
            facility_id: Uuid::nil(),
            set: fields(set),
            base: fields(base),
            made_at: Utc::now(),
            base_seq: None,
        }
    }

    #[test]
    fn a_new_record_takes_every_field() {
        let merged = merge(None, &change(&[("a", json!(1)), ("b", json!("x"))], &[]));
        assert_eq!(merged.fields, fields(&[("a", json!(1)), ("b", json!("x"))]));
        assert!(merged.superseded.is_empty());
    }

    #[test]
    fn edits_to_different_fields_merge() {
        let server = fields(&[("name", json!("An")), ("class", json!("7A"))]);
        let first = change(&[("name", json!("Ân"))], &[("name", json!("An"))]);
        let second = change(&[("class", json!("7B"))], &[("class", json!("7A"))]);
        let after_first = merge(Some(&server), &first).fields;
        let after_both = merge(Some(&after_first), &second);
        assert_eq!(
            after_both.fields,
            fields(&[("name", json!("Ân")), ("class", json!("7B"))])
        );
        assert!(after_both.superseded.is_empty());
    }

    #[test]
    fn the_same_field_edited_twice_keeps_the_first_and_records_the_second() {
        let server = fields(&[("class", json!("7A"))]);
        let first = change(&[("class", json!("7B"))], &[("class", json!("7A"))]);
        let second = change(&[("class", json!("7C"))], &[("class", json!("7A"))]);
        let after_first = merge(Some(&server), &first).fields;
        let merged = merge(Some(&after_first), &second);
        assert_eq!(merged.fields["class"], json!("7B"));
        assert_eq!(
            merged.superseded,
            vec![("class".to_string(), json!("7C"), Some(json!("7B")))]
        );
        // Re-applying it with the current value as base wins.
        let again = change(&[("class", json!("7C"))], &[("class", json!("7B"))]);
        assert_eq!(
            merge(Some(&merged.fields), &again).fields["class"],
            json!("7C")
        );
    }

    #[test]
    fn setting_the_value_a_field_already_has_is_not_a_conflict() {
        let server = fields(&[("class", json!("7B"))]);
        let same = change(&[("class", json!("7B"))], &[("class", json!("7A"))]);
        assert!(merge(Some(&server), &same).superseded.is_empty());
    }

    #[test]
    fn a_device_shows_its_pending_changes_over_the_server_state() {
        let server = fields(&[("a", json!(1)), ("b", json!(2))]);
        let pending = change(&[("b", json!(3))], &[("b", json!(2))]);
        assert_eq!(
            overlay(Some(&server), &[&pending]),
            fields(&[("a", json!(1)), ("b", json!(3))])
        );
    }

    #[test]
    fn diff_sets_only_what_changed_with_the_old_values_as_base() {
        let before = fields(&[("a", json!(1)), ("b", json!(2)), ("c", json!("x"))]);
        let after = fields(&[("a", json!(1)), ("b", json!(5))]);
        let change = diff(
            RecordType::Child,
            Uuid::nil(),
            Uuid::nil(),
            Some(&before),
            &after,
            Utc::now(),
        )
        .unwrap();
        assert_eq!(change.set, fields(&[("b", json!(5)), ("c", Value::Null)]));
        assert_eq!(change.base, fields(&[("b", json!(2)), ("c", json!("x"))]));
        assert!(diff(
            RecordType::Child,
            Uuid::nil(),
            Uuid::nil(),
            Some(&before),
            &before,
            Utc::now()
        )
        .is_none());
    }

    #[test]
    fn outcomes_have_a_stable_wire_form() {
        let applied = Outcome::Applied {
            seq: 7,
            superseded: vec![],
            server_fields: None,
        };
        assert_eq!(
            serde_json::to_value(&applied).unwrap(),
            json!({"status": "applied", "seq": 7, "superseded": []})
        );
    }

    #[test]
    fn the_device_settles_on_the_stored_record_from_its_copy_its_change_and_the_stamps() {
        let copy = fields(&[("name", json!("An")), ("note", json!("x"))]);
        let edit = change(
            &[("name", json!("Ân")), ("note", Value::Null)],
            &[("name", json!("An")), ("note", json!("x"))],
        );
        let merged = merge(Some(&copy), &edit).fields;
        // The server's rules drop the null and stamp a day of their own.
        let stored = fields(&[
            ("name", json!("Ân")),
            ("registered_on", json!("2026-01-02")),
        ]);
        let stamps = stamps(&merged, &stored);
        assert_eq!(
            stamps,
            fields(&[
                ("note", Value::Null),
                ("registered_on", json!("2026-01-02"))
            ])
        );
        assert_eq!(settle(Some(&copy), &edit, &stamps), stored);
        assert!(super::stamps(&stored, &stored).is_empty());
    }

    #[test]
    fn a_change_is_the_same_change_whatever_base_it_vouches_for() {
        let mut vouched = change(&[("a", json!(1))], &[]);
        let plain = serde_json::to_vec(&vouched).unwrap();
        assert_eq!(vouched.identity(), plain);
        vouched.base_seq = Some(41);
        assert_ne!(serde_json::to_vec(&vouched).unwrap(), plain);
        assert_eq!(vouched.identity(), plain);
    }
}
