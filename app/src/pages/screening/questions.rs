//! The questions of a screening, one per screen: large answer buttons (an answer moves on), a
//! free-text box for follow-ups, progress, back and forward, "declined" where the instrument gives
//! it a meaning, and the finish that checks the whole screening with the `shared` rules and saves
//! it through the sync engine.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::instrument::{asked_items, score, Answers, Instrument, Item};
use shared::lang::parse_date;
use shared::screening::{SafetyAction, Screening};
use shared::sync::RecordType;
use uuid::Uuid;

use super::form::{current, draft_key, edit, Draft};
use crate::components::form::{Feedback, Notice};
use crate::i18n::use_i18n;
use crate::pages::children::today;
use crate::records::child::child_of;
use crate::records::child::consents_of;
use crate::store;
use crate::sync::{use_sync, SyncState};

#[component]
pub fn Questions(
    child_id: Uuid,
    facility_id: Uuid,
    instrument: &'static Instrument,
    draft: RwSignal<Option<Draft>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    let feedback = Feedback::default();
    let asked = Memo::new(move |_| {
        asked_items(instrument, &current(draft).answers.values)
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<String>>()
    });
    let step = move || {
        current(draft)
            .step
            .min(asked.with(Vec::len).saturating_sub(1))
    };
    let item = move || {
        asked
            .with(|a| a.get(step()).cloned())
            .and_then(|id| instrument.item(&id))
    };
    let go = move |to: usize| edit(draft, |d| d.step = to);
    let answer = move |id: String, value: i32| {
        edit(draft, |d| {
            d.answers.values.insert(id, value);
            d.answers.declined = false;
        });
        let last = asked.with(Vec::len).saturating_sub(1);
        if step() < last {
            go(step() + 1);
        }
    };
    let finish = move |_| {
        let d = current(draft);
        let Some(child) = sync
            .records
            .with(|r| r.iter().find(|r| r.id == child_id).and_then(child_of))
        else {
            return;
        };
        // The action recorded on the panel, or on the flag from the child's page.
        let flag_action = d
            .flag
            .and_then(|(id, _)| super::flag::stored(sync, id))
            .and_then(|(_, f)| f.action);
        let screening = screening_of(&d, instrument, child_id, flag_action);
        let consents: Vec<_> = sync
            .records
            .with(|r| consents_of(r, child_id))
            .into_iter()
            .map(|(_, _, c)| c)
            .collect();
        match screening.check(None, child.date_of_birth, &consents, today()) {
            Err(problems) => feedback.invalid(problems.messages(i18n.lang()), i18n),
            Ok(clean) => {
                let navigate = navigate.clone();
                let flag = d.flag.map(|(id, _)| id);
                spawn_local(async move {
                    match save_finished(sync, facility_id, clean, flag).await {
                        Ok(id) => {
                            draft.set(None);
                            let _ = store::remove_meta(&draft_key(child_id, &instrument.id)).await;
                            navigate(
                                &format!("/children/{child_id}/screenings/{id}"),
                                Default::default(),
                            );
                        }
                        Err(error) => feedback.message.set(Some((true, error))),
                    }
                });
            }
        }
    };
    let missing = move || {
        let d = current(draft);
        asked.with(|a| {
            a.iter()
                .filter(|id| {
                    instrument.item(id).is_some_and(|i| i.options.is_some())
                        && !d.answers.values.contains_key(*id)
                })
                .count()
        })
    };
    view! {
        <div class="card question" id="question">
            <Notice message=feedback.message/>
            <p class="progress-label" id="progress">{move || (i18n.screening().question_of)(step() + 1, asked.with(Vec::len))}</p>
            <progress max=move || asked.with(Vec::len) value=move || step() + 1></progress>
            {move || item().map(|item| view! { <Question instrument=instrument item=item draft=draft on_answer=answer/> })}
            <div class="step-buttons">
                <button type="button" class="button secondary" id="previous-item" disabled=move || step() == 0
                    on:click=move |_| go(step().saturating_sub(1))>{move || i18n.screening().previous}</button>
                <Show when=move || { step() + 1 < asked.with(Vec::len) }
                    fallback=move || view! {
                        <button type="button" class="button primary" id="finish-screening" on:click=finish.clone()>{move || i18n.screening().finish}</button>
                    }>
                    <button type="button" class="button secondary" id="next-item" on:click=move |_| go(step() + 1)>{move || i18n.screening().next}</button>
                </Show>
            </div>
            <Show when=move || { missing() > 0 }>
                <p class="muted">{move || (i18n.screening().unanswered)(missing())}</p>
            </Show>
            {instrument.declined.is_some().then(|| view! {
                <button type="button" class="button secondary small" id="declined" on:click=move |_| {
                    edit(draft, |d| { d.answers = Answers { declined: true, ..Answers::default() }; d.step = usize::MAX; });
                }>{move || i18n.screening().declined}</button>
            })}
            <p class="muted small">{move || i18n.screening().draft_kept}</p>
        </div>
    }
}

