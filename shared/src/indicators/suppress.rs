//! Small-count suppression for aggregate views that holds against subtraction.
//!
//! Every count from 1 to `below - 1` about children is hidden ("<N"). Then, as long as a reader
//! could work a hidden count out from a total and the other cells ([`super::audit`]), or work
//! out a small count that is not printed (the children at risk who did *not* reach services, 48
//! of 50), the smallest printed cell of that sum is hidden too, as a guard ("x"); when only
//! zeros are left to hide, a zero is shown as "<N", so "<N" means fewer than N, zero included.
//! Schools are not persons: I3 is never hidden. Hidden counts are set to 0 before they leave the
//! server.

use serde::{Deserialize, Serialize};

use super::audit::{Audit, Known};
use super::{Ratio, Report, Suppression};

/// Why a count is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Hidden {
    /// From 1 to `below - 1`: shown as "<N".
    Small,
    /// Not small, hidden so that a small count cannot be worked out from the others ("x").
    Guard,
}

/// Walks the counts of a report in a fixed order, with the sums that tie them.
trait Visit {
    /// A share's numerator and denominator (in that order).
    fn ratio(&mut self, ratio: &mut Ratio) -> (usize, usize);
    fn count(&mut self, value: &mut u32, key: String) -> usize;
    /// A count no table prints (a sum of others), to tie two breakdowns of it together.
    fn unpublished(&mut self, value: u32) -> usize;
    /// `total` is at least the sum of `parts` (the rest is not printed).
    fn sum(&mut self, total: usize, parts: Vec<usize>);
}

fn breakdown<'a, V: Visit>(
    visit: &mut V,
    ratios: impl Iterator<Item = &'a mut Ratio>,
    (numerator, denominator): (usize, usize),
) {
    let (numerators, denominators): (Vec<usize>, Vec<usize>) =
        ratios.map(|r| visit.ratio(r)).unzip();
    visit.sum(numerator, numerators);
    visit.sum(denominator, denominators);
}

fn walk<V: Visit>(report: &mut Report, v: &mut V) {
    let i1 = v.ratio(&mut report.i1);
    let i2 = v.ratio(&mut report.i2);
    let i4 = v.ratio(&mut report.i4);
    breakdown(v, report.i1_by_age.iter_mut().map(|l| &mut l.ratio), i1);
    breakdown(v, report.i2_by_care.iter_mut().map(|l| &mut l.ratio), i2);
    breakdown(v, report.i1_by_sex.iter_mut().map(|l| &mut l.ratio), i1);
    breakdown(v, report.months.iter_mut().map(|m| &mut m.i1), i1);
    for lines in [
        &mut report.i4_by_age,
        &mut report.i4_by_sex,
        &mut report.i4_by_ethnicity,
    ] {
        breakdown(v, lines.iter_mut().map(|l| &mut l.ratio), i4);
    }
    for units in [&mut report.facilities, &mut report.areas] {
        breakdown(v, units.iter_mut().map(|u| &mut u.i1), i1);
        breakdown(v, units.iter_mut().map(|u| &mut u.i2), i2);
        breakdown(v, units.iter_mut().map(|u| &mut u.i4), i4);
    }
    v.count(&mut report.i1_still_open, "i1_still_open".into());
    let sent = v.count(&mut report.i5.sent, "i5.sent".into());
    for r in [&mut report.i5.declined, &mut report.i5.feedback] {
        let (_, of) = v.ratio(r);
        v.sum(sent, vec![of]);
    }
    v.count(&mut report.i5.open_overdue, "i5.open_overdue".into());
    let routes: Vec<usize> = report
        .i5
        .by_route
        .iter_mut()
        .map(|c| v.count(&mut c.count, format!("i5.route.{}", c.key)))
        .collect();
    v.sum(sent, routes);
    let screenings: u32 = report.by_instrument.iter().map(|l| l.screenings).sum();
    let all_screenings = v.unpublished(screenings);
    let mut by_instrument = Vec::new();
    for line in &mut report.by_instrument {
        let key = format!("instrument.{}", line.instrument);
        let of = v.count(&mut line.screenings, format!("{key}.screenings"));
        let positive = v.count(&mut line.positive, format!("{key}.positive"));
        v.sum(of, vec![positive]);
        by_instrument.push(of);
    }
    v.sum(all_screenings, by_instrument);
    let (mut by_month, mut referrals) = (Vec::new(), Vec::new());
    for m in &mut report.months {
        let key = format!("month.{}-{:02}", m.year, m.month);
        let of = v.count(&mut m.screenings, format!("{key}.screenings"));
        let children = v.count(&mut m.children_screened, format!("{key}.children_screened"));
        v.sum(of, vec![children]);
        by_month.push(of);
        referrals.push(v.count(&mut m.referrals, format!("{key}.referrals")));
    }
    v.sum(all_screenings, by_month);
    v.sum(sent, referrals);
    programme(report, v, i2);
}

