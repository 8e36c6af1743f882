//! One module per page. Pages read data through [`crate::api`] and text through [`crate::i18n`].

pub mod areas;
pub mod audit;
pub mod children;
pub mod directory;
pub mod facilities;
pub mod home;
pub mod indicators;
pub mod login;
pub mod password;
pub mod pending_file;
pub mod referrals;
pub mod screening;
pub mod sync_status;
pub mod users;

use leptos::prelude::*;

use crate::i18n::use_i18n;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page">
            <h1>{move || i18n.t().not_found}</h1>
            <p><a href="/">{move || i18n.t().nav_home}</a></p>
        </section>
    }
}
