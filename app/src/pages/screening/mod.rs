//! Care of one child: consent, screening with the built-in instruments, the safety pathway, the
//! history of results. Everything reads and writes the local store through the sync engine and
//! is scored on the device with the same `shared` engine the server re-checks with.

pub mod consent;
pub mod form;
pub mod history;
pub mod questions;
pub mod result;
pub mod safety;
pub mod support;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::care::AboutChild;
use shared::child::Child;
use shared::consent::{Consent, Purpose};
use shared::instrument::FlagLevel;
use shared::screening::Screening;
use shared::sync::RecordType;
use uuid::Uuid;

use crate::i18n::care::CareTexts;
use crate::i18n::use_i18n;
use crate::store::LocalRecord;

/// Picks a sentence from the care catalogue.
pub type CareText = fn(&'static CareTexts) -> &'static str;

/// A child's screenings on this device, newest first (by screening date, then creation).
pub fn screenings_of(records: &[LocalRecord], child_id: Uuid) -> Vec<(Uuid, Screening)> {
    let mut found: Vec<(Uuid, Screening)> = records
        .iter()
        .filter(|r| r.record_type == RecordType::Screening)
        .filter_map(|r| Screening::from_fields(&r.fields).map(|s| (r.id, s)))
        .filter(|(_, s)| s.child_id == child_id)
        .collect();
    found.sort_by_key(|(id, s)| std::cmp::Reverse((s.screened_on, *id)));
    found
}

/// The records of one type about a child on this device: (record id, facility id, record).
pub fn about<T: AboutChild>(
    records: &[LocalRecord],
    record_type: RecordType,
    child_id: Uuid,
) -> Vec<(Uuid, Uuid, T)> {
    records
        .iter()
        .filter(|r| r.record_type == record_type)
        .filter_map(|r| T::from_fields(&r.fields).map(|x| (r.id, r.facility_id, x)))
        .filter(|(_, _, x)| x.child_id() == child_id)
        .collect()
}

/// A child's consents on this device, newest first.
pub fn consents_of(records: &[LocalRecord], child_id: Uuid) -> Vec<(Uuid, Uuid, Consent)> {
    let mut found: Vec<(Uuid, Uuid, Consent)> = about(records, RecordType::Consent, child_id);
    found.sort_by_key(|(id, _, c)| std::cmp::Reverse((c.given_on, *id)));
    found
}

/// Whether some consent covers screening this child on this date.
pub fn may_screen(records: &[LocalRecord], child: &Child, child_id: Uuid, on: NaiveDate) -> bool {
    consents_of(records, child_id)
        .iter()
        .any(|(_, _, c)| c.covers(Purpose::Screening, on, child.date_of_birth))
}

/// The child's most urgent open flag: from the newest screening, not voided, that raised one.
pub fn urgent_flag(records: &[LocalRecord], child_id: Uuid) -> Option<(FlagLevel, NaiveDate)> {
    screenings_of(records, child_id)
        .into_iter()
        .filter(|(_, s)| !s.is_voided())
        .find_map(|(_, s)| s.result.urgency().map(|level| (level, s.screened_on)))
}

/// Every child with an open urgent flag (as [`urgent_flag`] decides it), in one pass over the
/// records: the registry list marks them.
pub fn flagged_children(records: &[LocalRecord]) -> std::collections::HashMap<Uuid, FlagLevel> {
    let mut newest: std::collections::HashMap<Uuid, (NaiveDate, Uuid, FlagLevel)> =
        Default::default();
    for record in records
        .iter()
        .filter(|r| r.record_type == RecordType::Screening)
    {
        let Some(s) = Screening::from_fields(&record.fields) else {
            continue;
        };
        let Some(level) = s.result.urgency().filter(|_| !s.is_voided()) else {
            continue;
        };
        let key = (s.screened_on, record.id, level);
        let slot = newest.entry(s.child_id).or_insert(key);
        if (key.0, key.1) > (slot.0, slot.1) {
            *slot = key;
        }
    }
    newest
        .into_iter()
        .map(|(child, (_, _, level))| (child, level))
        .collect()
}

/// Adds the item to a checkbox group's list, or removes it when it is there.
pub fn toggle<T: PartialEq + Send + Sync + 'static>(list: RwSignal<Vec<T>>, item: T) {
    list.update(|items| match items.iter().position(|x| *x == item) {
        Some(at) => {
            items.remove(at);
        }
        None => items.push(item),
    })
}

/// A labelled input for the care pages (the same markup as `components::form::Field`).
#[component]
pub fn CareField(
    name: &'static str,
    label: CareText,
    value: RwSignal<String>,
    errors: RwSignal<BTreeMap<String, String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] hint: Option<CareText>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let error = move || errors.with(|errors| errors.get(name).cloned());
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id.clone()>{move || label(i18n.c())}</label>
            <input
                id=id.clone()
                name=name
                type=input_type
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
                bind:value=value
            />
            {hint.map(|hint| view! { <p class="hint">{move || hint(i18n.c())}</p> })}
            <p class="field-error" id=error_id.clone() role="alert">{error}</p>
        </div>
    }
}
