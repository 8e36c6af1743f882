//! One module per page. Pages read children's records from the sync engine
//! ([`crate::sync::use_sync`], with the pure queries of [`crate::records`]) and never wait for
//! the network for them; directory state comes from [`crate::directory`]; what only the server
//! knows (users, the audit log, aggregate indicators) through [`crate::api`]; text through
//! [`crate::i18n`]. Nothing outside `pages/` names a page (`app/tests/layers.rs`).

pub mod activities;
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
            <h1>{move || i18n.texts().not_found}</h1>
            <p><a href="/">{move || i18n.texts().nav_home}</a></p>
        </section>
    }
}
