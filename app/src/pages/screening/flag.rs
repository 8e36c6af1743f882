//! Urgent flags as records (`shared::urgent`): raising one the moment a critical answer is given,
//! recording its action, ending or voiding it; the flag standing at the top of the child's page,
//! the flags' history, and the open flags on home. All through the sync engine: a flag is a
//! record colleagues receive, not a draft on one device. Its history and home's list of open flags
//! are in [`super::flag_list`].

use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::instrument::FlagLevel;
use shared::lang::format_date_time;
use shared::referral::Status;
use shared::screening::SafetyAction;
use shared::sync::{Actor, RecordType};
use shared::urgent::{Ending, FlagEnd, Standing, UrgentFlag};
use uuid::Uuid;

use super::safety::UrgentPanel;
use crate::components::form::{Feedback, Notice};
use crate::i18n::use_i18n;
use crate::pages::referrals::use_referrals;
use crate::records::child::{child_of, screenings_of, urgent_flag};
use crate::sync::{use_sync, SyncState};

/// Raises flag `id` for the child now; returns the id once it is in the local store (and outbox).
pub async fn raise(
    sync: SyncState,
    id: Uuid,
    child_id: Uuid,
    facility_id: Uuid,
    instrument_id: &str,
    level: FlagLevel,
) -> Option<Uuid> {
    let flag = UrgentFlag::raise(child_id, instrument_id, level, Utc::now());
    sync.save(RecordType::UrgentFlag, id, facility_id, flag.to_fields())
        .await
        .ok()
        .map(|_| id)
}

/// The flag record on this device, with the facility that owns it.
pub fn stored(sync: SyncState, id: Uuid) -> Option<(Uuid, UrgentFlag)> {
    sync.records.with_untracked(|records| {
        records
            .iter()
            .find(|r| r.id == id && r.record_type == RecordType::UrgentFlag)
            .and_then(|r| UrgentFlag::from_fields(&r.fields).map(|f| (r.facility_id, f)))
    })
}

/// Changes a stored flag (the next step of its life) and saves it; `Err` is the user's message.
/// A flag raised a moment ago may still be on its way into the store: it is waited for (a few
/// seconds at most), so an action recorded at once is never dropped.
pub async fn update(
    sync: SyncState,
    id: Uuid,
    change: impl FnOnce(&mut UrgentFlag),
) -> Result<(), String> {
    let mut found = stored(sync, id);
    for _ in 0..100 {
        if found.is_some() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
        found = stored(sync, id);
    }
    let Some((facility_id, mut flag)) = found else {
        return Err(sync.texts().flags().flag_missing.to_string());
    };
    change(&mut flag);
    sync.save(RecordType::UrgentFlag, id, facility_id, flag.to_fields())
        .await
        .map(|_| ())
        .map_err(|error| error.0)
}

/// Who the server says acted; before the step has synced, the server has not said yet.
pub(super) fn who(actor: &Option<Actor>) -> String {
    let i18n = use_i18n();
    actor
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| i18n.flags().not_synced.to_string())
}

pub(super) fn when(at: Option<chrono::DateTime<Utc>>) -> String {
    let i18n = use_i18n();
    at.map(format_date_time)
        .unwrap_or_else(|| i18n.flags().not_synced.to_string())
}

/// The flag that stands for the child, at the top of the child's page, for everyone who may see
/// it: what is missing (the action), and how to end it.
#[component]
pub fn StandingFlag(child_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let flag = Memo::new(move |_| sync.records.with(|r| urgent_flag(r, child_id)));
    move || {
        flag.get().map(|standing| {
            let stored = standing.flag_id.and_then(|id| stored(sync, id)).map(|(_, f)| f);
            let acted = stored
                .as_ref()
                .filter(|f| f.action.is_some())
                .map(|f| (i18n.flags().acted)(&who(&f.action_by), &when(f.action_at)));
            view! {
                <div class="notice error urgent-flag" id="urgent-flag" role="alert"
                    data-awaiting=standing.awaiting_action.to_string()>
                    <strong>{move || (i18n.screening().urgent_flag)(standing.level, &shared::lang::format_date(standing.since))}</strong>
                    {standing.awaiting_action.then(|| view! {
                        <p id="flag-awaiting"><strong>{move || i18n.flags().awaiting_action}</strong></p>
                    })}
                    {acted.map(|text| view! { <p class="small">{text}</p> })}
                    {if standing.awaiting_action {
                        view! { <ActOnFlag standing=standing/> }.into_any()
                    } else {
                        view! { <EndFlag child_id=child_id standing=standing/> }.into_any()
                    }}
                </div>
            }
        })
    }
}

/// The urgent panel again, from the child's page, for a flag whose action is not recorded.
#[component]
fn ActOnFlag(standing: Standing) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let open = RwSignal::new(false);
    let level = Memo::new(move |_| open.get().then_some(standing.level));
    let record = Callback::new(move |action: SafetyAction| {
        let Some(id) = standing.flag_id else { return };
        spawn_local(async move {
            if update(sync, id, |f| f.action = Some(action)).await.is_ok() {
                open.set(false);
            }
        });
    });
    view! {
        <button type="button" class="button danger small" id="flag-record-action"
            on:click=move |_| open.set(true)>{move || i18n.flags().record_action}</button>
        <UrgentPanel level=level record=record/>
    }
}

