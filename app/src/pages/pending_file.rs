//! The file of changes not yet sent (`shared::pending`), both ways: downloaded from the sign-out
//! warning, and brought back on the sync page after signing in again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::pending::{ImportProblem, PendingFile};
use wasm_bindgen::JsCast;

use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::store;
use crate::sync::use_sync;

/// Downloads what is waiting in the outbox, named for its account and time.
pub fn download_pending(username: String) {
    spawn_local(async move {
        if let Ok(outbox) = store::outbox().await {
            let file = PendingFile::new(&username, chrono::Utc::now(), outbox);
            let json = serde_json::to_string_pretty(&file).unwrap_or_default();
            crate::files::save_text(&file.file_name(), &json, "application/json");
        }
    });
}

/// Reads a chosen file's text.
async fn file_text(file: web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?
        .as_string()
}

/// Brings a downloaded file of changes back into the outbox.
#[component]
pub fn RestorePending() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    // (is an error, text)
    let outcome = RwSignal::new(None::<(bool, String)>);
    let pick = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        let username = session
            .user_untracked()
            .map(|u| u.username)
            .unwrap_or_default();
        spawn_local(async move {
            let t = i18n.texts();
            let text = file_text(file).await.unwrap_or_default();
            let said = match PendingFile::read(&text, &username) {
                Ok(file) => match sync.restore(file.changes).await {
                    Ok(n) => (false, (t.restored_changes)(n)),
                    Err(error) => (true, error.0),
                },
                Err(ImportProblem::NotPendingChanges) => (true, t.not_pending_file.to_string()),
                Err(ImportProblem::OtherAccount(owner)) => (true, (t.pending_file_of)(&owner)),
            };
            outcome.set(Some(said));
        });
    };
    view! {
        <article class="card" id="restore-pending">
            <h2>{move || i18n.texts().restore_title}</h2>
            <p class="muted">{move || i18n.texts().restore_text}</p>
            <label for="restore-file">{move || i18n.texts().restore_choose}</label>
            " "
            <input type="file" id="restore-file" accept=".json,application/json" on:change=pick/>
            {move || outcome.get().map(|(error, text)| view! {
                <p class=if error { "notice error" } else { "notice ok" } role="status" id="restore-outcome">{text}</p>
            })}
        </article>
    }
}
