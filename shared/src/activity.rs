//! A programme activity (record type `activity`, *hoạt động*): a training of staff, a
//! communication session for the community, or a meeting with parents, as the provincial plans
//! ask every unit to count (domain.md §7). A facility keeps its own, offline like every record;
//! the report counts them, and the people reached, for the period.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::sync::Fields;
use crate::validate::{note, text, FieldErrors, Problem};

/// The most people one activity may count (a district-wide campaign stays below it).
pub const PARTICIPANTS_MAX: u32 = 10_000;
/// The longest title.
pub const TITLE_MAX: usize = 200;

coded! {
    /// What kind of activity.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum ActivityKind {
        /// Tập huấn: a training of staff (teachers, counsellors, health and social workers).
        Training = "training",
        /// Truyền thông: a communication session for pupils or the community.
        Communication = "communication",
        /// Họp phụ huynh: a meeting with parents or caregivers on children's mental health.
        ParentMeeting = "parent_meeting",
    }
}

impl ActivityKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ActivityKind::Training, Lang::Vi) => "Tập huấn",
            (ActivityKind::Training, Lang::En) => "Training",
            (ActivityKind::Communication, Lang::Vi) => "Truyền thông",
            (ActivityKind::Communication, Lang::En) => "Communication session",
            (ActivityKind::ParentMeeting, Lang::Vi) => "Họp phụ huynh",
            (ActivityKind::ParentMeeting, Lang::En) => "Parent meeting",
        }
    }
}

coded! {
    /// Who was trained, as the plans count them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum Trainee {
        Teacher = "teacher",
        Counsellor = "counsellor",
        HealthWorker = "health_worker",
        SocialWorker = "social_worker",
        Other = "other",
    }
}

impl Trainee {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Trainee::Teacher, Lang::Vi) => "Giáo viên",
            (Trainee::Teacher, Lang::En) => "Teachers",
            (Trainee::Counsellor, Lang::Vi) => "Tư vấn tâm lý học đường",
            (Trainee::Counsellor, Lang::En) => "School counsellors",
            (Trainee::HealthWorker, Lang::Vi) => "Nhân viên y tế",
            (Trainee::HealthWorker, Lang::En) => "Health workers",
            (Trainee::SocialWorker, Lang::Vi) => "Cán bộ công tác xã hội",
            (Trainee::SocialWorker, Lang::En) => "Social workers",
            (Trainee::Other, Lang::Vi) => "Khác",
            (Trainee::Other, Lang::En) => "Others",
        }
    }
}

/// How many of one group a training reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trained {
    pub group: Trainee,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub kind: ActivityKind,
    pub held_on: NaiveDate,
    /// The topic, as the unit names it.
    pub title: String,
    /// The people who took part.
    pub participants: u32,
    /// For a training: those trained, by group (their sum is at most `participants`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trained: Vec<Trained>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_reason: Option<String>,
}

impl Activity {
    pub fn to_fields(&self) -> Fields {
        crate::sync::to_fields(self)
    }

    pub fn from_fields(fields: &Fields) -> Option<Activity> {
        crate::sync::from_fields(fields)
    }

    pub fn is_voided(&self) -> bool {
        self.voided_reason.is_some()
    }

    /// Checks an activity as of `today` (Vietnam) and returns it cleaned: the title and note
    /// trimmed, the groups trained in their order with empty ones left out.
    pub fn check(&self, today: NaiveDate) -> Result<Activity, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut clean = self.clone();
        if self.held_on > today {
            errors.add("held_on", Problem::DateInFuture);
        }
        clean.title = errors
            .check("title", text(&self.title, 1, TITLE_MAX))
            .unwrap_or_default();
        if !(1..=PARTICIPANTS_MAX).contains(&self.participants) {
            errors.add(
                "participants",
                Problem::CountRange {
                    min: 1,
                    max: PARTICIPANTS_MAX,
                },
            );
        }
        clean.trained.retain(|t| t.count > 0);
        clean.trained.sort_by_key(|t| t.group);
        let repeated = clean.trained.windows(2).any(|w| w[0].group == w[1].group);
        let trained: u64 = clean.trained.iter().map(|t| u64::from(t.count)).sum();
        if self.kind != ActivityKind::Training && !clean.trained.is_empty() {
            errors.add("trained", Problem::UnknownValue(self.kind.code().into()));
        } else if repeated || trained > u64::from(self.participants) {
            errors.add(
                "trained",
                Problem::CountRange {
                    min: 0,
                    max: self.participants,
                },
            );
        }
        let mut optional = |field, value: &Option<String>| {
            errors
                .check(field, note(value.as_deref().unwrap_or_default()))
                .flatten()
        };
        clean.note = optional("note", &self.note);
        clean.voided_reason = optional("voided_reason", &self.voided_reason);
        errors.into_result().map(|()| clean)
    }

    /// How many of a group this activity trained.
    pub fn trained_of(&self, group: Trainee) -> u32 {
        self.trained
            .iter()
            .filter(|t| t.group == group)
            .map(|t| t.count)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn today() -> NaiveDate {
        crate::lang::vietnam_day(chrono::Utc::now())
    }

    fn training() -> Activity {
        Activity {
            kind: ActivityKind::Training,
            held_on: today() - Duration::days(3),
            title: "  Sơ cứu   tâm lý ".into(),
            participants: 30,
            trained: vec![
                Trained {
                    group: Trainee::HealthWorker,
                    count: 12,
                },
                Trained {
                    group: Trainee::Teacher,
                    count: 18,
                },
                Trained {
                    group: Trainee::Other,
                    count: 0,
                },
            ],
            note: Some("   ".into()),
            voided_reason: None,
        }
    }

    #[test]
    fn a_training_is_cleaned_and_counts_its_groups() {
        let clean = training().check(today()).unwrap();
        assert_eq!(clean.title, "Sơ cứu tâm lý");
        assert_eq!(clean.note, None);
        assert_eq!(
            clean.trained.iter().map(|t| t.group).collect::<Vec<_>>(),
            vec![Trainee::Teacher, Trainee::HealthWorker],
            "in their order, the empty group left out"
        );
        assert_eq!(clean.trained_of(Trainee::Teacher), 18);
        assert_eq!(clean.trained_of(Trainee::Counsellor), 0);
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut bad = training();
        bad.held_on = today() + Duration::days(1);
        bad.title = " ".into();
        bad.participants = 0;
        let errors = bad.check(today()).unwrap_err();
        assert_eq!(errors.get("held_on"), Some(&Problem::DateInFuture));
        assert_eq!(errors.get("title"), Some(&Problem::Required));
        assert_eq!(
            errors.get("participants"),
            Some(&Problem::CountRange {
                min: 1,
                max: PARTICIPANTS_MAX
            })
        );
        let mut more = training();
        more.participants = 20;
        let errors = more.check(today()).unwrap_err();
        assert!(errors.get("trained").is_some(), "30 trained of 20 people");
        let mut meeting = training();
        meeting.kind = ActivityKind::ParentMeeting;
        let errors = meeting.check(today()).unwrap_err();
        assert!(errors.get("trained").is_some(), "only a training trains");
        meeting.trained.clear();
        assert!(meeting.check(today()).is_ok());
    }
}
