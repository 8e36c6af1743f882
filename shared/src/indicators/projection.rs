//! The one rule from a stored record to what the indicators count: used by the device's data set
//! ([`super::Dataset::from_records`]) and by the server's fact tables (`server/src/facts.rs`)
//! alike, so that the two can never count differently.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::codes::{circumstance_code, ethnicity_code, instrument_code};
use crate::activity::{Activity, ActivityKind, Trainee};
use crate::care::{
    CareArrangement, CareKind, Circumstance, LossCause, ParentsLost, Session, SessionKind, ORPHAN,
};
use crate::child::{Child, Sex};
use crate::health_condition::{ConditionKind, HealthCondition};
use crate::referral::{Action, Referral, ReferralEvent, Urgency};
use crate::screening::Screening;
use crate::sync::{from_fields, Fields, RecordType};

/// What one record adds to the indicators.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    Child {
        born: NaiveDate,
        sex: Sex,
        /// [`ethnicity_code`].
        ethnicity: u16,
        /// The day the child was registered, as the server stamped it (bounded device time);
        /// `None` for a record the server has not stored yet.
        registered_on: Option<NaiveDate>,
        /// The 12-digit personal id, so that one child registered at two facilities counts once.
        personal_id: Option<String>,
        voided: bool,
    },
    Screening {
        child_id: Uuid,
        on: NaiveDate,
        /// [`instrument_code`].
        instrument: u8,
        /// Positive, or an urgent flag raised (a recorded concern is positive).
        at_risk: bool,
        voided: bool,
    },
    Session {
        child_id: Uuid,
        on: NaiveDate,
        /// A hotline 111 call is recorded as a session of its own kind, and is not support.
        kind: SessionKind,
        voided: bool,
    },
    Referral {
        child_id: Uuid,
        /// The receiving facility (the route: school to station, station to hospital…).
        to_facility: Uuid,
        urgency: Urgency,
        sent_at: DateTime<Utc>,
    },
    Event {
        referral_id: Uuid,
        action: Action,
        at: DateTime<Utc>,
        attended_on: Option<NaiveDate>,
        /// No longer possible when it arrived: kept, but it changed nothing.
        refused: bool,
    },
    Circumstance {
        child_id: Uuid,
        /// [`super::codes::circumstance_code`].
        group: u8,
        orphan: bool,
        since: NaiveDate,
        until: Option<NaiveDate>,
        /// An orphan's loss: one parent or both (`None`: not recorded).
        parents: Option<ParentsLost>,
        /// An orphan whose parent died of COVID-19.
        covid: bool,
    },
    Care {
        child_id: Uuid,
        kind: CareKind,
        since: NaiveDate,
    },
    /// A condition known of a child.
    Condition {
        child_id: Uuid,
        kind: ConditionKind,
        on: NaiveDate,
        voided: bool,
    },
    /// A programme activity of the facility (about no child).
    Activity {
        kind: ActivityKind,
        on: NaiveDate,
        participants: u32,
        /// Trained by group, in [`Trainee::ALL`] order.
        trained: [u32; TRAINEE_GROUPS],
        voided: bool,
    },
}

/// How many groups a training counts (the length of [`Trainee::ALL`]).
pub const TRAINEE_GROUPS: usize = Trainee::ALL.len();

/// The fact of a record, or `None` for a record the indicators do not read (a consent, or fields
/// that do not form the type).
pub fn project(record_type: RecordType, fields: &Fields) -> Option<Fact> {
    Some(match record_type {
        RecordType::Child => {
            let child = Child::from_fields(fields)?;
            Fact::Child {
                born: child.date_of_birth,
                sex: child.sex,
                ethnicity: ethnicity_code(&child.ethnicity),
                registered_on: child.registered_on,
                voided: child.is_voided(),
                personal_id: child.personal_id,
            }
        }
        RecordType::Screening => {
            let s = Screening::from_fields(fields)?;
            Fact::Screening {
                child_id: s.child_id,
                on: s.screened_on,
                instrument: instrument_code(&s.instrument_id),
                at_risk: s.result.positive || s.result.urgency().is_some(),
                voided: s.is_voided(),
            }
        }
        RecordType::Session => {
            let s = from_fields::<Session>(fields)?;
            Fact::Session {
                child_id: s.child_id,
                on: s.held_on,
                kind: s.kind,
                voided: s.voided_reason.is_some(),
            }
        }
        RecordType::Referral => {
            let r = Referral::from_fields(fields)?;
            Fact::Referral {
                child_id: r.child_id,
                to_facility: r.to_facility,
                urgency: r.urgency,
                sent_at: r.sent_at,
            }
        }
        RecordType::ReferralEvent => {
            let e = ReferralEvent::from_fields(fields)?;
            Fact::Event {
                referral_id: e.referral_id,
                action: e.action,
                at: e.at,
                attended_on: e.attended_on,
                refused: e.refusal.is_some(),
            }
        }
        RecordType::Circumstance => {
            let c = from_fields::<Circumstance>(fields)?;
            Fact::Circumstance {
                child_id: c.child_id,
                group: circumstance_code(&c.code),
                orphan: c.code == ORPHAN,
                since: c.since,
                until: c.until,
                parents: c.parents_lost,
                covid: c.cause == Some(LossCause::Covid19),
            }
        }
        RecordType::CareArrangement => {
            let c = from_fields::<CareArrangement>(fields)?;
            Fact::Care {
                child_id: c.child_id,
                kind: c.kind,
                since: c.since,
            }
        }
        RecordType::Activity => {
            let a = Activity::from_fields(fields)?;
            Fact::Activity {
                kind: a.kind,
                on: a.held_on,
                participants: a.participants,
                trained: Trainee::ALL.map(|group| a.trained_of(group)),
                voided: a.is_voided(),
            }
        }
        RecordType::HealthCondition => {
            let c = from_fields::<HealthCondition>(fields)?;
            Fact::Condition {
                child_id: c.child_id,
                kind: c.kind,
                on: c.noted_on,
                voided: c.is_voided(),
            }
        }
        RecordType::Consent | RecordType::UrgentFlag => return None,
    })
}

/// Whether a circumstance from `since` to `until` (both included) holds on `on`: the rule the
/// child's page shows and I2 counts by.
pub fn in_force(since: NaiveDate, until: Option<NaiveDate>, on: NaiveDate) -> bool {
    since <= on && until.is_none_or(|until| on <= until)
}
