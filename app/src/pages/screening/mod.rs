//! A child's screening pages: consent, screening with the built-in instruments, the safety
//! pathway, the history of results, and the child's care ([`care`]: sessions, circumstances,
//! care arrangements). Everything reads and writes the local store through the sync engine and
//! is scored on the device with the same `shared` engine the server re-checks with.

pub mod care;
pub mod consent;
pub mod flag;
pub mod flag_list;
pub mod form;
pub mod history;
pub mod questions;
pub mod result;
pub mod safety;

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::i18n::screening::ScreeningTexts;
use crate::i18n::use_i18n;

/// Picks a sentence from the screening pages' catalogue.
pub type ScreeningText = fn(&'static ScreeningTexts) -> &'static str;

/// Adds the item to a checkbox group's list, or removes it when it is there.
pub fn toggle<T: PartialEq + Send + Sync + 'static>(list: RwSignal<Vec<T>>, item: T) {
    list.update(|items| match items.iter().position(|x| *x == item) {
        Some(at) => {
            items.remove(at);
        }
        None => items.push(item),
    })
}

/// A labelled input for the screening pages (the same markup as `components::form::Field`).
#[component]
pub fn ScreeningField(
    name: &'static str,
    label: ScreeningText,
    value: RwSignal<String>,
    errors: RwSignal<BTreeMap<String, String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] hint: Option<ScreeningText>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let error = move || errors.with(|errors| errors.get(name).cloned());
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id.clone()>{move || label(i18n.screening())}</label>
            <input
                id=id.clone()
                name=name
                type=input_type
                autocomplete="off"
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
                bind:value=value
            />
            {hint.map(|hint| view! { <p class="hint">{move || hint(i18n.screening())}</p> })}
            <p class="field-error" id=error_id.clone() role="alert">{error}</p>
        </div>
    }
}