/// The plans' counts beyond I1–I5, tied to what they break down. A sum whose parts overlap (a
/// child in two groups) is no equation and ties nothing (`Read::sum`).
fn programme<V: Visit>(report: &mut Report, v: &mut V, (_, orphans): (usize, usize)) {
    let o = &mut report.orphans;
    let both = v.count(&mut o.both_parents, "orphans.both_parents".into());
    let one = v.count(&mut o.one_parent, "orphans.one_parent".into());
    let unrecorded = v.count(&mut o.unrecorded, "orphans.unrecorded".into());
    let covid = v.count(&mut o.covid19, "orphans.covid19".into());
    // I2's denominator is exactly the orphans by their loss; the COVID-19 orphans are among them.
    v.sum(orphans, vec![both, one, unrecorded]);
    v.sum(orphans, vec![covid]);
    let children = v.count(
        &mut report.circumstances_children,
        "circumstances.children".into(),
    );
    let supported = v.count(
        &mut report.circumstances_supported,
        "circumstances.supported".into(),
    );
    v.sum(children, vec![supported]);
    let (mut groups, mut helped) = (Vec::new(), Vec::new());
    for line in &mut report.circumstances {
        let key = format!("circumstance.{}", line.code);
        let of = v.count(&mut line.children, format!("{key}.children"));
        let part = v.count(&mut line.supported, format!("{key}.supported"));
        v.sum(of, vec![part]);
        groups.push(of);
        helped.push(part);
    }
    v.sum(children, groups);
    v.sum(supported, helped);
    let reached = v.count(&mut report.sessions_children, "sessions.children".into());
    let mut by_kind = Vec::new();
    for line in &mut report.sessions {
        let key = format!("session.{}", line.kind);
        let held = v.count(&mut line.sessions, format!("{key}.sessions"));
        let of = v.count(&mut line.children, format!("{key}.children"));
        v.sum(held, vec![of]);
        by_kind.push(of);
    }
    v.sum(reached, by_kind);
    v.count(&mut report.hotline_calls, "hotline_calls".into());
    let known = v.count(
        &mut report.conditions_children,
        "conditions.children".into(),
    );
    let kinds: Vec<usize> = report
        .conditions
        .iter_mut()
        .map(|c| v.count(&mut c.count, format!("condition.{}", c.key)))
        .collect();
    v.sum(known, kinds);
}

/// The first walk: every count, and the sums as exact equations (with the rest as a cell).
struct Read {
    values: Vec<u32>,
    /// Printed cells, in walking order.
    printed: Vec<usize>,
    sums: Vec<(usize, Vec<usize>)>,
    /// Each share's cells (numerator, denominator and the rest, if any), by each of them.
    shares: std::collections::HashMap<usize, Vec<usize>>,
}

impl Read {
    fn push(&mut self, value: u32, printed: bool) -> usize {
        self.values.push(value);
        let cell = self.values.len() - 1;
        if printed {
            self.printed.push(cell);
        }
        cell
    }
}

impl Visit for Read {
    fn ratio(&mut self, ratio: &mut Ratio) -> (usize, usize) {
        let n = self.push(ratio.numerator, true);
        let d = self.push(ratio.denominator, true);
        self.sum(d, vec![n]);
        let cells: Vec<usize> = (n..self.values.len()).collect();
        for cell in &cells {
            self.shares.insert(*cell, cells.clone());
        }
        (n, d)
    }

    fn count(&mut self, value: &mut u32, _key: String) -> usize {
        self.push(*value, true)
    }

    fn unpublished(&mut self, value: u32) -> usize {
        self.push(value, false)
    }

    fn sum(&mut self, total: usize, mut parts: Vec<usize>) {
        let of_parts: u64 = parts.iter().map(|p| u64::from(self.values[*p])).sum();
        let Some(rest) = u64::from(self.values[total]).checked_sub(of_parts) else {
            return; // Not a breakdown of this total after all: no equation.
        };
        if rest > 0 {
            parts.push(self.push(u32::try_from(rest).unwrap_or(u32::MAX), false));
        }
        self.sums.push((total, parts));
    }
}

/// The second walk: hides what the first decided, in the same order.
struct Write<'h> {
    hidden: &'h [Option<Hidden>],
    next: usize,
    keys: Vec<(String, Hidden)>,
}

impl Write<'_> {
    fn take(&mut self) -> Option<Hidden> {
        self.next += 1;
        self.hidden[self.next - 1]
    }
}

