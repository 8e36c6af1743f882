//! Screening instruments as data: the definition format, the built-in catalogue and one scoring
//! engine, used by the browser (to show a result at once) and by the server (to recompute every
//! submitted result and refuse one that differs).
//!
//! A definition is a JSON file in `shared/instruments/`, built into the crate; adding an
//! instrument or a new version of one is a new file, not new code. The format:
//! - `items`: stable ids, Vietnamese and English text, an option set (or none for a free-text
//!   follow-up) and an optional `show_if` condition (ASQ question 5 only after a "yes");
//! - `scores`: named sums of item ids (total, subscales), each with an optional cut-off;
//! - `missing`: how blanks count (as 0, prorated, or not allowed) and when the screening becomes
//!   invalid (not scored);
//! - `bands`: what a result means and what to do next, chosen by a score range or a condition;
//! - `positive`: when the screen is positive; `flags`: the critical-answer rules and the level of
//!   the safety pathway each raises (acute or non-acute);
//! - age range, informants, licence and attribution, which values are unverified, and the status
//!   of the Vietnamese translation (every Vietnamese text of a definition carries it).
//!
//! Conditions are a small expression language ([`Condition`]) over item answers and scores.

mod catalogue;
mod condition;
mod score;

pub use catalogue::{catalogue, check_definition, find, find_version, suggest};
pub use condition::Condition;
pub use score::{
    age_in_months, asked_items, check_answers, flags_so_far, score, AnswerProblem, Answers,
    RaisedFlag, ScoreValue, ScreeningResult,
};

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Text {
    pub vi: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

coded! {
    /// Who answers the questions.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Informant {
        /// A parent or guardian.
        Parent = "parent",
        /// The child or adolescent.
        Child = "child",
        Teacher = "teacher",
    }
}

/// Ages the instrument is meant for, in whole months on the screening date, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgeRange {
    pub min_months: u32,
    pub max_months: u32,
}

impl AgeRange {
    pub fn contains(self, months: u32) -> bool {
        (self.min_months..=self.max_months).contains(&months)
    }
}

/// One response option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Choice {
    pub value: i32,
    pub label: Text,
}

/// A named list of response options, shared by the items that use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionSet {
    pub id: String,
    pub options: Vec<Choice>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub id: String,
    pub text: Text,
    /// The option set's id; `None` for a free-text follow-up (stored, never scored).
    #[serde(default)]
    pub options: Option<String>,
    /// Asked only when this holds (evaluated on the answers so far).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub show_if: Option<Condition>,
}

/// A named sum of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    pub id: String,
    pub label: Text,
    pub items: Vec<String>,
    /// The score is positive at or above this value.
    #[serde(default)]
    pub positive_at: Option<i32>,
}

/// How blank answers count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Missing {
    /// A blank counts as 0; at `invalid_at` blanks or more the screening is not scored.
    Zero { invalid_at: usize },
    /// Each score is scaled up from its answered items (rounded); invalid at `invalid_at` blanks.
    Prorate { invalid_at: usize },
    /// Every asked item must be answered.
    RequireAll,
}

/// What a result means. Bands are tried in order; the first whose range contains the band score
/// and whose condition holds is the result's band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Band {
    pub id: String,
    #[serde(default)]
    pub min: Option<i32>,
    #[serde(default)]
    pub max: Option<i32>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub when: Option<Condition>,
    pub label: Text,
    pub meaning: Text,
    pub next_step: Text,
}

/// The safety pathway's levels (domain.md §6), most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FlagLevel {
    /// Imminent risk: do not leave the child alone; emergency referral.
    Acute,
    /// Same-day safety assessment; urgent referral suggested.
    NonAcute,
}

/// A critical-answer rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagRule {
    /// What is flagged (for example `suicide_risk`).
    pub id: String,
    pub level: FlagLevel,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub when: Condition,
}

