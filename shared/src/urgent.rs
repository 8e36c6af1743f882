//! An urgent flag as a record (record type `urgent_flag`, *cảnh báo khẩn*): raised the moment a
//! critical answer is given (domain.md §6), before the screening is finished, so that leaving
//! the form by any route (Back, a link, a closed tab) leaves the flag standing for everyone at
//! the facility. It stays open until it is ended with a safety plan or a completed referral with
//! feedback; who raised it, who recorded the action and who ended it are stamped by the server.
//!
//! Life of a flag: raised (action not yet recorded) → acted → ended; or voided with a reason
//! (raised by mistake). Each step is set once: a later change can add the next step, never
//! rewrite one that is stored.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::instrument::FlagLevel;
use crate::screening::SafetyAction;
use crate::sync::{Actor, Fields};
use crate::validate::{collapse_spaces, FieldErrors, Problem};

/// How an urgent flag came to an end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagEnd {
    /// A safety plan was made with the child and the family.
    SafetyPlan,
    /// The referral made for it was completed and its feedback received.
    ReferralCompleted,
}

/// The end of a flag, as the user recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ending {
    pub how: FlagEnd,
    pub note: String,
    /// The completed referral, when `how` is [`FlagEnd::ReferralCompleted`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UrgentFlag {
    pub child_id: Uuid,
    pub instrument_id: String,
    pub level: FlagLevel,
    /// When the critical answer was given (device clock, bounded by the server).
    pub raised_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_by: Option<Actor>,
    /// The screening that carried the answer, once it is finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<SafetyAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_by: Option<Actor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Ending>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_by: Option<Actor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_reason: Option<String>,
}

/// Where a flag stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagState {
    /// Raised, and nobody has recorded what was done.
    AwaitingAction,
    /// The action is recorded; the flag stays until it is ended.
    Acted,
    Ended,
    Voided,
}

impl UrgentFlag {
    /// A flag raised now by a critical answer.
    pub fn raise(child_id: Uuid, instrument_id: &str, level: FlagLevel, at: DateTime<Utc>) -> Self {
        UrgentFlag {
            child_id,
            instrument_id: instrument_id.to_string(),
            level,
            raised_at: at,
            raised_by: None,
            screening_id: None,
            action: None,
            action_by: None,
            action_at: None,
            ended: None,
            ended_by: None,
            ended_at: None,
            voided_reason: None,
        }
    }

    pub fn to_fields(&self) -> Fields {
        crate::sync::to_fields(self)
    }

    pub fn from_fields(fields: &Fields) -> Option<UrgentFlag> {
        crate::sync::from_fields(fields)
    }

    pub fn state(&self) -> FlagState {
        match (&self.voided_reason, &self.ended, &self.action) {
            (Some(_), ..) => FlagState::Voided,
            (None, Some(_), _) => FlagState::Ended,
            (None, None, Some(_)) => FlagState::Acted,
            (None, None, None) => FlagState::AwaitingAction,
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self.state(), FlagState::AwaitingAction | FlagState::Acted)
    }

    /// The day it was raised, in Vietnam.
    pub fn raised_on(&self) -> NaiveDate {
        crate::lang::vietnam_day(self.raised_at)
    }

