//! What an aggregate view may list of the rows behind a figure.
//!
//! A list is a finer table than the report: each row adds to the total, its facility's and its
//! area's figures, and (if shown) its age band and sex lines. So in an aggregate view:
//! - rows of a facility whose figure the report hides, or that sits in an area whose figure it
//!   hides, are withheld (the reader already knows how many, from the report's own sums);
//! - a facility whose counted or uncounted rows are a small number is withheld as well;
//! - age band and sex are shown only when every group of listed rows they form (with the
//!   facility and whether counted) is empty or not small, the report hides no line of that
//!   breakdown, and no row is withheld or cut off (else the difference would describe them);
//! - no exact dates (the caller drops them).
//!
//! Schools are not persons: the I3 list (schools and their support) is always shown whole.

use std::collections::HashMap;

use uuid::Uuid;

use super::{AgeBand, Indicator, Line, Ratio, Report, Suppression};
use crate::child::Sex;

/// What the policy reads of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub facility: Uuid,
    pub area: Uuid,
    pub counted: bool,
    pub age_band: Option<AgeBand>,
    pub sex: Option<Sex>,
}

/// Which rows to list and which of their attributes to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// One per row, in order: listed or withheld.
    pub keep: Vec<bool>,
    pub age_band: bool,
    pub sex: bool,
}

impl Listing {
    fn everything(rows: usize) -> Listing {
        Listing {
            keep: vec![true; rows],
            age_band: true,
            sex: true,
        }
    }
}

fn unit_ratio(indicator: Indicator, unit: &super::Unit) -> Option<Ratio> {
    match indicator {
        Indicator::I1 => Some(unit.i1),
        Indicator::I2 => Some(unit.i2),
        Indicator::I4 => Some(unit.i4),
        Indicator::I3 | Indicator::I5 => None,
    }
}

fn any_hidden(lines: &[Line]) -> bool {
    lines.iter().any(|l| l.ratio.is_hidden())
}

/// Groups of the kept rows by `key`, each empty or not small.
fn groups_hold<K: std::hash::Hash + Eq>(
    rows: &[Listed],
    keep: &[bool],
    suppression: Suppression,
    key: impl Fn(&Listed) -> K,
) -> bool {
    let mut counts: HashMap<K, u32> = HashMap::new();
    for (row, _) in rows.iter().zip(keep).filter(|(_, k)| **k) {
        *counts.entry(key(row)).or_default() += 1;
    }
    counts.values().all(|n| !suppression.hides(*n))
}

/// The listing of `rows` (all of the figure's rows, `shown` of them returned) for an aggregate
/// view, given the report as the view shows it (suppressed).
pub fn listing(
    report: &Report,
    indicator: Indicator,
    rows: &[Listed],
    shown: usize,
    suppression: Suppression,
) -> Listing {
    if indicator == Indicator::I3 || suppression.below <= 1 {
        return Listing::everything(rows.len());
    }
    let hidden_units = |units: &[super::Unit]| -> Vec<Uuid> {
        units
            .iter()
            .filter(|u| unit_ratio(indicator, u).is_some_and(Ratio::is_hidden))
            .map(|u| u.id)
            .collect()
    };
    let (facilities, areas) = (
        hidden_units(&report.facilities),
        hidden_units(&report.areas),
    );
    let mut keep: Vec<bool> = rows
        .iter()
        .map(|r| !facilities.contains(&r.facility) && !areas.contains(&r.area))
        .collect();
    // A facility's counted and uncounted rows are each empty or not small.
    let mut by_facility: HashMap<(Uuid, bool), u32> = HashMap::new();
    for (row, _) in rows.iter().zip(&keep).filter(|(_, k)| **k) {
        *by_facility.entry((row.facility, row.counted)).or_default() += 1;
    }
    for (row, kept) in rows.iter().zip(keep.iter_mut()) {
        let small =
            |counted| suppression.hides(*by_facility.get(&(row.facility, counted)).unwrap_or(&0));
        if small(true) || small(false) {
            *kept = false;
        }
    }
    let whole = shown >= rows.len() && keep.iter().all(|k| *k);
    let (by_age, by_sex) = match indicator {
        Indicator::I1 => (&report.i1_by_age, &report.i1_by_sex),
        Indicator::I4 => (&report.i4_by_age, &report.i4_by_sex),
        _ => (&Vec::new(), &Vec::new()),
    };
    let age_band = whole
        && !any_hidden(by_age)
        && groups_hold(rows, &keep, suppression, |r| {
            (r.facility, r.counted, r.age_band)
        });
    let sex = age_band
        && !any_hidden(by_sex)
        && groups_hold(rows, &keep, suppression, |r| {
            (r.facility, r.counted, r.age_band, r.sex)
        });
    Listing {
        keep,
        age_band,
        sex,
    }
}
