//! The indicators over small hand-made data sets whose answers are known, edge cases included:
//! a child screened positive twice, a referral declined then made elsewhere, an orphan whose care
//! changed during the year, voided screenings, children still inside their 90 days.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use shared::care::{CareKind, ParentsLost, SessionKind};
use shared::child::Sex;
use shared::indicators::codes::circumstance_code;
use shared::indicators::{
    compute, rows, CallFact, CareFact, ChildFact, CircumstanceFact, Dataset, EventFact,
    FacilityFact, Hidden, Indicator, OrphanFact, Orphans, Period, Ratio, ReferralFact,
    ScreeningFact, SessionFact, Suppression,
};
use shared::lang::Lang;
use shared::place::FacilityType;
use shared::referral::{Action, Urgency};
use uuid::Uuid;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap()
}

fn facility(name: &str, t: FacilityType, area: Uuid, counsellors: u32) -> FacilityFact {
    FacilityFact {
        id: Uuid::now_v7(),
        name: name.into(),
        facility_type: Some(t),
        area_id: area,
        active: true,
        in_scope: true,
        counsellors,
    }
}

fn child(facility: u32, born: NaiveDate, sex: Sex) -> ChildFact {
    ChildFact {
        facility,
        born,
        sex,
        ethnicity: 0,
        registered_on: None,
    }
}

fn screening(child: u32, on: NaiveDate, at_risk: bool) -> ScreeningFact {
    ScreeningFact {
        child,
        on,
        instrument: 2,
        at_risk,
    }
}

/// Two communes; school 0 (with a counsellor) and school 1 (none) in commune A; station 2 in A;
/// school 3 in B with a session only. Six children at school 0.
fn data() -> Dataset {
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let mut data = Dataset {
        facilities: vec![
            facility("Trường A", FacilityType::LowerSecondarySchool, a, 1),
            facility("Trường B", FacilityType::PrimarySchool, a, 0),
            facility("Trạm A", FacilityType::CommuneHealthStation, a, 0),
            facility("Trường C", FacilityType::UpperSecondarySchool, b, 0),
        ],
        ..Dataset::default()
    };
    data.areas.insert(a, "Phường A".into());
    data.areas.insert(b, "Xã B".into());
    let born = NaiveDate::from_ymd_opt(2012, 3, 7).unwrap();
    for (i, sex) in [
        Sex::Male,
        Sex::Female,
        Sex::Female,
        Sex::Male,
        Sex::Female,
        Sex::Male,
    ]
    .into_iter()
    .enumerate()
    {
        let born = if i == 5 {
            NaiveDate::from_ymd_opt(2019, 1, 1).unwrap()
        } else {
            born
        };
        data.children.push(child(0, born, sex));
        data.child_ids.push(Uuid::now_v7());
    }
    // Child 0: positive twice (March and May); a session in April reaches it.
    data.screenings.push(screening(0, day(3, 2), true));
    data.screenings.push(screening(0, day(5, 10), true));
    data.sessions.push(SessionFact {
        child: 0,
        facility: 0,
        on: day(4, 1),
        kind: SessionKind::Individual,
    });
    // Child 1: positive in March; referred, declined; referred elsewhere and attended in April.
    data.screenings.push(screening(1, day(3, 5), true));
    for (to_key, sent) in [(0u32, at(3, 6, 2)), (1, at(3, 8, 2))] {
        let _ = to_key;
        data.referrals.push(ReferralFact {
            child: 1,
            from: 0,
            // The ward's health station.
            to: Some(2),
            urgency: Urgency::Urgent,
            sent_at: sent,
        });
        data.referral_ids.push(Uuid::now_v7());
    }
    data.events.push(EventFact {
        referral: 0,
        action: Action::Receive,
        at: at(3, 6, 8),
        attended_on: None,
    });
    data.events.push(EventFact {
        referral: 0,
        action: Action::Decline,
        at: at(3, 7, 2),
        attended_on: None,
    });
    data.events.push(EventFact {
        referral: 1,
        action: Action::Accept,
        at: at(3, 9, 2),
        attended_on: None,
    });
    data.events.push(EventFact {
        referral: 1,
        action: Action::Attend,
        at: at(4, 2, 2),
        attended_on: Some(day(4, 1)),
    });
    data.events.push(EventFact {
        referral: 1,
        action: Action::Complete,
        at: at(4, 3, 2),
        attended_on: None,
    });
    // Child 2: positive in March, nothing after: not reached (its 90 days are over by November).
    data.screenings.push(screening(2, day(3, 20), true));
    // Child 3: positive in November, a session 100 days before does not count; still open.
    data.sessions.push(SessionFact {
        child: 3,
        facility: 0,
        on: day(8, 1),
        kind: SessionKind::Group,
    });
    data.screenings.push(screening(3, day(11, 10), true));
    // Child 4: screened negative. Child 5 (7 years old): never screened.
    data.screenings.push(screening(4, day(6, 1), false));
    // School C has a session in the period (for a child of school 0: counts for C's support).
    data.sessions.push(SessionFact {
        child: 4,
        facility: 3,
        on: day(9, 9),
        kind: SessionKind::ParentGuidance,
    });
    // Orphans: child 2 went from "none yet" to kinship care in June (counts); child 4 from
    // kinship care to none in July (does not); child 5's orphanhood ended before the period's end.
    // Child 2 lost both parents, one to COVID-19; child 4 one parent; child 5's loss unrecorded.
    for (child, until, parents, covid) in [
        (2, None, Some(ParentsLost::Both), true),
        (4, None, Some(ParentsLost::One), false),
        (5, Some(day(2, 1)), None, false),
    ] {
        data.orphans.push(OrphanFact {
            child,
            since: day(1, 1),
            until,
            parents,
            covid,
        });
        data.circumstances.push(CircumstanceFact {
            child,
            group: circumstance_code("orphan"),
            since: day(1, 1),
            until,
        });
    }
    // Child 0 has a disability; child 1 lives in a poor household since before the period;
    // child 3's poverty ended before it began.
    for (child, code, since, until) in [
        (0, "disability", day(2, 1), None),
        (
            1,
            "poor_household",
            day(1, 1) - chrono::Duration::days(300),
            None,
        ),
        (
            3,
            "poor_household",
            day(1, 1) - chrono::Duration::days(400),
            Some(day(1, 1) - chrono::Duration::days(60)),
        ),
    ] {
        data.circumstances.push(CircumstanceFact {
            child,
            group: circumstance_code(code),
            since,
            until,
        });
    }
    // Hotline 111 was called about child 1 in April, and about child 2 before the period.
    for (child, on) in [(1, day(4, 2)), (2, day(1, 1) - chrono::Duration::days(45))] {
        data.calls.push(CallFact {
            child,
            facility: 0,
            on,
        });
    }
    data.care.push(CareFact {
        child: 2,
        kind: CareKind::NoneYet,
        since: day(1, 2),
    });
    data.care.push(CareFact {
        child: 2,
        kind: CareKind::Kinship,
        since: day(6, 1),
    });
    data.care.push(CareFact {
        child: 4,
        kind: CareKind::Kinship,
        since: day(1, 2),
    });
    data.care.push(CareFact {
        child: 4,
        kind: CareKind::NoneYet,
        since: day(7, 1),
    });
    data
}

