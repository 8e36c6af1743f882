//! Which period a report covers, as a short code both sides read: the reporting year (`2027`:
//! 1 December 2026 to 30 November 2027), a half of it (`2027-H1`: December to May, the six-month
//! report due by 20 May; `2027-H2`: June to November), a quarter of it (`2027-Q1`: December to
//! February … `2027-Q4`: September to November), a calendar month (`2027-03`) or any range
//! (`2026-12-01..2027-01-15`). The default on a given day is the report due next
//! ([`Span::due_next`]), never one whose deadline has just passed.

use chrono::{Datelike, NaiveDate};

use super::Period;
use crate::lang::{format_date, Lang};

/// The longest custom range, in days (two reporting years).
pub const CUSTOM_MAX_DAYS: i64 = 731;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Year(i32),
    /// A reporting year's half, 1 or 2.
    Half(i32, u8),
    /// A reporting year's quarter, 1 to 4 (the first starts on 1 December).
    Quarter(i32, u8),
    /// A calendar month (year, month).
    Month(i32, u32),
    Custom(NaiveDate, NaiveDate),
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// The last day of a month.
fn month_end(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        ymd(year + 1, 1, 1)
    } else {
        ymd(year, month + 1, 1)
    };
    next.pred_opt().unwrap_or(next)
}

impl Span {
    /// Reads a code; `None` when it is not one (or names a year outside 2000–2100, a range
    /// backwards or longer than [`CUSTOM_MAX_DAYS`]).
    pub fn parse(code: &str) -> Option<Span> {
        let code = code.trim();
        let year_ok = |y: i32| (2000..=2100).contains(&y).then_some(y);
        if let Some((from, to)) = code.split_once("..") {
            let from = NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d").ok()?;
            let to = NaiveDate::parse_from_str(to.trim(), "%Y-%m-%d").ok()?;
            year_ok(from.year())?;
            year_ok(to.year())?;
            let days = (to - from).num_days();
            return (0..CUSTOM_MAX_DAYS)
                .contains(&days)
                .then_some(Span::Custom(from, to));
        }
        let (year, rest) = match code.split_once('-') {
            Some((year, rest)) => (year, Some(rest)),
            None => (code, None),
        };
        if year.len() != 4 {
            return None;
        }
        let year = year_ok(year.parse().ok()?)?;
        let Some(rest) = rest else {
            return Some(Span::Year(year));
        };
        let number = |text: &str| text.parse::<u8>().ok();
        match rest.as_bytes().first() {
            Some(b'H') => number(&rest[1..])
                .filter(|h| (1..=2).contains(h))
                .map(|h| Span::Half(year, h)),
            Some(b'Q') => number(&rest[1..])
                .filter(|q| (1..=4).contains(q))
                .map(|q| Span::Quarter(year, q)),
            _ if rest.len() == 2 => rest
                .parse::<u32>()
                .ok()
                .filter(|m| (1..=12).contains(m))
                .map(|m| Span::Month(year, m)),
            _ => None,
        }
    }

    pub fn code(self) -> String {
        match self {
            Span::Year(y) => y.to_string(),
            Span::Half(y, h) => format!("{y}-H{h}"),
            Span::Quarter(y, q) => format!("{y}-Q{q}"),
            Span::Month(y, m) => format!("{y}-{m:02}"),
            Span::Custom(from, to) => format!("{from}..{to}"),
        }
    }

    pub fn period(self) -> Period {
        match self {
            Span::Year(y) => Period::reporting_year(y),
            Span::Half(y, 1) => Period {
                from: ymd(y - 1, 12, 1),
                to: ymd(y, 5, 31),
            },
            Span::Half(y, _) => Period {
                from: ymd(y, 6, 1),
                to: ymd(y, 11, 30),
            },
            Span::Quarter(y, q) => {
                // Quarters of the reporting year: Dec–Feb, Mar–May, Jun–Aug, Sep–Nov.
                let start = ymd(y - 1, 12, 1);
                let first = start
                    .checked_add_months(chrono::Months::new(3 * u32::from(q.clamp(1, 4) - 1)))
                    .unwrap_or(start);
                let last = first
                    .checked_add_months(chrono::Months::new(2))
                    .unwrap_or(first);
                Period {
                    from: first,
                    to: month_end(last.year(), last.month()),
                }
            }
            Span::Month(y, m) => Period {
                from: ymd(y, m, 1),
                to: month_end(y, m),
            },
            Span::Custom(from, to) => Period { from, to },
        }
    }

