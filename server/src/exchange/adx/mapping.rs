//! The mapping from our figures to a DHIS2 instance's metadata: the data set, each figure's data
//! element and category option combo (for `dataValueSets`) or disaggregation attributes (for
//! ADX), and how an official area code becomes an org unit code. The shipped default
//! (`server/data/dhis2-mapping.json`) is replaced with `--dhis2-mapping FILE` by the province's
//! DHIS2 team; a file that does not hold together is refused when the server starts.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

/// One figure sent as one data value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Value {
    /// A figure key of `shared::indicators::figures` (`i1.numerator.sex.female`).
    pub figure: String,
    pub data_element: String,
    /// For `dataValueSets`; DHIS2's default combination when absent.
    #[serde(default)]
    pub category_option_combo: Option<String>,
    /// For ADX: category code → option code (`{"SEX": "F"}`).
    #[serde(default)]
    pub disaggregation: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub data_set: String,
    /// Put before an official area code to make the org unit code (often empty).
    #[serde(default)]
    pub org_unit_prefix: String,
    pub values: Vec<Value>,
}

/// The figures a mapping may name: the report's (see `figures`) with breakdown keys after them.
const FIGURE_ROOTS: [&str; 16] = [
    "i5.route.",
    "i1.numerator",
    "i1.denominator",
    "i1.still_open",
    "i2.numerator",
    "i2.denominator",
    "i3.numerator",
    "i3.denominator",
    "i4.numerator",
    "i4.denominator",
    "i5.sent",
    "i5.declined.",
    "i5.feedback.",
    "i5.open_overdue",
    "instrument.",
    "i1.",
];

/// A code DHIS2 and XML both accept: letters, digits, `_` and `-`, starting with a letter.
fn is_code(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Mapping {
    /// Parses and checks a mapping: codes that DHIS2 and XML accept, known figures, and no data
    /// value named twice.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let mapping: Mapping =
            serde_json::from_str(text).map_err(|e| format!("not a mapping file: {e}"))?;
        if !is_code(&mapping.data_set) {
            return Err(format!("data_set \"{}\" is not a code", mapping.data_set));
        }
        if !mapping.org_unit_prefix.is_empty() && !is_code(&mapping.org_unit_prefix) {
            return Err("org_unit_prefix must be a code or empty".into());
        }
        if mapping.values.is_empty() {
            return Err("values: the mapping sends nothing".into());
        }
        let mut seen = std::collections::HashSet::new();
        for (index, value) in mapping.values.iter().enumerate() {
            let at = format!("values[{index}]");
            if !FIGURE_ROOTS
                .iter()
                .any(|root| value.figure.starts_with(root))
            {
                return Err(format!("{at}: unknown figure \"{}\"", value.figure));
            }
            let codes = std::iter::once(&value.data_element)
                .chain(value.category_option_combo.iter())
                .chain(value.disaggregation.keys())
                .chain(value.disaggregation.values());
            for code in codes {
                if !is_code(code) {
                    return Err(format!("{at}: \"{code}\" is not a code"));
                }
            }
            for reserved in ["dataElement", "value", "orgUnit", "period", "dataSet"] {
                if value.disaggregation.contains_key(reserved) {
                    return Err(format!("{at}: \"{reserved}\" is not a category"));
                }
            }
            if !seen.insert((value.data_element.clone(), value.disaggregation.clone())) {
                return Err(format!(
                    "{at}: {} with these categories is mapped twice",
                    value.data_element
                ));
            }
        }
        Ok(mapping)
    }

    /// The mapping file named on the command line, checked at start.
    pub fn from_file(path: &str) -> Result<Arc<Mapping>, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        Mapping::parse(&text)
            .map(Arc::new)
            .map_err(|e| format!("{path}: {e}"))
    }

    /// The shipped mapping.
    pub fn shipped() -> Arc<Mapping> {
        static SHIPPED: OnceLock<Arc<Mapping>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                Arc::new(
                    Mapping::parse(include_str!("../../../data/dhis2-mapping.json"))
                        .expect("the shipped DHIS2 mapping holds together"),
                )
            })
            .clone()
    }

    pub fn org_unit(&self, area_code: &str) -> String {
        format!("{}{area_code}", self.org_unit_prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_mapping_holds_together() {
        let mapping = Mapping::shipped();
        assert!(mapping.values.len() >= 10);
        assert_eq!(mapping.org_unit("05986"), "05986");
    }

    #[test]
    fn a_broken_mapping_is_refused_with_the_reason() {
        let base = r#"{"data_set":"DS","values":[VALUES]}"#;
        for (values, says) in [
            (
                r#"{"figure":"i9.numerator","data_element":"A"}"#,
                "unknown figure",
            ),
            (
                r#"{"figure":"i1.numerator","data_element":"has space"}"#,
                "is not a code",
            ),
            (
                r#"{"figure":"i1.numerator","data_element":"A"},{"figure":"i1.denominator","data_element":"A"}"#,
                "mapped twice",
            ),
            (
                r#"{"figure":"i1.numerator","data_element":"A","disaggregation":{"value":"X"}}"#,
                "is not a category",
            ),
        ] {
            let error = Mapping::parse(&base.replace("VALUES", values)).unwrap_err();
            assert!(error.contains(says), "{values}: {error}");
        }
        assert!(Mapping::parse("{")
            .unwrap_err()
            .contains("not a mapping file"));
    }
}
