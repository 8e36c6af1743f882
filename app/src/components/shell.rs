//! The frame around every signed-in page: who is signed in and where, the sync status, the
//! language switch, sign-out (guarded while changes wait to sync), and navigation that shows only
//! what the user's role can use.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::role::Capability;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::api::{use_api, Api};
use crate::components::form::{LanguageSwitch, Text};
use crate::i18n::use_i18n;
use crate::session::{use_session, SessionStore};
use crate::store;
use crate::sync::use_sync;

/// A navigation entry: where it goes, its label, and the capability it needs (if any).
struct NavItem {
    href: &'static str,
    label: Text,
    needs: Option<Capability>,
}

const NAV: [NavItem; 11] = [
    NavItem {
        href: "/",
        label: |t| t.nav_home,
        needs: None,
    },
    NavItem {
        href: "/children",
        label: |t| t.nav_children,
        needs: Some(Capability::KeepChildRecords),
    },
    NavItem {
        href: "/referrals",
        label: |t| t.nav_referrals,
        needs: Some(Capability::KeepChildRecords),
    },
    NavItem {
        href: "/activities",
        label: |t| t.nav_activities,
        needs: Some(Capability::KeepChildRecords),
    },
    NavItem {
        href: "/indicators",
        label: |t| t.nav_indicators,
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
        href: "/sync",
        label: |t| t.nav_sync,
        needs: None,
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
    let user = move || session.user();
    let confirm_sign_out = RwSignal::new(false);
    let updated = RwSignal::new(false);
    listen_for_new_version(updated);
    let server_newer = use_context::<crate::api::ServerNewer>().map(|newer| newer.0);

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
                let badge = (item.href == "/referrals").then(|| view! { <NoticeBadge/> });
                view! { <li><A href=item.href exact=true>{move || label(i18n.texts())} {badge}</A></li> }
            })
            .collect_view()
    };

    view! {
        <a class="skip-link" href="#main">{move || i18n.texts().skip_to_content}</a>
        <header class="topbar">
            <div class="brand">
                <img class="logo" src="/icons/icon-192.png" alt=""/>
                <span class="brand-name">{move || i18n.texts().app_name}</span>
            </div>
            <div class="who">
                <span class="who-name">{move || user().map(|u| u.full_name)}</span>
                <span class="who-place">{move || user().map(|u| u.facility_name.unwrap_or(u.area_name))}</span>
            </div>
            <div class="topbar-actions">
                <SyncIndicator/>
                <LanguageSwitch/>
                <SignOut confirm=confirm_sign_out/>
            </div>
        </header>
        <nav class="mainnav" aria-label=move || i18n.texts().menu>
            <ul>{nav}</ul>
        </nav>
        <Show when=move || updated.get()>
            <p class="notice info banner" role="status" id="app-updated">
                {move || i18n.texts().app_updated} " "
                <button type="button" class="link-button" on:click=|_| { let _ = window().location().reload(); }>
                    {move || i18n.texts().reload}
                </button>
            </p>
        </Show>
        <Show when=move || server_newer.is_some_and(|newer| newer.get())>
            <p class="notice error banner" role="alert" id="server-newer">
                {move || i18n.texts().server_newer} " "
                <button type="button" class="link-button" on:click=|_| { let _ = window().location().reload(); }>
                    {move || i18n.texts().reload}
                </button>
            </p>
        </Show>
        <Show when=move || confirm_sign_out.get()>
            <UnsyncedSignOut confirm=confirm_sign_out/>
        </Show>
        <main id="main" tabindex="-1">{children()}</main>
    }
}

/// Always visible: online or not, what waits to be sent, a run in progress.
#[component]
fn SyncIndicator() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    view! {
        <A href="/sync" attr:class="sync-pill" attr:id="sync-status"
            attr:data-online=move || sync.online.get().to_string() attr:data-pending=move || sync.pending.get().to_string()
            attr:data-running=move || sync.running.get().to_string()
            attr:data-directory=move || sync.directory_fresh.get().to_string()
            attr:data-last-run=move || sync.last_run.get().map(|r| format!("{:.1} {:.1} {} {}", r.push_ms, r.pull_ms, r.sent, r.received))>
            <span class="dot" class:off=move || !sync.online.get()></span>
            {move || if sync.running.get() {
                let received = sync.received.get();
                if received > 0 { (i18n.texts().receiving)(received) } else { i18n.texts().status_syncing.to_string() }
            } else if sync.online.get() { i18n.texts().status_online.to_string() } else { i18n.texts().status_offline.to_string() }}
            {move || (sync.pending.get() > 0).then(|| view! {
                " · " <span id="pending-count">{(i18n.texts().pending_changes)(sync.pending.get())}</span>
            })}
        </A>
    }
}