impl Visit for Write<'_> {
    fn ratio(&mut self, ratio: &mut Ratio) -> (usize, usize) {
        ratio.numerator_hidden = self.take();
        ratio.denominator_hidden = self.take();
        if ratio.numerator_hidden.is_some() {
            ratio.numerator = 0;
        }
        if ratio.denominator_hidden.is_some() {
            ratio.denominator = 0;
        }
        (0, 0)
    }

    fn count(&mut self, value: &mut u32, key: String) -> usize {
        if let Some(why) = self.take() {
            *value = 0;
            self.keys.push((key, why));
        }
        0
    }

    fn unpublished(&mut self, _value: u32) -> usize {
        0
    }

    fn sum(&mut self, _total: usize, _parts: Vec<usize>) {}
}

/// Which printed cells to hide: the small ones, then guards until nothing can be worked out.
fn decide(read: &Read, below: u32) -> Vec<Option<Hidden>> {
    let mut printed = vec![false; read.values.len()];
    for cell in &read.printed {
        printed[*cell] = true;
    }
    let mut hidden: Vec<Option<Hidden>> = read
        .values
        .iter()
        .enumerate()
        .map(|(cell, v)| (printed[cell] && *v > 0 && *v < below).then_some(Hidden::Small))
        .collect();
    let known = |cell: usize, hidden: &[Option<Hidden>]| match (printed[cell], hidden[cell]) {
        (false, _) => Known::Unpublished,
        (true, Some(why)) => Known::Hidden(why),
        (true, None) => Known::Exact(read.values[cell]),
    };
    let mut audit = Audit::new(below);
    for cell in 0..read.values.len() {
        audit.cell(known(cell, &hidden));
    }
    for (total, parts) in &read.sums {
        audit.sum(*total, parts.clone());
    }
    for _ in 0..read.values.len().max(1) {
        for cell in 0..read.values.len() {
            audit.set(cell, known(cell, &hidden));
        }
        let mut guarded = false;
        // Guards given in this round: a disclosure next to one may be resolved already, so it
        // waits for the next audit instead of taking a guard of its own.
        let mut given = vec![false; read.values.len()];
        let share = |cell: usize| {
            read.shares
                .get(&cell)
                .cloned()
                .unwrap_or_else(|| vec![cell])
        };
        for cell in audit.disclosures() {
            // The cells of the sums the cell or its share's other counts are in.
            let near: Vec<usize> = share(cell)
                .into_iter()
                .flat_map(|p| audit.sums_of(p))
                .flat_map(|(total, parts)| parts.iter().chain(std::iter::once(total)))
                .copied()
                .collect();
            // Only a tight sum (few counts not printed) passes a new guard's effect on; a
            // guard among hundreds of facilities leaves this disclosure as it was.
            let tight = share(cell)
                .into_iter()
                .flat_map(|p| audit.sums_of(p))
                .filter(|(total, parts)| {
                    let open = |c: &usize| !printed[*c] || hidden[*c].is_some();
                    parts
                        .iter()
                        .chain(std::iter::once(total))
                        .filter(|c| open(c))
                        .count()
                        <= 3
                })
                .flat_map(|(total, parts)| parts.iter().chain(std::iter::once(total)));
            if tight.into_iter().any(|c| given[*c]) {
                guarded = true;
                continue;
            }
            // The smallest printed, shown one: a count as a guard ("x"), or when only zeros are
            // left, a zero as "<N".
            let guard = near
                .iter()
                .filter(|c| **c != cell && printed[**c] && hidden[**c].is_none())
                .min_by_key(|c| (read.values[**c] == 0, read.values[**c]))
                .copied();
            if let Some(guard) = guard {
                hidden[guard] = Some(if read.values[guard] == 0 {
                    Hidden::Small
                } else {
                    Hidden::Guard
                });
                given[guard] = true;
                guarded = true;
            }
        }
        if !guarded {
            break;
        }
    }
    read.printed.iter().map(|cell| hidden[*cell]).collect()
}

impl Report {
    /// The report as an aggregate view may show it (see the module's notes).
    pub fn suppressed(mut self, suppression: Suppression) -> Report {
        if suppression.below <= 1 {
            return self;
        }
        let mut read = Read {
            values: Vec::new(),
            printed: Vec::new(),
            sums: Vec::new(),
            shares: std::collections::HashMap::new(),
        };
        walk(&mut self, &mut read);
        let hidden = decide(&read, suppression.below);
        let mut write = Write {
            hidden: &hidden,
            next: 0,
            keys: Vec::new(),
        };
        walk(&mut self, &mut write);
        if self.i5.sent == 0 && write.keys.iter().any(|(k, _)| k == "i5.sent") {
            // Medians of a handful of referrals would describe them one by one.
            self.i5.median_days_to_received = None;
            self.i5.median_days_to_attended = None;
        }
        let (small, guard): (Vec<_>, Vec<_>) = write
            .keys
            .into_iter()
            .partition(|(_, why)| *why == Hidden::Small);
        self.hidden = small.into_iter().map(|(k, _)| k).collect();
        self.guarded = guard.into_iter().map(|(k, _)| k).collect();
        self
    }
}
