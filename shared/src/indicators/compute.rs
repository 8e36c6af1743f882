//! The indicators over a [`Dataset`], in a few passes over its vectors. The definitions are in
//! [`super::definitions`]; each rule below says which part of a definition it implements.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::dataset::{Dataset, EventFact, Key};
use super::programme;
use super::{
    AgeBand, Indicator, InstrumentLine, Line, Month, Period, Ratio, ReferralLoop, Report, Unit,
};
use crate::care::CareKind;
use crate::child::Sex;
use crate::lang::vietnam_offset;
use crate::referral::{Action, Side, Status};

/// Days a child at risk has to reach services (I1).
pub const REACH_DAYS: i64 = 90;

fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&vietnam_offset()).date_naive()
}

/// The last instant of a day in Vietnam.
fn end_of(day: NaiveDate) -> DateTime<Utc> {
    let next = day
        .succ_opt()
        .unwrap_or(day)
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    next.and_local_timezone(vietnam_offset())
        .single()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
        - Duration::seconds(1)
}

/// Which part of an indicator a row of [`rows`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Counted in the numerator (and the denominator).
    Numerator,
    /// In the denominator only.
    Rest,
}

/// What the indicators know of each child, computed once.
struct ChildState {
    /// I1: the first day in the period the child was found at risk.
    at_risk_on: Option<NaiveDate>,
    /// I1: the first service on or after that day, within 90 days.
    reached_on: Option<NaiveDate>,
    screened: bool,
    orphan: bool,
    in_care: bool,
    /// I2: the care arrangement in force at the as-of day, if one is recorded.
    care: Option<CareKind>,
}

struct Pass<'a> {
    data: &'a Dataset,
    period: Period,
    as_of: NaiveDate,
    children: Vec<ChildState>,
    events_by_referral: Vec<Vec<&'a EventFact>>,
}

