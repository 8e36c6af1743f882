//! Reading records for the FHIR exchange: one record type in server order within the caller's
//! reach (resumable by the cursor `seq`), and a child's whole file. Each stored record becomes
//! its resources here; nothing else in the exchange touches the `records` table.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use shared::child::Child;
use shared::consent::Consent;
use shared::instrument;
use shared::referral::{Referral, ReferralEvent};
use shared::screening::Screening;
use shared::sync::{Fields, RecordType};
use uuid::Uuid;

use super::{people, referral, screening};
use crate::error::ApiError;
use crate::exchange::places::Places;

/// The resource types the exchange serves from records, with the record type behind each.
pub const FROM_RECORDS: [(&str, RecordType); 6] = [
    ("Patient", RecordType::Child),
    ("Consent", RecordType::Consent),
    ("QuestionnaireResponse", RecordType::Screening),
    ("Observation", RecordType::Screening),
    ("ServiceRequest", RecordType::Referral),
    ("Task", RecordType::Referral),
];

/// The resource types served from the directory and the instrument catalogue.
pub const FROM_DIRECTORY: [&str; 3] = ["Organization", "Location", "Questionnaire"];

pub fn record_type_of(resource_type: &str) -> Option<RecordType> {
    FROM_RECORDS
        .iter()
        .find(|(name, _)| *name == resource_type)
        .map(|(_, record_type)| *record_type)
}

/// One stored record as read.
pub struct Row {
    pub id: Uuid,
    pub facility: Uuid,
    pub fields: Fields,
    pub seq: i64,
    pub updated: DateTime<Utc>,
}

impl Row {
    /// The child a record is about (a child's own record: itself).
    pub fn child_id(&self) -> Option<Uuid> {
        self.fields
            .get("child_id")
            .and_then(|v| v.as_str())
            .and_then(|v| Uuid::parse_str(v).ok())
    }

