//! Times `Report::suppressed` on a province-shaped report (400 schools in 200 communes):
//! `cargo run --release -p shared --example suppress_timing`.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use shared::child::Sex;
use shared::indicators::{
    compute, ChildFact, Dataset, FacilityFact, Period, ScreeningFact, Suppression,
};
use shared::place::FacilityType;
use uuid::Uuid;

fn main() {
    let period = Period::reporting_year(2026);
    let mut data = Dataset::default();
    let areas: Vec<Uuid> = (0..200).map(|_| Uuid::now_v7()).collect();
    for (i, a) in areas.iter().enumerate() {
        data.areas.insert(*a, format!("Xã {i}"));
    }
    for f in 0..400u32 {
        data.facilities.push(FacilityFact {
            id: Uuid::now_v7(),
            name: format!("Trường {f}"),
            facility_type: Some(FacilityType::LowerSecondarySchool),
            area_id: areas[(f % 200) as usize],
            active: true,
            in_scope: true,
            counsellors: f % 2,
        });
    }
    for f in 0..200u32 {
        data.facilities.push(FacilityFact {
            id: Uuid::now_v7(),
            name: format!("Trạm {f}"),
            facility_type: Some(FacilityType::CommuneHealthStation),
            area_id: areas[f as usize],
            active: true,
            in_scope: true,
            counsellors: 0,
        });
    }
    // A deterministic spread: school sizes from 5 to 500, 12% at risk.
    let mut seed = 7u64;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for f in 0..400u32 {
        let size = 5 + next(495) as u32;
        for _ in 0..size {
            let child = data.children.len() as u32;
            data.children.push(ChildFact {
                facility: f,
                born: period.to - Duration::days(365 * (6 + next(12) as i64)),
                sex: Sex::ALL[next(2) as usize],
                ethnicity: next(5) as u16,
                registered_on: None,
            });
            data.child_ids.push(Uuid::now_v7());
            if next(500) == 0 {
                data.orphans.push(shared::indicators::OrphanFact {
                    child,
                    since: period.from,
                    until: None,
                    parents: None,
                    covid: false,
                });
            }
            if next(10) < 9 {
                data.screenings.push(ScreeningFact {
                    child,
                    on: period.from + Duration::days(next(300) as i64),
                    instrument: 1 + next(3) as u8,
                    at_risk: next(100) < 12,
                });
            }
        }
    }
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let report = compute(&data, period, today);
    for _ in 0..3 {
        let started = Instant::now();
        let published = report.clone().suppressed(Suppression { below: 5 });
        println!(
            "suppressed in {:?}: {} small, {} guards",
            started.elapsed(),
            published.hidden.len() + count(&published, true),
            published.guarded.len() + count(&published, false)
        );
    }
}

fn count(report: &shared::indicators::Report, small: bool) -> usize {
    use shared::indicators::Hidden;
    let want = if small { Hidden::Small } else { Hidden::Guard };
    report
        .facilities
        .iter()
        .chain(&report.areas)
        .flat_map(|u| [u.i1, u.i2, u.i3, u.i4])
        .flat_map(|r| [r.numerator_hidden, r.denominator_hidden])
        .filter(|h| *h == Some(want))
        .count()
}
