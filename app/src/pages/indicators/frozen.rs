//! `/indicators/submissions/:id`: a report as a unit submitted it (the frozen copy the server
//! keeps), read by the commune or the province that received it: the same dashboard, without
//! downloads or rows, under who submitted it and when.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::indicators::{IndicatorsView, Span};
use shared::lang::format_date_time;
use shared::submission::SubmissionsView;
use uuid::Uuid;

use super::dashboard::Dashboard;
use super::Choice;
use crate::api::use_api;
use crate::i18n::use_i18n;

#[component]
pub fn FrozenReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let params = use_params_map();
    let id = params
        .with_untracked(|p| p.get("id"))
        .and_then(|id| Uuid::parse_str(&id).ok());
    let period = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("period"))
        .unwrap_or_default();
    let code = period.clone();
    let frozen = LocalResource::new(move || async move {
        let id = id?;
        Some(
            api.get::<IndicatorsView>(&format!("/api/reports/submissions/{id}"))
                .await,
        )
    });
    // Who submitted it and when, from the period's list.
    let listed = LocalResource::new(move || {
        let period = period.clone();
        async move {
            let view = api
                .get::<SubmissionsView>(&format!("/api/reports/submissions?period={period}"))
                .await
                .ok()?;
            view.units
                .into_iter()
                .filter_map(|u| u.submission)
                .find(|s| Some(s.id) == id)
        }
    });
    move || {
        match frozen.get() {
        None => view! { <section class="page"><p>{i18n.texts().loading}</p></section> }.into_any(),
        Some(None) | Some(Some(Err(_))) => view! {
            <section class="page"><p class="notice error" role="alert">{i18n.texts().not_found}</p></section>
        }
        .into_any(),
        Some(Some(Ok(shown))) => {
            let p = shown.report.period;
            let span = Span::parse(&code).unwrap_or(Span::Custom(p.from, p.to));
            let choice = Choice {
                span,
                area: None,
                facility: None,
            };
            let by = listed.get().flatten().map(|s| {
                (i18n.report().submitted_by)(&format_date_time(s.submitted_at), &s.submitted_by)
            });
            view! {
                <section class="page indicators-page">
                    <h1 id="frozen-report">{i18n.report().frozen_title} " — " {shown.scope.clone()}</h1>
                    {by.map(|by| view! { <p class="lead" id="frozen-by">{by}</p> })}
                    <p class="notice info no-print">{i18n.report().frozen_note}</p>
                    <Dashboard shown=shown choice=choice frozen=true/>
                </section>
            }
            .into_any()
        }
    }
    }
}
