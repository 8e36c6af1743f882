//! What happens around screening, each a record of its own linked to the child:
//! - a counselling or support session (record type `session`): counts as "reached services" for
//!   indicator I1;
//! - a special circumstance (record type `circumstance`, domain.md §7): a code from the Law on
//!   Children's list ([`CIRCUMSTANCES`]), with start and end dates; for orphans, which parents and
//!   the cause (COVID-19 included);
//! - a care arrangement (record type `care_arrangement`): kinship care, a non-relative family,
//!   adoption, a social-assistance facility, or none yet, from a date; the newest is the current
//!   one and the older ones are its history (indicator I2).
//!
//! All three are checked by [`AboutChild::check`] against the child's date of birth and today.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lang::Lang;
use crate::sync::Fields;
use crate::validate::{FieldErrors, Problem};

/// Longest free-text note on these records.
pub const NOTE_MAX: usize = 1_000;

/// A record about one child, checked the same way in the form and on the server.
pub trait AboutChild: Sized + Serialize + DeserializeOwned + Clone {
    fn child_id(&self) -> Uuid;
    /// The rules, for a child born on `date_of_birth`, as of `today`; the record cleaned.
    fn check(&self, date_of_birth: NaiveDate, today: NaiveDate) -> Result<Self, FieldErrors>;

    fn to_fields(&self) -> Fields {
        crate::sync::to_fields(self)
    }

    fn from_fields(fields: &Fields) -> Option<Self> {
        crate::sync::from_fields(fields)
    }
}

/// A day in the child's life: not before birth, not after today.
pub(crate) fn date_in_life(
    errors: &mut FieldErrors,
    field: &'static str,
    date: NaiveDate,
    born: NaiveDate,
    today: NaiveDate,
) {
    if date > today || date < born {
        errors.add(field, Problem::DateOutOfRange);
    }
}

fn clean_note(
    errors: &mut FieldErrors,
    field: &'static str,
    note: &Option<String>,
) -> Option<String> {
    let note = note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
        errors.add(field, Problem::TooLong { max: NOTE_MAX });
    }
    note
}

coded! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum SessionKind {
        Individual = "individual",
        Group = "group",
        /// Guidance for the parents or guardian.
        ParentGuidance = "parent_guidance",
        /// A call to hotline 111 (the national child-protection line) about the child: recorded
        /// instead of a digital referral, which the hotline does not receive.
        Hotline111Call = "hotline111_call",
    }
}

impl SessionKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (SessionKind::Individual, Lang::Vi) => "Tư vấn cá nhân",
            (SessionKind::Individual, Lang::En) => "Individual",
            (SessionKind::Group, Lang::Vi) => "Sinh hoạt nhóm",
            (SessionKind::Group, Lang::En) => "Group",
            (SessionKind::ParentGuidance, Lang::Vi) => "Hướng dẫn cha mẹ",
            (SessionKind::ParentGuidance, Lang::En) => "Parent guidance",
            (SessionKind::Hotline111Call, Lang::Vi) => "Gọi Tổng đài 111",
            (SessionKind::Hotline111Call, Lang::En) => "Call to hotline 111",
        }
    }
}

/// A counselling or support session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub child_id: Uuid,
    pub held_on: NaiveDate,
    pub kind: SessionKind,
    /// Who held it (as the user wrote it; the change log also keeps the account).
    pub held_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_reason: Option<String>,
}

impl AboutChild for Session {
    fn child_id(&self) -> Uuid {
        self.child_id
    }

    fn check(&self, date_of_birth: NaiveDate, today: NaiveDate) -> Result<Session, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut clean = self.clone();
        date_in_life(&mut errors, "held_on", self.held_on, date_of_birth, today);
        clean.held_by = errors
            .check("held_by", crate::validate::name(&self.held_by))
            .unwrap_or_default();
        clean.note = clean_note(&mut errors, "note", &self.note);
        if self.follow_up_on.is_some_and(|d| d < self.held_on) {
            errors.add("follow_up_on", Problem::DateOutOfRange);
        }
        clean.voided_reason = clean_note(&mut errors, "voided_reason", &self.voided_reason);
        errors.into_result().map(|()| clean)
    }
}

/// One entry of the configurable list of special circumstances (Law on Children 2016, art. 10,
/// and the at-risk groups the programme names).
pub struct CircumstanceCode {
    pub code: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
}

pub const ORPHAN: &str = "orphan";