impl<'a> Pass<'a> {
    fn new(data: &'a Dataset, period: Period, today: NaiveDate) -> Pass<'a> {
        let as_of = period.to.min(today);
        let window = Period {
            from: period.from,
            to: as_of,
        };
        let mut children: Vec<ChildState> = data
            .children
            .iter()
            .map(|_| ChildState {
                at_risk_on: None,
                reached_on: None,
                screened: false,
                orphan: false,
                in_care: false,
                care: None,
            })
            .collect();
        for s in &data.screenings {
            if !window.contains(s.on) {
                continue;
            }
            let child = &mut children[s.child as usize];
            child.screened = true;
            if s.at_risk && child.at_risk_on.is_none_or(|d| s.on < d) {
                child.at_risk_on = Some(s.on);
            }
        }
        // Services: sessions, and visits recorded on any referral of the child.
        let mut events_by_referral: Vec<Vec<&EventFact>> = vec![Vec::new(); data.referrals.len()];
        for e in &data.events {
            events_by_referral[e.referral as usize].push(e);
        }
        for events in &mut events_by_referral {
            events.sort_by_key(|e| e.at);
        }
        let mut reach = |child: Key, on: NaiveDate| {
            let Some(state) = children.get_mut(child as usize) else {
                return;
            };
            let Some(from) = state.at_risk_on else { return };
            if on >= from
                && on <= from + Duration::days(REACH_DAYS)
                && on <= as_of
                && state.reached_on.is_none_or(|d| on < d)
            {
                state.reached_on = Some(on);
            }
        };
        for s in &data.sessions {
            reach(s.child, s.on);
        }
        for e in data.events.iter().filter(|e| e.action == Action::Attend) {
            let child = data.referrals[e.referral as usize].child;
            reach(child, e.attended_on.unwrap_or_else(|| local_day(e.at)));
        }
        // I2: orphans at the as-of day, and their care arrangement then.
        for o in &data.orphans {
            if super::in_force(o.since, o.until, as_of) {
                if let Some(state) = children.get_mut(o.child as usize) {
                    state.orphan = true;
                }
            }
        }
        let mut care: HashMap<Key, (NaiveDate, CareKind)> = HashMap::new();
        for c in data.care.iter().filter(|c| c.since <= as_of) {
            let slot = care.entry(c.child).or_insert((c.since, c.kind));
            if c.since >= slot.0 {
                *slot = (c.since, c.kind);
            }
        }
        for (child, (_, kind)) in care {
            if let Some(state) = children.get_mut(child as usize) {
                state.in_care = kind.is_alternative_care();
                state.care = Some(kind);
            }
        }
        Pass {
            data,
            period,
            as_of,
            children,
            events_by_referral,
        }
    }

    /// Registered by the as-of day, or screened by then (a child screened on paper and entered
    /// later was there when screened).
    fn registered(&self, child: Key) -> bool {
        self.children[child as usize].screened
            || self.data.children[child as usize]
                .registered_on
                .is_none_or(|d| d <= self.as_of)
    }

    fn school_supported(&self) -> Vec<Option<bool>> {
        let mut supported: Vec<Option<bool>> = self
            .data
            .facilities
            .iter()
            .map(|f| {
                let school =
                    f.in_scope && f.active && f.facility_type.is_some_and(|t| t.is_school());
                school.then_some(f.counsellors > 0)
            })
            .collect();
        for s in &self.data.sessions {
            if self.period.contains(s.on) && s.on <= self.as_of {
                if let Some(slot @ Some(false)) = supported.get_mut(s.facility as usize) {
                    *slot = Some(true);
                }
            }
        }
        supported
    }
}

fn lines<K>(map: HashMap<K, Ratio>, key: impl Fn(&K) -> String) -> Vec<Line> {
    let mut lines: Vec<Line> = map
        .into_iter()
        .map(|(k, ratio)| Line {
            key: key(&k),
            ratio,
        })
        .collect();
    lines.sort_by(|a, b| a.key.cmp(&b.key));
    lines
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

fn sex_code(sex: Sex) -> String {
    sex.code().to_string()
}

/// The report for the data set's scope over `period`, as of `today` at the latest.
pub fn compute(data: &Dataset, period: Period, today: NaiveDate) -> Report {
    let pass = Pass::new(data, period, today);
    let as_of = pass.as_of;
    let mut i1 = Ratio::default();
    let mut i1_still_open = 0;
    let (mut i1_age, mut i1_sex) = (HashMap::new(), HashMap::new());
    let (mut i2, mut i4) = (Ratio::default(), Ratio::default());
    let (mut i4_age, mut i4_sex, mut i4_eth) = (HashMap::new(), HashMap::new(), HashMap::new());
    // I2 by the care arrangement in force (`None`: none recorded).
    let mut i2_care: HashMap<Option<CareKind>, Ratio> = HashMap::new();
    let mut units: HashMap<Key, Unit> = HashMap::new();
    let months = period.months();
    let month_of = |day: NaiveDate| {
        use chrono::Datelike;
        months.iter().position(|m| *m == (day.year(), day.month()))
    };
    let mut trend: Vec<Month> = months
        .iter()
        .map(|(year, month)| Month {
            year: *year,
            month: *month,
            i1: Ratio::default(),
            screenings: 0,
            children_screened: 0,
            referrals: 0,
        })
        .collect();
    for (key, child) in data.children.iter().enumerate() {
        let state = &pass.children[key];
        let band = AgeBand::of(child.born, as_of);
        let u = unit(&mut units, data, child.facility);
        if let Some(on) = state.at_risk_on {
            let reached = state.reached_on.is_some();
            i1.add(reached);
            u.i1.add(reached);
            i1_age
                .entry(band)
                .or_insert_with(Ratio::default)
                .add(reached);
            i1_sex
                .entry(child.sex)
                .or_insert_with(Ratio::default)
                .add(reached);
            if !reached && on + Duration::days(REACH_DAYS) >= as_of {
                i1_still_open += 1;
            }
            if let Some(m) = month_of(on) {
                trend[m].i1.add(reached);
            }
        }
        if state.orphan {
            i2.add(state.in_care);
            u.i2.add(state.in_care);
            i2_care.entry(state.care).or_default().add(state.in_care);
        }
        if pass.registered(key as Key) {
            i4.add(state.screened);
            u.i4.add(state.screened);
            i4_age
                .entry(band)
                .or_insert_with(Ratio::default)
                .add(state.screened);
            i4_sex
                .entry(child.sex)
                .or_insert_with(Ratio::default)
                .add(state.screened);
            i4_eth
                .entry(child.ethnicity)
                .or_insert_with(Ratio::default)
                .add(state.screened);
        }
    }
    let mut i3 = Ratio::default();
    for (facility, supported) in pass.school_supported().into_iter().enumerate() {
        if let Some(supported) = supported {
            i3.add(supported);
            unit(&mut units, data, facility as Key).i3.add(supported);
        }
    }
    // Screenings by instrument and month.
    let mut by_instrument: HashMap<u8, InstrumentLine> = HashMap::new();
    // Which children were screened in which month: one bit per (child, month).
    let mut screened_in_month = vec![0u64; (data.children.len() * months.len()).div_ceil(64)];
    for s in data
        .screenings
        .iter()
        .filter(|s| period.contains(s.on) && s.on <= as_of)
    {
        let line = by_instrument
            .entry(s.instrument)
            .or_insert_with(|| InstrumentLine {
                instrument: super::codes::instrument_of(s.instrument)
                    .map_or_else(|| "?".into(), str::to_string),
                screenings: 0,
                positive: 0,
            });
        line.screenings += 1;
        line.positive += u32::from(s.at_risk);
        if let Some(m) = month_of(s.on) {
            trend[m].screenings += 1;
            let bit = s.child as usize * months.len() + m;
            let (word, mask) = (bit / 64, 1u64 << (bit % 64));
            if screened_in_month[word] & mask == 0 {
                screened_in_month[word] |= mask;
                trend[m].children_screened += 1;
            }
        }
    }
    let i5 = referral_loop(&pass, &mut trend);
    let mut instruments: Vec<InstrumentLine> = by_instrument.into_values().collect();
    instruments.sort_by(|a, b| a.instrument.cmp(&b.instrument));
    let mut facilities: Vec<Unit> = units
        .iter()
        .filter(|(k, _)| data.facilities[**k as usize].in_scope)
        .map(|(_, u)| u.clone())
        .collect();
    facilities.sort_by(|a, b| a.name.cmp(&b.name));
    let areas = area_units(data, &units);
    let window = Period {
        from: period.from,
        to: as_of,
    };
    let care = programme::circumstances(data, window);
    let sessions = programme::sessions(data, window);
    let networks = programme::networks(data, window);
    let conditions = programme::conditions(data, as_of);
    Report {
        period,
        as_of,
        i1,
        i1_by_age: lines(i1_age, |b: &AgeBand| b.key().into()),
        i1_by_sex: lines(i1_sex, |s: &Sex| sex_code(*s)),
        i1_still_open,
        i2,
        i2_by_care: lines(i2_care, |k: &Option<CareKind>| {
            k.map_or(super::UNRECORDED_CARE, CareKind::code).to_string()
        }),
        i3,
        i4,
        i4_by_age: lines(i4_age, |b: &AgeBand| b.key().into()),
        i4_by_sex: lines(i4_sex, |s: &Sex| sex_code(*s)),
        i4_by_ethnicity: lines(i4_eth, |e: &u16| {
            crate::ethnicity::ETHNIC_GROUPS
                .get(*e as usize)
                .map_or_else(|| "?".into(), |(slug, _)| slug.to_string())
        }),
        by_instrument: instruments,
        i5,
        months: trend,
        facilities,
        areas,
        orphans: programme::orphans(data, as_of),
        circumstances: care.lines,
        circumstances_children: care.children,
        circumstances_supported: care.supported,
        sessions: sessions.lines,
        sessions_children: sessions.children,
        hotline_calls: programme::hotline_calls(data, window),
        conditions: conditions.0,
        conditions_children: conditions.1,
        networks_working: networks.0,
        networks: networks.1,
        activities: programme::activities(data, period),
        hidden: Vec::new(),
        guarded: Vec::new(),
    }
}

/// A facility's line of figures, made on first use.
fn unit<'m>(units: &'m mut HashMap<Key, Unit>, data: &Dataset, facility: Key) -> &'m mut Unit {
    let f = &data.facilities[facility as usize];
    units.entry(facility).or_insert_with(|| Unit {
        id: f.id,
        name: f.name.clone(),
        i1: Ratio::default(),
        i2: Ratio::default(),
        i3: Ratio::default(),
        i4: Ratio::default(),
    })
}

