//! Programme activities (`shared::activity`): the unit's trainings, communication sessions and
//! parent meetings, newest first, and the form that records one. Saved on the device first and
//! synced like every record; the report counts them for the period.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::activity::{Activity, ActivityKind, Trained, Trainee};
use shared::indicators::TRAINEE_GROUPS;
use shared::lang::{format_date, parse_date};
use shared::sync::RecordType;
use shared::validate::Problem;
use uuid::Uuid;

use crate::components::form::{Feedback, Field, Notice};
use crate::i18n::{use_i18n, I18n};
use crate::pages::children::today;
use crate::records::activities::activities;
use crate::session::use_session;
use crate::sync::use_sync;

/// The form's fields as typed.
#[derive(Clone, Copy)]
struct Inputs {
    kind: RwSignal<ActivityKind>,
    held_on: RwSignal<String>,
    title: RwSignal<String>,
    participants: RwSignal<String>,
    trained: [RwSignal<String>; TRAINEE_GROUPS],
    note: RwSignal<String>,
}

impl Inputs {
    fn new() -> Self {
        Inputs {
            kind: RwSignal::new(ActivityKind::Training),
            held_on: RwSignal::new(format_date(today())),
            title: RwSignal::new(String::new()),
            participants: RwSignal::new(String::new()),
            trained: std::array::from_fn(|_| RwSignal::new(String::new())),
            note: RwSignal::new(String::new()),
        }
    }

    /// The activity as typed, or the problems of fields that are not even numbers or dates (the
    /// rules proper are `Activity::check`'s, the server's too).
    fn read(self, i18n: I18n) -> Result<Activity, std::collections::BTreeMap<String, String>> {
        let lang = i18n.lang();
        let mut problems = std::collections::BTreeMap::new();
        let held_on = parse_date(&self.held_on.get_untracked());
        if held_on.is_none() {
            problems.insert("held_on".into(), Problem::DateFormat.message(lang));
        }
        let count = |text: String| -> Option<u32> {
            let text = text.trim().replace(['.', ' '], "");
            if text.is_empty() {
                Some(0)
            } else {
                text.parse().ok()
            }
        };
        let range = |max| Problem::CountRange { min: 0, max }.message(lang);
        let participants = count(self.participants.get_untracked());
        if participants.is_none() {
            let max = shared::activity::PARTICIPANTS_MAX;
            problems.insert("participants".into(), range(max));
        }
        let kind = self.kind.get_untracked();
        let mut trained = Vec::new();
        if kind == ActivityKind::Training {
            for (group, text) in Trainee::ALL.into_iter().zip(self.trained) {
                match count(text.get_untracked()) {
                    Some(count) => trained.push(Trained { group, count }),
                    None => {
                        let max = participants.unwrap_or(0);
                        problems.insert("trained".into(), range(max));
                    }
                }
            }
        }
        let (Some(held_on), Some(participants)) = (held_on, participants) else {
            return Err(problems);
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Activity {
            kind,
            held_on,
            title: self.title.get_untracked(),
            participants,
            trained,
            note: Some(self.note.get_untracked()),
            voided_reason: None,
        })
    }
}

