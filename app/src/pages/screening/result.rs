//! A screening's result: score, subscales, band in plain words, what it means and what to do
//! next, the flags and the action taken; voiding (a submitted screening is never edited).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use shared::instrument::{find_version, Instrument};
use shared::lang::format_date;
use shared::screening::Screening;
use shared::sync::RecordType;
use shared::validate::Problem;
use uuid::Uuid;

use crate::components::form::{Feedback, Field, Notice};
use crate::i18n::use_i18n;
use crate::sync::use_sync;

#[component]
pub fn ResultPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let id = params
        .with_untracked(|p| p.get("screening"))
        .and_then(|id| Uuid::parse_str(&id).ok());
    let found = Memo::new(move |_| {
        let id = id?;
        sync.records.with(|r| {
            r.iter()
                .find(|r| r.id == id)
                .and_then(|r| Screening::from_fields(&r.fields).map(|s| (r.facility_id, s)))
        })
    });
    move || match (sync.ready.get(), found.get()) {
        (false, _) => view! { <p class="page muted">{i18n.texts().loading}</p> }.into_any(),
        (true, Some((facility_id, screening))) => {
            match find_version(&screening.instrument_id, &screening.instrument_version) {
                Some(instrument) => view! {
                    <section class="page">
                        <p><a href=format!("/children/{}", screening.child_id)>{move || i18n.screening().back_to_child}</a></p>
                        <ResultView instrument=instrument screening=screening.clone()/>
                        {(screening.voided_reason.is_none() && (screening.result.positive || screening.result.urgency().is_some())).then(|| view! {
                            <p class="actions">
                                <a class="button primary" id="refer-from-result"
                                    href=format!("/children/{}/refer?screening={}", screening.child_id, id.unwrap_or_default())>
                                    {move || i18n.referrals().refer}
                                </a>
                            </p>
                        })}
                        {screening.voided_reason.is_none().then(|| view! {
                            <VoidScreening id=id.unwrap_or_default() facility_id=facility_id screening=screening.clone()/>
                        })}
                    </section>
                }
                .into_any(),
                None => view! { <p class="page notice error">{i18n.texts().not_found}</p> }.into_any(),
            }
        }
        (true, None) => {
            view! { <p class="page notice error">{i18n.texts().not_found}</p> }.into_any()
        }
    }
}

#[component]
pub fn ResultView(instrument: &'static Instrument, screening: Screening) -> impl IntoView {
    let i18n = use_i18n();
    let result = screening.result.clone();
    let flagged = result.urgency().is_some();
    let band = result.band.as_ref().and_then(|id| instrument.band(id));
    let scores = instrument
        .scores
        .iter()
        .filter_map(|s| result.scores.get(&s.id).map(|v| (s, *v)))
        .collect::<Vec<_>>();
    view! {
        <article class="card result" id="result" class:positive=result.positive class:flagged=flagged data-band=result.band.clone().unwrap_or_default()>
            <h1>{move || i18n.screening().result_title} ": " {move || instrument.name.get(i18n.lang()).to_string()}</h1>
            <p class="muted">{format_date(screening.screened_on)} " · " {move || (i18n.screening().informant_label)(screening.informant)}</p>
            {screening.voided_reason.clone().map(|reason| view! { <p class="badge off">{move || i18n.texts().voided} ": " {reason.clone()}</p> })}
            // A critical answer leads: the flag comes before any score, and no reassuring colour.
            {result.urgency().map(|level| view! {
                <div class="notice error" id="result-flag" role="alert">
                    <strong>{move || (i18n.screening().urgent_title)(level)}</strong>
                    <p>{move || i18n.flags().lead}</p>
                    {screening.safety_action.clone().map(|action| view! {
                        <ul>{action.steps.iter().map(|s| { let s = *s; view! { <li>{move || (i18n.screening().step)(s)}</li> } }).collect_view()}</ul>
                        <p>{action.note.clone()}</p>
                    })}
                </div>
            })}
            {(!result.valid).then(|| view! { <p class="notice info">{move || (i18n.screening().not_scored)(result.missing)}</p> })}
            <Show when=move || result.valid>
                <p class="verdict">
                    <span class="badge" class:warn=result.positive class:ok=!result.positive && !flagged
                        class:neutral=flagged && !result.positive id="verdict">
                        {move || {
                            let verdict = if result.positive { i18n.screening().positive } else { i18n.screening().negative };
                            if flagged { (i18n.flags().score_verdict)(verdict) } else { verdict.to_string() }
                        }}
                    </span>
                </p>
            </Show>
            <dl class="facts">
                {scores.into_iter().map(|(score, value)| view! {
                    <dt>{move || score.label.get(i18n.lang()).to_string()}</dt>
                    <dd class="score" data-score=score.id.clone()>
                        {value.value}
                        {value.positive.filter(|p| *p).map(|_| view! { " " <span class="badge warn">{move || i18n.screening().positive}</span> })}
                    </dd>
                }).collect_view()}
            </dl>
            {band.map(|band| view! {
                <h2 id="band">{move || band.label.get(i18n.lang()).to_string()}</h2>
                <p><strong>{move || i18n.screening().meaning} ": "</strong>{move || band.meaning.get(i18n.lang()).to_string()}</p>
                <p><strong>{move || i18n.screening().next_step} ": "</strong>{move || band.next_step.get(i18n.lang()).to_string()}</p>
            })}
            <p class="attribution muted">{move || instrument.attribution.get(i18n.lang()).to_string()} " "
                {move || i18n.screening().translation_pending}</p>
            <p class="attribution muted">{move || i18n.screening().licence} ": " {move || instrument.licence.get(i18n.lang()).to_string()}</p>
        </article>
    }
}

#[component]
fn VoidScreening(id: Uuid, facility_id: Uuid, screening: Screening) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let reason = RwSignal::new(String::new());
    let feedback = Feedback::default();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let text = reason.get_untracked().trim().to_string();
        if text.is_empty() {
            let problems = [(
                "void_reason".to_string(),
                Problem::Required.message(i18n.lang()),
            )];
            return feedback.invalid(problems.into_iter().collect(), i18n);
        }
        let voided = Screening {
            voided_reason: Some(text),
            ..screening.clone()
        };
        spawn_local(async move {
            match sync
                .save(RecordType::Screening, id, facility_id, voided.to_fields())
                .await
            {
                Ok(_) => feedback.ok(i18n.texts().saved_locally),
                Err(error) => feedback.message.set(Some((true, error.0))),
            }
        });
    };
    view! {
        <details class="card">
            <summary>{move || i18n.screening().void_screening}</summary>
            <form autocomplete="off" on:submit=submit novalidate=true>
                <Notice message=feedback.message/>
                <Field name="void_reason" label=|t| t.void_reason value=reason errors=feedback.errors required=true/>
                <button type="submit" class="button danger small">{move || i18n.screening().void_screening}</button>
            </form>
        </details>
    }
}