const PERIOD: Period = Period {
    from: NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
    to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
};

fn ratio(numerator: u32, denominator: u32) -> Ratio {
    Ratio::new(numerator, denominator)
}

#[test]
fn each_indicator_has_its_known_answer() {
    let report = compute(&data(), PERIOD, day(11, 22));
    assert_eq!(report.as_of, day(11, 22), "not later than today");
    // I1: children 0, 1, 2, 3 at risk (0 counted once); 0 and 1 reached.
    assert_eq!(report.i1, ratio(2, 4));
    assert_eq!(report.i1_still_open, 1, "child 3 has days left");
    // I2: orphans 2 and 4 at the end (5's ended); only 2 is in alternative care now.
    assert_eq!(report.i2, ratio(1, 2));
    // By the arrangement in force at the end: 2 in kinship care, 4 with none yet.
    let by_care: Vec<(&str, Ratio)> = report
        .i2_by_care
        .iter()
        .map(|l| (l.key.as_str(), l.ratio))
        .collect();
    assert_eq!(
        by_care,
        [("kinship", ratio(1, 1)), ("none_yet", ratio(0, 1))]
    );
    // I3: schools A (counsellor) and C (session) of A, B, C.
    assert_eq!(report.i3, ratio(2, 3));
    // I4: five of six children screened.
    assert_eq!(report.i4, ratio(5, 6));
    let under_11 = report.i4_by_age.iter().find(|l| l.key == "06-10").unwrap();
    assert_eq!(under_11.ratio, ratio(0, 1));
    let girls = report.i4_by_sex.iter().find(|l| l.key == "female").unwrap();
    assert_eq!(girls.ratio, ratio(3, 3));
    assert_eq!(report.by_instrument[0].screenings, 6);
    assert_eq!(report.by_instrument[0].positive, 5);
    // I5: two referrals; one declined, one with feedback; received after 6 h and 1 day.
    assert_eq!(report.i5.sent, 2);
    assert_eq!(report.i5.declined, ratio(1, 2));
    assert_eq!(report.i5.feedback, ratio(1, 2));
    assert_eq!(report.i5.median_days_to_received, Some((0.25 + 1.0) / 2.0));
    assert_eq!(report.i5.median_days_to_attended, Some(24.0));
    assert_eq!(report.i5.open_overdue, 0);
    // Both went from school A to the ward's health station.
    let routes: Vec<(&str, u32)> = report
        .i5
        .by_route
        .iter()
        .map(|c| (c.key.as_str(), c.count))
        .collect();
    assert_eq!(routes, [("school_to_station", 2)]);
    // The trend: March had three children found at risk, two reached.
    let march = report.months.iter().find(|m| m.month == 3).unwrap();
    assert_eq!(march.i1, ratio(2, 3));
    assert_eq!(march.referrals, 2);
    assert_eq!(report.months.len(), 12);
    // By area: commune A holds schools A and B; commune B school C.
    let a = report.areas.iter().find(|u| u.name == "Phường A").unwrap();
    assert_eq!(a.i3, ratio(1, 2));
    assert_eq!(a.i4, ratio(5, 6));
}

