//! The list of the facility's children, with instant search that ignores accents and case.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::lang::format_date;
use shared::text::{fold, matches};

use super::today;
use crate::components::import::ImportPanel;
use crate::i18n::use_i18n;
use crate::records::child::child_of;
use crate::sync::use_sync;
use shared::import::ImportKind;

/// More rows than this are not drawn: a search narrows them (the count still shows them all).
const SHOWN: usize = 200;

#[component]
pub fn ChildrenPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = crate::session::use_session();
    let counsellor = move || {
        session
            .user()
            .is_some_and(|u| u.role == shared::role::Role::Counsellor)
    };
    let query = RwSignal::new(String::new());
    // Folded names are computed once per change of the records, not per keystroke.
    let children = Memo::new(move |_| {
        let mut children: Vec<_> = sync.records.with(|records| {
            records
                .iter()
                .filter_map(|record| child_of(record).map(|child| (record.id, child)))
                .filter(|(_, child)| !child.is_voided())
                .map(|(id, child)| (child.folded_name(), id, child))
                .collect()
        });
        children.sort_by(|a, b| a.0.cmp(&b.0));
        children
    });
    let flagged = Memo::new(move |_| {
        sync.records
            .with(|r| crate::records::child::flagged_children(r))
    });
    let found = Memo::new(move |_| {
        let needle = fold(&query.get());
        children.with(|children| {
            children
                .iter()
                .filter(|(name, _, _)| matches(name, &needle))
                .cloned()
                .collect::<Vec<_>>()
        })
    });

    view! {
        <section class="page">
            <div class="section-head">
                <h1>{move || i18n.texts().nav_children}</h1>
                <A href="/children/new" attr:class="button primary" attr:id="register-child">{move || i18n.texts().register_child}</A>
            </div>
            <p class="lead">{move || i18n.texts().children_intro}</p>
            <Show when=counsellor>
                <ImportPanel kind=ImportKind::Children on_done=Callback::new(move |()| sync.run())/>
            </Show>
            <div class="filters">
                <label>
                    <span>{move || i18n.texts().search_children}</span>
                    <input type="search" id="child-search" bind:value=query autocomplete="off"/>
                </label>
            </div>
            <p class="muted" id="children-count">
                {move || (i18n.texts().children_count)(found.with(Vec::len))}
            </p>
            {move || {
                let total = children.with(Vec::len);
                let found = found.get();
                if total == 0 {
                    return view! { <p class="empty">{i18n.texts().no_children}</p> }.into_any();
                }
                if found.is_empty() {
                    return view! { <p class="empty">{i18n.texts().no_match}</p> }.into_any();
                }
                let today = today();
                let flags = flagged.get();
                let rows = found.into_iter().take(SHOWN).map(|(_, id, child)| {
                    let name = child.full_name.clone();
                    let flag = flags.get(&id).copied();
                    view! {
                    <li class="child-row">
                        <A href=format!("/children/{id}")><strong>{name}</strong></A>
                        {flag.map(|flag| view! {
                            " " <span class="badge warn urgent-badge" data-awaiting=flag.awaiting_action.to_string()>
                                {move || (i18n.screening().urgent_title)(flag.level)}
                            </span>
                        })}
                        <span class="muted">
                            {format_date(child.date_of_birth)} " · " {(i18n.texts().age)(child.age_on(today))} " · "
                            {child.sex.label(i18n.lang())}
                            {child.school_class.clone().map(|class| format!(" · {class}"))}
                        </span>
                    </li>
                }}).collect_view();
                view! { <ul class="child-list" id="children-list">{rows}</ul> }.into_any()
            }}
        </section>
    }
}
