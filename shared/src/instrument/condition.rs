//! The small expression language of definitions: conditions over answers and scores.
//!
//! In JSON: `{"item": {"id": "phqa_9", "at_least": 1}}`, `{"score": {"id": "total", "at_least":
//! 11}}`, `{"any": [...]}`, `{"all": [...]}`, `{"not": ...}`, `{"answered": "asq_5"}`. An item that
//! is blank, or a score that could not be computed, satisfies no `at_least`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    Item { id: String, at_least: i32 },
    Score { id: String, at_least: i32 },
    Answered(String),
    Any(Vec<Condition>),
    All(Vec<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    /// Whether the condition holds for these answers and the scores computed so far.
    pub fn holds(&self, answers: &BTreeMap<String, i32>, scores: &BTreeMap<String, i32>) -> bool {
        match self {
            Condition::Item { id, at_least } => answers.get(id).is_some_and(|v| v >= at_least),
            Condition::Score { id, at_least } => scores.get(id).is_some_and(|v| v >= at_least),
            Condition::Answered(id) => answers.contains_key(id),
            Condition::Any(all) => all.iter().any(|c| c.holds(answers, scores)),
            Condition::All(all) => all.iter().all(|c| c.holds(answers, scores)),
            Condition::Not(inner) => !inner.holds(answers, scores),
        }
    }

    /// Every item id and score id the condition names, for checking a definition.
    pub fn names(&self, items: &mut Vec<String>, scores: &mut Vec<String>) {
        match self {
            Condition::Item { id, .. } | Condition::Answered(id) => items.push(id.clone()),
            Condition::Score { id, .. } => scores.push(id.clone()),
            Condition::Any(all) | Condition::All(all) => {
                for c in all {
                    c.names(items, scores);
                }
            }
            Condition::Not(inner) => inner.names(items, scores),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, i32)]) -> BTreeMap<String, i32> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn conditions_read_from_json_and_hold_as_written() {
        let c: Condition = serde_json::from_str(
            r#"{"any": [{"item": {"id": "q1", "at_least": 1}},
                        {"all": [{"score": {"id": "total", "at_least": 5}}, {"not": {"answered": "q2"}}]}]}"#,
        )
        .unwrap();
        let none = BTreeMap::new();
        assert!(c.holds(&answers(&[("q1", 1)]), &none));
        assert!(!c.holds(&answers(&[("q1", 0)]), &none));
        let total5 = answers(&[("total", 5)]);
        assert!(c.holds(&answers(&[]), &total5));
        assert!(!c.holds(&answers(&[("q2", 0)]), &total5));
        assert!(!c.holds(&answers(&[]), &answers(&[("total", 4)])));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(
            serde_json::from_str::<Condition>(r#"{"item": {"id": "q", "atleast": 1}}"#).is_err()
        );
        assert!(serde_json::from_str::<Condition>(r#"{"maybe": []}"#).is_err());
    }
}
