//! What a reader of a published table can work out: interval reasoning over its counts and the
//! sums that tie them (a total is the sum of its breakdown; a numerator and the rest make the
//! denominator). [`super::suppress`] hides cells until this finds nothing; tests use it as the
//! attacker.

use super::suppress::Hidden;

/// What a reader knows of one count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Printed.
    Exact(u32),
    /// Printed as hidden: "<N" (fewer than N: a zero may be hidden too, when nothing else can
    /// cover a small count) or a guard ("x", N or more).
    Hidden(Hidden),
    /// Never printed (the rest of a breakdown, a total no table shows): anything from 0.
    Unpublished,
}

/// Counts and the sums between them, as a reader sees them.
#[derive(Debug, Clone)]
pub struct Audit {
    below: u32,
    cells: Vec<Known>,
    sums: Vec<(usize, Vec<usize>)>,
    /// The sums (by index) each cell takes part in.
    by_cell: Vec<Vec<usize>>,
}

const UNBOUNDED: i64 = i64::MAX / 4;

impl Audit {
    /// Counts from 1 to `below - 1` are the ones hidden as small.
    pub fn new(below: u32) -> Audit {
        Audit {
            below,
            cells: Vec::new(),
            sums: Vec::new(),
            by_cell: Vec::new(),
        }
    }

    pub fn cell(&mut self, known: Known) -> usize {
        self.cells.push(known);
        self.by_cell.push(Vec::new());
        self.cells.len() - 1
    }

    /// What the reader now knows of a cell (a count just hidden).
    pub fn set(&mut self, cell: usize, known: Known) {
        self.cells[cell] = known;
    }

