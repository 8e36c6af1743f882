//! The actions one side may take on a referral now (the state machine decides which), each a
//! small form that saves an event locally; the server decides again when it arrives.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, NaiveTime};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::lang::{format_date, parse_date, vietnam_offset};
use shared::referral::{apply, Action, Feedback, ReferralEvent, Service, Side, Status};
use shared::sync::RecordType;
use shared::validate::Problem;
use uuid::Uuid;

use super::Item;
use crate::components::form::{Feedback as FormFeedback, Notice};
use crate::i18n::referral::ReferralTexts;
use crate::i18n::{use_i18n, I18n};
use crate::pages::screening::toggle;
use crate::session::use_session;
use crate::sync::{use_sync, SyncState};

/// Picks a sentence from the referral catalogue.
pub type RefText = fn(&'static ReferralTexts) -> &'static str;

/// The actions `side` may take on a referral with `status` (opening is done by opening it).
pub fn possible(status: Status, side: Side) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| *a != Action::Receive && apply(status, *a, side, "-").is_ok())
        .collect()
}

/// What the user has typed into a step's form, and which form is open. Owned by the referral's
/// page, so a sync run that brings the server's answer (and redraws the actions) loses nothing.
#[derive(Clone, Copy)]
pub struct StepForm {
    open: RwSignal<Option<Action>>,
    feedback: FormFeedback,
    reason: RwSignal<String>,
    appointment: RwSignal<String>,
    attended: RwSignal<String>,
    found: RwSignal<String>,
    services: RwSignal<Vec<Service>>,
    for_school: RwSignal<String>,
    for_family: RwSignal<String>,
    note: RwSignal<String>,
    follow_up: RwSignal<String>,
}

impl Default for StepForm {
    fn default() -> StepForm {
        let sync = use_sync();
        StepForm {
            open: RwSignal::new(None),
            feedback: FormFeedback::default(),
            reason: RwSignal::new(String::new()),
            appointment: RwSignal::new(String::new()),
            attended: RwSignal::new(format_date(
                sync.network
                    .now()
                    .with_timezone(&vietnam_offset())
                    .date_naive(),
            )),
            found: RwSignal::new(String::new()),
            services: RwSignal::new(Vec::new()),
            for_school: RwSignal::new(String::new()),
            for_family: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
            follow_up: RwSignal::new(String::new()),
        }
    }
}

/// Saves an event by my facility on a referral, after its own checks.
pub fn save_event(
    sync: SyncState,
    i18n: I18n,
    facility_id: Uuid,
    event: ReferralEvent,
    item: &Item,
    feedback: FormFeedback,
    done: impl FnOnce() + 'static,
) {
    let sent_on = item
        .referral
        .sent_at
        .with_timezone(&vietnam_offset())
        .date_naive();
    let today = sync
        .network
        .now()
        .with_timezone(&vietnam_offset())
        .date_naive();
    let clean = match event.check(sent_on, today) {
        Ok(clean) => clean,
        Err(errors) => return feedback.invalid(errors.messages(i18n.lang()), i18n),
    };
    spawn_local(async move {
        match sync
            .save(
                RecordType::ReferralEvent,
                Uuid::now_v7(),
                facility_id,
                clean.to_fields(),
            )
            .await
        {
            Ok(_) => {
                feedback.ok(i18n.referrals().sent_saved);
                done();
            }
            Err(error) => feedback.message.set(Some((false, error.0))),
        }
    });
}

/// A labelled text input on the referral pages.
#[component]
pub fn RefField(
    name: &'static str,
    label: RefText,
    value: RwSignal<String>,
    errors: RwSignal<BTreeMap<String, String>>,
    #[prop(default = false)] multiline: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let error = move || errors.with(|errors| errors.get(name).cloned());
    let input = if multiline {
        view! { <textarea autocomplete="off" id=id.clone() name=name rows="3" bind:value=value></textarea> }.into_any()
    } else {
        view! { <input id=id.clone() name=name autocomplete="off" bind:value=value/> }.into_any()
    };
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id.clone()>{move || label(i18n.referrals())}</label>
            {input}
            <p class="field-error" role="alert">{error}</p>
        </div>
    }
}

/// Parses "dd/mm/yyyy hh:mm" (the time may be left out: 08:00), saying which part is wrong.
fn parse_appointment(text: &str) -> Result<NaiveDateTime, Problem> {
    let mut parts = text.split_whitespace();
    let date = parts
        .next()
        .and_then(parse_date)
        .ok_or(Problem::DateFormat)?;
    let time = match (parts.next(), parts.next()) {
        (Some(t), None) => {
            NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| Problem::TimeFormat)?
        }
        (None, _) => NaiveTime::from_hms_opt(8, 0, 0).ok_or(Problem::TimeFormat)?,
        (Some(_), Some(_)) => return Err(Problem::TimeFormat),
    };
    Ok(date.and_time(time))
}

/// An example the hint shows: a week from today at 14:30, written as the field wants it.
fn appointment_example() -> String {
    let day = shared::lang::vietnam_day(chrono::Utc::now()) + chrono::Duration::days(7);
    format!("{} 14:30", format_date(day))
}

