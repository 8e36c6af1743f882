//! The instruments built into this version of the product: every JSON file in
//! `shared/instruments/` (listed at build time by `build.rs`), parsed once on first use. A test
//! parses and checks every one. Name a new version `<id>-<version>.json`.

use std::sync::LazyLock;

use super::{Instrument, Missing};

// `FILES`: every `shared/instruments/*.json`, listed by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/instrument_files.rs"));

static CATALOGUE: LazyLock<Vec<Instrument>> = LazyLock::new(|| {
    let mut all: Vec<Instrument> = FILES
        .iter()
        .map(|text| serde_json::from_str(text).expect("built-in instrument definitions parse"))
        .collect();
    // In the order each definition says it is offered (`offered`); stable, so versions of one
    // instrument keep their file order (older first).
    all.sort_by_key(|i| i.offered);
    all
});

/// Every built-in definition (all versions).
pub fn catalogue() -> &'static [Instrument] {
    &CATALOGUE
}

/// The newest version of an instrument.
pub fn find(id: &str) -> Option<&'static Instrument> {
    catalogue().iter().rev().find(|i| i.id == id)
}

/// One exact version (a stored screening names the version it was scored with).
pub fn find_version(id: &str, version: &str) -> Option<&'static Instrument> {
    catalogue()
        .iter()
        .find(|i| i.id == id && i.version == version)
}

/// The newest version of each instrument meant for a child of this age (in months).
pub fn suggest(age_months: u32) -> Vec<&'static Instrument> {
    let mut suggested: Vec<&'static Instrument> = Vec::new();
    for instrument in catalogue() {
        if find(&instrument.id) == Some(instrument) && instrument.age.contains(age_months) {
            suggested.push(instrument);
        }
    }
    suggested
}

/// What is wrong with a definition, as sentences for its author (empty when it is sound).
pub fn check_definition(instrument: &Instrument) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for item in &instrument.items {
        if seen.contains(&item.id.as_str()) {
            problems.push(format!("item {} appears twice", item.id));
        }
        seen.push(&item.id);
        if let Some(set) = &item.options {
            if !instrument.option_sets.iter().any(|s| &s.id == set) {
                problems.push(format!("item {} names unknown option set {set}", item.id));
            }
        }
        if item.text.vi.trim().is_empty() || item.text.en.trim().is_empty() {
            problems.push(format!("item {} lacks a text", item.id));
        }
    }
    for score in &instrument.scores {
        for id in &score.items {
            match instrument.item(id) {
                None => problems.push(format!("score {} names unknown item {id}", score.id)),
                Some(item) if item.options.is_none() => {
                    problems.push(format!("score {} sums free-text item {id}", score.id))
                }
                Some(_) => {}
            }
        }
    }
    let mut items = Vec::new();
    let mut scores = Vec::new();
    instrument.positive.names(&mut items, &mut scores);
    for rule in &instrument.flags {
        rule.when.names(&mut items, &mut scores);
    }
    for band in &instrument.bands {
        if let Some(when) = &band.when {
            when.names(&mut items, &mut scores);
        }
    }
    for item in &instrument.items {
        if let Some(when) = &item.show_if {
            let mut shown_scores = Vec::new();
            when.names(&mut items, &mut shown_scores);
            if !shown_scores.is_empty() {
                problems.push(format!("item {} is shown by a score", item.id));
            }
        }
    }
    for id in items {
        if instrument.item(&id).is_none() {
            problems.push(format!("a condition names unknown item {id}"));
        }
    }
    let known_score = |id: &str| instrument.scores.iter().any(|s| s.id == id);
    for id in scores.iter().chain(instrument.band_score.iter()) {
        if !known_score(id) {
            problems.push(format!("unknown score {id}"));
        }
    }
    if let Some(declined) = &instrument.declined {
        if instrument.band(&declined.band).is_none() {
            problems.push(format!("declined names unknown band {}", declined.band));
        }
    }
    if let Missing::Zero { invalid_at } | Missing::Prorate { invalid_at } = instrument.missing {
        if invalid_at == 0 {
            problems.push("missing.invalid_at must be at least 1".into());
        }
    }
    if instrument.age.min_months > instrument.age.max_months || instrument.informants.is_empty() {
        problems.push("age range or informants are empty".into());
    }
    problems
}
