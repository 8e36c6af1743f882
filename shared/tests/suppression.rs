//! Suppression that holds against subtraction: over random reports, a reader who knows how the
//! published counts add up (a total is its breakdown; a share's numerator and the rest make its
//! denominator) can work out no hidden count and no small unprinted one.
//!
//! The reader here is written from the report's meaning, field by field, not from the walk the
//! suppressor uses, so a relation the suppressor forgets is a relation this reader still uses.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use shared::care::{ParentsLost, SessionKind};
use shared::child::Sex;
use shared::health_condition::ConditionKind;
use shared::indicators::audit::{Audit, Known};
use shared::indicators::codes::circumstance_code;
use shared::indicators::{
    compute, CallFact, ChildFact, CircumstanceFact, ConditionFact, Dataset, EventFact,
    FacilityFact, Hidden, OrphanFact, Period, Ratio, ReferralFact, Report, ScreeningFact,
    SessionFact, Suppression,
};
use shared::place::FacilityType;
use shared::referral::{Action, Urgency};
use uuid::Uuid;

const BELOW: u32 = 5;

/// The reader: the published report's counts as cells, with the relations between them.
struct Reader<'a> {
    audit: Audit,
    /// The unsuppressed report, only to know whether a breakdown leaves a rest at all.
    full: &'a Report,
}

/// A count in both reports: the published one (with why it is hidden) and the true one.
#[derive(Clone, Copy)]
struct Count {
    shown: u32,
    hidden: Option<Hidden>,
    truth: u32,
}

impl Reader<'_> {
    fn cell(&mut self, c: Count) -> (usize, u32) {
        let known = match c.hidden {
            Some(why) => Known::Hidden(why),
            None => Known::Exact(c.shown),
        };
        (self.audit.cell(known), c.truth)
    }

    /// `total` is the sum of `parts` and, if the parts fall short, an unprinted rest.
    fn sum(&mut self, total: (usize, u32), parts: Vec<(usize, u32)>) {
        let of_parts: u32 = parts.iter().map(|(_, v)| v).sum();
        assert!(of_parts <= total.1, "a breakdown larger than its total");
        let mut cells: Vec<usize> = parts.iter().map(|(c, _)| *c).collect();
        if of_parts < total.1 {
            cells.push(self.audit.cell(Known::Unpublished));
        }
        self.audit.sum(total.0, cells);
    }

    fn ratio(&mut self, shown: Ratio, truth: Ratio) -> ((usize, u32), (usize, u32)) {
        let n = self.cell(Count {
            shown: shown.numerator,
            hidden: shown.numerator_hidden,
            truth: truth.numerator,
        });
        let d = self.cell(Count {
            shown: shown.denominator,
            hidden: shown.denominator_hidden,
            truth: truth.denominator,
        });
        self.sum(d, vec![n]);
        (n, d)
    }

    fn count(&mut self, shown: u32, key: &str, truth: u32, report: &Report) -> (usize, u32) {
        let hidden = Suppression::hidden_in(report, key);
        self.cell(Count {
            shown,
            hidden,
            truth,
        })
    }

    fn breakdown(&mut self, of: ((usize, u32), (usize, u32)), lines: Vec<(Ratio, Ratio)>) {
        let (n, d): (Vec<_>, Vec<_>) = lines.into_iter().map(|(s, t)| self.ratio(s, t)).unzip();
        self.sum(of.0, n);
        self.sum(of.1, d);
    }
}

