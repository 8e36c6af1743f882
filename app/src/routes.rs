//! The signed-in app, loaded after signing in, and its pages, each loaded when first opened.
//!
//! The shell with its routes is a split point, and so is every page: `cargo xtask dist` cuts
//! the code only the pages of one area use out of the main wasm into a module of its own
//! (wasm-split), fetched the first time one of them opens and kept by the service worker for
//! offline use; the sync engine's run is one too (`sync::engine`). The main module keeps what
//! signing in needs: the sign-in form, the session, the vault and the store.
//!
//! A page whose code cannot be fetched (first opened on a link that just dropped) says so and
//! offers to try again; it never takes the app down. On targets other than wasm (native tests)
//! a split point is an ordinary call.

use std::future::Future;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::components::{Route, Routes};
use leptos_router::path;
use send_wrapper::SendWrapper;

use crate::components::shell::{Shell, SigninCard};
use crate::i18n::use_i18n;
use crate::pages;

/// Declares `$load`, an async function returning the page's view from the wasm module
/// `$module`. Pages used together share a module: one split module per area keeps the files
/// few (each page its own gave some 400 small modules for the code pages share).
macro_rules! split_page {
    ($module:ident: $load:ident => $($page:ident)::+) => {
        #[leptos::wasm_split::wasm_split($module, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $load() -> Result<AnyView, SplitLoaderError> {
            Ok($($page)::+().into_any())
        }
    };
}

split_page!(shell: home => pages::home::HomePage);
split_page!(care: children => pages::children::list::ChildrenPage);
split_page!(care: child_form => pages::children::form::ChildFormPage);
split_page!(care: child => pages::children::detail::ChildPage);
split_page!(care: screening => pages::screening::form::ScreeningPage);
split_page!(care: screening_result => pages::screening::result::ResultPage);
split_page!(care: new_referral => pages::referrals::new::NewReferralPage);
split_page!(care: referrals => pages::referrals::list::ReferralsPage);
split_page!(care: activities => pages::activities::ActivitiesPage);
split_page!(care: referral => pages::referrals::detail::ReferralPage);
split_page!(care: slip => pages::referrals::slip::SlipPage);
split_page!(care: verify_slip => pages::referrals::slip::VerifySlipPage);
split_page!(report: indicators => pages::indicators::IndicatorsPage);
split_page!(report: indicator_rows => pages::indicators::rows::IndicatorRowsPage);
split_page!(report: frozen_report => pages::indicators::frozen::FrozenReportPage);
split_page!(admin: directory => pages::directory::DirectoryPage);
split_page!(shell: password => pages::password::PasswordPage);
split_page!(shell: sync_status => pages::sync_status::SyncPage);
split_page!(admin: users => pages::users::UsersPage);
split_page!(admin: facilities => pages::facilities::FacilitiesPage);
split_page!(admin: audit => pages::audit::AuditPage);

#[leptos::wasm_split::wasm_split(shell, wasm_split_path = ::leptos::wasm_split, fallible)]
fn shell() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <Shell><AppRoutes/></Shell> }.into_any())
}

/// The shell with the routes, for a signed-in user: loaded after signing in.
#[component]
pub fn SignedIn() -> impl IntoView {
    page(shell, true)
}

/// Shows the page `load` brings, "loading" until it is there, or a way to try again.
///
/// No `<Suspense>` around the page: the pages read their resources themselves, and a suspense
/// boundary would blank a page whenever one of them reloads.
/// `framed`: shown before the shell exists, so "loading" and "try again" come in the sign-in
/// page's frame (its landmark and heading).
fn page<F, Fut>(load: F, framed: bool) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
{
    let i18n = use_i18n();
    let attempt = RwSignal::new(0u32);
    let loaded = RwSignal::new(false);
    let frame = move |inner: AnyView| {
        if framed {
            view! { <SigninCard>{inner}</SigninCard> }.into_any()
        } else {
            inner
        }
    };
    view! {
        <Show when=move || !loaded.get()>
            {frame(view! { <p class="page muted" role="status">{move || i18n.texts().loading}</p> }.into_any())}
        </Show>
        {move || {
            attempt.track();
            // The split loader's future is not `Send`; the browser has one thread.
            Suspend::new(SendWrapper::new(async move {
                let page = load().await;
                loaded.set(true);
                match page {
                    Ok(view) => view,
                    Err(_) => frame(view! {
                        <section class="page" role="alert" id="page-unavailable">
                            <p>{move || i18n.texts().page_unavailable}</p>
                            <button type="button" class="button primary" id="page-retry"
                                on:click=move |_| {
                                    loaded.set(false);
                                    attempt.update(|n| *n += 1);
                                }>
                                {move || i18n.texts().try_again}
                            </button>
                        </section>
                    }
                    .into_any()),
                }
            }))
        }}
    }
}

#[component]
fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <pages::NotFound/> }>
            <Route path=path!("/") view=|| page(home, false)/>
            <Route path=path!("/children") view=|| page(children, false)/>
            <Route path=path!("/children/new") view=|| page(child_form, false)/>
            <Route path=path!("/children/:id") view=|| page(child, false)/>
            <Route path=path!("/children/:id/edit") view=|| page(child_form, false)/>
            <Route path=path!("/children/:id/screen/:instrument") view=|| page(screening, false)/>
            <Route path=path!("/children/:id/screenings/:screening") view=|| page(screening_result, false)/>
            <Route path=path!("/children/:id/refer") view=|| page(new_referral, false)/>
            <Route path=path!("/referrals") view=|| page(referrals, false)/>
            <Route path=path!("/activities") view=|| page(activities, false)/>
            <Route path=path!("/referrals/:id") view=|| page(referral, false)/>
            <Route path=path!("/referrals/:id/onward") view=|| page(new_referral, false)/>
            <Route path=path!("/referrals/:id/slip") view=|| page(slip, false)/>
            <Route path=path!("/r/:id") view=|| page(verify_slip, false)/>
            <Route path=path!("/indicators") view=|| page(indicators, false)/>
            <Route path=path!("/indicators/rows/:code") view=|| page(indicator_rows, false)/>
            <Route path=path!("/indicators/submissions/:id") view=|| page(frozen_report, false)/>
            <Route path=path!("/directory") view=|| page(directory, false)/>
            <Route path=path!("/password") view=|| page(password, false)/>
            <Route path=path!("/sync") view=|| page(sync_status, false)/>
            <Route path=path!("/admin/users") view=|| page(users, false)/>
            <Route path=path!("/admin/facilities") view=|| page(facilities, false)/>
            <Route path=path!("/admin/audit") view=|| page(audit, false)/>
        </Routes>
    }
}