#[test]
fn the_plans_counts_have_their_known_answers() {
    let report = compute(&data(), PERIOD, day(11, 22));
    // Orphans at the end (I2's two): child 2 lost both parents (COVID-19), child 4 one.
    assert_eq!(
        report.orphans,
        Orphans {
            both_parents: 1,
            one_parent: 1,
            unrecorded: 0,
            covid19: 1
        }
    );
    let orphans = report.orphans;
    assert_eq!(
        orphans.both_parents + orphans.one_parent + orphans.unrecorded,
        report.i2.denominator
    );
    // In special circumstances during the period: orphans 2, 4 and 5 (5's ended in February),
    // child 0's disability, child 1's poor household (child 3's ended before the period).
    // Supported: a session (0, 3, 4) or a referral (1) in the period.
    let lines: Vec<(&str, u32, u32)> = report
        .circumstances
        .iter()
        .map(|l| (l.code.as_str(), l.children, l.supported))
        .collect();
    assert_eq!(
        lines,
        [
            ("orphan", 3, 1),
            ("disability", 1, 1),
            ("poor_household", 1, 1)
        ]
    );
    assert_eq!(
        (
            report.circumstances_children,
            report.circumstances_supported
        ),
        (5, 3)
    );
    // Sessions by kind, each reaching one child; the hotline call is not a session.
    let sessions: Vec<(&str, u32, u32)> = report
        .sessions
        .iter()
        .map(|l| (l.kind.as_str(), l.sessions, l.children))
        .collect();
    assert_eq!(
        sessions,
        [
            ("individual", 1, 1),
            ("group", 1, 1),
            ("parent_guidance", 1, 1)
        ]
    );
    assert_eq!(report.sessions_children, 3);
    assert_eq!(
        report.hotline_calls, 1,
        "the earlier call is another period's"
    );
    // Earlier in the year fewer: by the end of March, no session but child 0's, no call.
    let march = compute(&data(), PERIOD, day(3, 31));
    assert_eq!(march.hotline_calls, 0);
    assert_eq!(march.sessions_children, 0);
    assert_eq!(
        march.circumstances_supported, 1,
        "child 1 was referred in March"
    );
}

#[test]
fn earlier_in_the_year_the_same_data_answers_differently() {
    // As of 31 March: child 0 reached (session 1 April not yet), child 1 not yet attended.
    let report = compute(&data(), PERIOD, day(3, 31));
    assert_eq!(report.i1, ratio(0, 3));
    assert_eq!(report.i1_still_open, 3);
    // Orphan 4 was still in kinship care then; orphan 2 had none yet.
    assert_eq!(report.i2, ratio(1, 2));
    // The urgent referral sent 8 March and never attended is past 7 days, but was accepted.
    let mut data = data();
    data.events.retain(|e| e.referral != 1);
    let report = compute(&data, PERIOD, day(3, 31));
    assert_eq!(
        report.i5.open_overdue, 1,
        "sent 8 March, nobody opened it in 48 hours"
    );
}

#[test]
fn the_rows_behind_a_figure_are_its_denominator_with_the_numerator_marked() {
    let data = data();
    let i1 = rows(&data, PERIOD, day(11, 22), Indicator::I1);
    assert_eq!(i1.len(), 4);
    let counted: Vec<u32> = i1
        .iter()
        .filter(|(_, part, _)| *part == shared::indicators::Part::Numerator)
        .map(|(k, _, _)| *k)
        .collect();
    assert_eq!(counted, [0, 1]);
    assert_eq!(rows(&data, PERIOD, day(11, 22), Indicator::I3).len(), 3);
    assert_eq!(rows(&data, PERIOD, day(11, 22), Indicator::I5).len(), 2);
}