#[component]
pub fn Actions(item: Item, form: StepForm) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let Some(side) = item.side else {
        return ().into_any();
    };
    let Some(facility_id) = session.user_untracked().and_then(|u| u.facility_id) else {
        return ().into_any();
    };
    let by = StoredValue::new(
        session
            .user_untracked()
            .map(|u| u.full_name)
            .unwrap_or_default(),
    );
    let StepForm {
        open,
        feedback,
        reason,
        appointment,
        attended,
        found,
        services,
        for_school,
        for_family,
        note,
        follow_up,
    } = form;
    let actions = possible(item.status, side);
    // A form for a step no longer possible (the other side moved first) closes.
    if open.get_untracked().is_some_and(|a| !actions.contains(&a)) {
        open.set(None);
    }
    if actions.is_empty() {
        // Nothing left to do: a cancelled referral says so and why, instead of an empty card.
        return super::slip::cancel_reason(&item)
            .map(|reason| {
                view! { <p class="notice warn" id="referral-cancelled" role="note">{(i18n.referrals().cancelled_mark)(&reason)}</p> }
            })
            .into_any();
    }
    let item = StoredValue::new(item);

    let submit = move |action: Action| {
        let text = |s: RwSignal<String>| Some(s.get_untracked()).filter(|t| !t.trim().is_empty());
        let mut problems = BTreeMap::new();
        let appointment = match text(appointment) {
            Some(t) => parse_appointment(&t)
                .map_err(|problem| {
                    problems.insert("appointment".into(), problem.message(i18n.lang()));
                })
                .ok(),
            None => None,
        };
        let follow = text(follow_up).and_then(|t| {
            parse_date(&t).or_else(|| {
                problems.insert(
                    "follow_up_on".into(),
                    shared::validate::Problem::DateFormat.message(i18n.lang()),
                );
                None
            })
        });
        let attended_on = parse_date(&attended.get_untracked());
        if action == Action::Attend && attended_on.is_none() {
            problems.insert(
                "attended_on".into(),
                shared::validate::Problem::DateFormat.message(i18n.lang()),
            );
        }
        if !problems.is_empty() {
            return feedback.invalid(problems, i18n);
        }
        let event = ReferralEvent {
            referral_id: item.with_value(|i| i.id),
            action,
            at: sync.network.now(),
            by: by.get_value(),
            actor: None,
            reason: text(reason),
            appointment,
            attended_on,
            feedback: (action == Action::Complete).then(|| Feedback {
                found: found.get_untracked(),
                services: services.get_untracked(),
                for_school: text(for_school),
                for_family: text(for_family),
                note: text(note),
                follow_up_on: follow,
            }),
            refusal: None,
        };
        item.with_value(|i| {
            save_event(sync, i18n, facility_id, event, i, feedback, move || {
                open.set(None)
            })
        });
    };

    view! {
        <article class="card actions-card" id="referral-actions">
            <Notice message=feedback.message/>
            <p class="actions">
                {actions.iter().map(|a| {
                    let a = *a;
                    view! {
                        <button type="button" id=format!("action-{}", a.code())
                            class=if matches!(a, Action::Decline | Action::Cancel | Action::NoShow) { "button secondary" } else { "button primary" }
                            on:click=move |_| { feedback.clear(); open.set(Some(a)); }>
                            {move || a.label(i18n.lang())}
                        </button>
                    }
                }).collect_view()}
            </p>
            {move || open.get().map(|a| view! {
                <div class="inline-form" id=format!("form-{}", a.code())>
                    <h3>{move || a.label(i18n.lang())}</h3>
                    {(a.needs_reason()).then(|| view! { <RefField name="reason" label=|r| r.action_reason value=reason errors=feedback.errors multiline=true/> })}
                    {(a == Action::Accept).then(|| view! {
                        <RefField name="appointment" label=|r| r.appointment value=appointment errors=feedback.errors/>
                        <p class="hint" id="appointment-hint">{move || (i18n.referrals().appointment_hint)(&appointment_example())}</p>
                    })}
                    {(a == Action::Attend).then(|| view! { <RefField name="attended_on" label=|r| r.attended_on value=attended errors=feedback.errors/> })}
                    {(a == Action::Complete).then(|| view! {
                        <RefField name="found" label=|r| r.found value=found errors=feedback.errors multiline=true/>
                        <fieldset class="choices">
                            <legend>{move || i18n.referrals().services}</legend>
                            {Service::ALL.into_iter().map(|s| view! {
                                <label class="check"><input type="checkbox" name="service" value=s.code()
                                    prop:checked=move || services.with(|l| l.contains(&s))
                                    on:change=move |_| toggle(services, s)/>{move || s.label(i18n.lang())}</label>
                            }).collect_view()}
                        </fieldset>
                        <RefField name="for_school" label=|r| r.for_school value=for_school errors=feedback.errors multiline=true/>
                        <RefField name="for_family" label=|r| r.for_family value=for_family errors=feedback.errors multiline=true/>
                        <RefField name="follow_up_on" label=|r| r.follow_up_on value=follow_up errors=feedback.errors/>
                        <RefField name="note" label=|r| r.note value=note errors=feedback.errors multiline=true/>
                    })}
                    <button type="button" class="button primary" id=format!("do-{}", a.code()) on:click=move |_| submit(a)>
                        {move || (i18n.referrals().do_action)(a)}
                    </button>
                    " "
                    <button type="button" class="button secondary" on:click=move |_| open.set(None)>{move || i18n.referrals().close_form}</button>
                </div>
            })}
        </article>
    }
    .into_any()
}
