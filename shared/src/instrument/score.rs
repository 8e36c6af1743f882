//! The scoring engine: (definition, answers) → result. Pure and deterministic, so the server can
//! recompute a result from the answers and compare it with what the device showed.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{FlagLevel, Instrument, Missing};
use crate::lang::Lang;

/// Longest free-text follow-up answer, in characters.
pub const TEXT_MAX: usize = 1_000;

/// What was answered. Blank items are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// Item id → the chosen option's value.
    #[serde(default)]
    pub values: BTreeMap<String, i32>,
    /// Item id → free text (follow-ups such as ASQ "how and when").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<String, String>,
    /// The person screened declined to answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declined: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreValue {
    pub value: i32,
    /// `None` when the score has no cut-off.
    pub positive: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaisedFlag {
    pub level: FlagLevel,
    pub id: String,
}

/// A screening's result. Flags are raised even when too many blanks leave it unscored: a
/// critical answer matters however the rest of the form was filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningResult {
    /// Scored (enough answers, or a declined screening the instrument gives a meaning to).
    pub valid: bool,
    /// Asked, scored items left blank.
    pub missing: usize,
    pub scores: BTreeMap<String, ScoreValue>,
    pub band: Option<String>,
    pub positive: bool,
    /// Most urgent first; one per flag id.
    pub flags: Vec<RaisedFlag>,
}

impl ScreeningResult {
    /// The most urgent flag raised, if any.
    pub fn urgency(&self) -> Option<FlagLevel> {
        self.flags.iter().map(|flag| flag.level).min()
    }
}

/// Scores answers with a definition. Answers should first pass [`check_answers`]; anything else
/// in them (unknown items, hidden items) is ignored here.
pub fn score(instrument: &Instrument, answers: &Answers) -> ScreeningResult {
    let asked = asked_items(instrument, &answers.values);
    let values: BTreeMap<String, i32> = answers
        .values
        .iter()
        .filter(|(id, _)| asked.contains(&id.as_str()))
        .map(|(id, value)| (id.clone(), *value))
        .collect();
    let scored: Vec<&str> = instrument
        .scored_items()
        .into_iter()
        .filter(|id| asked.contains(id))
        .collect();
    let missing = scored
        .iter()
        .filter(|id| !values.contains_key(**id))
        .count();
    let mut flags = raise(instrument, &values, &BTreeMap::new());

    if answers.declined {
        return match &instrument.declined {
            Some(declined) => {
                flags.extend(declined.flags.iter().cloned());
                ScreeningResult {
                    valid: true,
                    missing,
                    scores: BTreeMap::new(),
                    band: Some(declined.band.clone()),
                    positive: declined.positive,
                    flags: most_urgent(flags),
                }
            }
            None => unscored(missing, flags),
        };
    }
    let valid = match instrument.missing {
        Missing::Zero { invalid_at } | Missing::Prorate { invalid_at } => missing < invalid_at,
        Missing::RequireAll => missing == 0,
    };
    if !valid {
        return unscored(missing, flags);
    }

    let mut totals = BTreeMap::new();
    let mut scores = BTreeMap::new();
    for definition in &instrument.scores {
        let items: Vec<&String> = definition
            .items
            .iter()
            .filter(|id| asked.contains(&id.as_str()))
            .collect();
        let answered: Vec<i32> = items
            .iter()
            .filter_map(|id| values.get(*id).copied())
            .collect();
        let sum: i32 = answered.iter().sum();
        let value = match instrument.missing {
            Missing::Prorate { .. } if !answered.is_empty() && answered.len() < items.len() => {
                prorate(sum, items.len(), answered.len())
            }
            _ => sum,
        };
        totals.insert(definition.id.clone(), value);
        scores.insert(
            definition.id.clone(),
            ScoreValue {
                value,
                positive: definition.positive_at.map(|cut| value >= cut),
            },
        );
    }
    flags.extend(raise(instrument, &values, &totals));
    let band_value = instrument
        .band_score
        .as_ref()
        .and_then(|id| totals.get(id).copied());
    let band = instrument
        .bands
        .iter()
        .find(|band| {
            let in_range = match band_value {
                Some(v) => {
                    band.min.is_none_or(|min| v >= min) && band.max.is_none_or(|max| v <= max)
                }
                None => band.min.is_none() && band.max.is_none(),
            };
            in_range
                && band
                    .when
                    .as_ref()
                    .is_none_or(|when| when.holds(&values, &totals))
        })
        .map(|band| band.id.clone());
    ScreeningResult {
        valid: true,
        missing,
        scores,
        band,
        positive: instrument.positive.holds(&values, &totals),
        flags: most_urgent(flags),
    }
}

/// The flags the answers given so far raise: the form calls this after every answer, so an
/// acute answer opens the urgent panel before the form is finished.
pub fn flags_so_far(instrument: &Instrument, values: &BTreeMap<String, i32>) -> Vec<RaisedFlag> {
    most_urgent(raise(instrument, values, &BTreeMap::new()))
}

/// Items asked given the answers: those without a condition, and those whose condition holds.
pub fn asked_items<'a>(instrument: &'a Instrument, values: &BTreeMap<String, i32>) -> Vec<&'a str> {
    instrument
        .items
        .iter()
        .filter(|item| {
            item.show_if
                .as_ref()
                .is_none_or(|c| c.holds(values, &BTreeMap::new()))
        })
        .map(|item| item.id.as_str())
        .collect()
}