    fn updated(&self) -> String {
        self.updated
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}

/// Which records a page reads.
pub struct Window {
    pub after_seq: i64,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub facility: Option<Uuid>,
    pub limit: usize,
}

/// A page of one record type within the reach, in server order after the cursor.
pub fn page(
    connection: &Connection,
    places: &Places,
    record_type: RecordType,
    window: &Window,
) -> Result<Vec<Row>, ApiError> {
    let since = window.since.map(crate::db::timestamp);
    let until = window.until.map(crate::db::timestamp);
    let mut statement = connection.prepare_cached(
        "SELECT r.id, r.facility_id, r.fields, r.seq, r.updated_at
         FROM records r JOIN facilities f ON f.id = r.facility_id JOIN areas a ON a.id = f.area_id
         WHERE r.record_type = ?1 AND r.seq > ?2
           AND (a.id = ?3 OR a.parent_id = ?3)
           AND (?4 IS NULL OR r.facility_id = ?4)
           AND (?5 IS NULL OR r.updated_at >= ?5)
           AND (?6 IS NULL OR r.updated_at < ?6)
         ORDER BY r.seq LIMIT ?7",
    )?;
    let rows = statement.query_map(
        params![
            record_type.code(),
            window.after_seq,
            places.root,
            places.only,
            since,
            until,
            window.limit as i64
        ],
        row,
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let fields: String = row.get(2)?;
    Ok(Row {
        id: row.get(0)?,
        facility: row.get(1)?,
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        seq: row.get(3)?,
        updated: row.get(4)?,
    })
}

/// A child's identifier as a search names it.
pub enum Identifier {
    PersonalId(String),
    PupilCode(String),
}

impl Identifier {
    /// `system|value`, or a bare value (a personal id).
    pub fn parse(text: &str) -> Result<Identifier, ApiError> {
        let bad = || {
            ApiError::field(
                "identifier",
                shared::validate::Problem::UnknownValue(text.to_string()),
            )
        };
        let (system, value) = match text.split_once('|') {
            Some((system, value)) => (system, value.trim()),
            None => ("", text.trim()),
        };
        if value.is_empty() {
            return Err(bad());
        }
        match system {
            "" | super::systems::PERSONAL_ID => Ok(Identifier::PersonalId(value.to_string())),
            super::systems::PUPIL_CODE => Ok(Identifier::PupilCode(value.to_string())),
            _ => Err(bad()),
        }
    }
}

/// The children with this identifier within the reach (the personal id through its index; a
/// pupil code by reading the children's records).
pub fn children_by_identifier(
    connection: &Connection,
    places: &Places,
    identifier: &Identifier,
) -> Result<Vec<Row>, ApiError> {
    let ids: Vec<Uuid> = match identifier {
        Identifier::PersonalId(value) => {
            let mut statement =
                connection.prepare_cached("SELECT id FROM fact_children WHERE personal_id = ?1")?;
            let ids = statement.query_map([value], |row| row.get(0))?;
            ids.collect::<Result<_, _>>()?
        }
        Identifier::PupilCode(value) => {
            let mut statement = connection.prepare_cached(
                "SELECT id FROM records WHERE record_type = 'child'
                 AND json_extract(fields, '$.pupil_code') = ?1",
            )?;
            let ids = statement.query_map([value], |row| row.get(0))?;
            ids.collect::<Result<_, _>>()?
        }
    };
    let mut rows = Vec::new();
    for id in ids {
        if let Some(row) = one(connection, places, RecordType::Child, id)? {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// One record by id, when it is within the reach.
pub fn one(
    connection: &Connection,
    places: &Places,
    record_type: RecordType,
    id: Uuid,
) -> Result<Option<Row>, ApiError> {
    let found = connection
        .query_row(
            "SELECT id, facility_id, fields, seq, updated_at FROM records
             WHERE record_type = ?1 AND id = ?2",
            params![record_type.code(), id],
            row,
        )
        .optional()?;
    Ok(found.filter(|r| places.facilities.contains_key(&r.facility)))
}

/// Every record of the child (any type), within the reach.
pub fn of_child(
    connection: &Connection,
    places: &Places,
    child: Uuid,
) -> Result<Vec<(RecordType, Row)>, ApiError> {
    let mut statement = connection.prepare_cached(
        "SELECT id, facility_id, fields, seq, updated_at, record_type FROM records
         WHERE child_id = ?1 ORDER BY seq",
    )?;
    let rows = statement.query_map([child], |r| {
        let code: String = r.get(5)?;
        Ok((code, row(r)?))
    })?;
    let mut out = Vec::new();
    for found in rows {
        let (code, found) = found?;
        let Some(record_type) = RecordType::from_code(&code) else {
            continue;
        };
        if places.facilities.contains_key(&found.facility) {
            out.push((record_type, found));
        }
    }
    Ok(out)
}

/// The referral steps stored for these children, by referral.
pub fn events_of(
    connection: &Connection,
    children: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<ReferralEvent>>, ApiError> {
    let mut by_referral: HashMap<Uuid, Vec<ReferralEvent>> = HashMap::new();
    let mut children: Vec<Uuid> = children.into_iter().collect();
    children.sort_unstable();
    children.dedup();
    let mut statement = connection.prepare_cached(
        "SELECT fields FROM records WHERE child_id = ?1 AND record_type = 'referral_event'",
    )?;
    for child in children {
        let rows = statement.query_map([child], |r| r.get::<_, String>(0))?;
        for fields in rows {
            let fields: Fields = serde_json::from_str(&fields?).unwrap_or_default();
            if let Some(event) = ReferralEvent::from_fields(&fields) {
                by_referral
                    .entry(event.referral_id)
                    .or_default()
                    .push(event);
            }
        }
    }
    Ok(by_referral)
}

/// The resource of `resource_type` a stored record becomes (`None` when the record does not
/// parse, or a screening's instrument is unknown). `events` are the referral's steps, for a Task.
pub fn resource(
    resource_type: &str,
    row: &Row,
    places: &Places,
    sensitive: bool,
    events: &[ReferralEvent],
) -> Option<Value> {
    let updated = row.updated();
    match resource_type {
        "Patient" => Child::from_fields(&row.fields)
            .map(|child| people::patient(row.id, row.facility, &child, places, &updated)),
        "Consent" => Consent::from_fields(&row.fields)
            .map(|consent| people::consent(row.id, row.facility, &consent, &updated)),
        "QuestionnaireResponse" | "Observation" => {
            let screening = Screening::from_fields(&row.fields)?;
            let definition =
                instrument::find_version(&screening.instrument_id, &screening.instrument_version)?;
            Some(if resource_type == "Observation" {
                screening::observation(row.id, &screening, definition, &updated)
            } else {
                screening::response(row.id, &screening, definition, sensitive, &updated)
            })
        }
        "ServiceRequest" => Referral::from_fields(&row.fields)
            .map(|r| referral::service_request(row.id, row.facility, &r, &updated)),
        "Task" => Referral::from_fields(&row.fields)
            .map(|r| referral::task(row.id, row.facility, &r, events, &updated)),
        _ => None,
    }
}
