//! The shape every synced value must have, whatever its record type: checked on the whole change
//! before it is merged, so that nothing the server keeps (a stored field or a conflict's
//! proposed value) is oversized, hidden-character text or nested without end.
//!
//! The record's own rules (`Child::check`, `Screening::check`, …) then judge the meaning; this
//! module only bounds what any field may be.

use serde_json::Value;

use crate::sync::Fields;
use crate::validate::{is_hidden_character, Problem, NOTE_MAX};

/// The deepest nesting of objects and arrays in one field (a screening's answers are two).
pub const DEPTH_MAX: usize = 6;
/// The most fields one change may set, and the most entries an object or array may hold.
pub const ENTRIES_MAX: usize = 200;
/// The largest record a change may produce, in bytes of JSON.
pub const RECORD_BYTES_MAX: usize = 64 * 1024;

/// Problems of a change's `set`, by field name (`answers.phqa_9`, `screening_ids[2]`).
pub fn check_set(set: &Fields) -> Vec<(String, Problem)> {
    let mut problems = Vec::new();
    if set.len() > ENTRIES_MAX {
        problems.push(("set".to_string(), Problem::TooLong { max: ENTRIES_MAX }));
        return problems;
    }
    for (field, value) in set {
        if let Some(problem) = check_value(value, 0, field, &mut problems) {
            problems.push((field.clone(), problem));
        }
    }
    problems
}

/// Whether a record's fields fit [`RECORD_BYTES_MAX`].
pub fn record_fits(fields: &Fields) -> bool {
    serde_json::to_string(fields).is_ok_and(|json| json.len() <= RECORD_BYTES_MAX)
}

fn check_value(
    value: &Value,
    depth: usize,
    path: &str,
    problems: &mut Vec<(String, Problem)>,
) -> Option<Problem> {
    match value {
        Value::String(text) => check_text(text),
        Value::Array(items) => {
            if depth >= DEPTH_MAX {
                return Some(Problem::Malformed);
            }
            if items.len() > ENTRIES_MAX {
                return Some(Problem::TooLong { max: ENTRIES_MAX });
            }
            for (i, item) in items.iter().enumerate() {
                let inner = format!("{path}[{i}]");
                if let Some(problem) = check_value(item, depth + 1, &inner, problems) {
                    problems.push((inner, problem));
                }
            }
            None
        }
        Value::Object(map) => {
            if depth >= DEPTH_MAX {
                return Some(Problem::Malformed);
            }
            if map.len() > ENTRIES_MAX {
                return Some(Problem::TooLong { max: ENTRIES_MAX });
            }
            for (key, item) in map {
                let inner = format!("{path}.{key}");
                if let Some(problem) = check_text(key) {
                    problems.push((inner.clone(), problem));
                } else if let Some(problem) = check_value(item, depth + 1, &inner, problems) {
                    problems.push((inner, problem));
                }
            }
            None
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

fn check_text(text: &str) -> Option<Problem> {
    if text.chars().any(is_hidden_character) {
        Some(Problem::HiddenCharacters)
    } else if text.chars().count() > NOTE_MAX {
        Some(Problem::TooLong { max: NOTE_MAX })
    } else {
        None
    }
}

/// Fields of `set` that the record as checked does not have: unknown to its type. A field set
/// to an empty value (null, false, "", [], {}) that the record leaves out is not unknown: it is
/// the record's default.
pub fn unknown_fields(set: &Fields, checked: &Fields) -> Vec<String> {
    let empty = |value: &Value| match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) => false,
    };
    set.iter()
        .filter(|(field, value)| !checked.contains_key(*field) && !empty(value))
        .map(|(field, _)| field.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(value: Value) -> Fields {
        value.as_object().unwrap().clone().into_iter().collect()
    }

    #[test]
    fn oversized_hidden_and_deep_values_are_named() {
        let problems = check_set(&set(json!({
            "full_name": "Lan",
            "note": "x".repeat(300_000),
            "safety_action": {"note": "gọi\u{202E}điện", "steps": ["a"]},
            "deep": [[[[[[["too deep"]]]]]]],
        })));
        let named = |field: &str| {
            problems
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, p)| p.clone())
        };
        assert_eq!(named("note"), Some(Problem::TooLong { max: NOTE_MAX }));
        assert_eq!(named("safety_action.note"), Some(Problem::HiddenCharacters));
        assert!(problems
            .iter()
            .any(|(f, p)| f.starts_with("deep") && *p == Problem::Malformed));
        assert!(named("full_name").is_none());
        assert!(check_set(&set(json!({"answers": {"phqa_1": 2}, "n": 3, "ok": true}))).is_empty());
    }

    #[test]
    fn unknown_fields_are_those_the_record_drops() {
        let sent = set(json!({"full_name": "Lan", "is_admin": true, "voided_reason": null}));
        let checked = set(json!({"full_name": "Lan"}));
        assert_eq!(
            unknown_fields(&sent, &checked),
            vec!["is_admin".to_string()]
        );
    }

    #[test]
    fn records_have_a_size_bound() {
        assert!(record_fits(&set(json!({"a": "b"}))));
        let big: Fields = (0..100)
            .map(|i| (format!("f{i}"), json!("x".repeat(1000))))
            .collect();
        assert!(!record_fits(&big));
    }
}
