//! Care of one child: consent, screening with the built-in instruments, the safety pathway, the
//! history of results. Everything reads and writes the local store through the sync engine and
//! is scored on the device with the same `shared` engine the server re-checks with.

pub mod consent;
pub mod flag;
pub mod flag_list;
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
use shared::screening::Screening;
use shared::sync::RecordType;
use shared::urgent::{standing, Standing, UrgentFlag};
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

/// The child's urgent flags on this device, with their record ids.
pub fn flags_of(records: &[LocalRecord], child_id: Uuid) -> Vec<(Uuid, UrgentFlag)> {
    let mut found: Vec<(Uuid, UrgentFlag)> = records
        .iter()
        .filter(|r| r.record_type == RecordType::UrgentFlag)
        .filter_map(|r| UrgentFlag::from_fields(&r.fields).map(|f| (r.id, f)))
        .filter(|(_, f)| f.child_id == child_id)
        .collect();
    found.sort_by_key(|(id, f)| std::cmp::Reverse((f.raised_at, *id)));
    found
}

/// The child's flag that stands now ([`shared::urgent::standing`]).
pub fn urgent_flag(records: &[LocalRecord], child_id: Uuid) -> Option<Standing> {
    standing(
        &flags_of(records, child_id),
        &screenings_of(records, child_id),
    )
}

/// Every child with a standing flag, in one pass over the records: the registry list, home and
/// the navigation mark them.
pub fn flagged_children(records: &[LocalRecord]) -> std::collections::HashMap<Uuid, Standing> {
    type Both = (Vec<(Uuid, UrgentFlag)>, Vec<(Uuid, Screening)>);
    let mut by_child: std::collections::HashMap<Uuid, Both> = Default::default();
    for record in records {
        match record.record_type {
            RecordType::UrgentFlag => {
                if let Some(flag) = UrgentFlag::from_fields(&record.fields) {
                    by_child
                        .entry(flag.child_id)
                        .or_default()
                        .0
                        .push((record.id, flag));
                }
            }
            RecordType::Screening => {
                // Only a flagged screening, or one a flag may name, matters here.
                if let Some(s) = Screening::from_fields(&record.fields) {
                    by_child
                        .entry(s.child_id)
                        .or_default()
                        .1
                        .push((record.id, s));
                }
            }
            _ => {}
        }
    }
    by_child
        .into_iter()
        .filter_map(|(child, (flags, screenings))| {
            standing(&flags, &screenings).map(|found| (child, found))
        })
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
                autocomplete="off"
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
                bind:value=value
            />
            {hint.map(|hint| view! { <p class="hint">{move || hint(i18n.c())}</p> })}
            <p class="field-error" id=error_id.clone() role="alert">{error}</p>
        </div>
    }
}
