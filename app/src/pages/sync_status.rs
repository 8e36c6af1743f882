//! The sync page: connection and outbox state, storage use against quota, and what needs a
//! person's attention: changes the server refused, and values that lost a same-field race.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::child::{GuardianRelation, Sex};
use shared::lang::{format_date, format_date_time, Lang};
use shared::sync::Conflict;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{use_i18n, Texts};
use crate::store;
use crate::sync::use_sync;

/// Bytes used and quota, from `navigator.storage.estimate()`, and whether storage is persistent.
async fn storage_estimate() -> Option<(f64, f64, bool)> {
    let storage = window().navigator().storage();
    let estimate = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    let estimate: web_sys::StorageEstimate = estimate.unchecked_into();
    let persisted = JsFuture::from(storage.persisted().ok()?)
        .await
        .ok()?
        .as_bool()
        .unwrap_or(false);
    Some((
        estimate.get_usage().unwrap_or(0.0),
        estimate.get_quota().unwrap_or(0.0),
        persisted,
    ))
}

fn show_value(value: &Option<serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(serde_json::Value::Null) | None => "—".into(),
        Some(other) => other.to_string(),
    }
}

/// A child record's field as its form labels it (the code, for a field the form does not show).
fn field_label(field: &str, t: &'static Texts) -> &'static str {
    match field {
        "full_name" => t.full_name,
        "date_of_birth" => t.date_of_birth,
        "sex" => t.sex,
        "ethnicity" => t.ethnicity,
        "commune_id" => t.commune,
        "school_class" => t.school_class,
        "guardian_name" => t.guardian_name,
        "guardian_relation" => t.guardian_relation,
        "guardian_phone" => t.guardian_phone,
        "personal_id" => t.personal_id,
        "voided_reason" => t.void_reason,
        _ => "",
    }
}

/// A field's value as the pages show it: coded values worded, dates as dd/mm/yyyy.
fn value_words(field: &str, value: &Option<serde_json::Value>, lang: Lang) -> String {
    let Some(value) = value.clone() else {
        return show_value(&None);
    };
    let worded = match field {
        "sex" => serde_json::from_value::<Sex>(value.clone())
            .ok()
            .map(|sex| sex.label(lang).to_string()),
        "guardian_relation" => value
            .as_str()
            .and_then(GuardianRelation::from_code)
            .map(|relation| relation.label(lang).to_string()),
        "ethnicity" => value
            .as_str()
            .and_then(|slug| shared::ethnicity::label(slug, lang)),
        "date_of_birth" => value
            .as_str()
            .and_then(|day| day.parse::<chrono::NaiveDate>().ok())
            .map(format_date),
        _ => None,
    };
    worded.unwrap_or_else(|| show_value(&Some(value)))
}

#[component]
pub fn SyncPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let storage = LocalResource::new(storage_estimate);

    let reapply = move |conflict: Conflict| {
        let record = sync
            .records
            .with_untracked(|records| records.iter().find(|r| r.id == conflict.record_id).cloned());
        spawn_local(async move {
            if let Some(record) = record {
                let mut fields = record.fields.clone();
                fields.insert(conflict.field.clone(), conflict.proposed.clone());
                let _ = sync
                    .save(record.record_type, record.id, record.facility_id, fields)
                    .await;
            }
            let _ = store::dismiss_conflict(&conflict).await;
            sync.reload().await;
        });
    };
    let dismiss_conflict = move |conflict: Conflict| {
        spawn_local(async move {
            let _ = store::dismiss_conflict(&conflict).await;
            sync.reload().await;
        });
    };
    let dismiss_rejection = move |change_id| {
        spawn_local(async move {
            let _ = store::dismiss_rejection(change_id).await;
            sync.reload().await;
        });
    };

    view! {
        <section class="page">
            <h1>{move || i18n.texts().nav_sync}</h1>
            <article class="card">
                <p id="sync-page-status">
                    {move || if sync.running.get() { i18n.texts().status_syncing }
                        else if sync.online.get() { i18n.texts().status_online } else { i18n.texts().status_offline }}
                    " · " {move || (i18n.texts().pending_changes)(sync.pending.get())}
                </p>
                <p class="muted">{move || match sync.last_success.get() {
                    Some(at) => (i18n.texts().last_sync)(&format_date_time(at)),
                    None => i18n.texts().never_synced.to_string(),
                }}</p>
                {move || sync.last_run.get().map(|run| view! {
                    <p class="muted" id="last-run">{(i18n.texts().last_run)(run.sent, run.push_ms, run.received, run.pull_ms)}</p>
                })}
                {move || sync.error.get().map(|error| view! { <p class="notice error" role="alert">{error}</p> })}
                <button type="button" class="button primary" id="sync-now" on:click=move |_| sync.run()
                    disabled=move || sync.running.get()>{move || i18n.texts().sync_now}</button>
                {move || storage.get().flatten().map(|(used, quota, persisted)| {
                    let megabytes = 1024.0 * 1024.0;
                    let nearly_full = quota > 0.0 && used / quota >= 0.8;
                    view! {
                        <p id="storage-use">{(i18n.texts().storage_use)(used / megabytes, quota / megabytes)}</p>
                        {nearly_full.then(|| view! { <p class="notice error" role="alert">{i18n.texts().storage_warning}</p> })}
                        <p class="muted">{if persisted { i18n.texts().storage_persistent } else { i18n.texts().storage_not_persistent }}</p>
                    }
                })}
            </article>

            <crate::pages::pending_file::RestorePending/>

            <div class="section-head"><h2>{move || i18n.texts().rejected_title}</h2></div>
            {move || {
                let rejections = sync.rejections.get();
                if rejections.is_empty() {
                    return view! { <p class="muted">{i18n.texts().nothing_to_show}</p> }.into_any();
                }
                rejections.into_iter().map(|rejection| {
                    let change_id = rejection.change.id;
                    let name = refused_name(&rejection.change, sync);
                    view! {
                        <article class="card rejection">
                            <p><strong>{name}</strong> " — " {rejection.message.clone()}</p>
                            <ul>{rejection.fields.iter().map(|(field, message)| {
                                let label = match field_label(field, i18n.texts()) { "" => field.clone(), label => label.to_string() };
                                view! { <li>{label} ": " {message.clone()}</li> }
                            }).collect_view()}</ul>
                            <button type="button" class="button secondary small" on:click=move |_| dismiss_rejection(change_id)>
                                {move || i18n.texts().dismiss}
                            </button>
                        </article>
                    }
                }).collect_view().into_any()
            }}

            <div class="section-head"><h2>{move || i18n.texts().conflicts_title}</h2></div>
            {move || {
                let conflicts = sync.conflicts.get();
                if conflicts.is_empty() {
                    return view! { <p class="muted">{i18n.texts().nothing_to_show}</p> }.into_any();
                }
                conflicts.into_iter().map(|conflict| {
                    let (t, lang) = (i18n.texts(), i18n.lang());
                    let label = match field_label(&conflict.field, t) {
                        "" => conflict.field.clone(),
                        label => label.to_string(),
                    };
                    let child = record_name(conflict.record_id, sync);
                    let proposed = value_words(&conflict.field, &Some(conflict.proposed.clone()), lang);
                    let kept = value_words(&conflict.field, &conflict.kept, lang);
                    let text = (t.conflict_text)(&child, &label, &proposed, &kept, &conflict.proposed_by);
                    let (for_reapply, for_dismiss) = (conflict.clone(), conflict.clone());
                    view! {
                        <article class="card conflict">
                            <p>{text}</p>
                            <div class="form-actions">
                                <button type="button" class="button secondary small" on:click=move |_| reapply(for_reapply.clone())>
                                    {move || i18n.texts().reapply}</button>
                                <button type="button" class="link-button" on:click=move |_| dismiss_conflict(for_dismiss.clone())>
                                    {move || i18n.texts().dismiss}</button>
                            </div>
                        </article>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}

/// The name on a stored child record, for a conflict about it.
fn record_name(id: uuid::Uuid, sync: crate::sync::SyncState) -> String {
    sync.records.with_untracked(|records| {
        records
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.fields.get("full_name"))
            .and_then(|name| name.as_str())
            .unwrap_or("—")
            .to_string()
    })
}

/// Whom a refused change was about: the child's name, or for a referral step the referred child's.
fn refused_name(change: &shared::sync::Change, sync: crate::sync::SyncState) -> String {
    use shared::sync::RecordType;
    let text = |fields: &shared::sync::Fields, field: &str| {
        fields
            .get(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    if let Some(name) = text(&change.set, "full_name") {
        return name;
    }
    sync.records.with_untracked(|records| {
        let fields_of = |id: uuid::Uuid| records.iter().find(|r| r.id == id).map(|r| &r.fields);
        let stored = fields_of(change.record_id);
        // The child the change is about: the record itself, or the child it names.
        let child = match change.record_type {
            RecordType::Child => Some(change.record_id),
            _ => text(&change.set, "child_id")
                .or_else(|| stored.and_then(|f| text(f, "child_id")))
                .and_then(|id| uuid::Uuid::parse_str(&id).ok()),
        };
        let by_child = child
            .and_then(fields_of)
            .and_then(|fields| text(fields, "full_name"));
        let by_referral = || {
            let referral =
                text(&change.set, "referral_id").and_then(|id| uuid::Uuid::parse_str(&id).ok())?;
            records
                .iter()
                .find(|r| r.id == referral)
                .and_then(|r| shared::referral::Referral::from_fields(&r.fields))
                .map(|r| r.packet.child.full_name)
        };
        by_child.or_else(by_referral).unwrap_or_default()
    })
}
