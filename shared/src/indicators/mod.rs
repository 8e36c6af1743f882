//! The programme's indicators (domain.md §1), computed by one pure function over a compact data
//! set, on the server for any area and on a device for its own facility (offline too).
//!
//! - [`Dataset`]: the facts the indicators read, with small integer keys instead of ids, so a
//!   province (a million screenings) fits in memory. The server loads it from its fact tables,
//!   the device builds it from its records ([`Dataset::from_records`]).
//! - [`compute`]: the report for a period (I1–I5, breakdowns, the monthly trend, each facility's
//!   and area's figures).
//! - [`rows`]: the rows behind one figure, for opening a number into what it counts, and
//!   [`listing`]: what an aggregate view may list of them.
//! - [`definitions`]: what each numerator and denominator counts, in both languages, shown
//!   wherever the figures are.

pub mod audit;
pub mod codes;
mod compute;
mod dataset;
mod definitions;
mod figures;
mod listing;
mod programme;
mod projection;
mod span;
mod suppress;

pub use compute::{compute, rows, Part};
pub use dataset::{
    ActivityFact, CallFact, CareFact, ChildFact, CircumstanceFact, ConditionFact, Dataset,
    EventFact, FacilityFact, Key, OrphanFact, RecordRef, ReferralFact, ScreeningFact, SessionFact,
};
pub use definitions::{definitions, Definition};
pub use figures::{figures, Figure};
pub use listing::{listing, Listed, Listing};
pub use projection::{in_force, project, Fact, TRAINEE_GROUPS};
pub use span::{Span, CUSTOM_MAX_DAYS};
pub use suppress::Hidden;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lang::Lang;
use crate::place::FacilityType;

coded! {
    /// The indicators, by the programme's numbering.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Indicator {
        I1 = "I1",
        I2 = "I2",
        I3 = "I3",
        I4 = "I4",
        I5 = "I5",
    }
}

impl Indicator {
    /// An indicator by its code in either case (`i1` as links and queries may write it).
    pub fn parse(code: &str) -> Option<Indicator> {
        Indicator::ALL
            .into_iter()
            .find(|i| i.code().eq_ignore_ascii_case(code))
    }

    /// The programme's target, in percent (I4 and I5 have none).
    pub fn target(self) -> Option<f64> {
        match self {
            Indicator::I1 => Some(80.0),
            Indicator::I2 => Some(100.0),
            Indicator::I3 => Some(95.0),
            Indicator::I4 | Indicator::I5 => None,
        }
    }
}

/// Dates from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The reporting year `year`: 1 December of the year before to 30 November, the date by which
    /// every unit reports to the province.
    pub fn reporting_year(year: i32) -> Period {
        let year = year.clamp(1900, 9999);
        Period {
            from: NaiveDate::from_ymd_opt(year - 1, 12, 1).expect("a date"),
            to: NaiveDate::from_ymd_opt(year, 11, 30).expect("a date"),
        }
    }

    /// The reporting year a day belongs to (December opens the next year's report).
    pub fn year_of(day: NaiveDate) -> i32 {
        if day.month() == 12 {
            day.year() + 1
        } else {
            day.year()
        }
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The months the period touches, as (year, month), in order.
    pub fn months(self) -> Vec<(i32, u32)> {
        let mut months = Vec::new();
        let (mut y, mut m) = (self.from.year(), self.from.month());
        while (y, m) <= (self.to.year(), self.to.month()) && months.len() < 240 {
            months.push((y, m));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
        months
    }
}

/// A share: how many of how many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ratio {
    pub numerator: u32,
    pub denominator: u32,
    /// Hidden in an aggregate view (then 0; see [`Suppression`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator_hidden: Option<Hidden>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator_hidden: Option<Hidden>,
}

impl Ratio {
    pub fn new(numerator: u32, denominator: u32) -> Ratio {
        Ratio {
            numerator,
            denominator,
            numerator_hidden: None,
            denominator_hidden: None,
        }
    }

    /// Either count is hidden, so the share is not shown.
    pub fn is_hidden(self) -> bool {
        self.numerator_hidden.is_some() || self.denominator_hidden.is_some()
    }