/// What a screening the young person declined to answer means, for instruments that say so
/// (ASQ: a refusal is a non-acute positive). Other instruments are not scored when declined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Declined {
    pub band: String,
    pub positive: bool,
    #[serde(default)]
    pub flags: Vec<RaisedFlag>,
}

/// A value kept configurable because `instruments.md` marks it unverified [U].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unverified {
    /// Where in the definition (for example `positive`).
    pub value: String,
    pub note: String,
}

/// A screening instrument, one version of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub id: String,
    pub version: String,
    /// The instrument's frozen number in the indicator fact tables: chosen once, never reused,
    /// the same for every version of one instrument (a new instrument takes the next free one).
    pub fact_code: u8,
    /// Where the instrument is offered among the others (lower first: by age, then the suicide
    /// screen); instruments without it come last, in file-name order.
    #[serde(default = "offered_last")]
    pub offered: u32,
    pub name: Text,
    /// What the instrument looks for, in a line.
    pub purpose: Text,
    pub age: AgeRange,
    /// Who may answer; the first is the usual informant.
    pub informants: Vec<Informant>,
    /// Asked by staff apart from the parent (ASQ).
    #[serde(default)]
    pub asked_privately: bool,
    /// The instruction read before the items (time frame).
    pub instructions: Text,
    pub option_sets: Vec<OptionSet>,
    pub items: Vec<Item>,
    pub scores: Vec<Score>,
    pub missing: Missing,
    /// The score whose value chooses a band by range (none when bands go by condition only).
    #[serde(default)]
    pub band_score: Option<String>,
    pub bands: Vec<Band>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub positive: Condition,
    #[serde(default)]
    pub flags: Vec<FlagRule>,
    #[serde(default)]
    pub declined: Option<Declined>,
    pub licence: Text,
    pub attribution: Text,
    /// `pending_validation` until a validated Vietnamese version is supplied; it applies to every
    /// Vietnamese text of this definition.
    pub vi_translation: String,
    #[serde(default)]
    pub unverified: Vec<Unverified>,
    /// LOINC codes, where the instrument has verified ones (instruments.md): the exchanges
    /// (FHIR) code the panel, the scores and the items with them, and use our own code system
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loinc: Option<Loinc>,
}

/// An instrument's LOINC codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Loinc {
    /// The panel (the whole questionnaire).
    pub panel: String,
    /// Score id → code (for example `total` → the total score's code).
    #[serde(default)]
    pub scores: std::collections::BTreeMap<String, String>,
    /// Item id → code; items without a verified code are left out.
    #[serde(default)]
    pub items: std::collections::BTreeMap<String, String>,
}

impl Instrument {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    pub fn options(&self, item: &Item) -> Option<&OptionSet> {
        let set = item.options.as_deref()?;
        self.option_sets.iter().find(|s| s.id == set)
    }

    pub fn band(&self, id: &str) -> Option<&Band> {
        self.bands.iter().find(|band| band.id == id)
    }

    /// Items whose answers are sensitive (self-harm and suicide): those a flag rule reads, and the
    /// follow-ups asked because of them. Item-level answers to these reach clinical roles only.
    pub fn sensitive_items(&self) -> Vec<&str> {
        let mut names = Vec::new();
        for rule in &self.flags {
            rule.when.names(&mut names, &mut Vec::new());
        }
        let mut sensitive: Vec<&str> = Vec::new();
        for item in &self.items {
            let follows = item.show_if.as_ref().is_some_and(|condition| {
                let mut asked_after = Vec::new();
                condition.names(&mut asked_after, &mut Vec::new());
                asked_after.iter().any(|id| names.contains(id))
            });
            if names.contains(&item.id) || follows {
                sensitive.push(&item.id);
            }
        }
        sensitive
    }

    /// Items that count in some score.
    pub fn scored_items(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for score in &self.scores {
            for id in &score.items {
                if !ids.contains(&id.as_str()) {
                    ids.push(id);
                }
            }
        }
        ids
    }
}

fn offered_last() -> u32 {
    u32::MAX
}
