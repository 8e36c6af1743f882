//! The sign-in page.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{LoginRequest, Session};
use shared::validate::Problem;

use crate::api::{use_api, ApiFailure};
use crate::components::form::{Feedback, Field, LanguageSwitch, Notice};
use crate::components::shell::SigninCard;
use crate::i18n::use_i18n;
use crate::offline_auth;
use crate::session::use_session;
use crate::vault::{self, VaultError};

/// How long an online sign-in may take on a device that can sign in offline.
const KNOWN_DEVICE_SIGN_IN_MS: u32 = 8_000;
/// And on a device that cannot (nothing else to fall back on: wait longer).
const FIRST_SIGN_IN_MS: u32 = 30_000;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let feedback = Feedback::default();
    // Why the last session ended, in the page's language; it follows a sign-out that lands
    // while this page is already showing.
    Effect::new(move |_| {
        if let Some(reason) = session.notice.get() {
            feedback
                .message
                .set(Some((true, reason.text(i18n.texts()).to_string())));
        }
    });
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
            device_token: known_device::token(&username.get_untracked()),
        };
        let mut missing = BTreeMap::new();
        let required = Problem::Required.message(i18n.lang());
        if request.username.trim().is_empty() {
            missing.insert("username".to_string(), required.clone());
        }
        if request.password.is_empty() {
            missing.insert("password".to_string(), required);
        }
        if !missing.is_empty() {
            feedback.errors.set(missing);
            feedback.message.set(None);
            return;
        }
        feedback.errors.set(BTreeMap::new());
        pending.set(true);
        spawn_local(async move {
            // A device this user signed in on before can sign in offline: a server that does not
            // answer soon is taken as gone, and the offline sign-in starts.
            let within = if offline_auth::known(&request.username) {
                KNOWN_DEVICE_SIGN_IN_MS
            } else {
                FIRST_SIGN_IN_MS
            };
            match api
                .post_within::<_, Session>("/api/auth/login", &request, within)
                .await
            {
                Ok(signed_in) => {
                    known_device::keep(&request.username, signed_in.device_token.as_deref());
                    offline_auth::remember(&request.username, &request.password, &signed_in).await;
                    let user_id = signed_in.user.id;
                    let token = signed_in.token.clone();
                    let mut opened =
                        vault::sign_in(api, user_id, &request.password, Some(&token)).await;
                    if opened == Err(VaultError::Locked) {
                        // Neither copy of this device's key opens any more: what the store held
                        // cannot be read by anyone; start it afresh (the server has the rest).
                        vault::abandon(user_id).await;
                        opened =
                            vault::sign_in(api, user_id, &request.password, Some(&token)).await;
                    }
                    match opened {
                        Ok(()) => session.start(signed_in),
                        // The share could not be fetched: nothing is given up, try again.
                        Err(VaultError::Unreachable | VaultError::SessionRefused) => feedback
                            .message
                            .set(Some((true, i18n.texts().network_error.to_string()))),
                        Err(_) => feedback
                            .message
                            .set(Some((true, i18n.texts().store_unavailable.to_string()))),
                    }
                }
                Err(ApiFailure::Unreachable) if offline_auth::known(&request.username) => {
                    match offline_auth::verify(&request.username, &request.password).await {
                        Some(kept) => {
                            match vault::sign_in(api, kept.user.id, &request.password, None).await {
                                Ok(()) => session.start(kept),
                                Err(VaultError::Locked) => feedback.message.set(Some((
                                    true,
                                    i18n.texts().store_locked_offline.to_string(),
                                ))),
                                Err(_) => feedback
                                    .message
                                    .set(Some((true, i18n.texts().store_unavailable.to_string()))),
                            }
                        }
                        None => {
                            password.set(String::new());
                            feedback.message.set(Some((
                                true,
                                i18n.texts().offline_wrong_password.to_string(),
                            )));
                        }
                    }
                }
                Err(ApiFailure::Unreachable) => {
                    feedback
                        .message
                        .set(Some((true, i18n.texts().offline_unknown_user.to_string())));
                }
                Err(failure) => {
                    password.set(String::new());
                    feedback.failed(&failure, i18n);
                }
            }
            pending.set(false);
        });
    };

    view! {
        <SigninCard tagline=true>
                <form on:submit=submit novalidate=true>
                    <h2>{move || i18n.texts().sign_in_title}</h2>
                    <Notice message=feedback.message/>
                    <Field name="username" label=|t| t.username value=username errors=feedback.errors autocomplete="username" required=true/>
                    <Field
                        name="password"
                        label=|t| t.password
                        value=password
                        errors=feedback.errors
                        input_type="password"
                        autocomplete="current-password"
                        required=true
                    />
                    <button type="submit" class="button primary wide" id="sign-in" disabled=move || pending.get()>
                        {move || if pending.get() { i18n.texts().signing_in } else { i18n.texts().sign_in }}
                    </button>
                </form>
                <LanguageSwitch class="center"/>
        </SigninCard>
    }
}

/// This device's token per account (see `LoginRequest::device_token`): with it, others' failed
/// guesses on the account never slow its owner down here. Not children's data; kept across
/// sign-outs on purpose.
mod known_device {
    fn key(username: &str) -> String {
        format!("tam-an/device/{}", username.trim().to_lowercase())
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    /// Kept as a JSON string (the form earlier versions wrote).
    pub fn token(username: &str) -> Option<String> {
        let kept = storage()?.get_item(&key(username)).ok().flatten()?;
        serde_json::from_str(&kept).ok()
    }

    pub fn keep(username: &str, token: Option<&str>) {
        if let (Some(token), Some(storage)) = (token, storage()) {
            if let Ok(json) = serde_json::to_string(token) {
                let _ = storage.set_item(&key(username), &json);
            }
        }
    }
}