    pub fn percent(self) -> Option<f64> {
        (self.denominator > 0 && !self.is_hidden())
            .then(|| 100.0 * f64::from(self.numerator) / f64::from(self.denominator))
    }

    fn add(&mut self, counted: bool) {
        self.denominator += 1;
        if counted {
            self.numerator += 1;
        }
    }
}

/// Small counts in aggregate views are shown as "<N" (privacy), configurable per installation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suppression {
    /// Counts from 1 to `below - 1` are hidden; 0 shows everything.
    pub below: u32,
}

impl Suppression {
    pub const NONE: Suppression = Suppression { below: 0 };

    pub fn hides(self, count: u32) -> bool {
        count > 0 && count < self.below
    }

    /// A count as shown.
    pub fn count(self, count: u32) -> String {
        if self.hides(count) {
            self.marker(Hidden::Small)
        } else {
            count.to_string()
        }
    }

    /// How a hidden count is printed: "<N" for a small one, "x" for a guard.
    pub fn marker(self, why: Hidden) -> String {
        match why {
            Hidden::Small => format!("<{}", self.below),
            Hidden::Guard => "x".into(),
        }
    }

    /// Why a report hid the count under `key`, if it did.
    pub fn hidden_in(report: &Report, key: &str) -> Option<Hidden> {
        if report.hidden.iter().any(|k| k == key) {
            Some(Hidden::Small)
        } else if report.guarded.iter().any(|k| k == key) {
            Some(Hidden::Guard)
        } else {
            None
        }
    }

    /// A count of a report as shown: its marker when the report hid it under `key`.
    pub fn count_in(self, report: &Report, key: &str, count: u32) -> String {
        match Suppression::hidden_in(report, key) {
            Some(why) => self.marker(why),
            None => self.count(count),
        }
    }

    fn part(self, count: u32, hidden: Option<Hidden>) -> String {
        hidden.map_or_else(|| self.count(count), |why| self.marker(why))
    }

    /// A share's counts as shown: each hidden on its own, so what may be shown is.
    pub fn ratio(self, ratio: Ratio) -> (String, String) {
        (
            self.part(ratio.numerator, ratio.numerator_hidden),
            self.part(ratio.denominator, ratio.denominator_hidden),
        )
    }

    /// A share as shown: its percent, unless either count is hidden (a percent of a small
    /// denominator would give it away), written as `lang` writes numbers.
    pub fn percent(self, ratio: Ratio, lang: crate::lang::Lang) -> String {
        if ratio.is_hidden() || self.hides(ratio.numerator) || self.hides(ratio.denominator) {
            return "—".into();
        }
        ratio
            .percent()
            .map_or_else(|| "—".into(), |p| lang.percent(p))
    }
}

/// Age at the period's end, in the bands the report breaks down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// 0–5 (preschool).
    Under6,
    /// 6–10 (primary).
    From6To10,
    /// 11–14 (lower secondary).
    From11To14,
    /// 15–17 (upper secondary).
    From15To17,
}

impl AgeBand {
    pub const ALL: [AgeBand; 4] = [
        AgeBand::Under6,
        AgeBand::From6To10,
        AgeBand::From11To14,
        AgeBand::From15To17,
    ];

    /// The key of its line in a breakdown (not a serde name: it sorts in age order).
    pub fn key(self) -> &'static str {
        match self {
            AgeBand::Under6 => "0-5",
            AgeBand::From6To10 => "06-10",
            AgeBand::From11To14 => "11-14",
            AgeBand::From15To17 => "15-17",
        }
    }

    pub fn from_key(key: &str) -> Option<AgeBand> {
        AgeBand::ALL.into_iter().find(|b| b.key() == key)
    }

    pub fn of(born: NaiveDate, on: NaiveDate) -> AgeBand {
        let mut years = on.year() - born.year();
        if (on.month(), on.day()) < (born.month(), born.day()) {
            years -= 1;
        }
        match years {
            ..=5 => AgeBand::Under6,
            6..=10 => AgeBand::From6To10,
            11..=14 => AgeBand::From11To14,
            _ => AgeBand::From15To17,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (AgeBand::Under6, Lang::Vi) => "0–5 tuổi",
            (AgeBand::Under6, Lang::En) => "0–5 years",
            (AgeBand::From6To10, Lang::Vi) => "6–10 tuổi",
            (AgeBand::From6To10, Lang::En) => "6–10 years",
            (AgeBand::From11To14, Lang::Vi) => "11–14 tuổi",
            (AgeBand::From11To14, Lang::En) => "11–14 years",
            (AgeBand::From15To17, Lang::Vi) => "15–17 tuổi",
            (AgeBand::From15To17, Lang::En) => "15–17 years",
        }
    }
}