#[component]
pub fn ActivitiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let list = Memo::new(move |_| sync.records.with(|r| activities(r)));
    let feedback = Feedback::default();
    let open = RwSignal::new(false);
    let inputs = Inputs::new();
    let save = move |_| {
        let Some(facility_id) = session.user_untracked().and_then(|u| u.facility_id) else {
            return;
        };
        let activity = match inputs.read(i18n).map(|a| a.check(today())) {
            Ok(Ok(clean)) => clean,
            Ok(Err(problems)) => return feedback.invalid(problems.messages(i18n.lang()), i18n),
            Err(problems) => return feedback.invalid(problems, i18n),
        };
        spawn_local(async move {
            match sync
                .save(
                    RecordType::Activity,
                    Uuid::now_v7(),
                    facility_id,
                    activity.to_fields(),
                )
                .await
            {
                Ok(_) => {
                    feedback.ok(i18n.texts().saved_locally);
                    open.set(false);
                    inputs.title.set(String::new());
                    inputs.participants.set(String::new());
                    inputs.note.set(String::new());
                    for group in inputs.trained {
                        group.set(String::new());
                    }
                }
                Err(error) => feedback.message.set(Some((true, error.0))),
            }
        });
    };
    view! {
        <section class="page">
            <h1>{move || i18n.texts().activities_title}</h1>
            <p class="lead">{move || i18n.texts().activities_intro}</p>
            <Notice message=feedback.message/>
            <article class="card" id="activities">
                <Show when=move || list.with(Vec::is_empty)>
                    <p class="muted">{move || i18n.texts().no_activities}</p>
                </Show>
                <ul class="plain" id="activity-list">
                    {move || list.get().into_iter().map(|(id, facility_id, activity)| view! {
                        <ActivityLine id=id facility_id=facility_id activity=activity/>
                    }).collect_view()}
                </ul>
                <Show when=move || !open.get()>
                    <button type="button" class="button primary" id="record-activity" on:click=move |_| open.set(true)>
                        {move || i18n.texts().record_activity}
                    </button>
                </Show>
            </article>
            <Show when=move || open.get()>
                <form class="card" id="activity-form" novalidate=true on:submit=move |e| { e.prevent_default(); save(()); }>
                    <fieldset class="choices">
                        <legend>{move || i18n.texts().activity_kind}</legend>
                        {ActivityKind::ALL.into_iter().map(|k| view! {
                            <label class="check"><input type="radio" name="activity-kind" value=k.code()
                                prop:checked=move || inputs.kind.get() == k on:change=move |_| inputs.kind.set(k)/>
                                {move || k.label(i18n.lang())}</label>
                        }).collect_view()}
                    </fieldset>
                    <div class="form-grid">
                        <Field name="held_on" label=|t| t.activity_held_on value=inputs.held_on errors=feedback.errors required=true/>
                        <Field name="title" label=|t| t.activity_title value=inputs.title errors=feedback.errors required=true/>
                        <Field name="participants" label=|t| t.activity_participants value=inputs.participants errors=feedback.errors input_type="number" required=true/>
                        <Field name="note" label=|t| t.activity_note value=inputs.note errors=feedback.errors/>
                    </div>
                    <Show when=move || inputs.kind.get() == ActivityKind::Training>
                        <fieldset class="choices" id="trained-groups">
                            <legend>{move || i18n.texts().activity_trained}</legend>
                            <div class="form-grid">
                                {Trainee::ALL.into_iter().zip(inputs.trained).map(|(group, value)| {
                                    let id = format!("field-trained-{}", group.code());
                                    view! {
                                        <div class="field">
                                            <label for=id.clone()>{move || group.label(i18n.lang())}</label>
                                            <input id=id type="number" min="0" inputmode="numeric" autocomplete="off" bind:value=value/>
                                        </div>
                                    }
                                }).collect_view()}
                            </div>
                            <p class="field-error" role="alert">{move || feedback.errors.with(|e| e.get("trained").cloned())}</p>
                        </fieldset>
                    </Show>
                    <div class="form-actions">
                        <button type="submit" class="button primary" id="save-activity">{move || i18n.texts().save}</button>
                        <button type="button" class="button secondary" on:click=move |_| open.set(false)>{move || i18n.texts().cancel}</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

/// One activity in the list: when, what, how many; a training's groups; voiding with a reason.
#[component]
fn ActivityLine(id: Uuid, facility_id: Uuid, activity: Activity) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let voiding = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let feedback = Feedback::default();
    let voided = activity.voided_reason.clone();
    let groups: Vec<String> = activity
        .trained
        .iter()
        .map(|t| format!("{} {}", t.group.label(i18n.lang_untracked()), t.count))
        .collect();
    let stored = StoredValue::new(activity.clone());
    let void = move |_| {
        let mut record = stored.get_value();
        record.voided_reason = Some(reason.get_untracked());
        let clean = match record.check(today()) {
            Ok(clean) if clean.voided_reason.is_some() => clean,
            Ok(_) => {
                let lang = i18n.lang();
                let problems = [("voided_reason".to_string(), Problem::Required.message(lang))];
                return feedback.invalid(problems.into(), i18n);
            }
            Err(problems) => return feedback.invalid(problems.messages(i18n.lang()), i18n),
        };
        spawn_local(async move {
            if let Err(error) = sync
                .save(RecordType::Activity, id, facility_id, clean.to_fields())
                .await
            {
                feedback.message.set(Some((true, error.0)));
            }
        });
    };
    let void_field = format!("void-reason-{id}");
    let is_voided = voided.is_some();
    view! {
        <li class:voided=is_voided data-kind=activity.kind.code()>
            <strong>{format_date(activity.held_on)}</strong> " · " {move || activity.kind.label(i18n.lang())}
            " · " {activity.title.clone()} " · "
            {move || (i18n.texts().activities_count)(1, activity.participants as usize)}
            {(!groups.is_empty()).then(|| view! { <span class="muted">" (" {groups.join(", ")} ")"</span> })}
            {voided.map(|why| view! { " " <span class="badge off">{move || i18n.texts().activity_voided}</span> <span class="muted">" " {why}</span> })}
            <Show when=move || !is_voided && !voiding.get()>
                " " <button type="button" class="button secondary small" on:click=move |_| voiding.set(true)>{move || i18n.texts().activity_void}</button>
            </Show>
            <Show when=move || voiding.get()>
                <div class="inline-form">
                    <Notice message=feedback.message/>
                    <div class="field" class:invalid=move || feedback.errors.with(|e| e.contains_key("voided_reason"))>
                        <label for=void_field.clone()>{move || i18n.texts().activity_void_reason}</label>
                        <input id=void_field.clone() type="text" autocomplete="off" bind:value=reason/>
                        <p class="field-error" role="alert">{move || feedback.errors.with(|e| e.get("voided_reason").cloned())}</p>
                    </div>
                    <button type="button" class="button primary small" on:click=void>{move || i18n.texts().activity_void}</button>
                    " "
                    <button type="button" class="button secondary small" on:click=move |_| voiding.set(false)>{move || i18n.texts().cancel}</button>
                </div>
            </Show>
        </li>
    }
}
