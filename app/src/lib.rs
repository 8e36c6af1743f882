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
pub mod session;
pub mod store;
pub mod sync;
pub mod vault;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::components::shell::Shell;
use crate::i18n::provide_i18n;
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
                Gate::Open => view! { <Shell><AppRoutes/></Shell> }.into_any(),
            }}
        </Router>
    }
}

#[component]
fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <pages::NotFound/> }>
            <Route path=path!("/") view=pages::home::HomePage/>
            <Route path=path!("/children") view=pages::children::list::ChildrenPage/>
            <Route path=path!("/children/new") view=pages::children::form::ChildFormPage/>
            <Route path=path!("/children/:id") view=pages::children::detail::ChildPage/>
            <Route path=path!("/children/:id/edit") view=pages::children::form::ChildFormPage/>
            <Route path=path!("/children/:id/screen/:instrument") view=pages::screening::form::ScreeningPage/>
            <Route path=path!("/children/:id/screenings/:screening") view=pages::screening::result::ResultPage/>
            <Route path=path!("/children/:id/refer") view=pages::referrals::new::NewReferralPage/>
            <Route path=path!("/referrals") view=pages::referrals::list::ReferralsPage/>
            <Route path=path!("/activities") view=pages::activities::ActivitiesPage/>
            <Route path=path!("/referrals/:id") view=pages::referrals::detail::ReferralPage/>
            <Route path=path!("/referrals/:id/onward") view=pages::referrals::new::NewReferralPage/>
            <Route path=path!("/referrals/:id/slip") view=pages::referrals::slip::SlipPage/>
            <Route path=path!("/r/:id") view=pages::referrals::slip::VerifySlipPage/>
            <Route path=path!("/indicators") view=pages::indicators::IndicatorsPage/>
            <Route path=path!("/indicators/rows/:code") view=pages::indicators::rows::IndicatorRowsPage/>
            <Route path=path!("/indicators/submissions/:id") view=pages::indicators::frozen::FrozenReportPage/>
            <Route path=path!("/directory") view=pages::directory::DirectoryPage/>
            <Route path=path!("/password") view=pages::password::PasswordPage/>
            <Route path=path!("/sync") view=pages::sync_status::SyncPage/>
            <Route path=path!("/admin/users") view=pages::users::UsersPage/>
            <Route path=path!("/admin/facilities") view=pages::facilities::FacilitiesPage/>
            <Route path=path!("/admin/audit") view=pages::audit::AuditPage/>
        </Routes>
    }
}
