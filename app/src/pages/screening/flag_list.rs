//! Where urgent flags are seen besides the child's page: the child's flag history (who raised,
//! acted on and ended each) and the open flags at the top of home.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::lang::format_date_time;
use shared::urgent::{FlagState, Standing, UrgentFlag};
use std::collections::BTreeMap;
use uuid::Uuid;

use super::flag::{when, who};
use crate::i18n::{use_i18n, I18n};
use crate::records::child::{child_of, flagged_children, flags_of};
use crate::sync::use_sync;

/// Every flag of the child, newest first, with who raised, acted and ended it.
#[component]
pub fn FlagHistory(child_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let flags = Memo::new(move |_| sync.records.with(|r| flags_of(r, child_id)));
    view! {
        <Show when=move || !flags.with(Vec::is_empty)>
            <h3>{move || i18n.flags().history_title}</h3>
            <ul class="plain history" id="flag-history">
                {move || flags.get().into_iter().map(|(id, f)| history_row(i18n, id, f)).collect_view()}
            </ul>
        </Show>
    }
}

fn history_row(i18n: I18n, id: Uuid, flag: UrgentFlag) -> impl IntoView {
    let state = flag.state();
    let raised = (i18n.flags().raised)(&who(&flag.raised_by), &format_date_time(flag.raised_at));
    let end = match (&flag.ended, &flag.voided_reason) {
        (_, Some(reason)) => Some((i18n.flags().voided)(reason)),
        (Some(ending), None) => Some((i18n.flags().ended)(
            ending.how,
            &who(&flag.ended_by),
            &when(flag.ended_at),
        )),
        _ => None,
    };
    view! {
        <li class="flag-row" data-state=format!("{state:?}") data-id=id.to_string()>
            <span class="badge warn">{move || (i18n.screening().urgent_title)(flag.level)}</span>
            " " {raised}
            {flag.ended.as_ref().map(|e| view! { <br/><span class="small">{e.note.clone()}</span> })}
            {end.map(|text| view! { <br/><span class="muted">{text}</span> })}
            {(state == FlagState::AwaitingAction).then(|| view! { <br/><strong>{move || i18n.flags().awaiting_action}</strong> })}
        </li>
    }
}

/// The open flags of the children on this device, at the top of home (nothing when none): the most urgent first, those still
/// awaiting their action before those acted on.
#[component]
pub fn OpenFlags() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let open = Memo::new(move |_| {
        sync.records.with(|records| {
            let names: BTreeMap<Uuid, String> = records
                .iter()
                .filter_map(|r| child_of(r).map(|c| (r.id, c.full_name)))
                .collect();
            let mut flagged: Vec<(Standing, Uuid, String)> = flagged_children(records)
                .into_iter()
                .filter_map(|(child, s)| names.get(&child).map(|n| (s, child, n.clone())))
                .collect();
            flagged.sort_by_key(|(s, _, name)| (s.level, !s.awaiting_action, name.clone()));
            flagged
        })
    });
    view! {
        <Show when=move || !open.with(Vec::is_empty)>
        <div class="card urgent-home" id="open-flags" role="alert">
            <h2>{move || i18n.flags().home_title}</h2>
            <ul class="plain">
                {move || open.get().into_iter().map(|(s, child, name)| view! {
                    <li class="open-flag" data-awaiting=s.awaiting_action.to_string()>
                        <A href=format!("/children/{child}")><strong>{name}</strong></A>
                        " " <span class="badge warn">{move || (i18n.screening().urgent_title)(s.level)}</span>
                        {s.awaiting_action.then(|| view! { <br/><strong class="danger-text">{move || i18n.flags().awaiting_action}</strong> })}
                    </li>
                }).collect_view()}
            </ul>
        </div>
        </Show>
    }
}
