//! Reading an area's or a facility's facts for a period into a `Dataset`, one fact table at a
//! time. Children and referrals get dense keys here; the other facts find theirs by the stored
//! key. A large scope (a province) reads whole tables; a small one (a commune, a facility) reads
//! its facilities' rows by index.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection};
use shared::care::SessionKind;
use shared::indicators::{
    codes, ActivityFact, CallFact, CareFact, ChildFact, CircumstanceFact, ConditionFact, Dataset,
    EventFact, FacilityFact, Key, OrphanFact, Period, ReferralFact, ScreeningFact, SessionFact,
};
use shared::referral::{DueTimes, Urgency};
use uuid::Uuid;

use super::{date, day, instant};
use crate::error::ApiError;

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
    let mut loader = Loader {
        connection,
        scope,
        wide: scope.len() > WIDE_SCOPE,
        data: Dataset {
            due_times,
            ..Dataset::default()
        },
        facility_index: HashMap::new(),
        child_of: Vec::new(),
        referral_of: HashMap::new(),
    };
    loader.facilities()?;
    loader.children()?;
    loader.screenings(window)?;
    loader.sessions()?;
    loader.referrals()?;
    loader.events()?;
    loader.circumstances()?;
    loader.care()?;
    loader.activities(window)?;
    loader.conditions()?;
    Ok(loader.data)
}

struct Loader<'a> {
    connection: &'a Connection,
    scope: &'a HashSet<Uuid>,
    wide: bool,
    data: Dataset,
    /// A facility's dense key.
    facility_index: HashMap<Uuid, Key>,
    /// A stored child key's dense key (`Key::MAX`: not in scope). Stored keys are dense too: a
    /// vector, not a map.
    child_of: Vec<Key>,
    /// A stored referral key's dense key.
    referral_of: HashMap<i64, Key>,
}