/// The list, in the law's order. Codes are stable; labels may be reworded.
pub const CIRCUMSTANCES: [CircumstanceCode; 16] = [
    CircumstanceCode {
        code: ORPHAN,
        vi: "Mồ côi cha, mẹ hoặc cả cha và mẹ",
        en: "Orphan (one or both parents)",
    },
    CircumstanceCode {
        code: "abandoned",
        vi: "Bị bỏ rơi",
        en: "Abandoned",
    },
    CircumstanceCode {
        code: "no_family_care",
        vi: "Không nơi nương tựa",
        en: "Without family care",
    },
    CircumstanceCode {
        code: "disability",
        vi: "Khuyết tật",
        en: "With a disability",
    },
    CircumstanceCode {
        code: "hiv",
        vi: "Bị ảnh hưởng bởi HIV/AIDS",
        en: "Affected by HIV/AIDS",
    },
    CircumstanceCode {
        code: "law_violation",
        vi: "Vi phạm pháp luật",
        en: "In conflict with the law",
    },
    CircumstanceCode {
        code: "drug_use",
        vi: "Nghiện ma túy",
        en: "Using drugs",
    },
    CircumstanceCode {
        code: "out_of_school_work",
        vi: "Phải bỏ học kiếm sống",
        en: "Left school to earn a living",
    },
    CircumstanceCode {
        code: "violence",
        vi: "Bị tổn hại nghiêm trọng do bạo lực",
        en: "Seriously harmed by violence",
    },
    CircumstanceCode {
        code: "exploitation",
        vi: "Bị bóc lột",
        en: "Exploited",
    },
    CircumstanceCode {
        code: "sexual_abuse",
        vi: "Bị xâm hại tình dục",
        en: "Sexually abused",
    },
    CircumstanceCode {
        code: "trafficking",
        vi: "Bị mua bán",
        en: "Trafficked",
    },
    CircumstanceCode {
        code: "serious_illness",
        vi: "Mắc bệnh hiểm nghèo hoặc điều trị dài ngày (hộ nghèo, cận nghèo)",
        en: "Serious or long-term illness (poor household)",
    },
    CircumstanceCode {
        code: "migrant",
        vi: "Di cư, lánh nạn chưa xác định được cha mẹ",
        en: "Migrant or refugee, parents unknown",
    },
    CircumstanceCode {
        code: "poor_household",
        vi: "Hộ nghèo, cận nghèo (nhóm nguy cơ)",
        en: "Poor or near-poor household (at risk)",
    },
    CircumstanceCode {
        code: "other",
        vi: "Hoàn cảnh đặc biệt khác",
        en: "Other special circumstance",
    },
];

pub fn circumstance_label(code: &str, lang: Lang) -> &'static str {
    CIRCUMSTANCES
        .iter()
        .find(|c| c.code == code)
        .map_or("", |c| if lang == Lang::Vi { c.vi } else { c.en })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParentsLost {
    One,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossCause {
    Covid19,
    Other,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Circumstance {
    pub child_id: Uuid,
    pub code: String,
    pub since: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// Orphans only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents_lost: Option<ParentsLost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<LossCause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Circumstance {
    pub fn is_current(&self, on: NaiveDate) -> bool {
        crate::indicators::in_force(self.since, self.until, on)
    }
}

impl AboutChild for Circumstance {
    fn child_id(&self) -> Uuid {
        self.child_id
    }

    fn check(
        &self,
        date_of_birth: NaiveDate,
        today: NaiveDate,
    ) -> Result<Circumstance, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut clean = self.clone();
        if !CIRCUMSTANCES.iter().any(|c| c.code == self.code) {
            errors.add("code", Problem::UnknownReference);
        }
        date_in_life(&mut errors, "since", self.since, date_of_birth, today);
        if self.until.is_some_and(|until| until < self.since) {
            errors.add("until", Problem::DateOutOfRange);
        }
        if self.code == ORPHAN {
            if self.parents_lost.is_none() {
                errors.add("parents_lost", Problem::Required);
            }
            clean.cause = Some(self.cause.unwrap_or(LossCause::Unknown));
        } else {
            clean.parents_lost = None;
            clean.cause = None;
        }
        clean.note = clean_note(&mut errors, "note", &self.note);
        errors.into_result().map(|()| clean)
    }
}

coded! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum CareKind {
        Kinship = "kinship",
        NonRelativeFamily = "non_relative_family",
        Adoption = "adoption",
        SocialAssistanceFacility = "social_assistance_facility",
        NoneYet = "none_yet",
    }
}

