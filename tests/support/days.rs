//! "Today" for the browser tests: the day the tests run, never a calendar date written in a test.
//!
//! `TAM_AN_TEST_SHIFT_DAYS` moves the whole stack ahead (`cargo xtask test` runs the
//! date-sensitive browser tests a second time a year ahead): the server's clock starts shifted,
//! and every page the browser opens sees `Date` shifted by the same amount (a script injected
//! through the DevTools protocol before the page's own scripts; the built bundle is unchanged).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};

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

/// Now, as the stack under test sees it.
pub fn now() -> DateTime<Utc> {
    Utc::now() + shift()
}

/// Today in Vietnam (UTC+7), as the app under test sees it.
pub fn today() -> NaiveDate {
    let vietnam = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    now().with_timezone(&vietnam).date_naive()
}

/// dd/mm/yyyy, as a person types a day into the app.
pub fn dmy(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// A day `offset` days from today, typed as a person would (dd/mm/yyyy).
pub fn typed(offset: i64) -> String {
    dmy(today() + Duration::days(offset))
}

/// A birthday `years` years and four months before today (never 29 February), typed.
pub fn born(years: u32) -> String {
    let day = today()
        .checked_sub_months(chrono::Months::new(years * 12 + 4))
        .expect("a past day");
    dmy(day.with_day(day.day().min(28)).expect("day"))
}

/// The script that shifts the page's clock, or none when the tests run on today.
pub fn clock_script() -> Option<String> {
    let ms = shift().num_milliseconds();
    (ms != 0).then(|| {
        format!(
            "(() => {{ const Real = Date; const by = {ms};
               class Shifted extends Real {{
                 constructor(...a) {{ if (a.length === 0) super(Real.now() + by); else super(...a); }}
                 static now() {{ return Real.now() + by; }}
               }}
               globalThis.Date = Shifted; }})();"
        )
    })
}
