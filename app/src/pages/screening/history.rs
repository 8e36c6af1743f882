//! The screening part of a child's page: instruments suggested by age (others
//! with a stated reason), past results, and a small trend of totals per instrument.

use leptos::prelude::*;
use shared::child::Child;
use shared::instrument::{age_in_months, catalogue, find, find_version, suggest, Instrument};
use shared::lang::format_date;
use shared::screening::Screening;
use uuid::Uuid;

use super::flag_list::FlagHistory;
use crate::i18n::use_i18n;
use crate::pages::children::today;
use crate::records::child::screenings_of;
use crate::sync::use_sync;

/// The trend's drawing box, in SVG units.
const WIDTH: f64 = 240.0;
const HEIGHT: f64 = 60.0;

#[component]
pub fn ScreeningSection(child_id: Uuid, child: Child) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let screenings = Memo::new(move |_| sync.records.with(|r| screenings_of(r, child_id)));
    let months = age_in_months(child.date_of_birth, today()).unwrap_or(0);
    let suggested = suggest(months);
    let others: Vec<&'static Instrument> = catalogue()
        .iter()
        .filter(|i| find(&i.id) == Some(*i) && !suggested.contains(i))
        .collect();
    let age = child.age_on(today());
    let link = move |instrument: &'static Instrument| {
        view! {
            <a class="button secondary" id=format!("screen-{}", instrument.id)
                href=format!("/children/{child_id}/screen/{}", instrument.id)>
                {move || instrument.name.get(i18n.lang()).split(" – ").next().unwrap_or_default().to_string()}
            </a>
        }
    };
    view! {
        <article class="card" id="screenings">
            <h2>{move || i18n.screening().screenings_title}</h2>
            {if suggested.is_empty() {
                view! { <p class="muted">{move || i18n.screening().no_suggestion}</p> }.into_any()
            } else {
                view! {
                    <p>{move || (i18n.screening().suggested)(&(i18n.texts().age)(age))}</p>
                    <p class="actions" id="suggested">{suggested.iter().map(|i| link(i)).collect_view()}</p>
                }.into_any()
            }}
            <details>
                <summary>{move || i18n.screening().other_instruments}</summary>
                <p class="actions" id="other-instruments">{others.into_iter().map(link).collect_view()}</p>
            </details>
            <h3>{move || i18n.screening().history_title}</h3>
            <Show when=move || screenings.with(Vec::is_empty)>
                <p class="muted">{move || i18n.screening().no_screenings}</p>
            </Show>
            <ul class="plain history" id="screening-history">
                {move || screenings.get().into_iter().map(|(id, s)| history_row(child_id, id, s)).collect_view()}
            </ul>
            {move || trends(&screenings.get())}
            <FlagHistory child_id=child_id/>
        </article>
    }
}

fn history_row(child_id: Uuid, id: Uuid, screening: Screening) -> impl IntoView {
    let i18n = use_i18n();
    let instrument = find_version(&screening.instrument_id, &screening.instrument_version);
    let name = instrument.map(|i| {
        i.name
            .en
            .split(" – ")
            .next()
            .unwrap_or_default()
            .to_string()
    });
    let band = instrument
        .zip(screening.result.band.as_ref())
        .and_then(|(i, b)| i.band(b))
        .map(|b| b.label.clone());
    let total = screening.result.scores.values().next().map(|v| v.value);
    let urgent = screening.result.urgency();
    let voided = screening.is_voided();
    view! {
        <li class:voided=voided>
            <a href=format!("/children/{child_id}/screenings/{id}")>{format_date(screening.screened_on)} " · " {name}</a>
            {total.map(|t| view! { " · " <strong>{t}</strong> })}
            {band.map(|b| view! { " · " {move || b.get(i18n.lang()).to_string()} })}
            {urgent.map(|level| view! { " " <span class="badge warn">{move || (i18n.screening().urgent_title)(level)}</span> })}
            {voided.then(|| view! { " " <span class="badge off">{move || i18n.texts().voided}</span> })}
        </li>
    }
}

/// One small line chart per instrument with two or more scored, not voided screenings.
fn trends(screenings: &[(Uuid, Screening)]) -> impl IntoView {
    let i18n = use_i18n();
    let mut by_instrument: Vec<(&'static Instrument, Vec<i32>)> = Vec::new();
    for (_, s) in screenings.iter().rev() {
        let Some(instrument) = find(&s.instrument_id) else {
            continue;
        };
        let Some(score) = instrument
            .band_score
            .as_ref()
            .or(instrument.scores.first().map(|s| &s.id))
        else {
            continue;
        };
        let Some(value) = s.result.scores.get(score).map(|v| v.value) else {
            continue;
        };
        if s.is_voided() {
            continue;
        }
        match by_instrument
            .iter_mut()
            .find(|(i, _)| i.id == instrument.id)
        {
            Some((_, values)) => values.push(value),
            None => by_instrument.push((instrument, vec![value])),
        }
    }
    by_instrument
        .into_iter()
        .filter(|(_, values)| values.len() >= 2)
        .map(|(instrument, values)| {
            let top = values.iter().copied().max().unwrap_or(1).max(1) as f64;
            let step = WIDTH / (values.len() - 1) as f64;
            let points = values
                .iter()
                .enumerate()
                .map(|(n, v)| format!("{:.1},{:.1}", n as f64 * step, HEIGHT - (*v as f64 / top) * (HEIGHT - 4.0) - 2.0))
                .collect::<Vec<_>>()
                .join(" ");
            let short = instrument.name.en.split(" – ").next().unwrap_or_default().to_string();
            let title = short.clone();
            view! {
                <figure class="trend" data-instrument=instrument.id.clone()>
                    <svg viewBox=format!("-2 0 {} {}", WIDTH + 4.0, HEIGHT) role="img" width="240" height="60">
                        <title>{move || (i18n.screening().trend)(&title)}</title>
                        <polyline points=points class="trend-line"></polyline>
                    </svg>
                    <figcaption>{move || (i18n.screening().trend)(&short)} ": " {values.iter().map(i32::to_string).collect::<Vec<_>>().join(" → ")}</figcaption>
                </figure>
            }
        })
        .collect_view()
}
