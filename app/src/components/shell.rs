//! The frame around every signed-in page: who is signed in and where, the language switch,
//! sign-out, and navigation that shows only what the user's role can use.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::role::Capability;

use crate::api::use_api;
use crate::components::form::{LanguageSwitch, Text};
use crate::i18n::use_i18n;
use crate::session::use_session;

/// A navigation entry: where it goes, its label, and the capability it needs (if any).
struct NavItem {
    href: &'static str,
    label: Text,
    needs: Option<Capability>,
}

const NAV: [NavItem; 6] = [
    NavItem {
        href: "/",
        label: |t| t.nav_home,
        needs: None,
    },
    NavItem {
        href: "/directory",
        label: |t| t.nav_directory,
        needs: Some(Capability::ListFacilities),
    },
    NavItem {
        href: "/admin/users",
        label: |t| t.nav_users,
        needs: Some(Capability::ManageUsers),
    },
    NavItem {
        href: "/admin/facilities",
        label: |t| t.nav_facilities,
        needs: Some(Capability::ManageFacilities),
    },
    NavItem {
        href: "/admin/audit",
        label: |t| t.nav_audit,
        needs: Some(Capability::ViewAudit),
    },
    NavItem {
        href: "/password",
        label: |t| t.change_password,
        needs: None,
    },
];

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let api = use_api();
    let user = move || session.user();

    let sign_out = move |_| {
        spawn_local(async move {
            // Offline, the server cannot be told; the token still leaves this device.
            let _ = api.post_empty("/api/auth/logout").await;
            session.end(None);
        });
    };

    let nav = move || {
        let role = user().map(|user| user.role);
        NAV.iter()
            .filter(|item| match (item.needs, role) {
                (None, _) => true,
                (Some(capability), Some(role)) => role.can(capability),
                (Some(_), None) => false,
            })
            .map(|item| {
                let label = item.label;
                view! { <li><A href=item.href exact=true>{move || label(i18n.t())}</A></li> }
            })
            .collect_view()
    };

    view! {
        <a class="skip-link" href="#main">{move || i18n.t().skip_to_content}</a>
        <header class="topbar">
            <div class="brand">
                <img class="logo" src="/icons/icon-192.png" alt=""/>
                <span class="brand-name">{move || i18n.t().app_name}</span>
            </div>
            <div class="who">
                <span class="who-name">{move || user().map(|u| u.full_name)}</span>
                <span class="who-place">
                    {move || user().map(|u| u.facility_name.unwrap_or(u.area_name))}
                </span>
            </div>
            <div class="topbar-actions">
                <LanguageSwitch/>
                <button type="button" class="button secondary small" id="sign-out" on:click=sign_out>
                    {move || i18n.t().sign_out}
                </button>
            </div>
        </header>
        <nav class="mainnav" aria-label=move || i18n.t().menu>
            <ul>{nav}</ul>
        </nav>
        <main id="main" tabindex="-1">{children()}</main>
    }
}
