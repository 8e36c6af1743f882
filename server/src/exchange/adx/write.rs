//! Writing the figures out: ADX XML and DHIS2 `dataValueSets` JSON, from the same groups and
//! mapping. Pure, so the tests read exactly what a province would send.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shared::indicators::Figure;

use super::mapping::Mapping;

pub const ADX_NAMESPACE: &str = "urn:ihe:qrph:adx:2015";

/// One org unit's figures.
#[derive(Debug, Clone)]
pub struct Group {
    /// The official code of the province or commune.
    pub area_code: String,
    pub figures: Vec<Figure>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The mapped values of a group that have a value (hidden counts are left out).
fn mapped<'a>(
    mapping: &'a Mapping,
    group: &'a Group,
) -> impl Iterator<Item = (&'a super::mapping::Value, u32)> + 'a {
    mapping.values.iter().filter_map(move |value| {
        group
            .figures
            .iter()
            .find(|f| f.key == value.figure)
            .and_then(|f| f.value)
            .map(|n| (value, n))
    })
}

/// The ADX message and how many data values it carries.
pub fn adx_xml(
    mapping: &Mapping,
    groups: &[Group],
    period: &str,
    exported: DateTime<Utc>,
) -> (String, usize) {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<adx xmlns=\"{ADX_NAMESPACE}\" exported=\"{}\">\n",
        exported.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    ));
    let mut count = 0;
    for group in groups {
        xml.push_str(&format!(
            "  <group orgUnit=\"{}\" period=\"{}\" dataSet=\"{}\">\n",
            escape(&mapping.org_unit(&group.area_code)),
            escape(period),
            escape(&mapping.data_set)
        ));
        for (value, n) in mapped(mapping, group) {
            xml.push_str(&format!(
                "    <dataValue dataElement=\"{}\"",
                escape(&value.data_element)
            ));
            for (category, option) in &value.disaggregation {
                xml.push_str(&format!(" {}=\"{}\"", escape(category), escape(option)));
            }
            xml.push_str(&format!(" value=\"{n}\"/>\n"));
            count += 1;
        }
        xml.push_str("  </group>\n");
    }
    xml.push_str("</adx>\n");
    (xml, count)
}

/// The same figures as DHIS2's `dataValueSets` JSON (values as strings, as DHIS2 writes them).
pub fn data_value_sets(mapping: &Mapping, groups: &[Group], period: &str) -> Value {
    let mut values = Vec::new();
    for group in groups {
        for (value, n) in mapped(mapping, group) {
            let mut out = json!({
                "dataElement": value.data_element,
                "period": period,
                "orgUnit": mapping.org_unit(&group.area_code),
                "value": n.to_string(),
            });
            if let Some(combo) = &value.category_option_combo {
                out["categoryOptionCombo"] = json!(combo);
            }
            values.push(out);
        }
    }
    json!({ "dataSet": mapping.data_set, "period": period, "dataValues": values })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(code: &str, figures: &[(&str, Option<u32>)]) -> Group {
        Group {
            area_code: code.into(),
            figures: figures
                .iter()
                .map(|(key, value)| Figure {
                    key: (*key).into(),
                    value: *value,
                })
                .collect(),
        }
    }

    #[test]
    fn hidden_counts_are_left_out_and_disaggregations_become_attributes() {
        let mapping = Mapping::parse(
            r#"{"data_set":"DS","org_unit_prefix":"VN","values":[
                {"figure":"i1.denominator","data_element":"AT_RISK"},
                {"figure":"i1.numerator.sex.female","data_element":"REACHED","category_option_combo":"F_COC","disaggregation":{"SEX":"F"}}]}"#,
        )
        .unwrap();
        let groups = [
            group(
                "20",
                &[
                    ("i1.denominator", Some(40)),
                    ("i1.numerator.sex.female", Some(7)),
                ],
            ),
            group(
                "05986",
                &[
                    ("i1.denominator", Some(6)),
                    ("i1.numerator.sex.female", None),
                ],
            ),
        ];
        let (xml, count) = adx_xml(&mapping, &groups, "2026-03-01/P1M", Utc::now());
        assert_eq!(count, 3);
        assert!(
            xml.contains(r#"<group orgUnit="VN20" period="2026-03-01/P1M" dataSet="DS">"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<dataValue dataElement="REACHED" SEX="F" value="7"/>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<dataValue dataElement="AT_RISK" value="6"/>"#),
            "{xml}"
        );
        let json = data_value_sets(&mapping, &groups, "202603");
        let values = json["dataValues"].as_array().unwrap();
        assert_eq!(values.len(), 3);
        assert_eq!(values[1]["categoryOptionCombo"], "F_COC");
        assert_eq!(values[1]["value"], "7");
        assert_eq!(values[2]["orgUnit"], "VN05986");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape(r#"a<b&"c'"#), "a&lt;b&amp;&quot;c&apos;");
    }
}