/// The screening a finished draft makes, scored with the `shared` engine.
fn screening_of(
    d: &Draft,
    instrument: &Instrument,
    child_id: Uuid,
    flag_action: Option<SafetyAction>,
) -> Screening {
    let mut answers = d.answers.clone();
    answers.texts.retain(|_, text| !text.trim().is_empty());
    Screening {
        child_id,
        instrument_id: instrument.id.clone(),
        instrument_version: instrument.version.clone(),
        informant: d.informant.unwrap_or(instrument.informants[0]),
        screened_on: parse_date(&d.screened_on).unwrap_or_else(today),
        result: score(instrument, &answers),
        answers,
        outside_age_reason: Some(d.outside_age_reason.clone()),
        consent_override: Some(d.consent_override.clone()),
        safety_action: d.safety.clone().or(flag_action),
        voided_reason: None,
    }
}

/// Saves the checked screening; the flag raised during it then names the screening, and the
/// action recorded on the panel if it had not reached the flag. Returns the screening's id.
async fn save_finished(
    sync: SyncState,
    facility_id: Uuid,
    clean: Screening,
    flag: Option<Uuid>,
) -> Result<Uuid, String> {
    let id = Uuid::now_v7();
    sync.save(RecordType::Screening, id, facility_id, clean.to_fields())
        .await
        .map_err(|error| error.0)?;
    if let Some(flag_id) = flag {
        let action = clean.safety_action.clone();
        super::flag::update(sync, flag_id, |f| {
            f.screening_id.get_or_insert(id);
            if let Some(action) = action {
                f.action.get_or_insert(action);
            }
        })
        .await?;
    }
    Ok(id)
}

/// One question: its answer buttons (an answer moves on), or a free-text box for a follow-up.
#[component]
fn Question(
    instrument: &'static Instrument,
    item: &'static Item,
    draft: RwSignal<Option<Draft>>,
    on_answer: impl Fn(String, i32) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.id.clone();
    let chosen = current(draft).answers.values.get(&id).copied();
    let text_value = current(draft)
        .answers
        .texts
        .get(&id)
        .cloned()
        .unwrap_or_default();
    view! {
        <h2 class="item-text" id="item-text">{item.text.get(i18n.lang()).to_string()}</h2>
        {match instrument.options(item) {
            Some(set) => view! {
                <div class="options" role="group">
                    {set.options.iter().map(|option| {
                        let (id, value) = (id.clone(), option.value);
                        view! {
                            <button type="button" class="option" class:chosen=chosen == Some(value)
                                data-value=value.to_string()
                                aria-pressed=if chosen == Some(value) { "true" } else { "false" }
                                on:click=move |_| on_answer(id.clone(), value)>
                                {option.label.get(i18n.lang()).to_string()}
                            </button>
                        }
                    }).collect_view()}
                </div>
            }.into_any(),
            None => view! {
                <textarea autocomplete="off" class="follow-up" prop:value=text_value on:input=move |e| {
                    let text = event_target_value(&e);
                    let id = id.clone();
                    edit(draft, |d| { d.answers.texts.insert(id, text); });
                }></textarea>
            }.into_any(),
        }}
    }
}