/// Ending a flag that has its action: a safety plan, or the completed referral made for it.
/// Voiding one raised by mistake.
#[component]
fn EndFlag(child_id: Uuid, standing: Standing) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let referrals = use_referrals();
    let feedback = Feedback::default();
    let how = RwSignal::new(FlagEnd::SafetyPlan);
    let note = RwSignal::new(String::new());
    let referral = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let completed = Memo::new(move |_| {
        referrals.all.with(|all| {
            all.iter()
                .filter(|i| i.referral.child_id == child_id && i.status == Status::Completed)
                .map(|i| (i.id, sync.network.facility_name(i.referral.to_facility)))
                .collect::<Vec<_>>()
        })
    });
    let save = move |change: Box<dyn FnOnce(&mut UrgentFlag)>| {
        let Some((dob, facility_id)) = sync.records.with_untracked(|r| {
            r.iter()
                .find(|r| r.id == child_id)
                .and_then(|r| child_of(r).map(|c| (c.date_of_birth, r.facility_id)))
        }) else {
            return;
        };
        // A flagged screening from before flags were records gets its flag now, ended at once.
        let (id, before) = match standing.flag_id.and_then(|id| stored(sync, id)) {
            Some((_, flag)) => (standing.flag_id.unwrap_or_default(), Some(flag)),
            None => (Uuid::now_v7(), None),
        };
        let mut flag = before
            .clone()
            .unwrap_or_else(|| legacy(sync, child_id, standing));
        change(&mut flag);
        if let Err(errors) = flag.check(before.as_ref(), dob, Utc::now()) {
            return feedback.invalid(errors.messages(i18n.lang()), i18n);
        }
        spawn_local(async move {
            match sync
                .save(RecordType::UrgentFlag, id, facility_id, flag.to_fields())
                .await
            {
                Ok(_) => feedback.ok(i18n.texts().saved_locally),
                Err(error) => feedback.message.set(Some((true, error.0))),
            }
        });
    };
    let end = move |_| {
        let ending = Ending {
            how: how.get_untracked(),
            note: note.get_untracked(),
            referral_id: (how.get_untracked() == FlagEnd::ReferralCompleted)
                .then(|| Uuid::parse_str(&referral.get_untracked()).ok())
                .flatten(),
        };
        save(Box::new(move |f| f.ended = Some(ending)));
    };
    let void = move |_| {
        let text = reason.get_untracked();
        save(Box::new(move |f| f.voided_reason = Some(text)));
    };
    let error = move |field: &'static str| feedback.errors.with(|e| e.get(field).cloned());
    view! {
        <details class="flag-end" id="end-flag">
            <summary>{move || i18n.flags().end_title}</summary>
            <Notice message=feedback.message/>
            <fieldset class="choices">
                <legend>{move || i18n.flags().end_how}</legend>
                {[FlagEnd::SafetyPlan, FlagEnd::ReferralCompleted].into_iter().map(|option| view! {
                    <label class="check"><input type="radio" name="flag-end" value=format!("{option:?}")
                        prop:checked=move || how.get() == option on:change=move |_| how.set(option)/>
                        {move || (i18n.flags().how)(option)}</label>
                }).collect_view()}
            </fieldset>
            <Show when=move || how.get() == FlagEnd::ReferralCompleted>
                <div class="field">
                    <label for="field-flag-referral">{move || i18n.flags().end_referral}</label>
                    <select id="field-flag-referral" on:change=move |e| referral.set(event_target_value(&e))>
                        <option value="">{move || i18n.texts().choose}</option>
                        {move || completed.get().into_iter().map(|(id, to)| view! {
                            <option value=id.to_string()>{to}</option>
                        }).collect_view()}
                    </select>
                    <Show when=move || completed.with(Vec::is_empty)>
                        <p class="hint">{move || i18n.flags().no_completed_referral}</p>
                    </Show>
                    <p class="field-error" role="alert">{move || error("ended.referral_id")}</p>
                </div>
            </Show>
            <div class="field">
                <label for="field-flag-note">{move || i18n.flags().end_note}</label>
                <textarea autocomplete="off" id="field-flag-note" prop:value=move || note.get()
                    on:input=move |e| note.set(event_target_value(&e))></textarea>
                <p class="field-error" role="alert" id="field-flag-note-error">{move || error("ended.note")}</p>
            </div>
            <button type="button" class="button primary small" id="end-flag-submit" on:click=end>{move || i18n.flags().end}</button>
            <Show when=move || standing.flag_id.is_some()>
                <details>
                    <summary>{move || i18n.flags().void_title}</summary>
                    <div class="field">
                        <label for="field-flag-void">{move || i18n.flags().void_reason}</label>
                        <input id="field-flag-void" autocomplete="off" prop:value=move || reason.get()
                            on:input=move |e| reason.set(event_target_value(&e))/>
                        <p class="field-error" role="alert">{move || error("voided_reason")}</p>
                    </div>
                    <button type="button" class="button danger small" id="void-flag" on:click=void>{move || i18n.flags().void}</button>
                </details>
            </Show>
        </details>
    }
}

/// The flag a flagged screening from before flags were records would have had.
fn legacy(sync: SyncState, child_id: Uuid, standing: Standing) -> UrgentFlag {
    let screening = sync.records.with_untracked(|r| {
        screenings_of(r, child_id)
            .into_iter()
            .find(|(id, _)| Some(*id) == standing.screening_id)
    });
    let mut flag = UrgentFlag::raise(
        child_id,
        screening
            .as_ref()
            .map_or("", |(_, s)| s.instrument_id.as_str()),
        standing.level,
        Utc::now(),
    );
    flag.screening_id = standing.screening_id;
    flag.action = screening.and_then(|(_, s)| s.safety_action);
    flag
}