impl Loader<'_> {
    /// The facilities a per-facility query runs for (one placeholder for a whole-table read).
    fn each_facility(&self) -> Vec<Uuid> {
        if self.wide {
            vec![Uuid::nil()]
        } else {
            self.scope.iter().copied().collect()
        }
    }

    fn in_scope(&self, id: &Uuid) -> Option<Key> {
        self.facility_index
            .get(id)
            .filter(|_| self.scope.contains(id))
            .copied()
    }

    fn child(&self, key: i64) -> Option<Key> {
        usize::try_from(key)
            .ok()
            .and_then(|k| self.child_of.get(k))
            .copied()
            .filter(|k| *k != Key::MAX)
    }

    fn facilities(&mut self) -> Result<(), ApiError> {
        let mut statement = self.connection.prepare(
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
            self.facility_index
                .insert(id, self.data.facilities.len() as Key);
            self.data.areas.insert(area_id, area);
            self.data.facilities.push(FacilityFact {
                id,
                name,
                facility_type: shared::place::FacilityType::from_code(&facility_type),
                area_id,
                active,
                in_scope: self.scope.contains(&id),
                counsellors,
            });
        }
        Ok(())
    }

    /// Children in scope; one child registered at two facilities (the same personal id) is one.
    fn children(&mut self) -> Result<(), ApiError> {
        let max_key: i64 = self.connection.query_row(
            "SELECT COALESCE(max(key), 0) FROM fact_children",
            [],
            |row| row.get(0),
        )?;
        self.child_of = vec![Key::MAX; usize::try_from(max_key).unwrap_or(0) + 1];
        let mut persons: HashMap<String, Key> = HashMap::new();
        for facility_id in self.each_facility() {
            let mut statement = self.connection.prepare_cached(if self.wide {
                "SELECT key, id, facility_id, born, sex, ethnicity, registered_on, personal_id FROM fact_children
                 WHERE voided = 0 AND ?1 IS NOT NULL ORDER BY key"
            } else {
                "SELECT key, id, facility_id, born, sex, ethnicity, registered_on, personal_id FROM fact_children
                 WHERE facility_id = ?1 AND voided = 0 ORDER BY key"
            })?;
            let mut rows = statement.query([facility_id])?;
            while let Some(row) = rows.next()? {
                let facility: Uuid = row.get(2)?;
                let Some(facility) = self.in_scope(&facility) else {
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
                let dense =
                    self.data
                        .add_child(&mut persons, row.get(1)?, personal_id.as_deref(), child);
                if let Some(slot) = usize::try_from(key)
                    .ok()
                    .and_then(|k| self.child_of.get_mut(k))
                {
                    *slot = dense;
                }
            }
        }
        Ok(())
    }

    /// Screenings of the window only (the indicators read no other), from a covering index.
    fn screenings(&mut self, window: Period) -> Result<(), ApiError> {
        let (from, to) = (day(window.from), day(window.to));
        for facility_id in self.each_facility() {
            let mut statement = self.connection.prepare_cached(if self.wide {
                "SELECT child, day, instrument, at_risk FROM fact_screenings INDEXED BY fact_screenings_period
                 WHERE voided = 0 AND day BETWEEN ?2 AND ?3 AND ?1 IS NOT NULL"
            } else {
                "SELECT child, day, instrument, at_risk FROM fact_screenings INDEXED BY fact_screenings_facility
                 WHERE facility_id = ?1 AND voided = 0 AND day BETWEEN ?2 AND ?3"
            })?;
            let mut rows = statement.query(params![facility_id, from, to])?;
            while let Some(row) = rows.next()? {
                let Some(child) = self.child(row.get(0)?) else {
                    continue;
                };
                self.data.screenings.push(ScreeningFact {
                    child,
                    on: date(row.get(1)?),
                    instrument: row.get::<_, i64>(2)?.try_into().unwrap_or(u8::MAX),
                    at_risk: row.get(3)?,
                });
            }
        }
        Ok(())
    }

    /// Sessions not voided: support (`counts`) with its kind, and hotline 111 calls apart.
    fn sessions(&mut self) -> Result<(), ApiError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT child, facility_id, day, kind, counts FROM fact_sessions WHERE voided = 0",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let facility: Uuid = row.get(1)?;
            let (Some(facility), Some(child)) = (self.in_scope(&facility), self.child(row.get(0)?))
            else {
                continue;
            };
            let on = date(row.get(2)?);
            let kind = codes::session_of(row.get(3)?).unwrap_or(SessionKind::Individual);
            if kind == SessionKind::Hotline111Call {
                self.data.calls.push(CallFact {
                    child,
                    facility,
                    on,
                });
            } else if row.get::<_, bool>(4)? {
                self.data.sessions.push(SessionFact {
                    child,
                    facility,
                    on,
                    kind,
                });
            }
        }
        Ok(())
    }

    fn referrals(&mut self) -> Result<(), ApiError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT key, id, child, facility_id, urgency, sent_at, to_facility FROM fact_referrals",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let child = self.child(row.get(2)?);
            let from: Uuid = row.get(3)?;
            let from_scope = self.in_scope(&from);
            // A referral counts for its sender's area, or for the child's when it was sent on.
            if from_scope.is_none() && child.is_none() {
                continue;
            }
            let Some(from) = from_scope.or_else(|| self.facility_index.get(&from).copied()) else {
                continue;
            };
            self.referral_of
                .insert(row.get(0)?, self.data.referrals.len() as Key);
            self.data.referral_ids.push(row.get(1)?);
            let to: Option<Uuid> = row.get(6)?;
            self.data.referrals.push(ReferralFact {
                child: child.unwrap_or(Key::MAX),
                from,
                to: to.and_then(|to| self.facility_index.get(&to).copied()),
                urgency: codes::urgency_of(row.get(4)?).unwrap_or(Urgency::Routine),
                sent_at: instant(row.get(5)?),
            });
        }
        Ok(())
    }

    fn events(&mut self) -> Result<(), ApiError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT referral, action, at, attended_on FROM fact_events WHERE refused = 0",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let Some(referral) = self.referral_of.get(&row.get::<_, i64>(0)?).copied() else {
                continue;
            };
            let Some(action) = codes::action_of(row.get(1)?) else {
                continue;
            };
            self.data.events.push(EventFact {
                referral,
                action,
                at: instant(row.get(2)?),
                attended_on: row.get::<_, Option<i64>>(3)?.map(date),
            });
        }
        Ok(())
    }

    /// Every special circumstance, and the orphans among them with their loss.
    fn circumstances(&mut self) -> Result<(), ApiError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT child, since, until, orphan, grp, parents, covid FROM fact_circumstances",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let Some(child) = self.child(row.get(0)?) else {
                continue;
            };
            let (since, until) = (date(row.get(1)?), row.get::<_, Option<i64>>(2)?.map(date));
            self.data.circumstances.push(CircumstanceFact {
                child,
                group: row.get::<_, i64>(4)?.try_into().unwrap_or(u8::MAX),
                since,
                until,
            });
            if row.get::<_, bool>(3)? {
                self.data.orphans.push(OrphanFact {
                    child,
                    since,
                    until,
                    parents: codes::parents_of(row.get(5)?),
                    covid: row.get(6)?,
                });
            }
        }
        Ok(())
    }

    /// The activities of the window, not voided, of the facilities in scope.
    fn activities(&mut self, window: Period) -> Result<(), ApiError> {
        let (from, to) = (day(window.from), day(window.to));
        let mut statement = self.connection.prepare_cached(
            "SELECT facility_id, kind, day, participants, trained FROM fact_activities
             WHERE voided = 0 AND day BETWEEN ?1 AND ?2",
        )?;
        let mut rows = statement.query(params![from, to])?;
        while let Some(row) = rows.next()? {
            let facility: Uuid = row.get(0)?;
            let (Some(facility), Some(kind)) =
                (self.in_scope(&facility), codes::activity_of(row.get(1)?))
            else {
                continue;
            };
            let trained: String = row.get(4)?;
            self.data.activities.push(ActivityFact {
                facility,
                kind,
                on: date(row.get(2)?),
                participants: row.get(3)?,
                trained: serde_json::from_str(&trained).unwrap_or_default(),
            });
        }
        Ok(())
    }

    /// Conditions known of the children in scope, not voided.
    fn conditions(&mut self) -> Result<(), ApiError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT child, kind, day FROM fact_conditions WHERE voided = 0")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let (Some(child), Some(kind)) =
                (self.child(row.get(0)?), codes::condition_of(row.get(1)?))
            else {
                continue;
            };
            self.data.conditions.push(ConditionFact {
                child,
                kind,
                on: date(row.get(2)?),
            });
        }
        Ok(())
    }

    fn care(&mut self) -> Result<(), ApiError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT child, kind, since FROM fact_care")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let (Some(child), Some(kind)) = (self.child(row.get(0)?), codes::care_of(row.get(1)?))
            else {
                continue;
            };
            self.data.care.push(CareFact {
                child,
                kind,
                since: date(row.get(2)?),
            });
        }
        Ok(())
    }
}