fn raise(
    instrument: &Instrument,
    values: &BTreeMap<String, i32>,
    totals: &BTreeMap<String, i32>,
) -> Vec<RaisedFlag> {
    instrument
        .flags
        .iter()
        .filter(|rule| rule.when.holds(values, totals))
        .map(|rule| RaisedFlag {
            level: rule.level,
            id: rule.id.clone(),
        })
        .collect()
}

/// One flag per id, the most urgent, most urgent first.
fn most_urgent(mut flags: Vec<RaisedFlag>) -> Vec<RaisedFlag> {
    flags.sort();
    let mut kept: Vec<RaisedFlag> = Vec::new();
    for flag in flags {
        if !kept.iter().any(|k| k.id == flag.id) {
            kept.push(flag);
        }
    }
    kept
}

fn unscored(missing: usize, flags: Vec<RaisedFlag>) -> ScreeningResult {
    ScreeningResult {
        valid: false,
        missing,
        scores: BTreeMap::new(),
        band: None,
        positive: false,
        flags: most_urgent(flags),
    }
}

/// `sum × items / answered`, rounded half up (PHQ-A: round(sum × 9 / answered)).
fn prorate(sum: i32, items: usize, answered: usize) -> i32 {
    let (items, answered) = (items as i64, answered as i64);
    ((2 * i64::from(sum) * items + answered) / (2 * answered)) as i32
}

/// Whole months from birth to the screening date (`None` before birth).
pub fn age_in_months(date_of_birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < date_of_birth {
        return None;
    }
    let mut months =
        (on.year() - date_of_birth.year()) * 12 + on.month() as i32 - date_of_birth.month() as i32;
    if on.day() < date_of_birth.day() {
        months -= 1;
    }
    u32::try_from(months).ok()
}

/// Why answers do not fit a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerProblem {
    UnknownItem(String),
    NotAnOption { item: String, value: i32 },
    NotAsked(String),
    TextForChoice(String),
    TextTooLong(String),
}

impl AnswerProblem {
    pub fn item(&self) -> &str {
        match self {
            AnswerProblem::UnknownItem(item)
            | AnswerProblem::NotAsked(item)
            | AnswerProblem::TextForChoice(item)
            | AnswerProblem::TextTooLong(item)
            | AnswerProblem::NotAnOption { item, .. } => item,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            AnswerProblem::UnknownItem(_) if vi => "Câu hỏi không có trong bộ công cụ này.".into(),
            AnswerProblem::UnknownItem(_) => "This question is not part of the instrument.".into(),
            AnswerProblem::NotAnOption { value, .. } if vi => {
                format!("Giá trị {value} không phải một lựa chọn của câu hỏi này.")
            }
            AnswerProblem::NotAnOption { value, .. } => {
                format!("{value} is not one of this question's options.")
            }
            AnswerProblem::NotAsked(_) if vi => {
                "Câu hỏi này chỉ được hỏi khi có câu trả lời \"có\" trước đó.".into()
            }
            AnswerProblem::NotAsked(_) => {
                "This question is asked only after an earlier \"yes\".".into()
            }
            AnswerProblem::TextForChoice(_) if vi => "Câu hỏi này cần chọn một đáp án.".into(),
            AnswerProblem::TextForChoice(_) => "This question takes one of its options.".into(),
            AnswerProblem::TextTooLong(_) if vi => {
                format!("Ghi chú dài quá {TEXT_MAX} ký tự.")
            }
            AnswerProblem::TextTooLong(_) => {
                format!("The note is longer than {TEXT_MAX} characters.")
            }
        }
    }
}

/// Checks that every answer belongs to an asked item and is one of its options.
pub fn check_answers(instrument: &Instrument, answers: &Answers) -> Result<(), Vec<AnswerProblem>> {
    let asked = asked_items(instrument, &answers.values);
    let mut problems = Vec::new();
    for (id, value) in &answers.values {
        let Some(item) = instrument.item(id) else {
            problems.push(AnswerProblem::UnknownItem(id.clone()));
            continue;
        };
        match instrument.options(item) {
            None => problems.push(AnswerProblem::TextForChoice(id.clone())),
            Some(set) if !set.options.iter().any(|o| o.value == *value) => {
                problems.push(AnswerProblem::NotAnOption {
                    item: id.clone(),
                    value: *value,
                })
            }
            Some(_) if !asked.contains(&id.as_str()) => {
                problems.push(AnswerProblem::NotAsked(id.clone()))
            }
            Some(_) => {}
        }
    }
    for (id, text) in &answers.texts {
        match instrument.item(id) {
            None => problems.push(AnswerProblem::UnknownItem(id.clone())),
            Some(item) if item.options.is_some() => {
                problems.push(AnswerProblem::TextForChoice(id.clone()))
            }
            Some(_) if !asked.contains(&id.as_str()) => {
                problems.push(AnswerProblem::NotAsked(id.clone()))
            }
            Some(_) if text.chars().count() > TEXT_MAX => {
                problems.push(AnswerProblem::TextTooLong(id.clone()))
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