impl CareKind {
    /// Alternative care, as indicator I2 counts it (100% of orphans must be in it).
    pub fn is_alternative_care(self) -> bool {
        self != CareKind::NoneYet
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (CareKind::Kinship, Lang::Vi) => "Người thân chăm sóc",
            (CareKind::Kinship, Lang::En) => "Kinship care",
            (CareKind::NonRelativeFamily, Lang::Vi) => "Gia đình không phải người thân",
            (CareKind::NonRelativeFamily, Lang::En) => "Non-relative family",
            (CareKind::Adoption, Lang::Vi) => "Nhận con nuôi",
            (CareKind::Adoption, Lang::En) => "Adoption",
            (CareKind::SocialAssistanceFacility, Lang::Vi) => "Cơ sở trợ giúp xã hội",
            (CareKind::SocialAssistanceFacility, Lang::En) => "Social-assistance facility",
            (CareKind::NoneYet, Lang::Vi) => "Chưa được chăm sóc thay thế",
            (CareKind::NoneYet, Lang::En) => "None yet",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CareArrangement {
    pub child_id: Uuid,
    pub kind: CareKind,
    pub since: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl AboutChild for CareArrangement {
    fn child_id(&self) -> Uuid {
        self.child_id
    }

    fn check(
        &self,
        date_of_birth: NaiveDate,
        today: NaiveDate,
    ) -> Result<CareArrangement, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut clean = self.clone();
        date_in_life(&mut errors, "since", self.since, date_of_birth, today);
        clean.note = clean_note(&mut errors, "note", &self.note);
        errors.into_result().map(|()| clean)
    }
}

/// The arrangement in force on a date: the newest that started by then.
pub fn current_care(arrangements: &[CareArrangement], on: NaiveDate) -> Option<&CareArrangement> {
    arrangements
        .iter()
        .filter(|a| a.since <= on)
        .max_by_key(|a| a.since)
}

#[cfg(test)]
mod tests {

    #[test]
    fn care_kind_codes_are_their_serde_names() {
        for kind in CareKind::ALL {
            assert_eq!(CareKind::from_code(kind.code()), Some(kind));
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.code())
            );
        }
    }

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const BORN: (i32, u32, u32) = (2015, 6, 1);
    const TODAY: (i32, u32, u32) = (2026, 11, 22);

    fn born() -> NaiveDate {
        day(BORN.0, BORN.1, BORN.2)
    }

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn a_session_needs_a_date_in_the_childs_life_and_who_held_it() {
        let session = Session {
            child_id: Uuid::nil(),
            held_on: day(2026, 11, 20),
            kind: SessionKind::Individual,
            held_by: "  Hoàng  Thị Mai ".into(),
            note: Some("  ".into()),
            follow_up_on: Some(day(2026, 12, 4)),
            voided_reason: None,
        };
        let clean = session.check(born(), today()).unwrap();
        assert_eq!(clean.held_by, "Hoàng Thị Mai");
        assert_eq!(clean.note, None);
        let bad = Session {
            held_on: day(2026, 11, 23),
            held_by: String::new(),
            follow_up_on: Some(day(2026, 11, 1)),
            note: Some("x".repeat(NOTE_MAX + 1)),
            ..session
        };
        let errors = bad.check(born(), today()).unwrap_err();
        for field in ["held_on", "held_by", "follow_up_on", "note"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn circumstances_use_the_list_and_orphans_say_which_parents() {
        let orphan = Circumstance {
            child_id: Uuid::nil(),
            code: ORPHAN.into(),
            since: day(2021, 8, 1),
            until: None,
            parents_lost: None,
            cause: Some(LossCause::Covid19),
            note: None,
        };
        assert_eq!(
            orphan
                .check(born(), today())
                .unwrap_err()
                .get("parents_lost"),
            Some(&Problem::Required)
        );
        let both = Circumstance {
            parents_lost: Some(ParentsLost::Both),
            ..orphan.clone()
        };
        assert_eq!(
            both.check(born(), today()).unwrap().cause,
            Some(LossCause::Covid19)
        );
        let unknown = Circumstance {
            code: "dragons".into(),
            until: Some(day(2020, 1, 1)),
            ..both.clone()
        };
        let errors = unknown.check(born(), today()).unwrap_err();
        assert!(errors.get("code").is_some() && errors.get("until").is_some());
        let disability = Circumstance {
            code: "disability".into(),
            ..both
        };
        let clean = disability.check(born(), today()).unwrap();
        assert_eq!((clean.parents_lost, clean.cause), (None, None));
        assert!(clean.is_current(today()));
        assert!(!clean.is_current(day(2021, 7, 31)));
    }

    #[test]
    fn the_current_care_arrangement_is_the_newest_started() {
        let at = |kind, since| CareArrangement {
            child_id: Uuid::nil(),
            kind,
            since,
            note: None,
        };
        let history = [
            at(CareKind::NoneYet, day(2021, 8, 1)),
            at(CareKind::Kinship, day(2021, 9, 15)),
            at(CareKind::Adoption, day(2027, 1, 1)),
        ];
        assert_eq!(
            current_care(&history, today()).map(|a| a.kind),
            Some(CareKind::Kinship)
        );
        assert_eq!(
            current_care(&history, day(2021, 8, 20)).map(|a| a.kind),
            Some(CareKind::NoneYet)
        );
        assert!(current_care(&history, day(2021, 7, 1)).is_none());
        assert!(
            !CareKind::NoneYet.is_alternative_care() && CareKind::Kinship.is_alternative_care()
        );
        assert!(history[2]
            .check(born(), today())
            .unwrap_err()
            .get("since")
            .is_some());
    }
}
