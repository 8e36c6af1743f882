//! The audit log for administrators: newest first, filtered by user or action, paged backwards.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{AuditEntry, AuditPage};
use shared::lang::{format_date_time, Lang};

use crate::api::use_api;
use crate::i18n::{audit, use_i18n};

/// Builds the query string; values are percent-encoded.
fn query(username: &str, action: &str, before: Option<i64>) -> String {
    let mut parts = vec!["limit=50".to_string()];
    for (key, value) in [("username", username.trim()), ("action", action.trim())] {
        if !value.is_empty() {
            parts.push(format!("{key}={}", percent_encode(value)));
        }
    }
    if let Some(before) = before {
        parts.push(format!("before={before}"));
    }
    format!("/api/audit?{}", parts.join("&"))
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A code in the page's language, following a switch of it.
fn words(code: &str, word: fn(&str, Lang) -> String) -> impl Fn() -> String + Send + Sync {
    let (code, i18n) = (code.to_string(), use_i18n());
    move || word(&code, i18n.lang())
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let username = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next_before = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);

    let load = move |before: Option<i64>| {
        let path = query(&username.get_untracked(), &action.get_untracked(), before);
        spawn_local(async move {
            match api.get::<AuditPage>(&path).await {
                Ok(page) => {
                    error.set(None);
                    if before.is_none() {
                        entries.set(page.entries);
                    } else {
                        entries.update(|list| list.extend(page.entries));
                    }
                    next_before.set(page.next_before);
                }
                Err(failure) => error.set(Some(failure.message(i18n))),
            }
            loaded.set(true);
        });
    };
    load(None);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        load(None);
    };

    view! {
        <section class="page">
            <h1>{move || i18n.texts().nav_audit}</h1>
            <p class="lead">{move || i18n.texts().audit_intro}</p>
            <form autocomplete="off" class="filters" on:submit=submit>
                <label><span>{move || i18n.texts().username}</span><input type="search" bind:value=username/></label>
                <label><span>{move || i18n.texts().action}</span><input type="search" placeholder="auth.  user.  facility." bind:value=action/></label>
                <div class="form-actions"><button type="submit" class="button primary">{move || i18n.texts().filter}</button></div>
            </form>
            {move || error.get().map(|message| view! { <p class="notice error" role="alert">{message}</p> })}
            <div class="table-wrap" tabindex="0">
                <table id="audit-table">
                    <thead><tr>
                        <th>{move || i18n.texts().when}</th>
                        <th>{move || i18n.texts().who}</th>
                        <th>{move || i18n.texts().action}</th>
                        <th>{move || i18n.texts().record}</th>
                        <th class="hide-small">{move || i18n.texts().from_address}</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || entries.get() key=|entry| entry.id let:entry>
                            <tr>
                                <td>{format_date_time(entry.at)}</td>
                                <td>{entry.username.clone()}</td>
                                <td title=entry.action.clone()>{words(&entry.action, audit::action)}
                                    {entry.detail.clone().map(|d| view! { <br/><span class="muted">{words(&d, audit::detail)}</span> })}</td>
                                <td>{entry.record_type.clone().map(|kind| words(&kind, audit::record_type))}
                                    {entry.record_id.clone().map(|id| view! { <br/><span class="muted">{id}</span> })}</td>
                                <td class="hide-small">{entry.client_addr.clone()}</td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || loaded.get() && entries.with(Vec::is_empty)>
                <p class="empty">{move || i18n.texts().no_entries}</p>
            </Show>
            <Show when=move || next_before.get().is_some()>
                <p><button type="button" class="button secondary" on:click=move |_| load(next_before.get_untracked())>
                    {move || i18n.texts().load_more}
                </button></p>
            </Show>
        </section>
    }
}
