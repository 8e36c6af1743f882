//! The facts the indicators read. Keys are positions in the data set's own lists (a child's key
//! is its index in `children`), so a province's facts are a few compact vectors.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::projection::{project, Fact, TRAINEE_GROUPS};
use crate::activity::ActivityKind;
use crate::care::{CareKind, ParentsLost, SessionKind};
use crate::child::Sex;
use crate::health_condition::ConditionKind;
use crate::place::FacilityType;
use crate::referral::{Action, DueTimes, Urgency};
use crate::sync::{Fields, RecordType};

pub type Key = u32;

#[derive(Debug, Clone, PartialEq)]
pub struct FacilityFact {
    pub id: Uuid,
    pub name: String,
    /// `None` when the facility is not in the directory this data set was built with.
    pub facility_type: Option<FacilityType>,
    pub area_id: Uuid,
    pub active: bool,
    /// Inside the area or facility the report is for (a referral's receiver may be outside).
    pub in_scope: bool,
    /// Active counsellor accounts.
    pub counsellors: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChildFact {
    pub facility: Key,
    pub born: NaiveDate,
    pub sex: Sex,
    /// [`super::codes::ethnicity_code`].
    pub ethnicity: u16,
    pub registered_on: Option<NaiveDate>,
}

/// A screening not voided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreeningFact {
    pub child: Key,
    pub on: NaiveDate,
    /// [`super::codes::instrument_code`].
    pub instrument: u8,
    /// Positive, or an urgent flag raised (a recorded concern is positive).
    pub at_risk: bool,
}

/// A counselling or support session with the child, not voided (hotline calls are not sessions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionFact {
    pub child: Key,
    pub facility: Key,
    pub on: NaiveDate,
    pub kind: SessionKind,
}

/// A call to hotline 111 about a child, not voided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallFact {
    pub child: Key,
    pub facility: Key,
    pub on: NaiveDate,
}

/// A special circumstance of a child (every group, orphans included).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CircumstanceFact {
    pub child: Key,
    /// [`super::codes::circumstance_code`].
    pub group: u8,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferralFact {
    pub child: Key,
    pub from: Key,
    /// The receiving facility (`None` when the facts predate it).
    pub to: Option<Key>,
    pub urgency: Urgency,
    pub sent_at: DateTime<Utc>,
}

/// An event the server accepted (refused ones change nothing and are left out).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventFact {
    pub referral: Key,
    pub action: Action,
    pub at: DateTime<Utc>,
    pub attended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrphanFact {
    pub child: Key,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    /// One parent or both (`None`: not recorded).
    pub parents: Option<ParentsLost>,
    /// A parent died of COVID-19.
    pub covid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CareFact {
    pub child: Key,
    pub kind: CareKind,
    pub since: NaiveDate,
}

/// A condition known of a child, not voided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConditionFact {
    pub child: Key,
    pub kind: ConditionKind,
    /// The day it became known.
    pub on: NaiveDate,
}

/// A programme activity, not voided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivityFact {
    pub facility: Key,
    pub kind: ActivityKind,
    pub on: NaiveDate,
    pub participants: u32,
    /// Trained by group, in [`crate::activity::Trainee::ALL`] order.
    pub trained: [u32; TRAINEE_GROUPS],
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    pub facilities: Vec<FacilityFact>,
    /// Area names, for the report's per-area lines.
    pub areas: HashMap<Uuid, String>,
    pub children: Vec<ChildFact>,
    /// The children's record ids, by key (for opening a figure into its rows).
    pub child_ids: Vec<Uuid>,
    pub screenings: Vec<ScreeningFact>,
    pub sessions: Vec<SessionFact>,
    pub referrals: Vec<ReferralFact>,
    pub referral_ids: Vec<Uuid>,
    pub events: Vec<EventFact>,
    pub orphans: Vec<OrphanFact>,
    pub circumstances: Vec<CircumstanceFact>,
    pub care: Vec<CareFact>,
    pub calls: Vec<CallFact>,
    pub activities: Vec<ActivityFact>,
    pub conditions: Vec<ConditionFact>,
    pub due_times: DueTimes,
}

/// A record as stored, for [`Dataset::from_records`].
pub struct RecordRef<'a> {
    pub record_type: RecordType,
    pub id: Uuid,
    pub facility_id: Uuid,
    pub fields: &'a Fields,
}

impl Dataset {
    /// The facility's key, adding it (not in scope, type unknown) if the directory lacks it.
    fn facility_key(&mut self, index: &mut HashMap<Uuid, Key>, id: Uuid) -> Key {
        *index.entry(id).or_insert_with(|| {
            self.facilities.push(FacilityFact {
                id,
                name: String::new(),
                facility_type: None,
                area_id: Uuid::nil(),
                active: false,
                in_scope: false,
                counsellors: 0,
            });
            (self.facilities.len() - 1) as Key
        })
    }