#[test]
fn small_counts_are_hidden_in_aggregates() {
    let five = Suppression { below: 5 };
    assert_eq!(five.count(0), "0");
    assert_eq!(five.count(3), "<5");
    assert_eq!(five.count(5), "5");
    assert_eq!(five.percent(ratio(3, 40), Lang::En), "—");
    assert_eq!(five.percent(ratio(30, 40), Lang::En), "75.0%");
    assert_eq!(five.percent(ratio(30, 40), Lang::Vi), "75,0%");
    assert_eq!(Suppression::NONE.count(1), "1");
    // An aggregate report keeps no small count.
    let report = compute(&data(), PERIOD, day(11, 22)).suppressed(five);
    assert!(
        report.i1.is_hidden() && report.i1.numerator == 0 && report.i1.denominator == 0,
        "2 of 4 at risk"
    );
    // 5 of 6 screened: the one not screened would follow from both, so the 5 is a guard; and
    // with six children in all, every breakdown of them needs guards up to the total.
    assert_eq!(report.i4.numerator_hidden, Some(Hidden::Guard));
    assert_eq!(report.i4.denominator_hidden, Some(Hidden::Guard));
    assert_eq!(five.ratio(report.i4), ("x".to_string(), "x".to_string()));
    assert_eq!(report.i5.sent, 0);
    assert!(report.hidden.contains(&"i5.sent".to_string()));
    assert_eq!(five.count_in(&report, "i5.sent", report.i5.sent), "<5");
    assert_eq!(five.ratio(report.i1), ("<5".to_string(), "<5".to_string()));
    assert_eq!(five.percent(report.i1, Lang::Vi), "—");
    assert_eq!(five.percent(report.i4, Lang::Vi), "—");
    // What may be shown is: 3 of 6 referrals declined prints "<5 of 6".
    let mut report = compute(&Dataset::default(), PERIOD, day(11, 22));
    report.i5.sent = 6;
    report.i5.declined = ratio(3, 6);
    report.i5.feedback = ratio(6, 6);
    let report = report.suppressed(five);
    assert_eq!(
        five.ratio(report.i5.declined),
        ("<5".to_string(), "6".to_string())
    );
    assert_eq!(five.percent(report.i5.declined, Lang::Vi), "—");
    assert_eq!(report.i5.sent, 6);
    let report = compute(&data(), PERIOD, day(11, 22)).suppressed(five);
    // Schools are not persons: which schools lack support is never hidden.
    assert_eq!(report.i3, ratio(2, 3));
}

#[test]
fn voided_screenings_and_children_do_not_count() {
    use shared::indicators::RecordRef;
    use shared::sync::RecordType;
    let school = Uuid::now_v7();
    let child = |name: &str, voided: Option<&str>| {
        serde_json::json!({
            "full_name": name, "date_of_birth": "2012-03-07", "sex": "male", "ethnicity": "tay",
            "commune_id": Uuid::nil(), "guardian_name": "Mẹ", "guardian_relation": "mother",
            "voided_reason": voided
        })
    };
    let answers = shared::instrument::Answers {
        values: (1..=9).map(|i| (format!("phqa_{i}"), 2)).collect(),
        ..Default::default()
    };
    let result = shared::instrument::score(shared::instrument::find("phqa").unwrap(), &answers);
    let screening = |child_id: Uuid, voided: Option<&str>| {
        serde_json::json!({
            "child_id": child_id, "instrument_id": "phqa", "instrument_version": "1",
            "informant": "child", "screened_on": "2026-03-02", "answers": answers,
            "result": result, "voided_reason": voided
        })
    };
    let (kept, gone) = (Uuid::now_v7(), Uuid::now_v7());
    let fields: Vec<(RecordType, Uuid, serde_json::Value)> = vec![
        (RecordType::Child, kept, child("Còn", None)),
        (RecordType::Child, gone, child("Huỷ", Some("nhập nhầm"))),
        (
            RecordType::Screening,
            Uuid::now_v7(),
            screening(kept, Some("sai trẻ")),
        ),
        (RecordType::Screening, Uuid::now_v7(), screening(gone, None)),
    ];
    let maps: Vec<_> = fields
        .iter()
        .map(|(t, id, v)| (*t, *id, serde_json::from_value(v.clone()).unwrap()))
        .collect();
    let records: Vec<RecordRef> = maps
        .iter()
        .map(|(t, id, f)| RecordRef {
            record_type: *t,
            id: *id,
            facility_id: school,
            fields: f,
        })
        .collect();
    let data = Dataset::from_records(Vec::new(), &records, Default::default());
    assert_eq!(data.children.len(), 1, "the voided child is not registered");
    assert!(data.screenings.is_empty(), "neither screening counts");
    let report = compute(&data, PERIOD, day(11, 22));
    assert_eq!(report.i4, ratio(0, 1));
    assert_eq!(report.i1, ratio(0, 0));
}