/// The label of a breakdown line's key (`group`: age, sex, ethnicity or instrument), in `lang`;
/// the key itself when it is not one the group knows.
pub fn breakdown_label(group: &str, key: &str, lang: Lang) -> String {
    let label = match group {
        "age" => AgeBand::from_key(key).map(|b| b.label(lang).to_string()),
        "sex" => crate::child::Sex::ALL
            .into_iter()
            .find(|s| s.code() == key)
            .map(|s| s.label(lang).to_string()),
        "ethnicity" => crate::ethnicity::label(key, lang),
        "instrument" => crate::instrument::find(key).map(|i| i.name.get(lang).to_string()),
        "care" if key == UNRECORDED_CARE => Some(
            match lang {
                Lang::Vi => "Chưa ghi nhận hình thức chăm sóc",
                Lang::En => "No arrangement recorded",
            }
            .to_string(),
        ),
        "care" => crate::care::CareKind::from_code(key).map(|k| k.label(lang).to_string()),
        "route" => Route::from_code(key).map(|r| r.label(lang).to_string()),
        "activity" => {
            crate::activity::ActivityKind::from_code(key).map(|k| k.label(lang).to_string())
        }
        "trainee" => crate::activity::Trainee::from_code(key).map(|t| t.label(lang).to_string()),
        "condition" => crate::health_condition::ConditionKind::from_code(key)
            .map(|k| k.label(lang).to_string()),
        _ => None,
    };
    label.unwrap_or_else(|| key.to_string())
}

/// The I2 breakdown's key for an orphan whose care arrangement is not recorded.
pub const UNRECORDED_CARE: &str = "unrecorded";

/// One line of a breakdown: its label key (an age band, sex, ethnicity or instrument code) and
/// the share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Line {
    pub key: String,
    pub ratio: Ratio,
}

/// A screening instrument's use in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentLine {
    pub instrument: String,
    pub screenings: u32,
    /// Screenings positive or flagged.
    pub positive: u32,
}

/// I5: the referral loop, for referrals sent in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralLoop {
    pub sent: u32,
    /// Median days from sent to the receiving facility's first action.
    pub median_days_to_received: Option<f64>,
    pub median_days_to_attended: Option<f64>,
    pub declined: Ratio,
    pub feedback: Ratio,
    /// Referrals not closed and past their due time at the period's end.
    pub open_overdue: u32,
    /// Referrals sent in the period by route ([`Route`] codes).
    #[serde(default)]
    pub by_route: Vec<Count>,
}

/// A count under a key (a breakdown of counts, such as referrals by route).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub key: String,
    pub count: u32,
}

coded! {
    /// The way a referral travels through the network, as the plans count them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum Route {
        SchoolToStation = "school_to_station",
        StationToHospital = "station_to_hospital",
        ToSocialServices = "to_social_services",
        ToHotline111 = "to_hotline_111",
        Other = "other",
    }
}