/// Each area's figures: the sum of its facilities'.
fn area_units(data: &Dataset, units: &HashMap<Key, Unit>) -> Vec<Unit> {
    let mut areas: HashMap<uuid::Uuid, Unit> = HashMap::new();
    for (key, u) in units {
        let f = &data.facilities[*key as usize];
        if !f.in_scope {
            continue;
        }
        let area = areas.entry(f.area_id).or_insert_with(|| Unit {
            id: f.area_id,
            name: data.areas.get(&f.area_id).cloned().unwrap_or_default(),
            i1: Ratio::default(),
            i2: Ratio::default(),
            i3: Ratio::default(),
            i4: Ratio::default(),
        });
        for (sum, part) in [
            (&mut area.i1, u.i1),
            (&mut area.i2, u.i2),
            (&mut area.i3, u.i3),
            (&mut area.i4, u.i4),
        ] {
            sum.numerator += part.numerator;
            sum.denominator += part.denominator;
        }
    }
    let mut list: Vec<Unit> = areas.into_values().collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list
}

/// A referral's status as of `at`, from its accepted events (in time order).
fn status_at(events: &[&EventFact], at: DateTime<Utc>) -> Status {
    events
        .iter()
        .filter(|e| e.at <= at)
        .fold(Status::Sent, |status, e| {
            crate::referral::apply(status, e.action, e.action.side(), "-").unwrap_or(status)
        })
}

