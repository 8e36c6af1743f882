//! The browser app: Leptos, client-side rendered, compiled to wasm32.
//!
//! Architecture invariant: the app talks to the server only through [`api`] (JSON over HTTP) and
//! shares types and rules with it only through the `shared` crate. It never decides an
//! authorization question differently from the server: navigation follows `Role::can`, and the
//! server re-checks every request anyway.
//!
//! Reading order: [`App`] (gates: sign-in → forced password change → the shell with routes),
//! [`session`], [`api`], [`i18n`], then [`components`] and [`pages`].

pub mod api;
pub mod components;
pub mod directory;
pub mod files;
pub mod gzip;
pub mod i18n;
pub mod offline_auth;
pub mod pages;
pub mod records;
pub mod routes;
pub mod session;
pub mod store;
pub mod sync;
pub mod vault;

use leptos::prelude::*;
use leptos_router::components::Router;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::i18n::provide_i18n;
use crate::routes::SignedIn;
use crate::session::provide_session;

/// Entry point, called by the generated JS glue once the module is loaded.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// Which part of the app a person may see right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    SignIn,
    ChangePassword,
    Open,
}

#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    let session = provide_session();
    provide_context(api::ServerNewer(RwSignal::new(false)));
    sync::provide_sync();
    pages::referrals::provide_referrals();
    let gate = Memo::new(move |_| match session.user() {
        None => Gate::SignIn,
        Some(user) if user.must_change_password => Gate::ChangePassword,
        Some(_) => Gate::Open,
    });
    view! {
        <Router>
            {move || match gate.get() {
                Gate::SignIn => view! { <pages::login::LoginPage/> }.into_any(),
                Gate::ChangePassword => view! { <pages::password::ForcedPasswordPage/> }.into_any(),
                Gate::Open => view! { <SignedIn/> }.into_any(),
            }}
        </Router>
    }
}
