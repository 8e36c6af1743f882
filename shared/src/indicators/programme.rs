//! What the provincial plans count beyond I1–I5, for a scope and period: orphans by their loss,
//! children in special circumstances and how many were supported, counselling and support
//! sessions by kind, hotline 111 calls, and the programme's activities. Each from the
//! [`Dataset`] the indicators read, by the same rules on the device and the server.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;

use super::codes::circumstance_of;
use super::dataset::{ActivityFact, Dataset, Key};
use super::{in_force, ActivityLine, CircumstanceLine, Count, Orphans, Period, SessionLine};
use crate::activity::{ActivityKind, Trainee};
use crate::care::{ParentsLost, SessionKind};
use crate::health_condition::ConditionKind;
use crate::place::FacilityType;
use crate::referral::Action;

/// Orphans at the as-of day (I2's denominator), by their loss.
pub fn orphans(data: &Dataset, as_of: NaiveDate) -> Orphans {
    // A child with two orphan records in force counts once, by the newest.
    let mut by_child: BTreeMap<Key, (NaiveDate, Option<ParentsLost>, bool)> = BTreeMap::new();
    for o in data
        .orphans
        .iter()
        .filter(|o| in_force(o.since, o.until, as_of))
    {
        let slot = by_child
            .entry(o.child)
            .or_insert((o.since, o.parents, o.covid));
        if o.since >= slot.0 {
            *slot = (o.since, o.parents, o.covid);
        }
    }
    let mut counts = Orphans::default();
    for (_, parents, covid) in by_child.into_values() {
        match parents {
            Some(ParentsLost::Both) => counts.both_parents += 1,
            Some(ParentsLost::One) => counts.one_parent += 1,
            None => counts.unrecorded += 1,
        }
        counts.covid19 += u32::from(covid);
    }
    counts
}

/// Whether something from `since` to `until` held on some day of the window.
fn during(since: NaiveDate, until: Option<NaiveDate>, window: Period) -> bool {
    since <= window.to && until.is_none_or(|until| until >= window.from)
}

/// The children supported in the window: a counselling or support session, or a referral sent
/// or attended.
fn supported(data: &Dataset, window: Period) -> HashSet<Key> {
    let mut children: HashSet<Key> = data
        .sessions
        .iter()
        .filter(|s| window.contains(s.on))
        .map(|s| s.child)
        .collect();
    let day = |at: chrono::DateTime<chrono::Utc>| crate::lang::vietnam_day(at);
    for r in &data.referrals {
        if window.contains(day(r.sent_at)) && r.child != Key::MAX {
            children.insert(r.child);
        }
    }
    for e in data.events.iter().filter(|e| e.action == Action::Attend) {
        let child = data.referrals[e.referral as usize].child;
        if window.contains(e.attended_on.unwrap_or_else(|| day(e.at))) && child != Key::MAX {
            children.insert(child);
        }
    }
    children
}

/// The children in special circumstances during the window, by group, with those supported.
pub struct Circumstances {
    pub lines: Vec<CircumstanceLine>,
    pub children: u32,
    pub supported: u32,
}

pub fn circumstances(data: &Dataset, window: Period) -> Circumstances {
    let supported = supported(data, window);
    let mut groups: BTreeMap<u8, HashSet<Key>> = BTreeMap::new();
    for c in &data.circumstances {
        if during(c.since, c.until, window) && circumstance_of(c.group).is_some() {
            groups.entry(c.group).or_default().insert(c.child);
        }
    }
    let all: HashSet<Key> = groups.values().flatten().copied().collect();
    let helped = |children: &HashSet<Key>| children.intersection(&supported).count() as u32;
    Circumstances {
        lines: groups
            .iter()
            .filter_map(|(group, children)| {
                Some(CircumstanceLine {
                    code: circumstance_of(*group)?.to_string(),
                    children: children.len() as u32,
                    supported: helped(children),
                })
            })
            .collect(),
        children: all.len() as u32,
        supported: helped(&all),
    }
}

