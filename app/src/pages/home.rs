//! The home page: who I am, where I work, what my role does, and the child-protection hotline.
//! Administrators also see the size of the directory with links to manage it.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::{Area, Facility, User};
use shared::role::Role;

use crate::api::use_api;
use crate::i18n::use_i18n;
use crate::session::use_session;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let user = move || session.user();
    let is_admin = move || user().is_some_and(|u| u.role == Role::Admin);

    view! {
        <section class="page">
            <h1 id="greeting">{move || user().map(|u| (i18n.texts().greeting)(&u.full_name))}</h1>
            <Show when=move || user().is_some_and(|u| u.role.can(shared::role::Capability::KeepChildRecords))>
                <crate::pages::screening::flag_list::OpenFlags/>
            </Show>
            <div class="cards">
                <article class="card">
                    <dl class="facts">
                        <dt>{move || i18n.texts().role}</dt>
                        <dd id="home-role">{move || user().map(|u| u.role.label(i18n.lang()))}</dd>
                        <dt>{move || i18n.texts().workplace}</dt>
                        <dd>{move || user().map(|u| u.facility_name.unwrap_or_else(|| u.area_name.clone()))}</dd>
                        <dt>{move || i18n.texts().area}</dt>
                        <dd>{move || user().map(|u| u.area_name)}</dd>
                    </dl>
                    <p class="intro">{move || user().map(|u| (i18n.texts().role_intro)(u.role))}</p>
                </article>
                <Show when=move || user().is_some_and(|u| u.role.can(shared::role::Capability::KeepChildRecords))>
                    <crate::pages::referrals::ReferralSummary/>
                </Show>
                <Show when=is_admin>
                    <AdminSummary/>
                </Show>
                <article class="card hotline">
                    <h2>{move || i18n.texts().hotline_title}</h2>
                    <p>{move || i18n.texts().hotline_text}</p>
                    <a class="button danger" href="tel:111">"☎ 111"</a>
                </article>
            </div>
        </section>
    }
}

#[component]
fn AdminSummary() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let counts = LocalResource::new(move || async move {
        let users = api.get::<Vec<User>>("/api/users").await.ok()?.len();
        let facilities = api
            .get::<Vec<Facility>>("/api/facilities?include_inactive=true")
            .await
            .ok()?
            .len();
        let areas = api.get::<Vec<Area>>("/api/areas").await.ok()?.len();
        Some((users, facilities, areas))
    });
    view! {
        <article class="card">
            <h2>{move || i18n.texts().nav_facilities}</h2>
            <p id="admin-summary">
                {move || match counts.get() {
                    Some(Some((users, facilities, areas))) => (i18n.texts().admin_summary)(users, facilities, areas),
                    Some(None) => i18n.texts().network_error.to_string(),
                    None => i18n.texts().loading.to_string(),
                }}
            </p>
            <p class="actions">
                <A href="/admin/users">{move || i18n.texts().nav_users}</A>
                <A href="/admin/facilities">{move || i18n.texts().nav_facilities}</A>
                <A href="/admin/audit">{move || i18n.texts().nav_audit}</A>
            </p>
        </article>
    }
}