fn read(published: &Report, full: &Report) -> Audit {
    let mut r = Reader {
        audit: Audit::new(BELOW),
        full,
    };
    let (p, f) = (published, r.full);
    let i1 = r.ratio(p.i1, f.i1);
    let i2 = r.ratio(p.i2, f.i2);
    let i4 = r.ratio(p.i4, f.i4);
    let zip = |a: &[shared::indicators::Line], b: &[shared::indicators::Line]| {
        a.iter()
            .zip(b)
            .map(|(a, b)| (a.ratio, b.ratio))
            .collect::<Vec<_>>()
    };
    r.breakdown(i1, zip(&p.i1_by_age, &f.i1_by_age));
    r.breakdown(i1, zip(&p.i1_by_sex, &f.i1_by_sex));
    r.breakdown(
        i1,
        p.months
            .iter()
            .zip(&f.months)
            .map(|(a, b)| (a.i1, b.i1))
            .collect(),
    );
    r.breakdown(i4, zip(&p.i4_by_age, &f.i4_by_age));
    r.breakdown(i4, zip(&p.i4_by_sex, &f.i4_by_sex));
    r.breakdown(i4, zip(&p.i4_by_ethnicity, &f.i4_by_ethnicity));
    for (a, b) in [(&p.facilities, &f.facilities), (&p.areas, &f.areas)] {
        r.breakdown(i1, a.iter().zip(b).map(|(a, b)| (a.i1, b.i1)).collect());
        r.breakdown(i2, a.iter().zip(b).map(|(a, b)| (a.i2, b.i2)).collect());
        r.breakdown(i4, a.iter().zip(b).map(|(a, b)| (a.i4, b.i4)).collect());
    }
    r.count(p.i1_still_open, "i1_still_open", f.i1_still_open, p);
    let sent = r.count(p.i5.sent, "i5.sent", f.i5.sent, p);
    for (a, b) in [
        (p.i5.declined, f.i5.declined),
        (p.i5.feedback, f.i5.feedback),
    ] {
        let (_, of) = r.ratio(a, b);
        r.sum(sent, vec![of]);
    }
    let months: Vec<_> = p
        .months
        .iter()
        .zip(&f.months)
        .map(|(a, b)| {
            let key = format!("month.{}-{:02}", a.year, a.month);
            let of = r.count(a.screenings, &format!("{key}.screenings"), b.screenings, p);
            let who = r.count(
                a.children_screened,
                &format!("{key}.children_screened"),
                b.children_screened,
                p,
            );
            r.sum(of, vec![who]);
            let referrals = r.count(a.referrals, &format!("{key}.referrals"), b.referrals, p);
            (of, referrals)
        })
        .collect();
    let (by_month, referrals): (Vec<_>, Vec<_>) = months.into_iter().unzip();
    r.sum(sent, referrals);
    let all: u32 = f.by_instrument.iter().map(|l| l.screenings).sum();
    let all = (r.audit.cell(Known::Unpublished), all);
    r.sum(all, by_month);
    let by_instrument = p
        .by_instrument
        .iter()
        .zip(&f.by_instrument)
        .map(|(a, b)| {
            let key = format!("instrument.{}", a.instrument);
            let of = r.count(a.screenings, &format!("{key}.screenings"), b.screenings, p);
            let positive = r.count(a.positive, &format!("{key}.positive"), b.positive, p);
            r.sum(of, vec![positive]);
            of
        })
        .collect();
    r.sum(all, by_instrument);
    programme(&mut r, p, f, i2);
    r.audit
}

