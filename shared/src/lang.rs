//! Languages and the date format users see (dd/mm/yyyy).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A user-interface language. Vietnamese is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>` and `Accept-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses a tag or an `Accept-Language` header; anything not clearly English is Vietnamese.
    pub fn from_tag(tag: &str) -> Lang {
        let first = tag
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if first.starts_with("en") {
            Lang::En
        } else {
            Lang::Vi
        }
    }

    /// A number with `places` decimals as this language writes it: Vietnamese groups
    /// thousands with a point and marks decimals with a comma (1.234,5), English the reverse
    /// (1,234.5).
    pub fn decimal(self, value: f64, places: usize) -> String {
        let (group, point) = match self {
            Lang::Vi => ('.', ','),
            Lang::En => (',', '.'),
        };
        let written = format!("{:.*}", places, value.abs());
        let (whole, fraction) = written.split_once('.').unwrap_or((&written, ""));
        let mut out = String::new();
        if value < 0.0 && written.chars().any(|c| c.is_ascii_digit() && c != '0') {
            out.push('-');
        }
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(group);
            }
            out.push(digit);
        }
        if !fraction.is_empty() {
            out.push(point);
            out.push_str(fraction);
        }
        out
    }

    /// A percentage with one decimal: "33,3%" in Vietnamese, "33.3%" in English.
    pub fn percent(self, value: f64) -> String {
        format!("{}%", self.decimal(value, 1))
    }
}

/// Vietnam's time zone (UTC+7, no daylight saving). Times are stored in UTC and shown in this zone.
pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The calendar day of an instant in Vietnam.
pub fn vietnam_day(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&vietnam_offset()).date_naive()
}

/// Formats a calendar date as dd/mm/yyyy.
pub fn format_date(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

/// Formats an instant as dd/mm/yyyy HH:MM in Vietnam's time zone.
pub fn format_date_time(instant: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&vietnam_offset());
    format!(
        "{} {}",
        format_date(local.date_naive()),
        local.format("%H:%M")
    )
}

/// Parses a date typed as dd/mm/yyyy (also accepts d/m/yyyy and the ISO form yyyy-mm-dd).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(date);
    }
    let mut parts = text.split('/');
    let day: u32 = parts.next()?.trim().parse().ok()?;
    let month: u32 = parts.next()?.trim().parse().ok()?;
    let year_text = parts.next()?.trim();
    if parts.next().is_some() || year_text.len() != 4 {
        return None;
    }
    let year: i32 = year_text.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_are_day_month_year() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(format_date(date), "07/03/2026");
        assert_eq!(parse_date("07/03/2026"), Some(date));
        assert_eq!(parse_date("7/3/2026"), Some(date));
        assert_eq!(parse_date("2026-03-07"), Some(date));
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("07/03/26"), None);
        assert_eq!(parse_date("hôm nay"), None);
    }

    #[test]
    fn instants_are_shown_in_vietnam_time() {
        // 18:30 UTC on 31 Dec is already 1 Jan in Hà Nội.
        let instant = Utc.with_ymd_and_hms(2025, 12, 31, 18, 30, 0).unwrap();
        assert_eq!(format_date_time(instant), "01/01/2026 01:30");
    }

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        assert_eq!(Lang::Vi.decimal(33.333, 1), "33,3");
        assert_eq!(Lang::En.decimal(33.333, 1), "33.3");
        assert_eq!(Lang::Vi.decimal(204_000.0, 0), "204.000");
        assert_eq!(Lang::En.decimal(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(Lang::Vi.decimal(-0.04, 1), "0,0");
        assert_eq!(Lang::Vi.decimal(-12.5, 1), "-12,5");
        assert_eq!(Lang::Vi.percent(100.0), "100,0%");
        assert_eq!(Lang::En.percent(2.0 / 3.0 * 100.0), "66.7%");
    }

    #[test]
    fn language_tags() {
        assert_eq!(Lang::from_tag("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_tag("vi-VN"), Lang::Vi);
        assert_eq!(Lang::from_tag(""), Lang::Vi);
        assert_eq!(Lang::En.tag(), "en");
    }
}
