//! A mental, neurological or intellectual condition known of a child (record type
//! `health_condition`, *tình trạng sức khỏe tâm thần*): a clinician's feedback on a referral or
//! a diagnosis the family or a doctor gave, noted by the facility's staff with who and when. The
//! plans count the children with such conditions and the autistic children each unit knows of;
//! the record stays with the facility that keeps the child (never in a referral packet, never
//! in an aggregate view but as a count).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::care::{date_in_life, AboutChild};
use crate::lang::Lang;
use crate::validate::{note, FieldErrors};

coded! {
    /// The kind of condition, as the plans count them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum ConditionKind {
        /// A mental disorder (depression, anxiety…).
        Mental = "mental",
        /// A neurological one (epilepsy…).
        Neurological = "neurological",
        /// An intellectual disability.
        Intellectual = "intellectual",
        /// Autism (rối loạn phổ tự kỷ), counted apart by the plans.
        Autism = "autism",
    }
}

impl ConditionKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ConditionKind::Mental, Lang::Vi) => "Rối loạn tâm thần",
            (ConditionKind::Mental, Lang::En) => "Mental disorder",
            (ConditionKind::Neurological, Lang::Vi) => "Bệnh thần kinh",
            (ConditionKind::Neurological, Lang::En) => "Neurological condition",
            (ConditionKind::Intellectual, Lang::Vi) => "Khuyết tật trí tuệ",
            (ConditionKind::Intellectual, Lang::En) => "Intellectual disability",
            (ConditionKind::Autism, Lang::Vi) => "Rối loạn phổ tự kỷ",
            (ConditionKind::Autism, Lang::En) => "Autism",
        }
    }
}

coded! {
    /// Where the knowledge comes from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum ConditionSource {
        /// The clinician's feedback on a referral.
        ClinicianFeedback = "clinician_feedback",
        /// A diagnosis the family or a doctor gave before.
        KnownDiagnosis = "known_diagnosis",
    }
}

impl ConditionSource {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ConditionSource::ClinicianFeedback, Lang::Vi) => "Phản hồi của bác sĩ",
            (ConditionSource::ClinicianFeedback, Lang::En) => "Clinician's feedback",
            (ConditionSource::KnownDiagnosis, Lang::Vi) => "Chẩn đoán đã có",
            (ConditionSource::KnownDiagnosis, Lang::En) => "Known diagnosis",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthCondition {
    pub child_id: Uuid,
    pub kind: ConditionKind,
    pub source: ConditionSource,
    /// The day it became known.
    pub noted_on: NaiveDate,
    /// Who noted it (as the user wrote it; the change log also keeps the account).
    pub noted_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_reason: Option<String>,
}

impl HealthCondition {
    pub fn is_voided(&self) -> bool {
        self.voided_reason.is_some()
    }
}

impl AboutChild for HealthCondition {
    fn child_id(&self) -> Uuid {
        self.child_id
    }

    fn check(
        &self,
        date_of_birth: NaiveDate,
        today: NaiveDate,
    ) -> Result<HealthCondition, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut clean = self.clone();
        date_in_life(&mut errors, "noted_on", self.noted_on, date_of_birth, today);
        clean.noted_by = errors
            .check("noted_by", crate::validate::name(&self.noted_by))
            .unwrap_or_default();
        let mut optional = |field, value: &Option<String>| {
            errors
                .check(field, note(value.as_deref().unwrap_or_default()))
                .flatten()
        };
        clean.note = optional("note", &self.note);
        clean.voided_reason = optional("voided_reason", &self.voided_reason);
        errors.into_result().map(|()| clean)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::validate::Problem;

    #[test]
    fn a_condition_is_checked_against_the_childs_life_and_cleaned() {
        let today = crate::lang::vietnam_day(chrono::Utc::now());
        let born = today - Duration::days(12 * 365);
        let condition = HealthCondition {
            child_id: Uuid::now_v7(),
            kind: ConditionKind::Autism,
            source: ConditionSource::KnownDiagnosis,
            noted_on: today - Duration::days(10),
            noted_by: "  Hoàng   Thị Mai ".into(),
            note: Some("  Bệnh viện Nhi   Trung ương ".into()),
            voided_reason: Some(" ".into()),
        };
        let clean = condition.check(born, today).unwrap();
        assert_eq!(clean.noted_by, "Hoàng Thị Mai");
        assert_eq!(clean.note.as_deref(), Some("Bệnh viện Nhi Trung ương"));
        assert_eq!(clean.voided_reason, None);
        let mut later = condition.clone();
        later.noted_on = today + Duration::days(1);
        later.noted_by = String::new();
        let errors = later.check(born, today).unwrap_err();
        assert_eq!(errors.get("noted_on"), Some(&Problem::DateOutOfRange));
        assert!(errors.get("noted_by").is_some());
        let mut before_birth = condition;
        before_birth.noted_on = born - Duration::days(1);
        assert!(before_birth.check(born, today).is_err());
    }
}
