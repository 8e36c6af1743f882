//! Care of a child (`shared::care`): counselling sessions, special circumstances and care
//! arrangements on a child's page, each a list (newest first) and a small form, checked with the
//! same `shared` rules as the server.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::care::{
    circumstance_label, AboutChild, CareArrangement, CareKind, Circumstance, LossCause,
    ParentsLost, Session, SessionKind, CIRCUMSTANCES, ORPHAN,
};
use shared::child::Child;
use shared::health_condition::{ConditionKind, ConditionSource, HealthCondition};
use shared::lang::{format_date, parse_date};
use shared::sync::RecordType;
use shared::validate::Problem;
use uuid::Uuid;

use super::{ScreeningField, ScreeningText};
use crate::components::form::{Feedback, Notice};
use crate::i18n::{use_i18n, I18n};
use crate::pages::children::today;
use crate::records::child::about;
use crate::session::use_session;
use crate::sync::{use_sync, SyncState};

/// Parses a dd/mm/yyyy field; an empty optional field is `Ok(None)`.
fn date_field(
    problems: &mut std::collections::BTreeMap<String, String>,
    name: &str,
    text: &str,
    required: bool,
    lang: shared::lang::Lang,
) -> Option<chrono::NaiveDate> {
    if text.trim().is_empty() && !required {
        return None;
    }
    let parsed = parse_date(text);
    if parsed.is_none() {
        problems.insert(name.into(), Problem::DateFormat.message(lang));
    }
    parsed
}

/// Checks a record with its rules and saves it as a new record on this device.
struct Target {
    record_type: RecordType,
    facility_id: Uuid,
    born: chrono::NaiveDate,
    feedback: Feedback,
    open: RwSignal<bool>,
    i18n: I18n,
    sync: SyncState,
}

fn save_new<T: AboutChild + 'static>(record: T, target: Target) {
    let Target {
        record_type,
        facility_id,
        born,
        feedback,
        open,
        i18n,
        sync,
    } = target;
    match record.check(born, today()) {
        Err(problems) => feedback.invalid(problems.messages(i18n.lang()), i18n),
        Ok(clean) => spawn_local(async move {
            match sync
                .save(record_type, Uuid::now_v7(), facility_id, clean.to_fields())
                .await
            {
                Ok(_) => {
                    feedback.ok(i18n.texts().saved_locally);
                    open.set(false);
                }
                Err(error) => feedback.message.set(Some((true, error.0))),
            }
        }),
    }
}

#[component]
pub fn SessionsSection(child_id: Uuid, facility_id: Uuid, child: Child) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let sessions = Memo::new(move |_| {
        let mut list: Vec<(Uuid, Uuid, Session)> = sync
            .records
            .with(|r| about(r, RecordType::Session, child_id));
        list.retain(|(_, _, s)| s.voided_reason.is_none());
        list.sort_by_key(|(id, _, s)| std::cmp::Reverse((s.held_on, *id)));
        list
    });
    let feedback = Feedback::default();
    let open = RwSignal::new(false);
    let held_on = RwSignal::new(format_date(today()));
    let kind = RwSignal::new(SessionKind::Individual);
    let held_by = RwSignal::new(
        session
            .user_untracked()
            .map(|u| u.full_name)
            .unwrap_or_default(),
    );
    let note = RwSignal::new(String::new());
    let follow_up = RwSignal::new(String::new());
    let born = child.date_of_birth;
    let submit = move |_: ()| {
        let lang = i18n.lang();
        let mut problems = std::collections::BTreeMap::new();
        let held = date_field(
            &mut problems,
            "held_on",
            &held_on.get_untracked(),
            true,
            lang,
        );
        let next = date_field(
            &mut problems,
            "follow_up_on",
            &follow_up.get_untracked(),
            false,
            lang,
        );
        let Some(held) = held.filter(|_| problems.is_empty()) else {
            return feedback.invalid(problems, i18n);
        };
        let record = Session {
            child_id,
            held_on: held,
            kind: kind.get_untracked(),
            held_by: held_by.get_untracked(),
            note: Some(note.get_untracked()),
            follow_up_on: next,
            voided_reason: None,
        };
        save_new(
            record,
            Target {
                record_type: RecordType::Session,
                facility_id,
                born,
                feedback,
                open,
                i18n,
                sync,
            },
        );
    };
    view! {
        <article class="card" id="sessions">
            <h2>{move || i18n.screening().sessions_title}</h2>
            <Show when=move || sessions.with(Vec::is_empty)>
                <p class="muted">{move || i18n.screening().no_sessions}</p>
            </Show>
            <ul class="plain">
                {move || sessions.get().into_iter().map(|(_, _, s)| view! {
                    <li>
                        <strong>{format_date(s.held_on)}</strong> " · " {s.kind.label(i18n.lang())} " · " {s.held_by.clone()}
                        {s.note.clone().map(|n| view! { " · " {n} })}
                        {s.follow_up_on.map(|d| view! { " · " <span class="badge warn">{move || (i18n.screening().follow_up)(&format_date(d))}</span> })}
                    </li>
                }).collect_view()}
            </ul>
            <InlineForm name="session" opener=|c| c.record_session open=open feedback=feedback on_save=submit>
                <div class="form-grid">
                    <ScreeningField name="held_on" label=|c| c.held_on value=held_on errors=feedback.errors/>
                    <ScreeningField name="held_by" label=|c| c.held_by value=held_by errors=feedback.errors/>
                    <ScreeningField name="follow_up_on" label=|c| c.follow_up_on value=follow_up errors=feedback.errors/>
                    <ScreeningField name="note" label=|c| c.note value=note errors=feedback.errors/>
                </div>
                <fieldset class="choices">
                    <legend>{move || i18n.screening().session_kind}</legend>
                    {SessionKind::ALL.into_iter().map(|k| view! {
                        <label class="check"><input type="radio" name="session-kind" prop:checked=move || kind.get() == k
                            on:change=move |_| kind.set(k)/>{move || k.label(i18n.lang())}</label>
                    }).collect_view()}
                </fieldset>
            </InlineForm>
        </article>
    }
}

