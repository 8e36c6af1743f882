//! A screening as a record (record type `screening`): which instrument and version, who answered,
//! the answers, the result the device showed, and, when a critical answer raised a flag, the
//! action taken (domain.md §6). The server re-checks all of it with the same engine.
//!
//! A submitted screening is never edited: the only later change is voiding it with a reason.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::consent::{Consent, Purpose};
use crate::instrument::{
    age_in_months, check_answers, find_version, score, Answers, Informant, ScreeningResult,
};
use crate::sync::Fields;
use crate::validate::{collapse_spaces, FieldErrors, Problem};

coded! {
    /// One step of the safety pathway's checklist.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum SafetyStep {
        /// The child was not left alone.
        StayedWithChild = "stayed_with_child",
        /// Dangerous objects were removed.
        RemovedMeans = "removed_means",
        ContactedGuardian = "contacted_guardian",
        /// A brief safety assessment was done (or arranged for today).
        SafetyAssessment = "safety_assessment",
        /// Transferred for an emergency mental-health evaluation.
        EmergencyReferral = "emergency_referral",
        UrgentReferral = "urgent_referral",
        /// The help list and hotline 111 were given.
        GaveHotline = "gave_hotline",
    }
}

/// What was done about an urgent flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyAction {
    pub steps: Vec<SafetyStep>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screening {
    pub child_id: Uuid,
    pub instrument_id: String,
    pub instrument_version: String,
    pub informant: Informant,
    pub screened_on: NaiveDate,
    pub answers: Answers,
    pub result: ScreeningResult,
    /// Why an instrument not meant for the child's age was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_age_reason: Option<String>,
    /// The emergency that allowed screening without a valid consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_override: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_action: Option<SafetyAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_reason: Option<String>,
}

fn clean(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(collapse_spaces)
        .filter(|t| !t.is_empty())
}

impl Screening {
    pub fn to_fields(&self) -> Fields {
        crate::sync::to_fields(self)
    }

    pub fn from_fields(fields: &Fields) -> Option<Screening> {
        crate::sync::from_fields(fields)
    }

    pub fn is_voided(&self) -> bool {
        self.voided_reason.is_some()
    }

    /// Checks a screening as submitted (`before` is the stored one when this is a later change
    /// to it): for a child born on `date_of_birth`, with the child's consents, as of `today`.
    pub fn check(
        &self,
        before: Option<&Screening>,
        date_of_birth: NaiveDate,
        consents: &[Consent],
        today: NaiveDate,
    ) -> Result<Screening, FieldErrors> {
        let mut errors = FieldErrors::default();
        if let Some(before) = before {
            // Only voiding, once, with a reason.
            let voided = clean(&self.voided_reason);
            let unchanged = Screening {
                voided_reason: before.voided_reason.clone(),
                ..self.clone()
            };
            if unchanged != *before || (before.is_voided() && voided != before.voided_reason) {
                errors.add("screening", Problem::Immutable);
            } else if voided.is_none() && self.voided_reason.is_some() {
                errors.add("voided_reason", Problem::Required);
            }
            return errors.into_result().map(|()| Screening {
                voided_reason: voided,
                ..before.clone()
            });
        }
        let mut screening = self.clone();
        screening.outside_age_reason = clean(&self.outside_age_reason);
        screening.consent_override = clean(&self.consent_override);
        screening.voided_reason = clean(&self.voided_reason);
        let Some(instrument) = find_version(&self.instrument_id, &self.instrument_version) else {
            errors.add("instrument_id", Problem::UnknownReference);
            return Err(errors);
        };
        if self.screened_on > today || self.screened_on < date_of_birth {
            errors.add("screened_on", Problem::DateOutOfRange);
        }
        if !instrument.informants.contains(&self.informant) {
            errors.add("informant", Problem::InformantNotAllowed);
        }
        let months = age_in_months(date_of_birth, self.screened_on).unwrap_or(0);
        if !instrument.age.contains(months) && screening.outside_age_reason.is_none() {
            errors.add("outside_age_reason", Problem::OutsideAgeRange);
        }
        match check_answers(instrument, &self.answers) {
            Err(problems) => errors.add("answers", Problem::Answer(problems[0].clone())),
            Ok(()) if score(instrument, &self.answers) != self.result => {
                errors.add("result", Problem::ResultMismatch)
            }
            Ok(()) => {}
        }
        let consented = consents
            .iter()
            .any(|c| c.covers(Purpose::Screening, self.screened_on, date_of_birth));
        if !consented && screening.consent_override.is_none() {
            errors.add("consent", Problem::NoConsent);
        }
        if self.result.urgency().is_some() {
            let acted = self
                .safety_action
                .as_ref()
                .is_some_and(|action| !action.steps.is_empty() && !action.note.trim().is_empty());
            if !acted {
                errors.add("safety_action", Problem::SafetyActionRequired);
            }
        }
        if let Some(action) = &mut screening.safety_action {
            action.steps.sort();
            action.steps.dedup();
            action.note = action.note.trim().to_string();
        }
        errors.into_result().map(|()| screening)
    }
}