    /// The reporting year the span belongs to (its last day's).
    pub fn year(self) -> i32 {
        Period::year_of(self.period().to)
    }

    /// The report due next on `today`: the six-month report (due 20 May) from 1 December to 20
    /// May, the year's report (due 30 November) from 21 May to 30 November.
    pub fn due_next(today: NaiveDate) -> Span {
        let year = Period::year_of(today);
        if today <= ymd(year, 5, 20) {
            Span::Half(year, 1)
        } else {
            Span::Year(year)
        }
    }

    /// When the report of this span is due to the province: 20 May for the first half, 30
    /// November for the year (and the second half); other spans have no set date.
    pub fn due_on(self) -> Option<NaiveDate> {
        match self {
            Span::Half(y, 1) => Some(ymd(y, 5, 20)),
            Span::Year(y) | Span::Half(y, _) => Some(ymd(y, 11, 30)),
            _ => None,
        }
    }

    /// The spans a user picks from for a reporting year: the year, its halves, its quarters and
    /// its months, in that order.
    pub fn choices(year: i32) -> Vec<Span> {
        let mut spans = vec![Span::Year(year), Span::Half(year, 1), Span::Half(year, 2)];
        spans.extend((1..=4).map(|q| Span::Quarter(year, q)));
        spans.push(Span::Month(year - 1, 12));
        spans.extend((1..=11).map(|m| Span::Month(year, m)));
        spans
    }

    /// A short name for a picker: "Năm 2027", "6 tháng đầu năm 2027", "Quý I/2027",
    /// "Tháng 03/2027", "01/12/2026 – 15/01/2027".
    pub fn label(self, lang: Lang) -> String {
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        match (self, lang) {
            (Span::Year(y), Lang::Vi) => format!("Năm {y}"),
            (Span::Year(y), Lang::En) => format!("Year {y}"),
            (Span::Half(y, 1), Lang::Vi) => format!("6 tháng đầu năm {y}"),
            (Span::Half(y, _), Lang::Vi) => format!("6 tháng cuối năm {y}"),
            (Span::Half(y, h), Lang::En) => {
                format!("{} half of {y}", if h == 1 { "First" } else { "Second" })
            }
            (Span::Quarter(y, q), Lang::Vi) => {
                format!("Quý {}/{y}", ROMAN[usize::from(q.clamp(1, 4) - 1)])
            }
            (Span::Quarter(y, q), Lang::En) => format!("Q{q} {y}"),
            (Span::Month(y, m), Lang::Vi) => format!("Tháng {m:02}/{y}"),
            (Span::Month(y, m), Lang::En) => format!("{m:02}/{y}"),
            (Span::Custom(from, to), _) => format!("{} – {}", format_date(from), format_date(to)),
        }
    }

    /// The report's title, as Vietnamese administrative reports head it.
    pub fn title(self, lang: Lang) -> String {
        let what = match lang {
            Lang::Vi => "BÁO CÁO CÔNG TÁC CHĂM SÓC SỨC KHỎE TÂM THẦN TRẺ EM",
            Lang::En => "CHILD MENTAL-HEALTH CARE REPORT",
        };
        let when = match (self, lang) {
            (Span::Custom(from, to), Lang::Vi) => {
                format!("TỪ {} ĐẾN {}", format_date(from), format_date(to))
            }
            (Span::Custom(from, to), Lang::En) => {
                format!("FROM {} TO {}", format_date(from), format_date(to))
            }
            (span, _) => span.label(lang).to_uppercase(),
        };
        format!("{what} {when}")
    }

