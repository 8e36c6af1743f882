//! The child registry record (hồ sơ trẻ em) and its rules, shared by the form and the server.
//!
//! A child travels through sync as a map of fields (see [`crate::sync`]); [`Child`] is its typed
//! view. [`ChildDraft`] is what a form holds (text as typed); [`ChildDraft::parse`] turns it into a
//! [`Child`] or problems per field, and [`Child::check`] re-runs the same rules on a typed record
//! (the server does, after merging a change).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lang::{parse_date, Lang};
use crate::personal_id::{self, PersonalIdProblem};
use crate::text::fold;
use crate::validate::{self, FieldErrors, Problem};
use crate::{ethnicity, sync::Fields};

coded! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Sex {
        Male = "male",
        Female = "female",
    }
}

impl Sex {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Sex::Male, Lang::Vi) => "Nam",
            (Sex::Male, Lang::En) => "Male",
            (Sex::Female, Lang::Vi) => "Nữ",
            (Sex::Female, Lang::En) => "Female",
        }
    }
}

coded! {
    /// Who the guardian is to the child.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum GuardianRelation {
        Mother = "mother",
        Father = "father",
        Grandparent = "grandparent",
        Sibling = "sibling",
        OtherRelative = "other_relative",
        LegalGuardian = "legal_guardian",
        /// A carer at a social-assistance facility, or anyone else.
        Other = "other",
    }
}

impl GuardianRelation {
    pub fn label(self, lang: Lang) -> &'static str {
        use GuardianRelation as G;
        match (self, lang) {
            (G::Mother, Lang::Vi) => "Mẹ",
            (G::Mother, Lang::En) => "Mother",
            (G::Father, Lang::Vi) => "Bố",
            (G::Father, Lang::En) => "Father",
            (G::Grandparent, Lang::Vi) => "Ông/bà",
            (G::Grandparent, Lang::En) => "Grandparent",
            (G::Sibling, Lang::Vi) => "Anh/chị",
            (G::Sibling, Lang::En) => "Sibling",
            (G::OtherRelative, Lang::Vi) => "Người thân khác",
            (G::OtherRelative, Lang::En) => "Other relative",
            (G::LegalGuardian, Lang::Vi) => "Người giám hộ hợp pháp",
            (G::LegalGuardian, Lang::En) => "Legal guardian",
            (G::Other, Lang::Vi) => "Khác",
            (G::Other, Lang::En) => "Other",
        }
    }
}

/// A registered child, as stored and synced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Child {
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: Sex,
    /// A slug from [`ethnicity::ETHNIC_GROUPS`].
    pub ethnicity: String,
    /// The commune or ward where the child lives.
    pub commune_id: Uuid,
    /// Class at school (e.g. "7A"), for pupils.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school_class: Option<String>,
    pub guardian_name: String,
    pub guardian_relation: GuardianRelation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_phone: Option<String>,
    /// The 12-digit personal identification number, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_id: Option<String>,
    /// The pupil's code in the school's records (education database), from a class list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pupil_code: Option<String>,
    /// The address as first given when it named a commune from before the 2025 reform
    /// ("Xã Quang Trung, Huyện Trùng Khánh"), kept for history; `commune_id` is today's commune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former_address: Option<String>,
    /// Set when the record was entered by mistake; records are voided, never deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_reason: Option<String>,
    /// The day the child was registered: set by the server when it first stores the record (the
    /// device's day, bounded; see ARCHITECTURE.md), never changed after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_on: Option<NaiveDate>,
    /// Set by the server: another facility of the province registered a child with the same
    /// personal id (where and who are not told). The child is counted once in the indicators.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub registered_elsewhere: bool,
}

impl Child {
    /// The record as sync fields.
    pub fn to_fields(&self) -> Fields {
        crate::sync::to_fields(self)
    }

    /// The typed view of synced fields; `None` when they do not form a child record.
    pub fn from_fields(fields: &Fields) -> Option<Child> {
        crate::sync::from_fields(fields)
    }

    /// The rules, on a typed record, as of `today` (age is checked against it).
    pub fn check(&self, today: NaiveDate) -> Result<Child, FieldErrors> {
        ChildDraft::from_child(self).parse(today)
    }

    pub fn is_voided(&self) -> bool {
        self.voided_reason.is_some()
    }

    /// Age in whole years on a date.
    pub fn age_on(&self, date: NaiveDate) -> i32 {
        age(self.date_of_birth, date)
    }

    /// The name as search and duplicate detection compare it.
    pub fn folded_name(&self) -> String {
        fold(&self.full_name)
    }
}