impl Route {
    /// The route from the sender's and the receiver's types (unknown ones: other).
    pub fn of(from: Option<FacilityType>, to: Option<FacilityType>) -> Route {
        use FacilityType as F;
        let station = |t: F| matches!(t, F::CommuneHealthStation | F::RegionalHealthCentre);
        match (from, to) {
            (_, Some(F::Hotline111)) => Route::ToHotline111,
            (
                _,
                Some(
                    F::SocialAssistanceFacility
                    | F::ChildProtectionService
                    | F::CommunePeoplesCommittee,
                ),
            ) => Route::ToSocialServices,
            (Some(f), Some(t)) if f.is_school() && station(t) => Route::SchoolToStation,
            (
                Some(f),
                Some(F::PsychiatricHospital | F::PaediatricHospital | F::GeneralHospital),
            ) if station(f) => Route::StationToHospital,
            _ => Route::Other,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Route::SchoolToStation, Lang::Vi) => "Trường học → trạm y tế",
            (Route::SchoolToStation, Lang::En) => "School → health station",
            (Route::StationToHospital, Lang::Vi) => "Trạm y tế → bệnh viện",
            (Route::StationToHospital, Lang::En) => "Health station → hospital",
            (Route::ToSocialServices, Lang::Vi) => "Đến dịch vụ xã hội, bảo vệ trẻ em",
            (Route::ToSocialServices, Lang::En) => "To social and child-protection services",
            (Route::ToHotline111, Lang::Vi) => "Đến Tổng đài 111",
            (Route::ToHotline111, Lang::En) => "To hotline 111",
            (Route::Other, Lang::Vi) => "Tuyến khác",
            (Route::Other, Lang::En) => "Other routes",
        }
    }
}

/// One month of the trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Month {
    pub year: i32,
    pub month: u32,
    /// Children first found at risk that month who reached services within 90 days.
    pub i1: Ratio,
    pub screenings: u32,
    pub children_screened: u32,
    pub referrals: u32,
}

/// One unit's figures (a facility or an area), to find those furthest from target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    pub id: Uuid,
    pub name: String,
    pub i1: Ratio,
    pub i2: Ratio,
    pub i3: Ratio,
    pub i4: Ratio,
}

/// Orphans by what they lost, as the plans count them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Orphans {
    pub both_parents: u32,
    pub one_parent: u32,
    /// Orphans whose loss was not recorded.
    pub unrecorded: u32,
    /// Orphans whose parent died of COVID-19 (any of the above).
    pub covid19: u32,
}

/// The children in one special circumstance during a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CircumstanceLine {
    /// The circumstance's code (`shared::care::CIRCUMSTANCES`).
    pub code: String,
    pub children: u32,
    /// Of them, those supported in the period.
    pub supported: u32,
}

/// The sessions of one kind held in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionLine {
    /// The [`crate::care::SessionKind`] code.
    pub kind: String,
    pub sessions: u32,
    /// The children reached (each once).
    pub children: u32,
}

/// The activities of one kind held in a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityLine {
    /// The [`crate::activity::ActivityKind`] code.
    pub kind: String,
    /// How many were held.
    pub held: u32,
    /// The people who took part.
    pub participants: u32,
    /// For trainings: the people trained, by [`crate::activity::Trainee`] code (every group,
    /// in order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trained: Vec<Count>,
}

/// The report for a scope and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub period: Period,
    /// The day the figures are as of (the period's end, or today if sooner).
    pub as_of: NaiveDate,
    pub i1: Ratio,
    pub i1_by_age: Vec<Line>,
    pub i1_by_sex: Vec<Line>,
    /// Children at risk whose 90 days have not ended yet and who have not reached services.
    pub i1_still_open: u32,
    pub i2: Ratio,
    /// I2 by the care arrangement in force: a [`crate::care::CareKind`] code, or
    /// [`UNRECORDED_CARE`] for an orphan with none recorded.
    #[serde(default)]
    pub i2_by_care: Vec<Line>,
    pub i3: Ratio,
    pub i4: Ratio,
    pub i4_by_age: Vec<Line>,
    pub i4_by_sex: Vec<Line>,
    pub i4_by_ethnicity: Vec<Line>,
    pub by_instrument: Vec<InstrumentLine>,
    pub i5: ReferralLoop,
    pub months: Vec<Month>,
    pub facilities: Vec<Unit>,
    pub areas: Vec<Unit>,
    /// Orphans (I2's denominator) by their loss.
    #[serde(default)]
    pub orphans: Orphans,
    /// Children in special circumstances during the period, by group (the Law on Children's
    /// list), and how many of them were supported in it.
    #[serde(default)]
    pub circumstances: Vec<CircumstanceLine>,
    /// Children in any special circumstance during the period (each once).
    #[serde(default)]
    pub circumstances_children: u32,
    /// Of those, the children supported in the period: a counselling or support session, or a
    /// referral sent or attended.
    #[serde(default)]
    pub circumstances_supported: u32,
    /// Counselling and support sessions held in the period, by kind, and the children reached.
    #[serde(default)]
    pub sessions: Vec<SessionLine>,
    /// Children reached by any session in the period (each once).
    #[serde(default)]
    pub sessions_children: u32,
    /// Calls to hotline 111 made from the app in the period.
    #[serde(default)]
    pub hotline_calls: u32,
    /// Children known by the as-of day to have each kind of condition
    /// ([`crate::health_condition::ConditionKind`] code; every kind, in order).
    #[serde(default)]
    pub conditions: Vec<Count>,
    /// Children with any known condition (each once).
    #[serde(default)]
    pub conditions_children: u32,
    /// Communes with a working referral network in the period: a school, the health station,
    /// and a referral from the commune completed with feedback (communes, not persons: never
    /// hidden).
    #[serde(default)]
    pub networks_working: u32,
    /// The communes with a facility in scope.
    #[serde(default)]
    pub networks: u32,
    /// The programme's activities held in the period, one line per
    /// [`crate::activity::ActivityKind`] (counts of events and people, never of children, so
    /// never hidden).
    #[serde(default)]
    pub activities: Vec<ActivityLine>,
    /// Small counts suppressed to 0 by [`Report::suppressed`], by key (e.g. `i5.sent`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden: Vec<String>,
    /// Counts hidden as guards (so a small one cannot be worked out), by key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guarded: Vec<String>,
}