/// What a reader knows of the plans' counts: I2's orphans are exactly those by loss, the
/// COVID-19 orphans among them; supported children among the children of each group; children
/// reached among each kind's sessions. A sum of groups that overlap (a child in two) is no
/// equation.
fn programme(r: &mut Reader, p: &Report, f: &Report, i2: ((usize, u32), (usize, u32))) {
    let (po, fo) = (p.orphans, f.orphans);
    let both = r.count(po.both_parents, "orphans.both_parents", fo.both_parents, p);
    let one = r.count(po.one_parent, "orphans.one_parent", fo.one_parent, p);
    let unknown = r.count(po.unrecorded, "orphans.unrecorded", fo.unrecorded, p);
    let covid = r.count(po.covid19, "orphans.covid19", fo.covid19, p);
    r.sum(i2.1, vec![both, one, unknown]);
    r.sum(i2.1, vec![covid]);
    let children = r.count(
        p.circumstances_children,
        "circumstances.children",
        f.circumstances_children,
        p,
    );
    let supported = r.count(
        p.circumstances_supported,
        "circumstances.supported",
        f.circumstances_supported,
        p,
    );
    r.sum(children, vec![supported]);
    let (mut groups, mut helped) = (Vec::new(), Vec::new());
    for (a, b) in p.circumstances.iter().zip(&f.circumstances) {
        let key = format!("circumstance.{}", a.code);
        let of = r.count(a.children, &format!("{key}.children"), b.children, p);
        let part = r.count(a.supported, &format!("{key}.supported"), b.supported, p);
        r.sum(of, vec![part]);
        groups.push(of);
        helped.push(part);
    }
    let no_overlap = |parts: &[(usize, u32)], total: (usize, u32)| {
        parts.iter().map(|(_, v)| v).sum::<u32>() <= total.1
    };
    if no_overlap(&groups, children) {
        r.sum(children, groups);
    }
    if no_overlap(&helped, supported) {
        r.sum(supported, helped);
    }
    let reached = r.count(
        p.sessions_children,
        "sessions.children",
        f.sessions_children,
        p,
    );
    let mut by_kind = Vec::new();
    for (a, b) in p.sessions.iter().zip(&f.sessions) {
        let key = format!("session.{}", a.kind);
        let held = r.count(a.sessions, &format!("{key}.sessions"), b.sessions, p);
        let of = r.count(a.children, &format!("{key}.children"), b.children, p);
        r.sum(held, vec![of]);
        by_kind.push(of);
    }
    if no_overlap(&by_kind, reached) {
        r.sum(reached, by_kind);
    }
    r.count(p.hotline_calls, "hotline_calls", f.hotline_calls, p);
    let known = r.count(
        p.conditions_children,
        "conditions.children",
        f.conditions_children,
        p,
    );
    let kinds: Vec<_> = p
        .conditions
        .iter()
        .zip(&f.conditions)
        .map(|(a, b)| r.count(a.count, &format!("condition.{}", a.key), b.count, p))
        .collect();
    if no_overlap(&kinds, known) {
        r.sum(known, kinds);
    }
}

const PERIOD: Period = Period {
    from: NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
    to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
};

/// A child: facility, sex, ethnicity, age in years, screenings (day of the period, at risk),
/// whether a session followed and a referral was sent (and answered).
type Kid = (u32, u8, u16, i64, Vec<(i64, bool)>, bool, Option<u8>);

/// The same child's care: an orphan (what was lost: 0 unrecorded, 1 one parent, 2 both; and
/// whether to COVID-19), another circumstance (one of three groups), the kind of its session,
/// and whether hotline 111 was called.
type Care = (Option<(u8, bool)>, Option<u8>, u8, bool, Option<u8>);