    /// Checks a flag as merged (`before` is the stored one), for a child born on `date_of_birth`,
    /// as of `now`. Returns it cleaned; the stamps (`*_by`, `*_at` but `raised_at`) are the
    /// caller's to set, and whatever the device sent in them is dropped here.
    pub fn check(
        &self,
        before: Option<&UrgentFlag>,
        date_of_birth: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<UrgentFlag, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut flag = self.clone();
        flag.action = self.action.clone().map(|mut action| {
            action.steps.sort();
            action.steps.dedup();
            action.note = collapse_spaces(&action.note);
            action
        });
        flag.ended = self.ended.clone().map(|mut ending| {
            ending.note = collapse_spaces(&ending.note);
            ending
        });
        flag.voided_reason = self
            .voided_reason
            .as_deref()
            .map(collapse_spaces)
            .filter(|reason| !reason.is_empty());
        match before {
            Some(before) => {
                // What is stored stays: each step is set once, never rewritten or taken back.
                let fixed = [
                    ("child_id", self.child_id != before.child_id),
                    ("instrument_id", self.instrument_id != before.instrument_id),
                    ("level", self.level != before.level),
                    ("raised_at", self.raised_at != before.raised_at),
                    (
                        "screening_id",
                        before.screening_id.is_some() && flag.screening_id != before.screening_id,
                    ),
                    (
                        "action",
                        before.action.is_some() && flag.action != before.action,
                    ),
                    (
                        "ended",
                        before.ended.is_some() && flag.ended != before.ended,
                    ),
                    (
                        "voided_reason",
                        before.voided_reason.is_some()
                            && flag.voided_reason != before.voided_reason,
                    ),
                ];
                for (field, changed) in fixed {
                    if changed {
                        errors.add(field, Problem::Immutable);
                    }
                }
                if before.voided_reason.is_some() && !errors.is_empty() {
                    return Err(errors);
                }
            }
            None => {
                let day = crate::lang::vietnam_day(self.raised_at);
                if self.raised_at > now || day < date_of_birth {
                    errors.add("raised_at", Problem::DateOutOfRange);
                }
                if crate::instrument::find(&self.instrument_id).is_none() {
                    errors.add("instrument_id", Problem::UnknownReference);
                }
            }
        }
        if let Some(action) = &flag.action {
            if action.steps.is_empty() || action.note.is_empty() {
                errors.add("action", Problem::SafetyActionRequired);
            }
        }
        if let Some(ending) = &flag.ended {
            if flag.action.is_none() {
                errors.add("action", Problem::SafetyActionRequired);
            }
            match crate::validate::note(&ending.note) {
                Ok(Some(_)) => {}
                Ok(None) => errors.add("ended.note", Problem::Required),
                Err(problem) => errors.add("ended.note", problem),
            }
            match (ending.how, ending.referral_id) {
                (FlagEnd::ReferralCompleted, None) => {
                    errors.add("ended.referral_id", Problem::Required)
                }
                (FlagEnd::SafetyPlan, Some(_)) => {
                    errors.add("ended.referral_id", Problem::UnknownField)
                }
                _ => {}
            }
        }
        if self.voided_reason.is_some() && flag.voided_reason.is_none() {
            errors.add("voided_reason", Problem::Required);
        }
        if let Some(Err(problem)) = flag.voided_reason.as_deref().map(crate::validate::note) {
            errors.add("voided_reason", problem);
        }
        if let Some(Err(problem)) = flag.action.as_ref().map(|a| crate::validate::note(&a.note)) {
            errors.add("action", problem);
        }
        errors.into_result().map(|()| flag)
    }
}

/// A child's flag that stands now, as pages show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub level: FlagLevel,
    pub since: NaiveDate,
    /// The flag record; `None` for a flagged screening stored before flags were records.
    pub flag_id: Option<Uuid>,
    pub screening_id: Option<Uuid>,
    pub awaiting_action: bool,
}

/// The flag that stands for one child among its flags and screenings (each with its record id):
/// the most urgent open one, a flag still awaiting its action before one acted on, then the
/// newest. A flag whose screening was voided no longer stands. A flagged screening that no flag
/// names (stored before flags were records) stands until it is voided or a flag ends it.
pub fn standing(
    flags: &[(Uuid, UrgentFlag)],
    screenings: &[(Uuid, crate::screening::Screening)],
) -> Option<Standing> {
    let voided = |id: Option<Uuid>| {
        id.is_some_and(|id| {
            screenings
                .iter()
                .any(|(sid, s)| *sid == id && s.is_voided())
        })
    };
    let named = |id: Uuid| flags.iter().any(|(_, f)| f.screening_id == Some(id));
    let from_flags = flags
        .iter()
        .filter(|(_, f)| f.is_open() && !voided(f.screening_id))
        .map(|(id, f)| Standing {
            level: f.level,
            since: f.raised_on(),
            flag_id: Some(*id),
            screening_id: f.screening_id,
            awaiting_action: f.action.is_none(),
        });
    let from_screenings = screenings
        .iter()
        .filter(|(id, s)| !s.is_voided() && !named(*id))
        .filter_map(|(id, s)| {
            s.result.urgency().map(|level| Standing {
                level,
                since: s.screened_on,
                flag_id: None,
                screening_id: Some(*id),
                awaiting_action: s.safety_action.is_none(),
            })
        });
    from_flags.chain(from_screenings).min_by_key(|s| {
        (
            s.level,
            !s.awaiting_action,
            std::cmp::Reverse(s.since),
            std::cmp::Reverse(s.flag_id),
        )
    })
}

#[cfg(test)]
mod tests;