/// I5 over referrals sent in the period by facilities in scope; open overdue ones as of the end.
fn referral_loop(pass: &Pass<'_>, trend: &mut [Month]) -> ReferralLoop {
    use chrono::Datelike;
    let data = pass.data;
    let end = end_of(pass.as_of);
    let mut result = ReferralLoop::default();
    let (mut to_received, mut to_attended) = (Vec::new(), Vec::new());
    let mut by_route: std::collections::BTreeMap<super::Route, u32> = Default::default();
    let type_of = |key: Option<Key>| {
        key.and_then(|k| data.facilities.get(k as usize))
            .and_then(|f| f.facility_type)
    };
    for (key, r) in data.referrals.iter().enumerate() {
        if !data.facilities[r.from as usize].in_scope || r.sent_at > end {
            continue;
        }
        let events = &pass.events_by_referral[key];
        let status = status_at(events, end);
        if !status.is_final() && data.due_times.is_overdue(r.urgency, status, r.sent_at, end) {
            result.open_overdue += 1;
        }
        let sent_on = local_day(r.sent_at);
        if !pass.period.contains(sent_on) {
            continue;
        }
        result.sent += 1;
        *by_route
            .entry(super::Route::of(type_of(Some(r.from)), type_of(r.to)))
            .or_default() += 1;
        if let Some(m) = trend
            .iter()
            .position(|m| (m.year, m.month) == (sent_on.year(), sent_on.month()))
        {
            trend[m].referrals += 1;
        }
        let days = |at: DateTime<Utc>| (at - r.sent_at).num_seconds().max(0) as f64 / 86_400.0;
        let seen = events.iter().filter(|e| e.at <= end);
        if let Some(first) = seen.clone().find(|e| e.action.side() == Side::Receiver) {
            to_received.push(days(first.at));
        }
        if let Some(attend) = seen.clone().find(|e| e.action == Action::Attend) {
            let on = attend.attended_on.unwrap_or_else(|| local_day(attend.at));
            to_attended.push((on - sent_on).num_days().max(0) as f64);
        }
        result.declined.add(status == Status::Declined);
        result
            .feedback
            .add(seen.clone().any(|e| e.action == Action::Complete));
    }
    result.by_route = by_route
        .into_iter()
        .map(|(route, count)| super::Count {
            key: route.code().to_string(),
            count,
        })
        .collect();
    result.median_days_to_received = median(to_received);
    result.median_days_to_attended = median(to_attended);
    result
}

/// The rows behind an indicator's figure: for I1, I2 and I4 the children of its denominator; for
/// I3 the schools; for I5 the referrals sent. Each with whether the numerator counts it, and the
/// day that decided it.
pub fn rows(
    data: &Dataset,
    period: Period,
    today: NaiveDate,
    indicator: Indicator,
) -> Vec<(Key, Part, Option<NaiveDate>)> {
    let pass = Pass::new(data, period, today);
    let part = |counted: bool| if counted { Part::Numerator } else { Part::Rest };
    let mut out = Vec::new();
    match indicator {
        Indicator::I1 => {
            for (key, state) in pass.children.iter().enumerate() {
                if let Some(on) = state.at_risk_on {
                    out.push((
                        key as Key,
                        part(state.reached_on.is_some()),
                        state.reached_on.or(Some(on)),
                    ));
                }
            }
        }
        Indicator::I2 => {
            for (key, state) in pass.children.iter().enumerate() {
                if state.orphan {
                    out.push((key as Key, part(state.in_care), None));
                }
            }
        }
        Indicator::I3 => {
            for (key, supported) in pass.school_supported().into_iter().enumerate() {
                if let Some(supported) = supported {
                    out.push((key as Key, part(supported), None));
                }
            }
        }
        Indicator::I4 => {
            for (key, state) in pass.children.iter().enumerate() {
                if pass.registered(key as Key) {
                    out.push((key as Key, part(state.screened), None));
                }
            }
        }
        Indicator::I5 => {
            for (key, r) in data.referrals.iter().enumerate() {
                let sent_on = local_day(r.sent_at);
                if data.facilities[r.from as usize].in_scope
                    && pass.period.contains(sent_on)
                    && sent_on <= pass.as_of
                {
                    let done = pass.events_by_referral[key]
                        .iter()
                        .any(|e| e.action == Action::Complete);
                    out.push((key as Key, part(done), Some(sent_on)));
                }
            }
        }
    }
    out
}
