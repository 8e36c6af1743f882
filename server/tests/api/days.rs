//! "Today" for the API tests, derived from the day the tests run: never a calendar date
//! written in a test.
//!
//! The manual clock of every `TestApp` starts at [`start`]: 01:00 UTC (08:00 in Vietnam, the same
//! calendar day in both) of today, moved by `TAM_AN_TEST_SHIFT_DAYS` when set (`cargo xtask test`
//! runs these tests a second time a year ahead). Tests look a few weeks back and ahead, and
//! figures are counted by reporting year (1 December to 30 November), so in the first two months
//! of a reporting year the start is 1 February of it: every date a test uses then falls in one
//! reporting year.

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, TimeZone, Utc};

/// Days the tests pretend to be ahead of the calendar.
pub fn shift() -> Duration {
    let days = std::env::var("TAM_AN_TEST_SHIFT_DAYS")
        .ok()
        .map(|v| {
            v.parse::<i64>()
                .expect("TAM_AN_TEST_SHIFT_DAYS is a whole number of days")
        })
        .unwrap_or(0);
    Duration::days(days)
}

/// The day the tests' clock starts on.
pub fn today() -> NaiveDate {
    let real = (Utc::now() + shift()).date_naive();
    let year = shared::indicators::Period::year_of(real);
    let february = NaiveDate::from_ymd_opt(year, 2, 1).expect("1 February");
    if real.month() == 12 || real.month() == 1 {
        february
    } else {
        real
    }
}

/// When the manual clock starts.
pub fn start() -> DateTime<Utc> {
    Utc.from_utc_datetime(&today().and_hms_opt(1, 0, 0).expect("01:00"))
}

/// A day `offset` days from today, as the wire writes it (`yyyy-mm-dd`).
pub fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// An instant `offset_days` from today at `hour` UTC, as the wire writes it.
pub fn at(offset_days: i64, hour: u32) -> String {
    let instant = Utc.from_utc_datetime(
        &(today() + Duration::days(offset_days))
            .and_hms_opt(hour, 0, 0)
            .expect("hour"),
    );
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The clock's start as the wire writes it: when the tests' changes were made.
pub fn made_at() -> String {
    start().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A birthday `years` years and four months before today (never 29 February).
pub fn born(years: u32) -> NaiveDate {
    let day = today()
        .checked_sub_months(chrono::Months::new(years * 12 + 4))
        .expect("a past day");
    day.with_day(day.day().min(28)).expect("day")
}

/// The reporting year (named by the year it ends in) that today falls in.
pub fn year() -> i32 {
    shared::indicators::Period::year_of(today())
}

/// dd/mm/yyyy, as the app and the workbook show a day.
pub fn dmy(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}
