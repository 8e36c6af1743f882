//! Submitting the unit's report for the chosen period to the province, and what a commune or
//! the province sees of its units: submitted (when, by whom, late or not), or missing.
//! Submitting needs the server (it freezes the report it computes); offline, the page says so.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::CurrentUser;
use shared::indicators::Span;
use shared::lang::{format_date, format_date_time};
use shared::submission::{
    reporting_unit, Submission, SubmissionsView, SubmitReport, UnitKind, UnitStatus,
};

use crate::api::{use_api, ApiFailure};
use crate::i18n::use_i18n;

/// The unit the user reports for, within the view (`shared::submission::reporting_unit`, the
/// server's rule).
fn own_unit<'a>(view: &'a SubmissionsView, user: &CurrentUser) -> Option<&'a UnitStatus> {
    let (own, _) = reporting_unit(user.role, user.facility_id, user.area_id)?;
    view.units.iter().find(|u| u.unit_id == own)
}

#[component]
pub fn Submissions(span: Memo<Span>, user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let version = RwSignal::new(0u32);
    let failure = RwSignal::new(None::<String>);
    let view = LocalResource::new(move || {
        version.track();
        let code = span.get().code();
        async move {
            api.get::<SubmissionsView>(&format!("/api/reports/submissions?period={code}"))
                .await
                .ok()
        }
    });
    let submit = move |_| {
        let request = SubmitReport {
            period: span.get_untracked().code(),
        };
        spawn_local(async move {
            match api
                .post::<_, Submission>("/api/reports/submissions", &request)
                .await
            {
                Ok(_) => {
                    failure.set(None);
                    version.update(|v| *v += 1);
                }
                Err(ApiFailure::Unreachable) => {
                    failure.set(Some(i18n.report().submit_offline.into()))
                }
                Err(other) => failure.set(Some(other.message(i18n))),
            }
        });
    };
    let status = move |unit: &UnitStatus| match &unit.submission {
        Some(s) => (i18n.report().submitted_by)(&format_date_time(s.submitted_at), &s.submitted_by),
        None => i18n.report().not_submitted.to_string(),
    };
    move || {
        let Some(Some(shown)) = view.get() else {
            return ().into_any();
        };
        let mine = own_unit(&shown, &user).cloned();
        let others: Vec<UnitStatus> = shown
            .units
            .iter()
            .filter(|u| Some(u.unit_id) != mine.as_ref().map(|m| m.unit_id))
            .cloned()
            .collect();
        let due = shown
            .due_on
            .map(|d| (i18n.report().due_on)(&format_date(d)));
        view! {
            <section class="card submissions no-print" aria-labelledby="submissions-title">
                <h2 id="submissions-title">{i18n.report().submissions_title}</h2>
                {due.map(|d| view! { <p class="muted">{d}</p> })}
                {mine.map(|unit| view! {
                    <p id="own-submission">
                        {status(&unit)} " "
                        {unit.late.then(|| view! { <span class="badge warn">{i18n.report().late}</span> })}
                    </p>
                    <p><button type="button" class="button primary" id="submit-report" on:click=submit>{i18n.report().submit_report}</button></p>
                })}
                {move || failure.get().map(|f| view! { <p class="notice error" role="alert">{f}</p> })}
                {(!others.is_empty()).then(|| view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="data" id="submissions">
                            <thead><tr>
                                <th scope="col">{i18n.report().unit}</th>
                                <th scope="col">{i18n.report().unit_kind}</th>
                                <th scope="col">{i18n.report().report_status}</th>
                            </tr></thead>
                            <tbody>{others.into_iter().map(|unit| {
                                let kind = match unit.unit_kind {
                                    UnitKind::Commune => i18n.report().kind_commune,
                                    UnitKind::Facility => i18n.report().kind_facility,
                                };
                                let text = status(&unit);
                                let open = unit.submission.as_ref().map(|s| {
                                    format!("/indicators/submissions/{}?period={}", s.id, s.period)
                                });
                                view! { <tr>
                                    <td>{unit.unit_name.clone()}</td>
                                    <td>{kind}</td>
                                    <td>{text} " " {unit.late.then(|| view! { <span class="badge warn">{i18n.report().late}</span> })}
                                        {open.map(|href| view! { " " <A href=href attr:class="open-frozen">{i18n.report().open_frozen}</A> })}</td>
                                </tr> }
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                })}
            </section>
        }
        .into_any()
    }
}
