//! The facts the indicators read (`fact_*` tables), written with every stored record in the same
//! transaction, and read back as a `shared::indicators::Dataset` for an area or a facility
//! ([`load`]).
//!
//! A fact row holds only what an indicator needs, as integers: days from the common era, Unix
//! seconds, the frozen codes of `shared::indicators::codes`. Children and referrals get integer
//! keys that the other facts use. What a record contributes is `shared::indicators::project`,
//! the same rule the device's data set follows.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use shared::care::SessionKind;
use shared::indicators::{codes, project, Fact};
use shared::sync::{Fields, RecordType};
use uuid::Uuid;

use crate::error::ApiError;

mod load;
pub use load::load;

pub fn day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

pub(crate) fn date(day: i64) -> NaiveDate {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or_default()
}

pub(crate) fn instant(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// A child's key, creating a placeholder row for a child not indexed yet.
fn child_key(transaction: &Transaction<'_>, id: Uuid) -> Result<Option<i64>, rusqlite::Error> {
    transaction
        .prepare_cached("SELECT key FROM fact_children WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()
}

/// Indexes one stored record (its fields as stored) for the indicators, by the one rule
/// (`shared::indicators::project`) and with the frozen codes.
pub fn record(
    transaction: &Transaction<'_>,
    record_type: RecordType,
    id: Uuid,
    facility_id: Uuid,
    fields: &Fields,
    stored_at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(fact) = project(record_type, fields) else {
        return Ok(());
    };
    match fact {
        Fact::Child {
            born,
            sex,
            ethnicity,
            registered_on,
            personal_id,
            voided,
        } => {
            // Records from before the stamp count from the day the server first stored them.
            let registered_on = registered_on.unwrap_or_else(|| {
                stored_at
                    .with_timezone(&shared::lang::vietnam_offset())
                    .date_naive()
            });
            transaction
                .prepare_cached(
                    "INSERT INTO fact_children (id, facility_id, born, sex, ethnicity, registered_on, voided, personal_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (id) DO UPDATE SET born = excluded.born, sex = excluded.sex,
                        ethnicity = excluded.ethnicity, voided = excluded.voided,
                        registered_on = excluded.registered_on, personal_id = excluded.personal_id",
                )?
                .execute(params![
                    id,
                    facility_id,
                    day(born),
                    codes::sex_code(sex),
                    i64::from(ethnicity),
                    day(registered_on),
                    voided,
                    personal_id
                ])?;
        }
        Fact::Screening {
            child_id,
            on,
            instrument,
            at_risk,
            voided,
        } => {
            let Some(child) = child_key(transaction, child_id)? else {
                return Ok(());
            };
            transaction
                .prepare_cached(
                    "INSERT INTO fact_screenings (id, child, facility_id, day, instrument, at_risk, voided)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (id) DO UPDATE SET voided = excluded.voided",
                )?
                .execute(params![id, child, facility_id, day(on), i64::from(instrument), at_risk, voided])?;
        }
        Fact::Session {
            child_id,
            on,
            kind,
            voided,
        } => {
            let Some(child) = child_key(transaction, child_id)? else {
                return Ok(());
            };
            // `counts`: support that reaches a child (I1, I3); a hotline call is not.
            let counts = !voided && kind != SessionKind::Hotline111Call;
            transaction
                .prepare_cached(
                    "INSERT INTO fact_sessions (id, child, facility_id, day, counts, kind, voided)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (id) DO UPDATE SET day = excluded.day, counts = excluded.counts,
                        kind = excluded.kind, voided = excluded.voided",
                )?
                .execute(params![
                    id,
                    child,
                    facility_id,
                    day(on),
                    counts,
                    codes::session_code(kind),
                    voided
                ])?;
        }
        Fact::Referral {
            child_id,
            to_facility,
            urgency,
            sent_at,
        } => {
            let child = child_key(transaction, child_id)?.unwrap_or(-1);
            transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO fact_referrals (id, child, facility_id, urgency, sent_at, to_facility)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    id,
                    child,
                    facility_id,
                    codes::urgency_code(urgency),
                    sent_at.timestamp(),
                    to_facility
                ])?;
        }
        Fact::Event {
            referral_id,
            action,
            at,
            attended_on,
            refused,
        } => {
            let referral: Option<i64> = transaction
                .prepare_cached("SELECT key FROM fact_referrals WHERE id = ?1")?
                .query_row([referral_id], |row| row.get(0))
                .optional()?;
            let Some(referral) = referral else {
                return Ok(());
            };
            transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO fact_events (id, referral, action, at, attended_on, refused)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    id,
                    referral,
                    codes::action_code(action),
                    at.timestamp(),
                    attended_on.map(day),
                    refused
                ])?;
        }
        Fact::Circumstance {
            child_id,
            group,
            orphan,
            since,
            until,
            parents,
            covid,
        } => {
            let Some(child) = child_key(transaction, child_id)? else {
                return Ok(());
            };
            transaction
                .prepare_cached(
                    "INSERT INTO fact_circumstances (id, child, orphan, since, until, grp, parents, covid)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (id) DO UPDATE SET orphan = excluded.orphan, since = excluded.since,
                        until = excluded.until, grp = excluded.grp, parents = excluded.parents,
                        covid = excluded.covid",
                )?
                .execute(params![
                    id,
                    child,
                    orphan,
                    day(since),
                    until.map(day),
                    group,
                    parents.map_or(0, codes::parents_code),
                    covid
                ])?;
        }
        Fact::Care {
            child_id,
            kind,
            since,
        } => {
            let Some(child) = child_key(transaction, child_id)? else {
                return Ok(());
            };
            transaction
                .prepare_cached(
                    "INSERT INTO fact_care (id, child, kind, since) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, since = excluded.since",
                )?
                .execute(params![id, child, codes::care_code(kind), day(since)])?;
        }
        Fact::Condition {
            child_id,
            kind,
            on,
            voided,
        } => {
            let Some(child) = child_key(transaction, child_id)? else {
                return Ok(());
            };
            transaction
                .prepare_cached(
                    "INSERT INTO fact_conditions (id, child, kind, day, voided) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, day = excluded.day,
                        voided = excluded.voided",
                )?
                .execute(params![id, child, codes::condition_code(kind), day(on), voided])?;
        }
        Fact::Activity {
            kind,
            on,
            participants,
            trained,
            voided,
        } => {
            let trained =
                serde_json::to_string(&trained).map_err(|e| ApiError::Internal(e.to_string()))?;
            transaction
                .prepare_cached(
                    "INSERT INTO fact_activities (id, facility_id, kind, day, participants, trained, voided)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, day = excluded.day,
                        participants = excluded.participants, trained = excluded.trained,
                        voided = excluded.voided",
                )?
                .execute(params![
                    id,
                    facility_id,
                    codes::activity_code(kind),
                    day(on),
                    participants,
                    trained,
                    voided
                ])?;
        }
    }
    Ok(())
}

