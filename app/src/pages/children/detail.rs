//! A child's page: their record as this device has it, whether it is waiting to sync, editing
//! and voiding (records are never deleted).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use shared::child::Child;
use shared::ethnicity;
use shared::lang::{format_date, Lang};
use shared::sync::RecordType;
use shared::validate::Problem;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::today;
use crate::api::use_api;
use crate::components::form::{Feedback, Field, Notice};
use crate::directory::{area_name, communes};
use crate::i18n::{use_i18n, Texts};
use crate::pages::screening::care::{CircumstancesSection, ConditionsSection, SessionsSection};
use crate::pages::screening::consent::ConsentSection;
use crate::pages::screening::flag::StandingFlag;
use crate::pages::screening::history::ScreeningSection;
use crate::records::child::child_of;
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
            .and_then(|record| child_of(&record).map(|child| (record, child)))
    });
    // The sections below the facts hold forms the user may be typing in: they are made again only
    // when what they depend on changes, never because a sync run brought the server's stamps.
    let sections = Memo::new(move |_| {
        record.with(|found| {
            found.as_ref().map(|(record, child)| SectionsKey {
                facility_id: record.facility_id,
                voided: child.is_voided(),
                born: child.date_of_birth,
                guardian: (child.guardian_name.clone(), child.guardian_relation),
            })
        })
    });
    move || {
        if !sync.ready.get() {
            return view! { <p class="page muted">{i18n.texts().loading}</p> }.into_any();
        }
        let Some(id) = id.filter(|_| sections.with(Option::is_some)) else {
            return view! { <p class="page notice error">{i18n.texts().child_not_found}</p> }
                .into_any();
        };
        view! {
            <section class="page">
                <p><A href="/children">{move || i18n.texts().back_to_list}</A></p>
                {just_saved.then(|| view! { <p class="notice ok" role="status" id="saved-notice">{move || i18n.texts().saved_locally}</p> })}
                {move || record.get().map(|(record, child)| view! { <ChildHead record=record child=child/> })}
                <StandingFlag child_id=id/>
                {move || record.get().map(|(_, child)| view! { <ChildFacts child=child/> })}
                {move || sections.get().filter(|key| !key.voided).and_then(|key| {
                    let child = record.with_untracked(|r| r.as_ref().map(|(_, c)| c.clone()))?;
                    Some(view! {
                        <crate::pages::referrals::ChildReferrals child_id=id/>
                        <ScreeningSection child_id=id child=child.clone()/>
                        <SessionsSection child_id=id facility_id=key.facility_id child=child.clone()/>
                        <ConsentSection child_id=id facility_id=key.facility_id child=child.clone()/>
                        <ConditionsSection child_id=id facility_id=key.facility_id child=child.clone()/>
                        <CircumstancesSection child_id=id facility_id=key.facility_id child=child/>
                    })
                })}
                {move || record.get().filter(|(_, child)| !child.is_voided()).map(|(record, child)| view! {
                    <VoidForm id=id facility_id=record.facility_id child=child/>
                })}
            </section>
        }
        .into_any()
    }
}

/// What the sections of a child's page are built from.
#[derive(Clone, PartialEq)]
struct SectionsKey {
    facility_id: Uuid,
    voided: bool,
    born: chrono::NaiveDate,
    guardian: (String, shared::child::GuardianRelation),
}

/// The child's name and badges as this device has them.
#[component]
fn ChildHead(record: LocalRecord, child: Child) -> impl IntoView {
    let i18n = use_i18n();
    let waiting = record.server.as_ref() != Some(&record.fields);
    let id = record.id;
    let voided = child.voided_reason.clone();
    view! {
        <div class="section-head">
            <h1 id="child-name">{child.full_name.clone()}</h1>
            <A href=format!("/children/{id}/edit") attr:class="button secondary" attr:id="edit-child">{move || i18n.texts().edit_child}</A>
        </div>
        <p>
            {waiting.then(|| view! { <span class="badge warn" id="waiting-badge">{move || (i18n.texts().pending_changes)(1)}</span> })}
            {voided.clone().map(|reason| view! { <span class="badge off">{move || i18n.texts().voided} ": " {reason.clone()}</span> })}
        </p>
        {child.registered_elsewhere.then(|| view! {
            <p class="notice info" role="note" id="registered-elsewhere">{move || i18n.texts().registered_elsewhere}</p>
        })}
    }
}

/// The child's facts.
#[component]
fn ChildFacts(child: Child) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let areas = LocalResource::new(move || communes(api));
    let commune_id = child.commune_id;
    // Each value is worded in the page's language, and follows a switch of it.
    let row = move |label: fn(&'static crate::i18n::Texts) -> &'static str,
                    value: Box<dyn Fn(Lang) -> String + Send + Sync>| {
        view! { <dt>{move || label(i18n.texts())}</dt><dd>{move || value(i18n.lang())}</dd> }
    };
    let born = child.date_of_birth;
    let age = child.age_on(today());
    let (sex, relation, group) = (child.sex, child.guardian_relation, child.ethnicity.clone());
    let (class, guardian) = (child.school_class.clone(), child.guardian_name.clone());
    let (phone, personal_id) = (child.guardian_phone.clone(), child.personal_id.clone());
    view! {
        <article class="card">
            <dl class="facts">
                {row(|t| t.date_of_birth, Box::new(move |lang| format!("{} ({})", format_date(born), (Texts::of(lang).age)(age))))}
                {row(|t| t.sex, Box::new(move |lang| sex.label(lang).to_string()))}
                {row(|t| t.ethnicity, Box::new(move |lang| ethnicity::label(&group, lang).unwrap_or_default()))}
                <dt>{move || i18n.texts().commune}</dt>
                <dd>{move || area_name(&areas.get().unwrap_or_default(), commune_id)}</dd>
                {row(|t| t.school_class, Box::new(move |_| class.clone().unwrap_or_default()))}
                {row(|t| t.guardian_name, Box::new(move |lang| format!("{guardian} ({})", relation.label(lang))))}
                {row(|t| t.guardian_phone, Box::new(move |_| phone.clone().unwrap_or_default()))}
                {row(|t| t.personal_id, Box::new(move |_| personal_id.clone().unwrap_or_default()))}
            </dl>
        </article>
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
            <summary>{move || i18n.texts().void_record}</summary>
            <form autocomplete="off" on:submit=submit novalidate=true>
                <Notice message=feedback.message/>
                <Field name="void_reason" label=|t| t.void_reason value=reason errors=feedback.errors required=true/>
                <button type="submit" class="button danger small">{move || i18n.texts().void_record}</button>
            </form>
        </details>
    }
}