    /// The facts of a device's (or a test's) records, by the one rule ([`project`]): children
    /// not voided and what is about them. Children with the same personal id are one child.
    pub fn from_records<'a>(
        facilities: Vec<FacilityFact>,
        records: &[RecordRef<'a>],
        due_times: DueTimes,
    ) -> Dataset {
        let mut data = Dataset {
            facilities,
            due_times,
            ..Dataset::default()
        };
        let mut facility_index: HashMap<Uuid, Key> = data
            .facilities
            .iter()
            .enumerate()
            .map(|(k, f)| (f.id, k as Key))
            .collect();
        let mut child_index: HashMap<Uuid, Key> = HashMap::new();
        let mut person_index: HashMap<String, Key> = HashMap::new();
        let mut referral_index: HashMap<Uuid, Key> = HashMap::new();
        let facts: Vec<(&RecordRef<'a>, Fact)> = records
            .iter()
            .filter_map(|r| project(r.record_type, r.fields).map(|fact| (r, fact)))
            .collect();
        for (r, fact) in &facts {
            if let Fact::Child {
                born,
                sex,
                ethnicity,
                registered_on,
                personal_id,
                voided: false,
            } = fact
            {
                let facility = data.facility_key(&mut facility_index, r.facility_id);
                let child = ChildFact {
                    facility,
                    born: *born,
                    sex: *sex,
                    ethnicity: *ethnicity,
                    registered_on: *registered_on,
                };
                let key = data.add_child(&mut person_index, r.id, personal_id.as_deref(), child);
                child_index.insert(r.id, key);
            }
        }
        for (r, fact) in &facts {
            if let Fact::Referral {
                child_id,
                to_facility,
                urgency,
                sent_at,
            } = fact
            {
                referral_index.insert(r.id, data.referral_ids.len() as Key);
                data.referral_ids.push(r.id);
                let from = data.facility_key(&mut facility_index, r.facility_id);
                let to = data.facility_key(&mut facility_index, *to_facility);
                data.referrals.push(ReferralFact {
                    child: child_index.get(child_id).copied().unwrap_or(Key::MAX),
                    from,
                    to: Some(to),
                    urgency: *urgency,
                    sent_at: *sent_at,
                });
            }
        }
        for (r, fact) in facts {
            let child = |id: Uuid| child_index.get(&id).copied();
            match fact {
                Fact::Screening {
                    child_id,
                    on,
                    instrument,
                    at_risk,
                    voided: false,
                } => {
                    if let Some(child) = child(child_id) {
                        data.screenings.push(ScreeningFact {
                            child,
                            on,
                            instrument,
                            at_risk,
                        });
                    }
                }
                Fact::Session {
                    child_id,
                    on,
                    kind,
                    voided: false,
                } => {
                    if let Some(child) = child(child_id) {
                        let facility = data.facility_key(&mut facility_index, r.facility_id);
                        if kind == SessionKind::Hotline111Call {
                            data.calls.push(CallFact {
                                child,
                                facility,
                                on,
                            });
                        } else {
                            data.sessions.push(SessionFact {
                                child,
                                facility,
                                on,
                                kind,
                            });
                        }
                    }
                }
                Fact::Event {
                    referral_id,
                    action,
                    at,
                    attended_on,
                    refused: false,
                } => {
                    if let Some(referral) = referral_index.get(&referral_id) {
                        data.events.push(EventFact {
                            referral: *referral,
                            action,
                            at,
                            attended_on,
                        });
                    }
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
                    if let Some(child) = child(child_id) {
                        data.circumstances.push(CircumstanceFact {
                            child,
                            group,
                            since,
                            until,
                        });
                        if orphan {
                            data.orphans.push(OrphanFact {
                                child,
                                since,
                                until,
                                parents,
                                covid,
                            });
                        }
                    }
                }
                Fact::Care {
                    child_id,
                    kind,
                    since,
                } => {
                    if let Some(child) = child(child_id) {
                        data.care.push(CareFact { child, kind, since });
                    }
                }
                Fact::Condition {
                    child_id,
                    kind,
                    on,
                    voided: false,
                } => {
                    if let Some(child) = child(child_id) {
                        data.conditions.push(ConditionFact { child, kind, on });
                    }
                }
                Fact::Activity {
                    kind,
                    on,
                    participants,
                    trained,
                    voided: false,
                } => {
                    let facility = data.facility_key(&mut facility_index, r.facility_id);
                    data.activities.push(ActivityFact {
                        facility,
                        kind,
                        on,
                        participants,
                        trained,
                    });
                }
                // Read above (children, referrals), voided, or counting for nothing. Listed, so
                // that a new kind of fact does not compile until it is read here.
                Fact::Child { .. }
                | Fact::Referral { .. }
                | Fact::Screening { voided: true, .. }
                | Fact::Session { voided: true, .. }
                | Fact::Event { refused: true, .. }
                | Fact::Condition { voided: true, .. }
                | Fact::Activity { voided: true, .. } => {}
            }
        }
        data
    }

    /// Adds a child, or returns the key of the child already there with the same personal id
    /// (registered at two facilities, counted once).
    pub fn add_child(
        &mut self,
        persons: &mut HashMap<String, Key>,
        id: Uuid,
        personal_id: Option<&str>,
        child: ChildFact,
    ) -> Key {
        if let Some(key) = personal_id.and_then(|p| persons.get(p)) {
            return *key;
        }
        let key = self.children.len() as Key;
        if let Some(personal_id) = personal_id {
            persons.insert(personal_id.to_string(), key);
        }
        self.child_ids.push(id);
        self.children.push(child);
        key
    }
}