    /// `total` is exactly the sum of `parts`.
    pub fn sum(&mut self, total: usize, parts: Vec<usize>) {
        let index = self.sums.len();
        for cell in parts.iter().chain(std::iter::once(&total)) {
            if self.by_cell[*cell].last() != Some(&index) {
                self.by_cell[*cell].push(index);
            }
        }
        self.sums.push((total, parts));
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The sums each cell takes part in.
    pub fn sums_of(&self, cell: usize) -> impl Iterator<Item = &(usize, Vec<usize>)> {
        self.by_cell[cell].iter().map(|s| &self.sums[*s])
    }

    /// Tightens one sum (`exact`: what its printed parts add up to; `open`: the other parts);
    /// pushes the cells whose bounds changed.
    fn tighten(
        (total, exact, open): &(usize, i64, Vec<usize>),
        bounds: &mut [(i64, i64)],
        changed: &mut Vec<usize>,
    ) {
        let lo_sum: i64 = exact + open.iter().map(|p| bounds[*p].0).sum::<i64>();
        // The highs, as a bounded sum and how many have no bound.
        let unbounded = open.iter().filter(|p| bounds[**p].1 >= UNBOUNDED).count();
        let hi_bounded: i64 = exact
            + open
                .iter()
                .map(|p| bounds[*p].1)
                .filter(|hi| *hi < UNBOUNDED)
                .sum::<i64>();
        let hi_sum = if unbounded > 0 { UNBOUNDED } else { hi_bounded };
        let (t_lo, t_hi) = bounds[*total];
        let tightened = (t_lo.max(lo_sum), t_hi.min(hi_sum));
        if tightened != bounds[*total] {
            bounds[*total] = tightened;
            changed.push(*total);
        }
        let (t_lo, t_hi) = tightened;
        for p in open {
            let (lo, hi) = bounds[*p];
            let own_open = usize::from(hi >= UNBOUNDED);
            let others_hi = if unbounded > own_open {
                UNBOUNDED
            } else {
                hi_bounded - if own_open == 1 { 0 } else { hi }
            };
            let others_lo = lo_sum - lo;
            let next = (lo.max(t_lo - others_hi), hi.min(t_hi - others_lo));
            if next != bounds[*p] {
                bounds[*p] = next;
                changed.push(*p);
            }
        }
    }

    /// The tightest bounds interval reasoning finds for each cell: each sum is tightened, and
    /// the sums of every cell that moved are tightened again, until nothing moves. Printed
    /// parts are folded into a constant first, so a breakdown of hundreds of facilities costs
    /// only its hidden ones.
    pub fn bounds(&self) -> Vec<(i64, i64)> {
        let below = i64::from(self.below);
        let mut bounds: Vec<(i64, i64)> = self
            .cells
            .iter()
            .map(|known| match known {
                Known::Exact(v) => (i64::from(*v), i64::from(*v)),
                Known::Hidden(Hidden::Small) => (0, (below - 1).max(0)),
                Known::Hidden(Hidden::Guard) => (below.max(1), UNBOUNDED),
                Known::Unpublished => (0, UNBOUNDED),
            })
            .collect();
        let mut by_cell: Vec<Vec<usize>> = vec![Vec::new(); self.cells.len()];
        let reduced: Vec<(usize, i64, Vec<usize>)> = self
            .sums
            .iter()
            .enumerate()
            .map(|(index, (total, parts))| {
                let mut exact = 0i64;
                let mut open = Vec::new();
                for p in parts {
                    match self.cells[*p] {
                        Known::Exact(v) => exact += i64::from(v),
                        _ => {
                            open.push(*p);
                            by_cell[*p].push(index);
                        }
                    }
                }
                if !matches!(self.cells[*total], Known::Exact(_)) {
                    by_cell[*total].push(index);
                }
                (*total, exact, open)
            })
            .collect();
        let mut queued = vec![true; reduced.len()];
        let mut work: std::collections::VecDeque<usize> = (0..reduced.len()).collect();
        let mut changed = Vec::new();
        // Each step narrows an integer interval, so this ends; the cap only bounds a pathology.
        let mut budget = 64 * reduced.len().max(1);
        while let Some(sum) = work.pop_front() {
            queued[sum] = false;
            budget -= 1;
            if budget == 0 {
                break;
            }
            Audit::tighten(&reduced[sum], &mut bounds, &mut changed);
            for cell in changed.drain(..) {
                for next in &by_cell[cell] {
                    if !queued[*next] {
                        queued[*next] = true;
                        work.push_back(*next);
                    }
                }
            }
        }
        bounds
    }

    /// The cells a reader can pin down that they must not: a hidden count worked out exactly,
    /// or an unprinted one worked out to a small count.
    pub fn disclosures(&self) -> Vec<usize> {
        let below = i64::from(self.below);
        self.bounds()
            .into_iter()
            .enumerate()
            .filter(|(cell, (lo, hi))| {
                lo == hi
                    && match self.cells[*cell] {
                        Known::Exact(_) => false,
                        Known::Hidden(_) => true,
                        Known::Unpublished => *lo > 0 && *lo < below,
                    }
            })
            .map(|(cell, _)| cell)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hidden_cell_of_a_breakdown_follows_from_the_total() {
        let mut audit = Audit::new(5);
        let total = audit.cell(Known::Exact(9));
        let boys = audit.cell(Known::Exact(7));
        let girls = audit.cell(Known::Hidden(Hidden::Small));
        audit.sum(total, vec![boys, girls]);
        assert_eq!(audit.disclosures(), vec![girls]);
        assert_eq!(audit.bounds()[girls], (2, 2));
    }

    #[test]
    fn two_hidden_cells_hold_unless_their_bounds_meet() {
        let mut audit = Audit::new(5);
        let total = audit.cell(Known::Exact(9));
        let boys = audit.cell(Known::Hidden(Hidden::Guard));
        let girls = audit.cell(Known::Hidden(Hidden::Small));
        audit.sum(total, vec![boys, girls]);
        assert!(audit.disclosures().is_empty(), "{:?}", audit.bounds());
        // 6 = two hidden small counts of at most 4: each could be 2..4.
        let mut audit = Audit::new(5);
        let total = audit.cell(Known::Exact(8));
        let a = audit.cell(Known::Hidden(Hidden::Small));
        let b = audit.cell(Known::Hidden(Hidden::Small));
        audit.sum(total, vec![a, b]);
        assert_eq!(audit.disclosures(), vec![a, b], "8 = 4 + 4");
    }

    #[test]
    fn an_unprinted_rest_may_be_large_but_not_small() {
        let mut audit = Audit::new(5);
        let of = audit.cell(Known::Exact(50));
        let reached = audit.cell(Known::Exact(48));
        let rest = audit.cell(Known::Unpublished);
        audit.sum(of, vec![reached, rest]);
        assert_eq!(audit.disclosures(), vec![rest], "2 did not reach services");
        let mut audit = Audit::new(5);
        let of = audit.cell(Known::Exact(50));
        let reached = audit.cell(Known::Exact(40));
        let rest = audit.cell(Known::Unpublished);
        audit.sum(of, vec![reached, rest]);
        assert!(audit.disclosures().is_empty());
    }
}