/// The indicators as a client shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorsView {
    /// The area's or facility's name.
    pub scope: String,
    pub year: i32,
    pub report: Report,
    /// Counts below this are shown as "<N" (0: none hidden).
    pub suppress_below: u32,
    /// Aggregates only (an officer's view): small counts hidden, no names.
    pub aggregate: bool,
}

/// One row behind a figure: a child (I1, I2, I4), a school (I3) or a referral (I5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorRow {
    /// The child's name for the facility's own staff; a stable pseudonym in aggregate views.
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_band: Option<AgeBand>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<String>,
    pub facility: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Counted in the numerator.
    pub counted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowsView {
    pub indicator: Indicator,
    pub total: usize,
    /// At most [`ROWS_MAX`], numerator first.
    pub rows: Vec<IndicatorRow>,
    /// Too few rows to list in an aggregate view (small-count suppression).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

/// The most rows a list behind a figure returns.
pub const ROWS_MAX: usize = 1000;

#[cfg(test)]
mod tests {

    #[test]
    fn routes_follow_the_sender_and_the_receiver() {
        use crate::place::FacilityType as F;
        let route = |from, to| Route::of(Some(from), Some(to));
        assert_eq!(
            route(F::PrimarySchool, F::CommuneHealthStation),
            Route::SchoolToStation
        );
        assert_eq!(
            route(F::CommuneHealthStation, F::PsychiatricHospital),
            Route::StationToHospital
        );
        assert_eq!(
            route(F::LowerSecondarySchool, F::ChildProtectionService),
            Route::ToSocialServices
        );
        assert_eq!(
            route(F::CommuneHealthStation, F::Hotline111),
            Route::ToHotline111
        );
        assert_eq!(
            route(F::LowerSecondarySchool, F::GeneralHospital),
            Route::Other
        );
        assert_eq!(Route::of(None, None), Route::Other);
        for r in Route::ALL {
            assert_eq!(Route::from_code(r.code()), Some(r));
            assert_ne!(breakdown_label("route", r.code(), Lang::Vi), r.code());
        }
    }

    use super::*;

    #[test]
    fn breakdown_labels_follow_the_language() {
        assert_eq!(breakdown_label("ethnicity", "tay", Lang::Vi), "Tày");
        assert_eq!(breakdown_label("ethnicity", "tay", Lang::En), "Tay");
        assert_eq!(breakdown_label("sex", "female", Lang::En), "Female");
        assert_eq!(breakdown_label("age", "11-14", Lang::Vi), "11–14 tuổi");
        // A key the group does not know is shown as it is.
        assert_eq!(breakdown_label("ethnicity", "?", Lang::En), "?");
    }
}