/// The sessions held in the window by kind, and the children reached.
pub struct Sessions {
    pub lines: Vec<SessionLine>,
    pub children: u32,
}

pub fn sessions(data: &Dataset, window: Period) -> Sessions {
    let held: Vec<_> = data
        .sessions
        .iter()
        .filter(|s| window.contains(s.on))
        .collect();
    let lines = SessionKind::ALL
        .into_iter()
        .filter(|k| *k != SessionKind::Hotline111Call)
        .map(|kind| {
            let of_kind: Vec<_> = held.iter().filter(|s| s.kind == kind).collect();
            let children: HashSet<Key> = of_kind.iter().map(|s| s.child).collect();
            SessionLine {
                kind: kind.code().to_string(),
                sessions: of_kind.len() as u32,
                children: children.len() as u32,
            }
        })
        .collect();
    let children: HashSet<Key> = held.iter().map(|s| s.child).collect();
    Sessions {
        lines,
        children: children.len() as u32,
    }
}

/// Communes with a working referral network in the window, of the communes with a facility in
/// scope: at least one active school, an active commune health station, and a referral sent
/// from one of the commune's facilities and completed (feedback returned) in the window.
pub fn networks(data: &Dataset, window: Period) -> (u32, u32) {
    // (a school, a station, a completed referral), by commune.
    let mut communes: BTreeMap<uuid::Uuid, (bool, bool, bool)> = BTreeMap::new();
    for f in data.facilities.iter().filter(|f| f.in_scope) {
        let commune = communes.entry(f.area_id).or_default();
        match f.facility_type.filter(|_| f.active) {
            Some(t) if t.is_school() => commune.0 = true,
            Some(FacilityType::CommuneHealthStation) => commune.1 = true,
            _ => {}
        }
    }
    let completed = data
        .events
        .iter()
        .filter(|e| e.action == Action::Complete)
        .filter(|e| window.contains(crate::lang::vietnam_day(e.at)));
    for e in completed {
        let sender = data.referrals[e.referral as usize].from;
        if let Some(f) = data.facilities.get(sender as usize) {
            if let Some(commune) = communes.get_mut(&f.area_id) {
                commune.2 = true;
            }
        }
    }
    let working = communes.values().filter(|(s, h, c)| *s && *h && *c).count();
    (working as u32, communes.len() as u32)
}

/// The children known by the as-of day to have each kind of condition (every kind, in order),
/// and those with any.
pub fn conditions(data: &Dataset, as_of: NaiveDate) -> (Vec<Count>, u32) {
    let known: Vec<_> = data.conditions.iter().filter(|c| c.on <= as_of).collect();
    let lines = ConditionKind::ALL
        .into_iter()
        .map(|kind| {
            let children: HashSet<Key> = known
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| c.child)
                .collect();
            Count {
                key: kind.code().to_string(),
                count: children.len() as u32,
            }
        })
        .collect();
    let any: HashSet<Key> = known.iter().map(|c| c.child).collect();
    (lines, any.len() as u32)
}

/// Calls to hotline 111 made from the app in the window.
pub fn hotline_calls(data: &Dataset, window: Period) -> u32 {
    data.calls.iter().filter(|c| window.contains(c.on)).count() as u32
}

/// The activities of the facilities in scope held in the period, one line per kind.
pub fn activities(data: &Dataset, period: Period) -> Vec<ActivityLine> {
    ActivityKind::ALL
        .into_iter()
        .map(|kind| {
            let held: Vec<&ActivityFact> = data
                .activities
                .iter()
                .filter(|a| a.kind == kind && period.contains(a.on))
                .filter(|a| data.facilities[a.facility as usize].in_scope)
                .collect();
            let trained = if kind == ActivityKind::Training {
                Trainee::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(n, group)| Count {
                        key: group.code().to_string(),
                        count: held.iter().map(|a| a.trained[n]).sum(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            ActivityLine {
                kind: kind.code().to_string(),
                held: held.len() as u32,
                participants: held.iter().map(|a| a.participants).sum(),
                trained,
            }
        })
        .collect()
}
