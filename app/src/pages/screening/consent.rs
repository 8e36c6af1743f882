//! Consents on a child's page (domain.md §4): the list with each one's status, a form to record
//! one, and withdrawal (a date is set; nothing is deleted).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::child::{Child, GuardianRelation};
use shared::consent::{Consent, ConsentMethod, Purpose, CHILD_CONSENT_AGE};
use shared::lang::{format_date, parse_date};
use shared::sync::RecordType;
use shared::validate::Problem;
use uuid::Uuid;

use super::ScreeningField;
use crate::components::form::{Feedback, Field, Notice};
use crate::i18n::use_i18n;
use crate::pages::children::today;
use crate::records::child::consents_of;
use crate::sync::use_sync;

#[component]
pub fn ConsentSection(child_id: Uuid, facility_id: Uuid, child: Child) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let consents = Memo::new(move |_| sync.records.with(|r| consents_of(r, child_id)));
    let born = child.date_of_birth;
    view! {
        <article class="card" id="consents">
            <h2>{move || i18n.screening().consents_title}</h2>
            <Show when=move || consents.with(Vec::is_empty)>
                <p class="muted">{move || i18n.screening().no_consents}</p>
            </Show>
            <ul class="plain">
                {move || consents.get().into_iter().map(|(id, facility, consent)| {
                    let status = match consent.withdrawn_on {
                        Some(date) => (i18n.screening().withdrawn_on)(&format_date(date)),
                        None if consent.covers(Purpose::Screening, today(), born)
                            || consent.covers(Purpose::ShareHealth, today(), born) => i18n.screening().consent_valid.to_string(),
                        None => String::new(),
                    };
                    let purposes = consent.purposes.iter().map(|p| (i18n.screening().purpose)(*p)).collect::<Vec<_>>().join(", ");
                    let open = consent.withdrawn_on.is_none();
                    view! {
                        <li class="consent">
                            <strong>{format_date(consent.given_on)}</strong>
                            " · " {consent.guardian_name.clone()} " (" {consent.guardian_relation.label(i18n.lang())} ")"
                            " · " {purposes} " · " {(i18n.screening().method_label)(consent.method)}
                            " " <span class="badge" class:ok=open class:off=!open>{status}</span>
                            {open.then(|| view! { <Withdraw id=id facility_id=facility consent=consent.clone()/> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ConsentForm child_id=child_id facility_id=facility_id child=child/>
        </article>
    }
}

#[component]
fn Withdraw(id: Uuid, facility_id: Uuid, consent: Consent) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let withdraw = move |_| {
        let withdrawn = Consent {
            withdrawn_on: Some(today()),
            ..consent.clone()
        };
        spawn_local(async move {
            let _ = sync
                .save(RecordType::Consent, id, facility_id, withdrawn.to_fields())
                .await;
        });
    };
    view! { <button type="button" class="button secondary small" on:click=withdraw>{move || i18n.screening().withdraw}</button> }
}

/// Recording a consent; `purpose` preselects what it is for (the referral form asks for sharing).
#[component]
pub fn ConsentForm(
    child_id: Uuid,
    facility_id: Uuid,
    child: Child,
    #[prop(optional)] purpose: Option<Purpose>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let feedback = Feedback::default();
    let guardian_name = RwSignal::new(child.guardian_name.clone());
    let relation = RwSignal::new(child.guardian_relation);
    let given_on = RwSignal::new(format_date(today()));
    let child_agreed = RwSignal::new(false);
    let purposes = RwSignal::new(vec![purpose.unwrap_or(Purpose::Screening)]);
    let method = RwSignal::new(ConsentMethod::SignedForm);
    let witness = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let needs_child = child.age_on(today()) >= CHILD_CONSENT_AGE;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(date) = parse_date(&given_on.get_untracked()) else {
            let problems = [(
                "given_on".to_string(),
                Problem::DateFormat.message(i18n.lang()),
            )];
            return feedback.invalid(problems.into_iter().collect(), i18n);
        };
        let consent = Consent {
            child_id,
            guardian_name: guardian_name.get_untracked(),
            guardian_relation: relation.get_untracked(),
            child_agreed: child_agreed.get_untracked(),
            given_on: date,
            purposes: purposes.get_untracked(),
            method: method.get_untracked(),
            witness: Some(witness.get_untracked()),
            withdrawn_on: None,
        };
        match consent.check(child.date_of_birth, today()) {
            Err(problems) => feedback.invalid(problems.messages(i18n.lang()), i18n),
            Ok(clean) => spawn_local(async move {
                match sync
                    .save(
                        RecordType::Consent,
                        Uuid::now_v7(),
                        facility_id,
                        clean.to_fields(),
                    )
                    .await
                {
                    Ok(_) => {
                        feedback.ok(i18n.texts().saved_locally);
                        open.set(false);
                    }
                    Err(error) => feedback.message.set(Some((true, error.0))),
                }
            }),
        }
    };
    let toggle = move |purpose: Purpose| super::toggle(purposes, purpose);
    view! {
        <Notice message=feedback.message/>
        <Show when=move || !open.get()>
            <button type="button" class="button secondary small" id="record-consent" on:click=move |_| open.set(true)>
                {move || i18n.screening().record_consent}
            </button>
        </Show>
        <Show when=move || open.get()>
            <form autocomplete="off" on:submit=submit novalidate=true id="consent-form" class="inline-form">
                <div class="form-grid">
                    <Field name="guardian_name" label=|t| t.guardian_name value=guardian_name errors=feedback.errors required=true/>
                    <div class="field">
                        <label for="field-relation">{move || i18n.texts().guardian_relation}</label>
                        <select id="field-relation" on:change=move |e| {
                            if let Some(r) = GuardianRelation::from_code(&event_target_value(&e)) { relation.set(r) }
                        }>
                            {GuardianRelation::ALL.into_iter().map(|r| view! {
                                <option value=r.code() selected=move || relation.get() == r>{move || r.label(i18n.lang())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <ScreeningField name="given_on" label=|c| c.given_on value=given_on errors=feedback.errors/>
                </div>
                <fieldset class="choices">
                    <legend>{move || i18n.screening().purposes}</legend>
                    {Purpose::ALL.into_iter().map(|p| view! {
                        <label class="check"><input type="checkbox" name="purpose" value=p.code()
                            prop:checked=move || purposes.with(|l| l.contains(&p)) on:change=move |_| toggle(p)/>
                            {move || (i18n.screening().purpose)(p)}</label>
                    }).collect_view()}
                    <p class="field-error" role="alert">{move || feedback.errors.with(|e| e.get("purposes").cloned())}</p>
                </fieldset>
                <fieldset class="choices">
                    <legend>{move || i18n.screening().method}</legend>
                    {[ConsentMethod::SignedForm, ConsentMethod::VerbalWitnessed].into_iter().map(|m| view! {
                        <label class="check"><input type="radio" name="method" prop:checked=move || method.get() == m
                            on:change=move |_| method.set(m)/>{move || (i18n.screening().method_label)(m)}</label>
                    }).collect_view()}
                </fieldset>
                <Show when=move || method.get() == ConsentMethod::VerbalWitnessed>
                    <ScreeningField name="witness" label=|c| c.witness value=witness errors=feedback.errors/>
                </Show>
                <label class="check" class:required=needs_child>
                    <input type="checkbox" id="field-child_agreed" prop:checked=move || child_agreed.get()
                        on:change=move |e| child_agreed.set(event_target_checked(&e))/>
                    {move || i18n.screening().child_agreed}
                </label>
                <p class="hint">{move || i18n.screening().child_agreed_hint}</p>
                <p class="field-error" role="alert">{move || feedback.errors.with(|e| e.get("child_agreed").cloned())}</p>
                <button type="submit" class="button primary" id="save-consent">{move || i18n.texts().save}</button>
                " "
                <button type="button" class="button secondary" on:click=move |_| open.set(false)>{move || i18n.texts().cancel}</button>
            </form>
        </Show>
    }
}