#[component]
pub fn CircumstancesSection(child_id: Uuid, facility_id: Uuid, child: Child) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let circumstances = Memo::new(move |_| {
        let mut list: Vec<(Uuid, Uuid, Circumstance)> = sync
            .records
            .with(|r| about(r, RecordType::Circumstance, child_id));
        list.sort_by_key(|(id, _, c)| std::cmp::Reverse((c.since, *id)));
        list
    });
    let arrangements = Memo::new(move |_| {
        let mut list: Vec<(Uuid, Uuid, CareArrangement)> = sync
            .records
            .with(|r| about(r, RecordType::CareArrangement, child_id));
        list.sort_by_key(|(id, _, a)| std::cmp::Reverse((a.since, *id)));
        list
    });
    let feedback = Feedback::default();
    let open = RwSignal::new(false);
    let code = RwSignal::new(ORPHAN.to_string());
    let since = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let parents = RwSignal::new(None::<ParentsLost>);
    let cause = RwSignal::new(LossCause::Unknown);
    let born = child.date_of_birth;
    let submit = move |_: ()| {
        let lang = i18n.lang();
        let mut problems = std::collections::BTreeMap::new();
        let start = date_field(&mut problems, "since", &since.get_untracked(), true, lang);
        let end = date_field(&mut problems, "until", &until.get_untracked(), false, lang);
        let Some(start) = start.filter(|_| problems.is_empty()) else {
            return feedback.invalid(problems, i18n);
        };
        let record = Circumstance {
            child_id,
            code: code.get_untracked(),
            since: start,
            until: end,
            parents_lost: parents.get_untracked(),
            cause: Some(cause.get_untracked()),
            note: None,
        };
        save_new(
            record,
            Target {
                record_type: RecordType::Circumstance,
                facility_id,
                born,
                feedback,
                open,
                i18n,
                sync,
            },
        );
    };
    let needs_care = move || {
        !arrangements.with(Vec::is_empty)
            || circumstances.with(|l| {
                l.iter().any(|(_, _, c)| {
                    [ORPHAN, "abandoned", "no_family_care"].contains(&c.code.as_str())
                })
            })
    };
    view! {
        <article class="card" id="circumstances">
            <h2>{move || i18n.screening().circumstances_title}</h2>
            <Show when=move || circumstances.with(Vec::is_empty)>
                <p class="muted">{move || i18n.screening().no_circumstances}</p>
            </Show>
            <ul class="plain">
                {move || circumstances.get().into_iter().map(|(_, _, c)| {
                    let ended = !c.is_current(today());
                    view! {
                        <li class:voided=ended>
                            <strong>{circumstance_label(&c.code, i18n.lang())}</strong>
                            " · " {format_date(c.since)} {c.until.map(|u| format!(" – {}", format_date(u)))}
                            {c.parents_lost.map(|p| view! { " · " {move || if p == ParentsLost::Both { i18n.screening().both_parents } else { i18n.screening().one_parent }} })}
                            {c.cause.map(|x| view! { " · " {move || (i18n.screening().cause_label)(x)} })}
                            {ended.then(|| view! { " " <span class="badge off">{move || i18n.screening().ended}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <InlineForm name="circumstance" opener=|c| c.record_circumstance open=open feedback=feedback on_save=submit>
                <div class="field">
                    <label for="field-code">{move || i18n.screening().circumstance}</label>
                    <select id="field-code" on:change=move |e| code.set(event_target_value(&e))>
                        {CIRCUMSTANCES.iter().map(|c| view! {
                            <option value=c.code selected=move || code.get() == c.code>{move || circumstance_label(c.code, i18n.lang())}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="form-grid">
                    <ScreeningField name="since" label=|c| c.since value=since errors=feedback.errors/>
                    <ScreeningField name="until" label=|c| c.until value=until errors=feedback.errors/>
                </div>
                <Show when=move || code.get() == ORPHAN>
                    <fieldset class="choices">
                        <legend>{move || i18n.screening().parents_lost}</legend>
                        {[(ParentsLost::One, true), (ParentsLost::Both, false)].into_iter().map(|(p, one)| view! {
                            <label class="check"><input type="radio" name="parents" prop:checked=move || parents.get() == Some(p)
                                on:change=move |_| parents.set(Some(p))/>
                                {move || if one { i18n.screening().one_parent } else { i18n.screening().both_parents }}</label>
                        }).collect_view()}
                        <p class="field-error" role="alert">{move || feedback.errors.with(|e| e.get("parents_lost").cloned())}</p>
                    </fieldset>
                    <fieldset class="choices">
                        <legend>{move || i18n.screening().cause}</legend>
                        {[LossCause::Covid19, LossCause::Other, LossCause::Unknown].into_iter().map(|x| view! {
                            <label class="check"><input type="radio" name="cause" prop:checked=move || cause.get() == x
                                on:change=move |_| cause.set(x)/>{move || (i18n.screening().cause_label)(x)}</label>
                        }).collect_view()}
                    </fieldset>
                </Show>
            </InlineForm>
            <Show when=needs_care>
                <CareSection child_id=child_id facility_id=facility_id born=born arrangements=arrangements/>
            </Show>
        </article>
    }
}

#[component]
fn CareSection(
    child_id: Uuid,
    facility_id: Uuid,
    born: chrono::NaiveDate,
    arrangements: Memo<Vec<(Uuid, Uuid, CareArrangement)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let feedback = Feedback::default();
    let open = RwSignal::new(false);
    let kind = RwSignal::new(CareKind::Kinship);
    let since = RwSignal::new(format_date(today()));
    let submit = move |_: ()| {
        let mut problems = std::collections::BTreeMap::new();
        let start = date_field(
            &mut problems,
            "care_since",
            &since.get_untracked(),
            true,
            i18n.lang(),
        );
        let Some(start) = start else {
            return feedback.invalid(problems, i18n);
        };
        let record = CareArrangement {
            child_id,
            kind: kind.get_untracked(),
            since: start,
            note: None,
        };
        save_new(
            record,
            Target {
                record_type: RecordType::CareArrangement,
                facility_id,
                born,
                feedback,
                open,
                i18n,
                sync,
            },
        );
    };
    view! {
        <h3>{move || i18n.screening().care_title}</h3>
        <Show when=move || arrangements.with(Vec::is_empty)>
            <p class="muted">{move || i18n.screening().no_care}</p>
        </Show>
        <ul class="plain" id="care-history">
            {move || arrangements.get().into_iter().enumerate().map(|(n, (_, _, a))| view! {
                <li>
                    <strong>{a.kind.label(i18n.lang())}</strong> " · " {format_date(a.since)}
                    {(n == 0).then(|| view! { " " <span class="badge ok">{move || i18n.screening().current}</span> })}
                </li>
            }).collect_view()}
        </ul>
        <InlineForm name="care" opener=|c| c.record_care open=open feedback=feedback on_save=submit>
            <div class="field">
                <label for="field-care-kind">{move || i18n.screening().care_kind}</label>
                <select id="field-care-kind" on:change=move |e| {
                    let code = event_target_value(&e);
                    if let Some(k) = CareKind::ALL.into_iter().find(|k| format!("{k:?}") == code) { kind.set(k) }
                }>
                    {CareKind::ALL.into_iter().map(|k| view! {
                        <option value=format!("{k:?}") selected=move || kind.get() == k>{move || k.label(i18n.lang())}</option>
                    }).collect_view()}
                </select>
            </div>
            <ScreeningField name="care_since" label=|c| c.since value=since errors=feedback.errors/>
        </InlineForm>
    }
}

/// The small form under each list: opened by its button, saved or cancelled. `name` makes the
/// ids: `record-{name}` opens it, `{name}-form` holds it, `save-{name}` saves.
#[component]
fn InlineForm(
    name: &'static str,
    opener: ScreeningText,
    open: RwSignal<bool>,
    feedback: Feedback,
    #[prop(into)] on_save: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Notice message=feedback.message/>
        <Show when=move || !open.get()>
            <button type="button" class="button secondary small" id=format!("record-{name}") on:click=move |_| open.set(true)>
                {move || opener(i18n.screening())}
            </button>
        </Show>
        <Show when=move || open.get()>
            <div class="inline-form" id=format!("{name}-form")>
                {children()}
                <button type="button" class="button primary" id=format!("save-{name}") on:click=move |_| on_save.run(())>{move || i18n.texts().save}</button>
                " "
                <button type="button" class="button secondary" on:click=move |_| open.set(false)>{move || i18n.texts().cancel}</button>
            </div>
        </Show>
    }
}

/// Conditions known of the child (`shared::health_condition`): the unit's own knowledge, never
/// sent with a referral; the report counts the children.
#[component]
pub fn ConditionsSection(child_id: Uuid, facility_id: Uuid, child: Child) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let known = Memo::new(move |_| {
        let mut list: Vec<(Uuid, Uuid, HealthCondition)> = sync
            .records
            .with(|r| about(r, RecordType::HealthCondition, child_id));
        list.retain(|(_, _, c)| !c.is_voided());
        list.sort_by_key(|(id, _, c)| std::cmp::Reverse((c.noted_on, *id)));
        list
    });
    let feedback = Feedback::default();
    let open = RwSignal::new(false);
    let kind = RwSignal::new(ConditionKind::Mental);
    let source = RwSignal::new(ConditionSource::KnownDiagnosis);
    let noted_on = RwSignal::new(format_date(today()));
    let noted_by = RwSignal::new(
        session
            .user_untracked()
            .map(|u| u.full_name)
            .unwrap_or_default(),
    );
    let note = RwSignal::new(String::new());
    let born = child.date_of_birth;
    let submit = move |_: ()| {
        let mut problems = std::collections::BTreeMap::new();
        let on = date_field(
            &mut problems,
            "noted_on",
            &noted_on.get_untracked(),
            true,
            i18n.lang(),
        );
        let Some(on) = on.filter(|_| problems.is_empty()) else {
            return feedback.invalid(problems, i18n);
        };
        let record = HealthCondition {
            child_id,
            kind: kind.get_untracked(),
            source: source.get_untracked(),
            noted_on: on,
            noted_by: noted_by.get_untracked(),
            note: Some(note.get_untracked()),
            voided_reason: None,
        };
        // The note's field is `condition_note` on this page (the sessions' form has a `note`).
        if let Err(problems) = record.check(born, today()) {
            let mut problems = problems.messages(i18n.lang());
            if let Some(message) = problems.remove("note") {
                problems.insert("condition_note".into(), message);
            }
            return feedback.invalid(problems, i18n);
        }
        save_new(
            record,
            Target {
                record_type: RecordType::HealthCondition,
                facility_id,
                born,
                feedback,
                open,
                i18n,
                sync,
            },
        );
    };
    view! {
        <article class="card" id="conditions">
            <h2>{move || i18n.screening().conditions_title}</h2>
            <p class="muted">{move || i18n.screening().conditions_intro}</p>
            <Show when=move || known.with(Vec::is_empty)>
                <p class="muted">{move || i18n.screening().no_conditions}</p>
            </Show>
            <ul class="plain" id="condition-list">
                {move || known.get().into_iter().map(|(_, _, c)| view! {
                    <li data-kind=c.kind.code()>
                        <strong>{move || c.kind.label(i18n.lang())}</strong> " · " {format_date(c.noted_on)}
                        " · " {move || c.source.label(i18n.lang())} " · " {c.noted_by.clone()}
                        {c.note.clone().map(|n| view! { " · " {n} })}
                    </li>
                }).collect_view()}
            </ul>
            <InlineForm name="condition" opener=|c| c.record_condition open=open feedback=feedback on_save=submit>
                <fieldset class="choices">
                    <legend>{move || i18n.screening().condition_kind}</legend>
                    {ConditionKind::ALL.into_iter().map(|k| view! {
                        <label class="check"><input type="radio" name="condition-kind" value=k.code()
                            prop:checked=move || kind.get() == k on:change=move |_| kind.set(k)/>
                            {move || k.label(i18n.lang())}</label>
                    }).collect_view()}
                </fieldset>
                <fieldset class="choices">
                    <legend>{move || i18n.screening().condition_source}</legend>
                    {ConditionSource::ALL.into_iter().map(|x| view! {
                        <label class="check"><input type="radio" name="condition-source" value=x.code()
                            prop:checked=move || source.get() == x on:change=move |_| source.set(x)/>
                            {move || x.label(i18n.lang())}</label>
                    }).collect_view()}
                </fieldset>
                <div class="form-grid">
                    <ScreeningField name="noted_on" label=|c| c.noted_on value=noted_on errors=feedback.errors/>
                    <ScreeningField name="noted_by" label=|c| c.noted_by value=noted_by errors=feedback.errors/>
                    <ScreeningField name="condition_note" label=|c| c.note value=note errors=feedback.errors/>
                </div>
            </InlineForm>
        </article>
    }
}
