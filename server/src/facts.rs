//! The facts the indicators read (`fact_*` tables), written with every stored record in the same
//! transaction, and read back as a `shared::indicators::Dataset` for an area or a facility.
//!
//! A fact row holds only what an indicator needs, as integers: days from the common era, Unix
//! seconds, the frozen codes of `shared::indicators::codes`. Children and referrals get integer
//! keys that the other facts use. What a record contributes is `shared::indicators::project`,
//! the same rule the device's data set follows.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use shared::indicators::{
    codes, project, CareFact, ChildFact, Dataset, EventFact, FacilityFact, Fact, Key, OrphanFact,
    Period, ReferralFact, ScreeningFact, SessionFact,
};
use shared::referral::{DueTimes, Urgency};
use shared::sync::{Fields, RecordType};
use uuid::Uuid;

use crate::error::ApiError;

pub fn day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

fn date(day: i64) -> NaiveDate {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or_default()
}

fn instant(seconds: i64) -> DateTime<Utc> {
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
            counts,
        } => {
            let Some(child) = child_key(transaction, child_id)? else {
                return Ok(());
            };
            transaction
                .prepare_cached(
                    "INSERT INTO fact_sessions (id, child, facility_id, day, counts) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (id) DO UPDATE SET day = excluded.day, counts = excluded.counts",
                )?
                .execute(params![id, child, facility_id, day(on), counts])?;
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
            orphan,
            since,
            until,
        } => {
            let Some(child) = child_key(transaction, child_id)? else {
                return Ok(());
            };
            transaction
                .prepare_cached(
                    "INSERT INTO fact_circumstances (id, child, orphan, since, until) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (id) DO UPDATE SET orphan = excluded.orphan, since = excluded.since,
                        until = excluded.until",
                )?
                .execute(params![id, child, orphan, day(since), until.map(day)])?;
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

/// Above this many facilities a scope reads whole fact tables rather than each facility's rows.
const WIDE_SCOPE: usize = 64;

/// The facts of the facilities in `scope` for the days of `window` (screenings outside it are
/// not read; every facility is listed, those outside the scope marked so, so that a referral's
/// receiver has a name).
pub fn load(
    connection: &Connection,
    scope: &HashSet<Uuid>,
    due_times: DueTimes,
    window: Period,
) -> Result<Dataset, ApiError> {
    let mut data = Dataset {
        due_times,
        ..Dataset::default()
    };
    let mut facility_index: HashMap<Uuid, Key> = HashMap::new();
    {
        let mut statement = connection.prepare(
            "SELECT f.id, f.name, f.facility_type, f.area_id, f.active, a.name,
                    (SELECT count(*) FROM users u WHERE u.facility_id = f.id AND u.role = 'counsellor' AND u.active = 1)
             FROM facilities f JOIN areas a ON a.id = f.area_id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, Uuid>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Uuid>(3)?,
                row.get::<_, bool>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, u32>(6)?,
            ))
        })?;
        for row in rows {
            let (id, name, facility_type, area_id, active, area, counsellors) = row?;
            facility_index.insert(id, data.facilities.len() as Key);
            data.areas.insert(area_id, area);
            data.facilities.push(FacilityFact {
                id,
                name,
                facility_type: shared::place::FacilityType::from_code(&facility_type),
                area_id,
                active,
                in_scope: scope.contains(&id),
                counsellors,
            });
        }
    }
    let in_scope = |id: &Uuid| {
        facility_index
            .get(id)
            .filter(|_| scope.contains(id))
            .copied()
    };
    // Children: the dense key of each stored key (stored keys are dense too: a vector, not a map).
    let max_key: i64 = connection.query_row(
        "SELECT COALESCE(max(key), 0) FROM fact_children",
        [],
        |row| row.get(0),
    )?;
    let mut child_of: Vec<Key> = vec![Key::MAX; usize::try_from(max_key).unwrap_or(0) + 1];
    // A large scope (a province) reads whole tables; a small one (a commune, a facility) reads
    // its facilities' rows by index.
    let wide = scope.len() > WIDE_SCOPE;
    let facilities: Vec<Uuid> = if wide {
        vec![Uuid::nil()]
    } else {
        scope.iter().copied().collect()
    };
    let (from, to) = (day(window.from), day(window.to));
    // One child registered at two facilities (the same personal id) is one child.
    let mut persons: HashMap<String, Key> = HashMap::new();
    for facility_id in &facilities {
        let mut statement = connection.prepare_cached(if wide {
            "SELECT key, id, facility_id, born, sex, ethnicity, registered_on, personal_id FROM fact_children
             WHERE voided = 0 AND ?1 IS NOT NULL ORDER BY key"
        } else {
            "SELECT key, id, facility_id, born, sex, ethnicity, registered_on, personal_id FROM fact_children
             WHERE facility_id = ?1 AND voided = 0 ORDER BY key"
        })?;
        let mut rows = statement.query([facility_id])?;
        while let Some(row) = rows.next()? {
            let facility: Uuid = row.get(2)?;
            let Some(facility) = in_scope(&facility) else {
                continue;
            };
            let key: i64 = row.get(0)?;
            let child = ChildFact {
                facility,
                born: date(row.get(3)?),
                sex: codes::sex_of(row.get(4)?).unwrap_or(shared::child::Sex::Male),
                ethnicity: row.get::<_, i64>(5)?.try_into().unwrap_or(u16::MAX),
                registered_on: Some(date(row.get(6)?)),
            };
            let personal_id: Option<String> = row.get(7)?;
            let dense = data.add_child(&mut persons, row.get(1)?, personal_id.as_deref(), child);
            if let Some(slot) = usize::try_from(key).ok().and_then(|k| child_of.get_mut(k)) {
                *slot = dense;
            }
        }
    }
    let child = |key: i64| -> Option<Key> {
        usize::try_from(key)
            .ok()
            .and_then(|k| child_of.get(k))
            .copied()
            .filter(|k| *k != Key::MAX)
    };
    // Screenings of the window only (the indicators read no other), from a covering index.
    for facility_id in &facilities {
        let mut statement = connection.prepare_cached(if wide {
            "SELECT child, day, instrument, at_risk FROM fact_screenings INDEXED BY fact_screenings_period
             WHERE voided = 0 AND day BETWEEN ?2 AND ?3 AND ?1 IS NOT NULL"
        } else {
            "SELECT child, day, instrument, at_risk FROM fact_screenings INDEXED BY fact_screenings_facility
             WHERE facility_id = ?1 AND voided = 0 AND day BETWEEN ?2 AND ?3"
        })?;
        let mut rows = statement.query(params![facility_id, from, to])?;
        while let Some(row) = rows.next()? {
            let Some(child) = child(row.get(0)?) else {
                continue;
            };
            data.screenings.push(ScreeningFact {
                child,
                on: date(row.get(1)?),
                instrument: row.get::<_, i64>(2)?.try_into().unwrap_or(u8::MAX),
                at_risk: row.get(3)?,
            });
        }
    }
    {
        let mut statement = connection
            .prepare_cached("SELECT child, facility_id, day FROM fact_sessions WHERE counts = 1")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let facility: Uuid = row.get(1)?;
            let Some(facility) = in_scope(&facility) else {
                continue;
            };
            let Some(child) = child(row.get(0)?) else {
                continue;
            };
            data.sessions.push(SessionFact {
                child,
                facility,
                on: date(row.get(2)?),
            });
        }
    }
    let mut referral_of: HashMap<i64, Key> = HashMap::new();
    {
        let mut statement = connection.prepare_cached(
            "SELECT key, id, child, facility_id, urgency, sent_at, to_facility FROM fact_referrals",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let child = child(row.get(2)?);
            let from: Uuid = row.get(3)?;
            let from_scope = in_scope(&from);
            // A referral counts for its sender's area, or for the child's when it was sent on.
            if from_scope.is_none() && child.is_none() {
                continue;
            }
            let Some(from) = from_scope.or_else(|| facility_index.get(&from).copied()) else {
                continue;
            };
            referral_of.insert(row.get(0)?, data.referrals.len() as Key);
            data.referral_ids.push(row.get(1)?);
            let to: Option<Uuid> = row.get(6)?;
            data.referrals.push(ReferralFact {
                child: child.unwrap_or(Key::MAX),
                from,
                to: to.and_then(|to| facility_index.get(&to).copied()),
                urgency: codes::urgency_of(row.get(4)?).unwrap_or(Urgency::Routine),
                sent_at: instant(row.get(5)?),
            });
        }
    }
    {
        let mut statement = connection.prepare_cached(
            "SELECT referral, action, at, attended_on FROM fact_events WHERE refused = 0",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let Some(referral) = referral_of.get(&row.get::<_, i64>(0)?).copied() else {
                continue;
            };
            let Some(action) = codes::action_of(row.get(1)?) else {
                continue;
            };
            data.events.push(EventFact {
                referral,
                action,
                at: instant(row.get(2)?),
                attended_on: row.get::<_, Option<i64>>(3)?.map(date),
            });
        }
    }
    {
        let mut statement = connection.prepare_cached(
            "SELECT child, since, until FROM fact_circumstances WHERE orphan = 1",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let Some(child) = child(row.get(0)?) else {
                continue;
            };
            data.orphans.push(OrphanFact {
                child,
                since: date(row.get(1)?),
                until: row.get::<_, Option<i64>>(2)?.map(date),
            });
        }
    }
    {
        let mut statement =
            connection.prepare_cached("SELECT child, kind, since FROM fact_care")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let Some(child) = child(row.get(0)?) else {
                continue;
            };
            let Some(kind) = codes::care_of(row.get(1)?) else {
                continue;
            };
            data.care.push(CareFact {
                child,
                kind,
                since: date(row.get(2)?),
            });
        }
    }
    Ok(data)
}