/// Whole years from birth to a date.
pub fn age(date_of_birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - date_of_birth.year();
    if (on.month(), on.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    years
}

/// A child as a form holds it: text as typed, codes as chosen (empty = not chosen).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChildDraft {
    pub full_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub ethnicity: String,
    pub commune_id: String,
    pub school_class: String,
    pub guardian_name: String,
    pub guardian_relation: String,
    pub guardian_phone: String,
    pub personal_id: String,
    /// Kept as given (a class list's pupil code; the form does not edit it).
    pub pupil_code: String,
    /// Kept as given (the old address an import mapped; the form does not edit it).
    pub former_address: String,
}

impl ChildDraft {
    pub fn from_child(child: &Child) -> ChildDraft {
        ChildDraft {
            full_name: child.full_name.clone(),
            date_of_birth: crate::lang::format_date(child.date_of_birth),
            sex: child.sex.code().into(),
            ethnicity: child.ethnicity.clone(),
            commune_id: child.commune_id.to_string(),
            school_class: child.school_class.clone().unwrap_or_default(),
            guardian_name: child.guardian_name.clone(),
            guardian_relation: child.guardian_relation.code().into(),
            guardian_phone: child.guardian_phone.clone().unwrap_or_default(),
            personal_id: child.personal_id.clone().unwrap_or_default(),
            pupil_code: child.pupil_code.clone().unwrap_or_default(),
            former_address: child.former_address.clone().unwrap_or_default(),
        }
    }

    /// Applies every rule; the problems are keyed by the record's field names.
    pub fn parse(&self, today: NaiveDate) -> Result<Child, FieldErrors> {
        let mut errors = FieldErrors::default();
        let full_name = errors.check("full_name", validate::name(&self.full_name));
        let date_of_birth = match parse_date(&self.date_of_birth) {
            None if self.date_of_birth.trim().is_empty() => {
                errors.check("date_of_birth", Err(Problem::Required))
            }
            None => errors.check("date_of_birth", Err(Problem::DateFormat)),
            Some(date) if date > today || age(date, today) >= 18 => {
                errors.check("date_of_birth", Err(Problem::NotAChild))
            }
            Some(date) => Some(date),
        };
        let sex = Sex::ALL.into_iter().find(|s| s.code() == self.sex);
        if sex.is_none() {
            errors.add("sex", Problem::Required);
        }
        let ethnicity = match self.ethnicity.as_str() {
            "" => errors.check("ethnicity", Err(Problem::Required)),
            slug if ethnicity::name(slug).is_some() => Some(slug.to_string()),
            _ => errors.check("ethnicity", Err(Problem::UnknownReference)),
        };
        let commune_id = match self.commune_id.as_str() {
            "" => errors.check("commune_id", Err(Problem::Required)),
            text => errors.check(
                "commune_id",
                Uuid::parse_str(text).map_err(|_| Problem::UnknownReference),
            ),
        };
        let school_class = errors
            .check(
                "school_class",
                validate::optional_text(&self.school_class, 20),
            )
            .flatten();
        let pupil_code = errors
            .check("pupil_code", validate::optional_text(&self.pupil_code, 30))
            .flatten();
        let former_address = errors
            .check(
                "former_address",
                validate::optional_text(&self.former_address, 200),
            )
            .flatten();
        let guardian_name = errors.check("guardian_name", validate::name(&self.guardian_name));
        let guardian_relation = GuardianRelation::ALL
            .into_iter()
            .find(|r| r.code() == self.guardian_relation);
        if guardian_relation.is_none() {
            errors.add("guardian_relation", Problem::Required);
        }
        let guardian_phone = errors
            .check(
                "guardian_phone",
                validate::optional_phone(&self.guardian_phone),
            )
            .flatten();
        let personal_id = match (self.personal_id.trim(), sex, date_of_birth) {
            ("", _, _) => None,
            (value, Some(sex), Some(date_of_birth)) => {
                match personal_id::check(value, sex, date_of_birth) {
                    Ok(number) => Some(number),
                    Err(PersonalIdProblem::Format) => {
                        errors.check("personal_id", Err(Problem::PersonalIdFormat))
                    }
                    Err(PersonalIdProblem::Mismatch) => {
                        errors.check("personal_id", Err(Problem::PersonalIdMismatch))
                    }
                }
            }
            // Without a valid sex and date of birth the number cannot be checked yet.
            _ => None,
        };
        errors.into_result()?;
        match (
            full_name,
            date_of_birth,
            sex,
            ethnicity,
            commune_id,
            guardian_name,
            guardian_relation,
        ) {
            (
                Some(full_name),
                Some(date_of_birth),
                Some(sex),
                Some(ethnicity),
                Some(commune_id),
                Some(guardian_name),
                Some(guardian_relation),
            ) => Ok(Child {
                full_name,
                date_of_birth,
                sex,
                ethnicity,
                commune_id,
                school_class,
                guardian_name,
                guardian_relation,
                guardian_phone,
                personal_id,
                pupil_code,
                former_address,
                voided_reason: None,
                registered_on: None,
                registered_elsewhere: false,
            }),
            _ => Err(FieldErrors::default()),
        }
    }
}

