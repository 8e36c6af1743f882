//! The screening form: set-up (who answers, the date, consent, the age check), then one question
//! per screen with large answer buttons, progress, back and forward. The draft is kept in the
//! local store after every answer, so a reload loses nothing. A critical answer opens the urgent
//! panel at once, before the form is finished.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};
use shared::instrument::{
    age_in_months, find, flags_so_far, Answers, FlagLevel, Informant, Instrument,
};
use shared::lang::{format_date, parse_date};
use shared::screening::SafetyAction;
use shared::validate::Problem;
use uuid::Uuid;

use super::flag;
use super::questions::Questions;
use super::safety::UrgentPanel;
use super::ScreeningField;
use crate::components::form::Feedback;
use crate::components::form::Notice;
use crate::i18n::use_i18n;
use crate::pages::children::today;
use crate::records::child::{child_of, may_screen};
use crate::store;
use crate::sync::use_sync;

/// A screening in progress, kept in the store's `meta` under [`draft_key`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub informant: Option<Informant>,
    pub screened_on: String,
    pub outside_age_reason: String,
    pub consent_override: String,
    pub answers: Answers,
    pub step: usize,
    pub started: bool,
    pub safety: Option<SafetyAction>,
    /// The flag record raised by a critical answer, and its level.
    #[serde(default)]
    pub flag: Option<(Uuid, FlagLevel)>,
}

pub fn draft_key(child_id: Uuid, instrument: &str) -> String {
    format!("draft:{child_id}:{instrument}")
}

#[component]
pub fn ScreeningPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let child_id = params
        .with_untracked(|p| p.get("id"))
        .and_then(|id| Uuid::parse_str(&id).ok());
    let instrument = params
        .with_untracked(|p| p.get("instrument"))
        .and_then(|id| find(&id));
    let draft = RwSignal::new(None::<Draft>);
    if let (Some(child_id), Some(instrument)) = (child_id, instrument) {
        // The draft is read once the user's store is open (right after a reload it is not yet).
        let asked = StoredValue::new(false);
        Effect::new(move |_| {
            if !sync.ready.get() || asked.get_value() {
                return;
            }
            asked.set_value(true);
            spawn_local(async move {
                let kept = store::get_meta::<Draft>(&draft_key(child_id, &instrument.id))
                    .await
                    .ok()
                    .flatten();
                draft.set(Some(kept.unwrap_or_else(|| Draft {
                    informant: instrument.informants.first().copied(),
                    screened_on: format_date(today()),
                    ..Draft::default()
                })));
            });
        });
        // Every change of the draft is kept at once.
        Effect::new(move |_| {
            if let Some(current) = draft.get() {
                spawn_local(async move {
                    let _ = store::put_meta(&draft_key(child_id, &instrument.id), &current).await;
                });
            }
        });
    }
    move || {
        let child = child_id.and_then(|id| {
            sync.records
                .with(|r| r.iter().find(|r| r.id == id).cloned())
                .and_then(|record| child_of(&record).map(|c| (record.facility_id, c)))
        });
        match (sync.ready.get(), child, instrument, draft.get().is_some()) {
            (false, ..) | (true, Some(_), Some(_), false) => {
                view! { <p class="page muted">{i18n.texts().loading}</p> }.into_any()
            }
            (true, Some((facility_id, _)), Some(instrument), true) => view! {
                <ScreeningForm child_id=child_id.unwrap_or_default() facility_id=facility_id instrument=instrument draft=draft/>
            }
            .into_any(),
            _ => view! { <p class="page notice error">{i18n.texts().child_not_found}</p> }.into_any(),
        }
    }
}

/// Reads the draft; only called once it is loaded.
pub(super) fn current(draft: RwSignal<Option<Draft>>) -> Draft {
    draft.get().unwrap_or_default()
}

pub(super) fn edit(draft: RwSignal<Option<Draft>>, change: impl FnOnce(&mut Draft)) {
    draft.update(|d| {
        if let Some(d) = d {
            change(d)
        }
    });
}

