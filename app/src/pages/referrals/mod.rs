//! The referral network on the device: the inbox and outbox ([`list`]), one referral with its
//! timeline and the actions of each side ([`detail`], [`actions`]), making a referral or calling
//! hotline 111 ([`new`]), the printable slip and its check ([`slip`]), and the notices.
//!
//! Everything is read from the local records: a referral and its events, folded by
//! [`crate::records::referrals`] into what the device shows. An action is an event saved locally first; the status shown is
//! the server's with this device's unanswered events on top (`shared::referral::shown_status`).

pub mod actions;
pub mod detail;
pub mod list;
pub mod new;
pub mod slip;

use leptos::prelude::*;
use shared::referral::{Side, Status};
use uuid::Uuid;

use crate::records::referrals::{items, notices, Item, Notice};

/// The device's referrals, folded once per change of the records and shared by every page that
/// shows them (the navigation badge, the lists, a referral, the child's page, the home card).
#[derive(Clone, Copy)]
pub struct Referrals {
    pub all: Memo<Vec<Item>>,
    /// Not yet marked seen.
    pub notices: Memo<Vec<Notice>>,
}

pub fn provide_referrals() {
    let sync = crate::sync::use_sync();
    let session = crate::session::use_session();
    let mine = move || session.user().and_then(|u| u.facility_id);
    let all = Memo::new(move |_| sync.records.with(|r| items(r, mine())));
    let notices = Memo::new(move |_| {
        all.with(|all| sync.network.seen.with(|seen| notices(all, mine(), seen)))
    });
    provide_context(Referrals { all, notices });
}

pub fn use_referrals() -> Referrals {
    expect_context::<Referrals>()
}

/// The child's referrals on the child's page: each one's status, the feedback first, and the
/// way to refer.
#[component]
pub fn ChildReferrals(child_id: Uuid) -> impl IntoView {
    use leptos_router::components::A;
    use shared::lang::format_date_time;
    let i18n = crate::i18n::use_i18n();
    let sync = crate::sync::use_sync();
    let referrals = use_referrals();
    let list = Memo::new(move |_| {
        referrals.all.with(|all| {
            all.iter()
                .filter(|i| i.referral.child_id == child_id)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <article class="card" id="child-referrals">
            <div class="section-head">
                <h2>{move || i18n.referrals().title}</h2>
                <A href=format!("/children/{child_id}/refer") attr:class="button primary small" attr:id="refer-child">{move || i18n.referrals().refer}</A>
            </div>
            <Show when=move || list.with(Vec::is_empty)>
                <p class="muted">{move || i18n.referrals().none}</p>
            </Show>
            <ul class="plain">
                {move || list.get().into_iter().map(|item| {
                    let to = sync.network.facility_name(item.referral.to_facility);
                    let feedback = item.feedback().and_then(|e| e.event.feedback.clone());
                    view! {
                        <li class="child-referral" data-status=item.status.code()>
                            <A href=format!("/referrals/{}", item.id)>{to}</A>
                            " " {list::status_badge(item.status, i18n)}
                            <span class="muted">" · " {format_date_time(item.referral.sent_at)}</span>
                            {feedback.map(|f| view! {
                                <div class="feedback-inline" id=format!("feedback-{}", item.id)>
                                    <strong>{move || i18n.referrals().feedback_title} ": "</strong> {f.found.clone()}
                                    {f.for_school.clone().map(|t| view! { <br/> {move || i18n.referrals().for_school} ": " <span class="for-school">{t.clone()}</span> })}
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </article>
    }
}

/// The home page's referral card: new referrals, overdue ones and unseen notices.
#[component]
pub fn ReferralSummary() -> impl IntoView {
    use leptos_router::components::A;
    let i18n = crate::i18n::use_i18n();
    let sync = crate::sync::use_sync();
    let referrals = use_referrals();
    let counts = Memo::new(move |_| {
        let times = sync.network.due_times.get();
        let now = sync.network.now();
        let all = referrals.all.get();
        let new = all
            .iter()
            .filter(|i| i.side == Some(Side::Receiver) && i.status == Status::Sent)
            .count();
        let overdue = all.iter().filter(|i| i.is_overdue(&times, now)).count();
        let unseen = referrals.notices.with(Vec::len);
        (new, overdue, unseen)
    });
    view! {
        <article class="card" id="home-referrals">
            <h2>{move || i18n.referrals().title}</h2>
            <p id="referral-counts" data-overdue=move || counts.get().1.to_string()>
                {move || { let (n, o, u) = counts.get(); (i18n.referrals().home_counts)(n, o, u) }}
            </p>
            <p class="actions"><A href="/referrals">{move || i18n.referrals().title}</A></p>
        </article>
    }
}
