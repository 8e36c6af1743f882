//! A report as a flat list of named figures, for the exchanges that carry numbers and not
//! tables (ADX and DHIS2 `dataValueSets`). Each figure has a stable key (`i1.numerator`,
//! `i1.numerator.sex.female`, `instrument.phqa.screenings`) that a mapping file names; a count the
//! report hid (small-count suppression) has no value, so it is left out of a message rather than
//! sent as a zero.

use super::{Line, Ratio, Report, Suppression};

/// One number of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub key: String,
    /// `None` when the report hid the count.
    pub value: Option<u32>,
}

fn share(figures: &mut Vec<Figure>, key: &str, ratio: Ratio) {
    figures.push(Figure {
        key: format!("{key}.numerator"),
        value: ratio.numerator_hidden.is_none().then_some(ratio.numerator),
    });
    figures.push(Figure {
        key: format!("{key}.denominator"),
        value: ratio
            .denominator_hidden
            .is_none()
            .then_some(ratio.denominator),
    });
}

fn breakdown(figures: &mut Vec<Figure>, key: &str, group: &str, lines: &[Line]) {
    for line in lines {
        let ratio = line.ratio;
        figures.push(Figure {
            key: format!("{key}.numerator.{group}.{}", line.key),
            value: ratio.numerator_hidden.is_none().then_some(ratio.numerator),
        });
        figures.push(Figure {
            key: format!("{key}.denominator.{group}.{}", line.key),
            value: ratio
                .denominator_hidden
                .is_none()
                .then_some(ratio.denominator),
        });
    }
}

fn count(figures: &mut Vec<Figure>, report: &Report, key: &str, hidden_as: &str, value: u32) {
    figures.push(Figure {
        key: key.to_string(),
        value: Suppression::hidden_in(report, hidden_as)
            .is_none()
            .then_some(value),
    });
}

/// Every figure of the report, in the report's order.
pub fn figures(report: &Report) -> Vec<Figure> {
    let mut all = Vec::new();
    share(&mut all, "i1", report.i1);
    breakdown(&mut all, "i1", "age", &report.i1_by_age);
    breakdown(&mut all, "i1", "sex", &report.i1_by_sex);
    count(
        &mut all,
        report,
        "i1.still_open",
        "i1_still_open",
        report.i1_still_open,
    );
    share(&mut all, "i2", report.i2);
    breakdown(&mut all, "i2", "care", &report.i2_by_care);
    share(&mut all, "i3", report.i3);
    share(&mut all, "i4", report.i4);
    breakdown(&mut all, "i4", "age", &report.i4_by_age);
    breakdown(&mut all, "i4", "sex", &report.i4_by_sex);
    breakdown(&mut all, "i4", "ethnicity", &report.i4_by_ethnicity);
    count(&mut all, report, "i5.sent", "i5.sent", report.i5.sent);
    share(&mut all, "i5.declined", report.i5.declined);
    share(&mut all, "i5.feedback", report.i5.feedback);
    count(
        &mut all,
        report,
        "i5.open_overdue",
        "i5.open_overdue",
        report.i5.open_overdue,
    );
    for route in &report.i5.by_route {
        let key = format!("i5.route.{}", route.key);
        count(&mut all, report, &key, &key, route.count);
    }
    for line in &report.by_instrument {
        for (what, value) in [("screenings", line.screenings), ("positive", line.positive)] {
            let key = format!("instrument.{}.{what}", line.instrument);
            count(&mut all, report, &key, &key, value);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::{compute, Dataset, Period};

    fn empty_report() -> Report {
        let period = Period::reporting_year(2026);
        compute(&Dataset::default(), period, period.to)
    }

    #[test]
    fn keys_are_unique_and_name_every_share() {
        let mut report = empty_report();
        report.i1 = Ratio::new(3, 40);
        report.i1_by_sex = vec![Line {
            key: "female".into(),
            ratio: Ratio::new(2, 25),
        }];
        let all = figures(&report);
        let mut keys: Vec<&str> = all.iter().map(|f| f.key.as_str()).collect();
        let before = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), before, "duplicate keys");
        let value = |key: &str| all.iter().find(|f| f.key == key).map(|f| f.value);
        assert_eq!(value("i1.numerator"), Some(Some(3)));
        assert_eq!(value("i1.denominator"), Some(Some(40)));
        assert_eq!(value("i1.numerator.sex.female"), Some(Some(2)));
        assert_eq!(value("i1.denominator.sex.female"), Some(Some(25)));
        for key in ["i2.numerator", "i3.denominator", "i4.numerator", "i5.sent"] {
            assert!(value(key).is_some(), "{key} missing");
        }
    }

    #[test]
    fn a_hidden_count_has_no_value() {
        let mut report = empty_report();
        report.i5.sent = 0;
        report.hidden.push("i5.sent".into());
        report.i1 = Ratio {
            numerator_hidden: Some(crate::indicators::Hidden::Small),
            ..Ratio::new(0, 50)
        };
        let all = figures(&report);
        let value = |key: &str| all.iter().find(|f| f.key == key).and_then(|f| f.value);
        assert_eq!(value("i5.sent"), None);
        assert_eq!(value("i1.numerator"), None);
        assert_eq!(value("i1.denominator"), Some(50));
    }
}
