//! Consent to process a child's data (domain.md §4): Decree 13/2023/NĐ-CP art. 20 and Law
//! 91/2025/QH15 need a parent or guardian's consent and, from age 7, the child's own. A consent is
//! a record of its own (record type `consent`), linked to the child; it names its purposes, how it
//! was recorded, and may later be withdrawn (a withdrawal date is set, nothing is deleted).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::child::{age, GuardianRelation};
use crate::sync::Fields;
use crate::validate::{collapse_spaces, FieldErrors, Problem};

/// From this age (in whole years on the consent date) the child's own consent is needed.
pub const CHILD_CONSENT_AGE: i32 = 7;

coded! {
    /// What the data may be used for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum Purpose {
        Screening = "screening",
        /// Sharing with health stations and hospitals (referrals).
        ShareHealth = "share_health",
        /// Sharing with social-assistance and child-protection services.
        ShareSocial = "share_social",
    }
}

/// How the consent was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// A signed paper form, kept on file.
    SignedForm,
    /// Given verbally, with a witness.
    VerbalWitnessed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consent {
    pub child_id: Uuid,
    pub guardian_name: String,
    pub guardian_relation: GuardianRelation,
    /// The child's own agreement; required from age 7.
    #[serde(default)]
    pub child_agreed: bool,
    pub given_on: NaiveDate,
    pub purposes: Vec<Purpose>,
    pub method: ConsentMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_on: Option<NaiveDate>,
}

impl Consent {
    pub fn to_fields(&self) -> Fields {
        crate::sync::to_fields(self)
    }

    pub fn from_fields(fields: &Fields) -> Option<Consent> {
        crate::sync::from_fields(fields)
    }

    /// Whether the consent covers `purpose` on `date` for a child born on `date_of_birth`.
    pub fn covers(&self, purpose: Purpose, date: NaiveDate, date_of_birth: NaiveDate) -> bool {
        self.purposes.contains(&purpose)
            && self.given_on <= date
            && self.withdrawn_on.is_none_or(|withdrawn| date < withdrawn)
            && (self.child_agreed || age(date_of_birth, date) < CHILD_CONSENT_AGE)
    }

    /// The rules, as of `today`, for a child born on `date_of_birth`. Returns the consent cleaned.
    pub fn check(
        &self,
        date_of_birth: NaiveDate,
        today: NaiveDate,
    ) -> Result<Consent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut clean = self.clone();
        clean.guardian_name = collapse_spaces(&self.guardian_name);
        if clean.guardian_name.is_empty() {
            errors.add("guardian_name", Problem::Required);
        } else if clean.guardian_name.chars().count() > 100 {
            errors.add("guardian_name", Problem::TooLong { max: 100 });
        }
        if self.given_on > today || self.given_on < date_of_birth {
            errors.add("given_on", Problem::DateOutOfRange);
        }
        if let Some(withdrawn) = self.withdrawn_on {
            if withdrawn > today || withdrawn < self.given_on {
                errors.add("withdrawn_on", Problem::DateOutOfRange);
            }
        }
        clean.purposes.sort();
        clean.purposes.dedup();
        if clean.purposes.is_empty() {
            errors.add("purposes", Problem::Required);
        }
        if age(date_of_birth, self.given_on) >= CHILD_CONSENT_AGE && !self.child_agreed {
            errors.add("child_agreed", Problem::ChildConsentRequired);
        }
        clean.witness = errors
            .check(
                "witness",
                crate::validate::optional_name(self.witness.as_deref().unwrap_or("")),
            )
            .flatten();
        if self.method == ConsentMethod::VerbalWitnessed && clean.witness.is_none() {
            errors.add("witness", Problem::WitnessRequired);
        }
        errors.into_result().map(|()| clean)
    }
}

impl crate::care::AboutChild for Consent {
    fn child_id(&self) -> Uuid {
        self.child_id
    }

    fn check(&self, date_of_birth: NaiveDate, today: NaiveDate) -> Result<Consent, FieldErrors> {
        Consent::check(self, date_of_birth, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn consent() -> Consent {
        Consent {
            child_id: Uuid::nil(),
            guardian_name: "  Hoàng   Thị Mai ".into(),
            guardian_relation: GuardianRelation::Mother,
            child_agreed: true,
            given_on: day(2026, 9, 5),
            purposes: vec![Purpose::Screening, Purpose::ShareHealth, Purpose::Screening],
            method: ConsentMethod::SignedForm,
            witness: None,
            withdrawn_on: None,
        }
    }

    #[test]
    fn a_sound_consent_is_cleaned_and_covers_its_purposes_until_withdrawn() {
        let born = day(2012, 3, 1);
        let clean = consent().check(born, day(2026, 11, 22)).unwrap();
        assert_eq!(clean.guardian_name, "Hoàng Thị Mai");
        assert_eq!(clean.purposes, [Purpose::Screening, Purpose::ShareHealth]);
        assert!(clean.covers(Purpose::Screening, day(2026, 9, 5), born));
        assert!(!clean.covers(Purpose::Screening, day(2026, 9, 4), born));
        assert!(!clean.covers(Purpose::ShareSocial, day(2026, 10, 1), born));
        let withdrawn = Consent {
            withdrawn_on: Some(day(2026, 10, 1)),
            ..clean
        };
        assert!(withdrawn.covers(Purpose::Screening, day(2026, 9, 30), born));
        assert!(!withdrawn.covers(Purpose::Screening, day(2026, 10, 1), born));
    }

    #[test]
    fn from_seven_the_child_must_agree_too() {
        let refused = Consent {
            child_agreed: false,
            ..consent()
        };
        // Seven on the consent date.
        let errors = refused
            .check(day(2019, 9, 5), day(2026, 11, 22))
            .unwrap_err();
        assert_eq!(
            errors.get("child_agreed"),
            Some(&Problem::ChildConsentRequired)
        );
        // Six: the guardian's consent is enough, until the child turns seven.
        let born = day(2019, 9, 6);
        let ok = refused.check(born, day(2026, 11, 22)).unwrap();
        assert!(ok.covers(Purpose::Screening, day(2026, 9, 5), born));
        assert!(!ok.covers(Purpose::Screening, day(2026, 9, 6), born));
    }

    #[test]
    fn verbal_needs_a_witness_and_dates_must_make_sense() {
        let verbal = Consent {
            method: ConsentMethod::VerbalWitnessed,
            witness: Some("  ".into()),
            given_on: day(2027, 1, 1),
            purposes: vec![],
            guardian_name: " ".into(),
            ..consent()
        };
        let errors = verbal
            .check(day(2012, 3, 1), day(2026, 11, 22))
            .unwrap_err();
        assert_eq!(errors.get("witness"), Some(&Problem::WitnessRequired));
        assert_eq!(errors.get("given_on"), Some(&Problem::DateOutOfRange));
        assert_eq!(errors.get("purposes"), Some(&Problem::Required));
        assert_eq!(errors.get("guardian_name"), Some(&Problem::Required));
    }
}