/// Indexes the records stored before the fact tables existed (once; a marker says it was done).
pub fn backfill(connection: &mut Connection) -> Result<(), ApiError> {
    let done: Option<i64> = connection
        .query_row(
            "SELECT 1 FROM server_secrets WHERE name = 'facts_indexed'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    if done.is_some() {
        return Ok(());
    }
    let transaction = connection.transaction()?;
    {
        let mut statement = transaction.prepare(
            "SELECT record_type, id, facility_id, fields, created_at FROM records ORDER BY seq",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Uuid>(1)?,
                row.get::<_, Uuid>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, DateTime<Utc>>(4)?,
            ))
        })?;
        // Children first: the other facts refer to them by key.
        let mut later = Vec::new();
        for row in rows {
            let (record_type, id, facility_id, json, created_at) = row?;
            let Some(record_type) = RecordType::from_code(&record_type) else {
                continue;
            };
            let Ok(fields) = serde_json::from_str::<Fields>(&json) else {
                continue;
            };
            if record_type == RecordType::Child {
                record(
                    &transaction,
                    record_type,
                    id,
                    facility_id,
                    &fields,
                    created_at,
                )?;
            } else {
                later.push((record_type, id, facility_id, fields, created_at));
            }
        }
        later.sort_by_key(|(t, ..)| *t != RecordType::Referral);
        for (record_type, id, facility_id, fields, created_at) in later {
            record(
                &transaction,
                record_type,
                id,
                facility_id,
                &fields,
                created_at,
            )?;
        }
    }
    transaction.execute(
        "INSERT INTO server_secrets (name, value) VALUES ('facts_indexed', x'01')",
        [],
    )?;
    transaction.commit()?;
    Ok(())
}
