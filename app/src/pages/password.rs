//! Changing one's password: forced after a one-time password, or by choice from the menu.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{ChangePassword, CurrentUser};

use crate::api::use_api;
use crate::components::form::{Feedback, Field, Notice};
use crate::components::shell::{finish_sign_out, SigninCard};
use crate::i18n::use_i18n;
use crate::session::use_session;

/// Shown instead of the app until a user with a one-time password has chosen their own.
#[component]
pub fn ForcedPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let (api, session) = (use_api(), use_session());
    view! {
        <SigninCard>
            <p class="notice info">{move || i18n.texts().first_sign_in_notice}</p>
            <PasswordForm/>
            <button type="button" class="link-button center" on:click=move |_| finish_sign_out(api, session)>
                {move || i18n.texts().sign_out}
            </button>
        </SigninCard>
    }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page narrow">
            <h1>{move || i18n.texts().change_password}</h1>
            <div class="card"><PasswordForm/></div>
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let feedback = Feedback::default();
    let pending = RwSignal::new(false);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let request = ChangePassword {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let mut problems = match request.clone().clean() {
            Ok(_) => BTreeMap::new(),
            Err(field_errors) => field_errors.messages(i18n.lang()),
        };
        if confirm.get_untracked() != request.new_password {
            problems.insert(
                "confirm_password".into(),
                i18n.texts().passwords_differ.into(),
            );
        }
        if !problems.is_empty() {
            feedback.invalid(problems, i18n);
            return;
        }
        pending.set(true);
        spawn_local(async move {
            match api
                .post::<_, CurrentUser>("/api/auth/password", &request)
                .await
            {
                Ok(user) => {
                    // The device's copies follow the new password: the store's key and the
                    // offline sign-in's verifier (with the profile as it is now: no longer due
                    // for a change, or an offline sign-in would land on this page again).
                    let changed = crate::vault::password_changed(
                        api,
                        user.id,
                        &request.current_password,
                        &request.new_password,
                    )
                    .await;
                    if let Err(error) = changed {
                        leptos::logging::warn!("the store's key kept the old password: {error:?}");
                    }
                    session.update_user(user.clone());
                    if let Some(signed_in) = session.get_untracked() {
                        crate::offline_auth::remember(
                            &user.username,
                            &request.new_password,
                            &signed_in,
                        )
                        .await;
                    }
                    for field in [current, new, confirm] {
                        field.set(String::new());
                    }
                    feedback.ok(i18n.texts().password_changed);
                }
                Err(failure) => feedback.failed(&failure, i18n),
            }
            pending.set(false);
        });
    };

    view! {
        <form on:submit=submit novalidate=true>
            <Notice message=feedback.message/>
            <Field name="current_password" label=|t| t.current_password value=current errors=feedback.errors
                input_type="password" autocomplete="current-password" required=true/>
            <Field name="new_password" label=|t| t.new_password value=new errors=feedback.errors input_type="password"
                autocomplete="new-password" hint=|t| t.password_hint required=true/>
            <Field name="confirm_password" label=|t| t.confirm_password value=confirm errors=feedback.errors
                input_type="password" autocomplete="new-password" required=true/>
            <button type="submit" class="button primary" id="save-password" disabled=move || pending.get()>
                {move || i18n.texts().save}
            </button>
        </form>
    }
}