/// Likely duplicates of a child among others: same folded name and date of birth, not voided,
/// not the same record. Returned as the ids of the others.
pub fn likely_duplicates<'a>(
    id: Uuid,
    child: &Child,
    others: impl IntoIterator<Item = (Uuid, &'a Child)>,
) -> Vec<Uuid> {
    let name = child.folded_name();
    others
        .into_iter()
        .filter(|(other_id, other)| {
            *other_id != id
                && !other.is_voided()
                && other.date_of_birth == child.date_of_birth
                && other.folded_name() == name
        })
        .map(|(other_id, _)| other_id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    pub fn draft() -> ChildDraft {
        ChildDraft {
            full_name: "  Nguyễn  Văn An ".into(),
            date_of_birth: "07/03/2012".into(),
            sex: "male".into(),
            ethnicity: "tay".into(),
            commune_id: Uuid::nil().to_string(),
            school_class: "8A".into(),
            guardian_name: "Nguyễn Thị Bình".into(),
            guardian_relation: "mother".into(),
            guardian_phone: "0912 345 678".into(),
            personal_id: "020212345678".into(),
            ..ChildDraft::default()
        }
    }

    #[test]
    fn a_complete_draft_parses_and_normalises() {
        let child = draft().parse(today()).unwrap();
        assert_eq!(child.full_name, "Nguyễn Văn An");
        assert_eq!(
            child.date_of_birth,
            NaiveDate::from_ymd_opt(2012, 3, 7).unwrap()
        );
        assert_eq!(child.guardian_phone.as_deref(), Some("0912345678"));
        assert_eq!(child.age_on(today()), 14);
        // The typed record checks the same way, and survives the trip through sync fields.
        assert_eq!(child.check(today()), Ok(child.clone()));
        assert_eq!(Child::from_fields(&child.to_fields()), Some(child));
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut bad = draft();
        bad.full_name = " ".into();
        bad.date_of_birth = "31/02/2012".into();
        bad.ethnicity = "viet".into();
        bad.guardian_relation = String::new();
        bad.guardian_phone = "123".into();
        let errors = bad.parse(today()).unwrap_err();
        assert_eq!(errors.get("full_name"), Some(&Problem::Required));
        assert_eq!(errors.get("date_of_birth"), Some(&Problem::DateFormat));
        assert_eq!(errors.get("ethnicity"), Some(&Problem::UnknownReference));
        assert_eq!(errors.get("guardian_relation"), Some(&Problem::Required));
        assert_eq!(errors.get("guardian_phone"), Some(&Problem::PhoneFormat));
    }

    #[test]
    fn ages_and_personal_ids() {
        let mut adult = draft();
        adult.date_of_birth = "22/11/2008".into();
        assert_eq!(
            adult.parse(today()).unwrap_err().get("date_of_birth"),
            Some(&Problem::NotAChild)
        );
        let mut almost_adult = draft();
        almost_adult.date_of_birth = "23/11/2008".into();
        almost_adult.personal_id = String::new();
        assert!(
            almost_adult.parse(today()).is_ok(),
            "17 years and 364 days is still a child"
        );
        let mut unborn = draft();
        unborn.date_of_birth = "01/01/2027".into();
        assert_eq!(
            unborn.parse(today()).unwrap_err().get("date_of_birth"),
            Some(&Problem::NotAChild)
        );
        let mut girl_with_boys_number = draft();
        girl_with_boys_number.sex = "female".into();
        assert_eq!(
            girl_with_boys_number
                .parse(today())
                .unwrap_err()
                .get("personal_id"),
            Some(&Problem::PersonalIdMismatch)
        );
    }

    #[test]
    fn duplicates_are_same_folded_name_and_birth_date() {
        let child = draft().parse(today()).unwrap();
        let same = Child {
            full_name: "NGUYEN VAN AN".into(),
            ..child.clone()
        };
        let other_day = Child {
            date_of_birth: NaiveDate::from_ymd_opt(2012, 3, 8).unwrap(),
            ..child.clone()
        };
        let voided = Child {
            voided_reason: Some("nhập trùng".into()),
            ..child.clone()
        };
        let (a, b, c, d) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let others = [(a, &child), (b, &same), (c, &other_day), (d, &voided)];
        assert_eq!(likely_duplicates(a, &child, others), vec![b]);
    }
}