/// Signs out and erases the user's local data; with changes still waiting, asks first.
#[component]
fn SignOut(confirm: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let (api, session) = (use_api(), use_session());
    let sign_out = move |_| {
        if sync.pending.get_untracked() > 0 {
            confirm.set(true);
        } else {
            finish_sign_out(api, session);
        }
    };
    view! {
        <button type="button" class="button secondary small" id="sign-out" on:click=sign_out>
            {move || i18n.texts().sign_out}
        </button>
    }
}

/// Revokes the session on the server (when reachable), deletes the local store, forgets the session.
pub fn finish_sign_out(api: Api, session: SessionStore) {
    spawn_local(async move {
        // Offline, the server cannot be told; the token still leaves this device. The store's
        // key share goes first, while the session may still ask for it to be erased.
        let user = session.user_untracked();
        if let Some(user) = &user {
            crate::vault::forget(api, user.id).await;
        }
        let _ = api.post_empty("/api/auth/logout").await;
        if let Some(user) = user {
            let _ = store::erase(user.id).await;
            crate::offline_auth::forget(&user.username);
        }
        session.end(None);
    });
}

#[component]
fn UnsyncedSignOut(confirm: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let (api, session) = (use_api(), use_session());
    let export = move |_| {
        if let Some(user) = session.user_untracked() {
            crate::pages::pending_file::download_pending(user.username);
        }
    };
    view! {
        <div class="notice error banner" role="alertdialog" aria-labelledby="unsynced-title" id="unsynced-dialog">
            <h2 id="unsynced-title">{move || (i18n.texts().unsynced_title)(sync.pending.get())}</h2>
            <p>{move || i18n.texts().unsynced_text}</p>
            <div class="form-actions">
                <button type="button" class="button primary small" id="export-changes" on:click=export>
                    {move || i18n.texts().export_changes}</button>
                <button type="button" class="button danger small" id="sign-out-anyway"
                    on:click=move |_| { confirm.set(false); finish_sign_out(api, session); }>{move || i18n.texts().sign_out_anyway}</button>
                <button type="button" class="button secondary small" on:click=move |_| confirm.set(false)>
                    {move || i18n.texts().stay}</button>
            </div>
        </div>
    }
}

/// The service worker says when a new version has taken over; the page offers a reload.
fn listen_for_new_version(updated: RwSignal<bool>) {
    let container = window().navigator().service_worker();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let is_update = js_sys::Reflect::get(&event.data(), &"type".into())
                .ok()
                .and_then(|kind| kind.as_string())
                .is_some_and(|kind| kind == "updated");
            if is_update {
                updated.set(true);
            }
        });
    container.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
}

/// The frame of the pages shown before the app opens (sign-in, forced password change).
#[component]
pub fn SigninCard(#[prop(optional)] tagline: bool, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main id="main" class="signin">
            <div class="signin-card">
                <div class="signin-head">
                    <img class="logo big" src="/icons/icon-192.png" alt=""/>
                    <h1>{move || i18n.texts().app_name}</h1>
                    {tagline.then(|| view! { <p class="tagline">{move || i18n.texts().tagline}</p> })}
                </div>
                {children()}
            </div>
        </main>
    }
}

/// The count of unseen referral notices, on the navigation entry.
#[component]
fn NoticeBadge() -> impl IntoView {
    let notices = crate::pages::referrals::use_referrals().notices;
    let count = Memo::new(move |_| notices.with(Vec::len));
    view! {
        <Show when=move || { count.get() > 0 }>
            <span class="badge danger nav-badge" id="nav-notices">{move || count.get()}</span>
        </Show>
    }
}
