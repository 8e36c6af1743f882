//! A child's page: their record as this device has it, whether it is waiting to sync, editing
//! and voiding (records are never deleted).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use shared::child::Child;
use shared::ethnicity;
use shared::lang::format_date;
use shared::sync::RecordType;
use shared::validate::Problem;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::{area_name, child_of, communes, today};
use crate::api::use_api;
use crate::components::form::{Feedback, Field, Notice};
use crate::i18n::use_i18n;
use crate::pages::screening::consent::ConsentSection;
use crate::pages::screening::history::{ScreeningSection, UrgentFlag};
use crate::pages::screening::support::{CircumstancesSection, SessionsSection};
use crate::store::LocalRecord;
use crate::sync::use_sync;

#[component]
pub fn ChildPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let query = use_query_map();
    let just_saved = query.with_untracked(|query| query.get("saved").is_some());
    let id = params
        .with_untracked(|params| params.get("id"))
        .and_then(|id| Uuid::parse_str(&id).ok());
    let record = Memo::new(move |_| {
        let id = id?;
        sync.records
            .with(|records| records.iter().find(|r| r.id == id).cloned())
    });
    move || {
        if !sync.ready.get() {
            return view! { <p class="page muted">{i18n.t().loading}</p> }.into_any();
        }
        match record
            .get()
            .and_then(|record| child_of(&record).map(|child| (record, child)))
        {
            Some((record, child)) => {
                view! { <ChildView record=record child=child just_saved=just_saved/> }.into_any()
            }
            None => {
                view! { <p class="page notice error">{i18n.t().child_not_found}</p> }.into_any()
            }
        }
    }
}

#[component]
fn ChildView(record: LocalRecord, child: Child, just_saved: bool) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let areas = LocalResource::new(move || communes(api));
    let waiting = record.server.as_ref() != Some(&record.fields);
    let id = record.id;
    let commune_id = child.commune_id;
    let voided = child.voided_reason.clone();
    let row = |label: fn(&'static crate::i18n::Texts) -> &'static str, value: String| {
        view! { <dt>{move || label(i18n.t())}</dt><dd>{value}</dd> }
    };
    view! {
        <section class="page">
            <p><A href="/children">{move || i18n.t().back_to_list}</A></p>
            {just_saved.then(|| view! { <p class="notice ok" role="status" id="saved-notice">{move || i18n.t().saved_locally}</p> })}
            <div class="section-head">
                <h1 id="child-name">{child.full_name.clone()}</h1>
                <A href=format!("/children/{id}/edit") attr:class="button secondary" attr:id="edit-child">{move || i18n.t().edit_child}</A>
            </div>
            <p>
                {waiting.then(|| view! { <span class="badge warn" id="waiting-badge">{move || (i18n.t().pending_changes)(1)}</span> })}
                {voided.clone().map(|reason| view! { <span class="badge off">{move || i18n.t().voided} ": " {reason.clone()}</span> })}
            </p>
            <UrgentFlag child_id=id/>
            {child.registered_elsewhere.then(|| view! {
                <p class="notice info" role="note" id="registered-elsewhere">{move || i18n.t().registered_elsewhere}</p>
            })}
            <article class="card">
                <dl class="facts">
                    {row(|t| t.date_of_birth, format!("{} ({})", format_date(child.date_of_birth), (i18n.t().age)(child.age_on(today()))))}
                    {row(|t| t.sex, child.sex.label(i18n.lang()).to_string())}
                    {row(|t| t.ethnicity, ethnicity::name(&child.ethnicity).unwrap_or_default().to_string())}
                    <dt>{move || i18n.t().commune}</dt>
                    <dd>{move || area_name(&areas.get().unwrap_or_default(), commune_id)}</dd>
                    {row(|t| t.school_class, child.school_class.clone().unwrap_or_default())}
                    {row(|t| t.guardian_name, format!("{} ({})", child.guardian_name, child.guardian_relation.label(i18n.lang())))}
                    {row(|t| t.guardian_phone, child.guardian_phone.clone().unwrap_or_default())}
                    {row(|t| t.personal_id, child.personal_id.clone().unwrap_or_default())}
                </dl>
            </article>
            {voided.is_none().then(|| view! {
                <crate::pages::referrals::ChildReferrals child_id=id/>
                <ScreeningSection child_id=id child=child.clone()/>
                <SessionsSection child_id=id facility_id=record.facility_id child=child.clone()/>
                <ConsentSection child_id=id facility_id=record.facility_id child=child.clone()/>
                <CircumstancesSection child_id=id facility_id=record.facility_id child=child.clone()/>
                <VoidForm id=id facility_id=record.facility_id child=child.clone()/>
            })}
        </section>
    }
}

#[component]
fn VoidForm(id: Uuid, facility_id: Uuid, child: Child) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    let reason = RwSignal::new(String::new());
    let feedback = Feedback::default();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let text = reason.get_untracked().trim().to_string();
        if text.is_empty() {
            let problems = BTreeMap::from([(
                "void_reason".to_string(),
                Problem::Required.message(i18n.lang()),
            )]);
            return feedback.invalid(problems, i18n);
        }
        let voided = Child {
            voided_reason: Some(text),
            ..child.clone()
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match sync
                .save(RecordType::Child, id, facility_id, voided.to_fields())
                .await
            {
                Ok(_) => navigate("/children", Default::default()),
                Err(error) => feedback.message.set(Some((true, error.0))),
            }
        });
    };
    view! {
        <details class="card">
            <summary>{move || i18n.t().void_record}</summary>
            <form on:submit=submit novalidate=true>
                <Notice message=feedback.message/>
                <Field name="void_reason" label=|t| t.void_reason value=reason errors=feedback.errors required=true/>
                <button type="submit" class="button danger small">{move || i18n.t().void_record}</button>
            </form>
        </details>
    }
}