fn dataset(facilities: u32, kids: Vec<(Kid, Care)>) -> Dataset {
    let areas = [Uuid::now_v7(), Uuid::now_v7()];
    let mut data = Dataset::default();
    data.areas.insert(areas[0], "Xã A".into());
    data.areas.insert(areas[1], "Xã B".into());
    for f in 0..facilities {
        data.facilities.push(FacilityFact {
            id: Uuid::now_v7(),
            name: format!("Trường {f}"),
            facility_type: Some(FacilityType::LowerSecondarySchool),
            area_id: areas[(f % 2) as usize],
            active: true,
            in_scope: true,
            counsellors: f % 2,
        });
    }
    let day = |d: i64| PERIOD.from + Duration::days(d);
    for (k, ((facility, sex, ethnicity, age, screenings, session, referral), care)) in
        kids.into_iter().enumerate()
    {
        let (orphan, group, kind, call, condition) = care;
        let child = k as u32;
        if let Some(condition) = condition {
            data.conditions.push(ConditionFact {
                child,
                kind: ConditionKind::ALL[usize::from(condition % 4)],
                on: PERIOD.from,
            });
        }
        let facility = facility % facilities;
        data.children.push(ChildFact {
            facility,
            born: PERIOD.to - Duration::days(365 * age + 40),
            sex: Sex::ALL[usize::from(sex % 2)],
            ethnicity,
            registered_on: None,
        });
        data.child_ids.push(Uuid::now_v7());
        for (on, at_risk) in &screenings {
            data.screenings.push(ScreeningFact {
                child,
                on: day(*on),
                instrument: 1 + u8::from(*on % 2 == 0),
                at_risk: *at_risk,
            });
        }
        let first = screenings.iter().map(|(on, _)| *on).min().unwrap_or(0);
        if session {
            data.sessions.push(SessionFact {
                child,
                facility,
                on: day(first + 10),
                kind: [
                    SessionKind::Individual,
                    SessionKind::Group,
                    SessionKind::ParentGuidance,
                ][usize::from(kind % 3)],
            });
        }
        if let Some((lost, covid)) = orphan {
            let parents = [None, Some(ParentsLost::One), Some(ParentsLost::Both)];
            data.orphans.push(OrphanFact {
                child,
                since: PERIOD.from,
                until: None,
                parents: parents[usize::from(lost % 3)],
                covid,
            });
            data.circumstances.push(CircumstanceFact {
                child,
                group: circumstance_code("orphan"),
                since: PERIOD.from,
                until: None,
            });
        }
        if let Some(group) = group {
            let code = ["disability", "poor_household", "migrant"][usize::from(group % 3)];
            data.circumstances.push(CircumstanceFact {
                child,
                group: circumstance_code(code),
                since: PERIOD.from,
                until: None,
            });
        }
        if call {
            data.calls.push(CallFact {
                child,
                facility,
                on: day(100),
            });
        }
        if let Some(answer) = referral {
            let sent = Utc.from_utc_datetime(&day(first + 1).and_hms_opt(3, 0, 0).unwrap());
            data.referrals.push(ReferralFact {
                child,
                from: facility,
                to: None,
                urgency: Urgency::Routine,
                sent_at: sent,
            });
            data.referral_ids.push(Uuid::now_v7());
            let referral = data.referrals.len() as u32 - 1;
            let actions: &[Action] = match answer % 3 {
                0 => &[],
                1 => &[Action::Receive, Action::Decline],
                _ => &[Action::Accept, Action::Attend, Action::Complete],
            };
            for (i, action) in actions.iter().enumerate() {
                data.events.push(EventFact {
                    referral,
                    action: *action,
                    at: sent + Duration::days(i as i64 + 1),
                    attended_on: (*action == Action::Attend).then(|| day(first + 3)),
                });
            }
        }
    }
    data
}

fn kid() -> impl Strategy<Value = (Kid, Care)> {
    let kid = (
        0u32..4,
        0u8..3,
        0u16..3,
        4i64..18,
        prop::collection::vec((0i64..360, prop::bool::weighted(0.4)), 0..3),
        prop::bool::ANY,
        prop::option::weighted(0.4, 0u8..3),
    );
    let care = (
        prop::option::weighted(0.3, (0u8..3, prop::bool::weighted(0.3))),
        prop::option::weighted(0.3, 0u8..3),
        0u8..3,
        prop::bool::weighted(0.2),
        prop::option::weighted(0.2, 0u8..4),
    );
    (kid, care)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_hidden_count_can_be_worked_out(
        facilities in 1u32..5,
        kids in prop::collection::vec(kid(), 0..40),
    ) {
        let data = dataset(facilities, kids);
        let full = compute(&data, PERIOD, PERIOD.to);
        let published = full.clone().suppressed(Suppression { below: BELOW });
        let audit = read(&published, &full);
        let bounds = audit.bounds();
        let leaks: Vec<_> = audit.disclosures().into_iter().map(|c| (c, bounds[c])).collect();
        prop_assert!(leaks.is_empty(), "worked out: {leaks:?}\n{published:#?}");
        // Nothing small is printed, and what is hidden is 0 on the wire.
        let five = Suppression { below: BELOW };
        let ratios = [published.i1, published.i2, published.i4];
        for r in ratios.iter().chain(published.facilities.iter().map(|u| &u.i1)) {
            prop_assert!(!five.hides(r.numerator), "a small count printed: {:?}", r);
            if r.numerator_hidden.is_some() {
                prop_assert_eq!(r.numerator, 0);
            }
        }
        prop_assert_eq!(published.i3, full.i3, "schools are not persons");
    }
}