    /// The ISO 8601 period ADX writes: the start and a duration.
    pub fn iso(self) -> String {
        let period = self.period();
        let duration = match self {
            Span::Year(_) => "P1Y".to_string(),
            Span::Half(..) => "P6M".to_string(),
            Span::Quarter(..) => "P3M".to_string(),
            Span::Month(..) => "P1M".to_string(),
            Span::Custom(from, to) => format!("P{}D", (to - from).num_days() + 1),
        };
        format!("{}/{duration}", period.from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_cover_their_days() {
        for code in [
            "2027",
            "2027-H1",
            "2027-H2",
            "2027-Q1",
            "2027-Q4",
            "2027-03",
            "2026-12-01..2027-01-15",
        ] {
            let span = Span::parse(code).unwrap();
            assert_eq!(span.code(), code);
        }
        assert_eq!(
            Span::parse("2027-H1").unwrap().period(),
            Period {
                from: ymd(2026, 12, 1),
                to: ymd(2027, 5, 31)
            }
        );
        assert_eq!(
            Span::parse("2027-H2").unwrap().period(),
            Period {
                from: ymd(2027, 6, 1),
                to: ymd(2027, 11, 30)
            }
        );
        assert_eq!(
            Span::parse("2027-Q1").unwrap().period(),
            Period {
                from: ymd(2026, 12, 1),
                to: ymd(2027, 2, 28)
            }
        );
        assert_eq!(
            Span::parse("2028-Q1").unwrap().period().to,
            ymd(2028, 2, 29)
        );
        assert_eq!(
            Span::parse("2027-Q4").unwrap().period(),
            Period {
                from: ymd(2027, 9, 1),
                to: ymd(2027, 11, 30)
            }
        );
        assert_eq!(
            Span::parse("2027-02").unwrap().period().to,
            ymd(2027, 2, 28)
        );
        // The halves and the quarters tile the year.
        let year = Period::reporting_year(2027);
        let halves = [Span::Half(2027, 1).period(), Span::Half(2027, 2).period()];
        assert_eq!((halves[0].from, halves[1].to), (year.from, year.to));
        assert_eq!(halves[0].to.succ_opt(), Some(halves[1].from));
        for q in 1..4 {
            assert_eq!(
                Span::Quarter(2027, q).period().to.succ_opt(),
                Some(Span::Quarter(2027, q + 1).period().from)
            );
        }
        assert_eq!(Span::choices(2027).len(), 19);
        assert!(Span::choices(2027).iter().all(|s| s.year() == 2027));
    }

    #[test]
    fn nonsense_is_refused() {
        for code in [
            "",
            "27",
            "2027-H3",
            "2027-Q0",
            "2027-13",
            "2027-1",
            "1999",
            "2027-06-01..2027-05-01",
            "2025-01-01..2027-06-01",
            "abcd",
        ] {
            assert_eq!(Span::parse(code), None, "{code}");
        }
    }

    #[test]
    fn the_default_is_the_report_due_next() {
        // Two days after the year's report was due, the six-month report of the new year is next.
        assert_eq!(Span::due_next(ymd(2026, 12, 2)), Span::Half(2027, 1));
        assert_eq!(Span::due_next(ymd(2027, 5, 20)), Span::Half(2027, 1));
        assert_eq!(Span::due_next(ymd(2027, 5, 21)), Span::Year(2027));
        assert_eq!(Span::due_next(ymd(2027, 11, 30)), Span::Year(2027));
        assert_eq!(Span::Half(2027, 1).due_on(), Some(ymd(2027, 5, 20)));
    }

    #[test]
    fn labels_titles_and_iso_periods() {
        assert_eq!(Span::Quarter(2027, 3).label(Lang::Vi), "Quý III/2027");
        assert_eq!(
            Span::Half(2027, 1).title(Lang::Vi),
            "BÁO CÁO CÔNG TÁC CHĂM SÓC SỨC KHỎE TÂM THẦN TRẺ EM 6 THÁNG ĐẦU NĂM 2027"
        );
        assert_eq!(Span::Half(2027, 1).iso(), "2026-12-01/P6M");
        assert_eq!(Span::Year(2027).iso(), "2026-12-01/P1Y");
        assert_eq!(
            Span::Custom(ymd(2027, 1, 1), ymd(2027, 1, 10)).iso(),
            "2027-01-01/P10D"
        );
    }
}
