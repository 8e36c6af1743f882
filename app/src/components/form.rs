//! Form fields with a visible label, an optional hint and the field's own error message right
//! below it (linked with `aria-describedby`, so screen readers announce it too).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::api::{use_api, ApiFailure};
use crate::i18n::{use_i18n, I18n, Texts};

/// Picks a sentence from the catalogue, e.g. `|t| t.username`.
pub type Text = fn(&'static Texts) -> &'static str;

/// Problems per field name, as the server returns them and as `shared` validation produces them.
pub type FieldErrorMap = RwSignal<BTreeMap<String, String>>;

/// What a form tells its user: a message above it and problems next to each field.
#[derive(Clone, Copy)]
pub struct Feedback {
    pub errors: FieldErrorMap,
    /// `(is_error, text)`.
    pub message: RwSignal<Option<(bool, String)>>,
}

impl Default for Feedback {
    fn default() -> Self {
        Feedback {
            errors: RwSignal::new(BTreeMap::new()),
            message: RwSignal::new(None),
        }
    }
}

impl Feedback {
    /// A success: no field problems, a confirmation.
    pub fn ok(self, text: &str) {
        self.errors.set(BTreeMap::new());
        self.message.set(Some((false, text.to_string())));
    }

    /// Problems found before sending (by `shared` validation); nothing was sent.
    pub fn invalid(self, problems: BTreeMap<String, String>, i18n: I18n) {
        self.errors.set(problems);
        self.message
            .set(Some((true, i18n.texts().fix_fields.to_string())));
    }

    /// The server said no, or could not be reached.
    pub fn failed(self, failure: &ApiFailure, i18n: I18n) {
        self.errors.set(failure.fields());
        self.message.set(Some((true, failure.message(i18n))));
    }

    pub fn clear(self) {
        self.errors.set(BTreeMap::new());
        self.message.set(None);
    }
}

/// A labelled text input bound to `value`. `name` is the request's field name: the error shown is
/// `errors[name]`.
#[component]
pub fn Field(
    name: &'static str,
    label: Text,
    value: RwSignal<String>,
    errors: FieldErrorMap,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<Text>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let error = move || errors.with(|errors| errors.get(name).cloned());
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id.clone()>{move || label(i18n.texts())}</label>
            <input
                id=id.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                required=required
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                bind:value=value
            />
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{move || hint(i18n.texts())}</p> })}
            <p class="field-error" id=error_id.clone() role="alert">{error}</p>
        </div>
    }
}

/// A labelled select bound to `value`; `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    name: &'static str,
    label: Text,
    value: RwSignal<String>,
    errors: FieldErrorMap,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional)] placeholder: Option<Text>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let error = move || errors.with(|errors| errors.get(name).cloned());
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id.clone()>{move || label(i18n.texts())}</label>
            <select
                id=id.clone()
                name=name
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
                on:change=move |event| value.set(event_target_value(&event))
                prop:value=move || value.get()
            >
                {placeholder.map(|placeholder| view! { <option value="">{move || placeholder(i18n.texts())}</option> })}
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(option, text)| {
                            let selected = value.get_untracked() == option;
                            view! { <option value=option selected=selected>{text}</option> }
                        })
                        .collect_view()
                }}
            </select>
            <p class="field-error" id=error_id.clone() role="alert">{error}</p>
        </div>
    }
}

/// A form-level message: an error (`role="alert"`) or a confirmation (`role="status"`).
#[component]
pub fn Notice(message: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    move || {
        message.get().map(|(is_error, text)| {
            if is_error {
                view! { <p class="notice error" role="alert">{text}</p> }.into_any()
            } else {
                view! { <p class="notice ok" role="status">{text}</p> }.into_any()
            }
        })
    }
}

/// "Active" or "Inactive", as a badge.
#[component]
pub fn StatusBadge(active: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="badge" class:off=!active>
            {move || if active { i18n.texts().active } else { i18n.texts().inactive }}
        </span>
    }
}

/// The button that switches between Vietnamese and English (remembered on this device).
#[component]
pub fn LanguageSwitch(#[prop(optional)] class: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class=format!("link-button {class}")
            id="switch-language"
            aria-label=move || i18n.texts().switch_language_label
            on:click=move |_| i18n.toggle()
        >
            {move || i18n.texts().switch_language}
        </button>
    }
}

/// The change callback of an editable table: PATCHes `{collection}/{id}`; on success closes the
/// row's editor, confirms on the page and reloads; on failure shows the problems where the change
/// was made (the row's own form, or the page for one-click actions).
pub fn row_updater<Change, Row>(
    collection: &'static str,
    editing: RwSignal<Option<Uuid>>,
    page: Feedback,
    on_saved: Callback<()>,
) -> Callback<(Uuid, Change, Feedback)>
where
    Change: Serialize + Send + Sync + 'static,
    Row: DeserializeOwned + 'static,
{
    let i18n = use_i18n();
    let api = use_api();
    Callback::new(move |(id, change, shown_in): (Uuid, Change, Feedback)| {
        spawn_local(async move {
            match api
                .patch::<_, Row>(&format!("{collection}/{id}"), &change)
                .await
            {
                Ok(_) => {
                    editing.set(None);
                    page.ok(i18n.texts().saved);
                    on_saved.run(());
                }
                Err(failure) => shown_in.failed(&failure, i18n),
            }
        });
    })
}
