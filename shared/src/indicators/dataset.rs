//! The facts the indicators read. Keys are positions in the data set's own lists (a child's key
//! is its index in `children`), so a province's facts are a few compact vectors.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::care::{CareArrangement, CareKind, Circumstance, Session, SessionKind, ORPHAN};
use crate::child::{Child, Sex};
use crate::place::FacilityType;
use crate::referral::{Action, DueTimes, Referral, ReferralEvent, Urgency};
use crate::screening::Screening;
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
    /// Index into [`crate::ethnicity::ETHNIC_GROUPS`].
    pub ethnicity: u16,
    pub registered_on: Option<NaiveDate>,
}

/// A screening not voided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreeningFact {
    pub child: Key,
    pub on: NaiveDate,
    /// Index into the instrument catalogue ([`instrument_index`]).
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
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferralFact {
    pub child: Key,
    pub from: Key,
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
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CareFact {
    pub child: Key,
    pub kind: CareKind,
    pub since: NaiveDate,
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
    pub care: Vec<CareFact>,
    pub due_times: DueTimes,
}

/// A record as stored, for [`Dataset::from_records`].
pub struct RecordRef<'a> {
    pub record_type: RecordType,
    pub id: Uuid,
    pub facility_id: Uuid,
    pub fields: &'a Fields,
}

/// The instrument's position in the catalogue (by id); `u8::MAX` when unknown.
pub fn instrument_index(id: &str) -> u8 {
    crate::instrument::catalogue()
        .iter()
        .position(|i| i.id == id)
        .and_then(|p| u8::try_from(p).ok())
        .unwrap_or(u8::MAX)
}

pub fn ethnicity_index(slug: &str) -> u16 {
    crate::ethnicity::ETHNIC_GROUPS
        .iter()
        .position(|(s, _)| *s == slug)
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(u16::MAX)
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

    /// The facts of a device's (or a test's) records: children not voided and what is about them.
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
        let mut referral_index: HashMap<Uuid, Key> = HashMap::new();
        for r in records {
            match r.record_type {
                RecordType::Child => {
                    let Some(child) = Child::from_fields(r.fields).filter(|c| !c.is_voided())
                    else {
                        continue;
                    };
                    let facility = data.facility_key(&mut facility_index, r.facility_id);
                    child_index.insert(r.id, data.children.len() as Key);
                    data.child_ids.push(r.id);
                    data.children.push(ChildFact {
                        facility,
                        born: child.date_of_birth,
                        sex: child.sex,
                        ethnicity: ethnicity_index(&child.ethnicity),
                        registered_on: None,
                    });
                }
                RecordType::Referral => {
                    if let Some(referral) = Referral::from_fields(r.fields) {
                        referral_index.insert(r.id, data.referral_ids.len() as Key);
                        data.referral_ids.push(r.id);
                        // The child is resolved in the second pass.
                        let from = data.facility_key(&mut facility_index, r.facility_id);
                        data.referrals.push(ReferralFact {
                            child: Key::MAX,
                            from,
                            urgency: referral.urgency,
                            sent_at: referral.sent_at,
                        });
                    }
                }
                _ => {}
            }
        }
        for r in records {
            let child = |id: Uuid| child_index.get(&id).copied();
            match r.record_type {
                RecordType::Screening => {
                    let Some(s) = Screening::from_fields(r.fields).filter(|s| !s.is_voided())
                    else {
                        continue;
                    };
                    let Some(child) = child(s.child_id) else {
                        continue;
                    };
                    data.screenings.push(ScreeningFact {
                        child,
                        on: s.screened_on,
                        instrument: instrument_index(&s.instrument_id),
                        at_risk: s.result.positive || s.result.urgency().is_some(),
                    });
                }
                RecordType::Session => {
                    let Some(s) = crate::sync::from_fields::<Session>(r.fields) else {
                        continue;
                    };
                    if s.voided_reason.is_some() || s.kind == SessionKind::Hotline111Call {
                        continue;
                    }
                    let Some(child) = child(s.child_id) else {
                        continue;
                    };
                    let facility = data.facility_key(&mut facility_index, r.facility_id);
                    data.sessions.push(SessionFact {
                        child,
                        facility,
                        on: s.held_on,
                    });
                }
                RecordType::Referral => {
                    if let (Some(referral), Some(key)) =
                        (Referral::from_fields(r.fields), referral_index.get(&r.id))
                    {
                        data.referrals[*key as usize].child =
                            child(referral.child_id).unwrap_or(Key::MAX);
                    }
                }
                RecordType::ReferralEvent => {
                    let Some(e) = ReferralEvent::from_fields(r.fields) else {
                        continue;
                    };
                    let Some(referral) = referral_index.get(&e.referral_id) else {
                        continue;
                    };
                    if e.refusal.is_none() {
                        data.events.push(EventFact {
                            referral: *referral,
                            action: e.action,
                            at: e.at,
                            attended_on: e.attended_on,
                        });
                    }
                }
                RecordType::Circumstance => {
                    let Some(c) = crate::sync::from_fields::<Circumstance>(r.fields) else {
                        continue;
                    };
                    if let (true, Some(child)) = (c.code == ORPHAN, child(c.child_id)) {
                        data.orphans.push(OrphanFact {
                            child,
                            since: c.since,
                            until: c.until,
                        });
                    }
                }
                RecordType::CareArrangement => {
                    let Some(c) = crate::sync::from_fields::<CareArrangement>(r.fields) else {
                        continue;
                    };
                    if let Some(child) = child(c.child_id) {
                        data.care.push(CareFact {
                            child,
                            kind: c.kind,
                            since: c.since,
                        });
                    }
                }
                RecordType::Child | RecordType::Consent => {}
            }
        }
        data
    }
}