#[component]
fn ScreeningForm(
    child_id: Uuid,
    facility_id: Uuid,
    instrument: &'static Instrument,
    draft: RwSignal<Option<Draft>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let raised = Memo::new(move |_| {
        let d = current(draft);
        let declined = d.answers.declined
            && instrument
                .declined
                .as_ref()
                .is_some_and(|x| !x.flags.is_empty());
        flags_so_far(instrument, &d.answers.values)
            .iter()
            .map(|f| f.level)
            .min()
            .or(declined.then_some(FlagLevel::NonAcute))
    });
    // The moment a critical answer is given, the flag is a stored record: leaving the form by any
    // route leaves it standing, for this device and (after sync) for colleagues. A more urgent
    // answer later in the same form raises a new flag in place of the first.
    Effect::new(move |_| {
        let Some(level) = raised.get() else { return };
        let had = current(draft).flag;
        if had.is_some_and(|(_, had)| had <= level) {
            return;
        }
        let id = Uuid::now_v7();
        edit(draft, |d| d.flag = Some((id, level)));
        let superseded = i18n.flags().superseded;
        spawn_local(async move {
            flag::raise(sync, id, child_id, facility_id, &instrument.id, level).await;
            if let Some((previous, _)) = had {
                let reason = superseded.to_string();
                let _ = flag::update(sync, previous, |f| f.voided_reason = Some(reason)).await;
            }
        });
    });
    let level = Memo::new(move |_| {
        let d = current(draft);
        let acted_on_flag = d.flag.is_some_and(|(id, _)| {
            sync.records
                .with(|_| flag::stored(sync, id))
                .is_some_and(|(_, f)| f.action.is_some())
        });
        raised
            .get()
            .filter(|_| d.safety.is_none() && !acted_on_flag)
    });
    let record = Callback::new(move |action: SafetyAction| {
        edit(draft, |d| d.safety = Some(action.clone()));
        if let Some((id, _)) = current(draft).flag {
            spawn_local(async move {
                // Kept in the draft too: finishing the form writes it to the flag if this failed.
                if let Err(error) = flag::update(sync, id, |f| {
                    f.action.get_or_insert(action);
                })
                .await
                {
                    leptos::logging::warn!("the urgent flag's action waits for the form: {error}");
                }
            });
        }
    });
    view! {
        <section class="page screening">
            <p><a href=format!("/children/{child_id}")>{move || i18n.screening().back_to_child}</a></p>
            <h1>{move || instrument.name.get(i18n.lang()).to_string()}</h1>
            <Show when=move || !current(draft).started fallback=move || view! {
                <Questions child_id=child_id facility_id=facility_id instrument=instrument draft=draft/>
            }>
                <SetUp child_id=child_id instrument=instrument draft=draft/>
            </Show>
            <UrgentPanel level=level record=record/>
            <p class="attribution muted">{move || instrument.attribution.get(i18n.lang()).to_string()}
                " " {move || i18n.screening().translation_pending}</p>
        </section>
    }
}

#[component]
fn SetUp(
    child_id: Uuid,
    instrument: &'static Instrument,
    draft: RwSignal<Option<Draft>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let feedback = Feedback::default();
    let d = current(draft);
    let screened_on = RwSignal::new(d.screened_on.clone());
    let reason = RwSignal::new(d.outside_age_reason.clone());
    let emergency = RwSignal::new(d.consent_override.clone());
    let child = move || {
        sync.records
            .with(|r| r.iter().find(|r| r.id == child_id).and_then(child_of))
    };
    let date = move || parse_date(&screened_on.get()).unwrap_or_else(today);
    let in_range = move || {
        child().is_some_and(|c| {
            age_in_months(c.date_of_birth, date()).is_some_and(|m| instrument.age.contains(m))
        })
    };
    let consented =
        move || child().is_some_and(|c| sync.records.with(|r| may_screen(r, &c, child_id, date())));
    let start = move |_| {
        let mut problems = std::collections::BTreeMap::new();
        let lang = i18n.lang();
        match (parse_date(&screened_on.get_untracked()), child()) {
            (Some(on), Some(c)) if on <= today() && on >= c.date_of_birth => {}
            (Some(_), _) => {
                problems.insert("screened_on".into(), Problem::DateOutOfRange.message(lang));
            }
            (None, _) => {
                problems.insert("screened_on".into(), Problem::DateFormat.message(lang));
            }
        }
        if !in_range() && reason.get_untracked().trim().is_empty() {
            problems.insert(
                "outside_age_reason".into(),
                Problem::OutsideAgeRange.message(lang),
            );
        }
        if !consented() && emergency.get_untracked().trim().is_empty() {
            problems.insert("consent_override".into(), Problem::NoConsent.message(lang));
        }
        if !problems.is_empty() {
            return feedback.invalid(problems, i18n);
        }
        edit(draft, |d| {
            d.screened_on = screened_on.get_untracked();
            d.outside_age_reason = reason.get_untracked();
            d.consent_override = if consented() {
                String::new()
            } else {
                emergency.get_untracked()
            };
            d.started = true;
            d.step = 0;
        });
    };
    view! {
        <p class="muted">{move || instrument.purpose.get(i18n.lang()).to_string()}</p>
        <div class="card">
            <Notice message=feedback.message/>
            <fieldset class="choices">
                <legend>{move || i18n.screening().informant}</legend>
                {instrument.informants.iter().copied().map(|who| view! {
                    <label class="check"><input type="radio" name="informant"
                        prop:checked=move || current(draft).informant == Some(who)
                        on:change=move |_| edit(draft, |d| d.informant = Some(who))/>
                        {move || (i18n.screening().informant_label)(who)}</label>
                }).collect_view()}
            </fieldset>
            {instrument.asked_privately.then(|| view! { <p class="notice info">{move || i18n.screening().asked_privately}</p> })}
            <ScreeningField name="screened_on" label=|c| c.screened_on value=screened_on errors=feedback.errors/>
            <Show when=move || !in_range()>
                <ScreeningField name="outside_age_reason" label=|c| c.outside_age_reason value=reason errors=feedback.errors/>
            </Show>
            <Show when=move || !consented()>
                <div class="notice error" id="no-consent" role="alert">
                    <strong>{move || i18n.screening().no_consent_title}</strong>
                    <p>{move || i18n.screening().no_consent_text}</p>
                </div>
                <ScreeningField name="consent_override" label=|c| c.emergency_reason value=emergency errors=feedback.errors/>
            </Show>
            <p class="muted">{move || instrument.instructions.get(i18n.lang()).to_string()}</p>
            <button type="button" class="button primary wide" id="start-screening" on:click=start>{move || i18n.screening().start}</button>
        </div>
    }
}
