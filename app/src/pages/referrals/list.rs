//! `/referrals`: the notices, opening a referral by its slip code, and the inbox and outbox
//! with filters (new, accepted, due soon, overdue, closed). Overdue referrals stand out.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::lang::format_date_time;
use shared::referral::{slip, Side, Status};

use super::use_referrals;
use crate::directory::Network;
use crate::i18n::{use_i18n, I18n};
use crate::records::referrals::{Item, Notice, NoticeKind};
use crate::sync::use_sync;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    New,
    Accepted,
    DueSoon,
    Overdue,
    Closed,
}

impl Filter {
    const ALL: [Filter; 6] = [
        Filter::All,
        Filter::New,
        Filter::Accepted,
        Filter::DueSoon,
        Filter::Overdue,
        Filter::Closed,
    ];

    fn code(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::New => "new",
            Filter::Accepted => "accepted",
            Filter::DueSoon => "due-soon",
            Filter::Overdue => "overdue",
            Filter::Closed => "closed",
        }
    }

    fn label(self, i18n: I18n) -> &'static str {
        let r = i18n.referrals();
        match self {
            Filter::All => i18n.texts().all,
            Filter::New => r.filter_new,
            Filter::Accepted => r.filter_accepted,
            Filter::DueSoon => r.filter_due_soon,
            Filter::Overdue => r.filter_overdue,
            Filter::Closed => r.filter_closed,
        }
    }

    fn keeps(self, item: &Item, network: Network) -> bool {
        let times = network.due_times.get();
        let now = network.now();
        match self {
            Filter::All => true,
            Filter::New => matches!(item.status, Status::Sent | Status::Received),
            Filter::Accepted => item.status == Status::Accepted,
            Filter::DueSoon => item.is_due_soon(&times, now),
            Filter::Overdue => item.is_overdue(&times, now),
            Filter::Closed => item.status.is_final(),
        }
    }
}

/// The status as a badge: closed ones muted, declined and no-shows in amber.
pub fn status_badge(status: Status, i18n: I18n) -> impl IntoView {
    let class = match status {
        Status::Completed | Status::Cancelled => "badge off",
        Status::Declined | Status::NoShow => "badge warn",
        Status::Accepted | Status::Attended => "badge ok",
        Status::Sent | Status::Received => "badge",
    };
    view! { <span class=class data-status=status.code()>{move || status.label(i18n.lang())}</span> }
}

#[component]
pub fn ReferralsPage() -> impl IntoView {
    let i18n = use_i18n();
    let network = use_sync().network;
    let all = use_referrals().all;
    let side = RwSignal::new(Side::Receiver);
    let filter = RwSignal::new(Filter::All);
    let shown = move || {
        all.get()
            .into_iter()
            .filter(|item| {
                item.side == Some(side.get()) || (item.side.is_none() && side.get() == Side::Sender)
            })
            .filter(|item| filter.get().keeps(item, network))
            .collect::<Vec<_>>()
    };
    view! {
        <section class="page">
            <h1>{move || i18n.referrals().title}</h1>
            <Notices/>
            <CodeLookup/>
            <div class="tabs" role="tablist">
                {[(Side::Receiver, "tab-inbox"), (Side::Sender, "tab-outbox")].into_iter().map(|(s, id)| view! {
                    <button type="button" role="tab" id=id class="tab" aria-selected=move || (side.get() == s).to_string()
                        on:click=move |_| side.set(s)>
                        {move || if s == Side::Receiver { i18n.referrals().inbox } else { i18n.referrals().outbox }}
                    </button>
                }).collect_view()}
            </div>
            <div class="filters chips">
                {Filter::ALL.into_iter().map(|f| view! {
                    <button type="button" class="chip" id=format!("filter-{}", f.code()) aria-pressed=move || (filter.get() == f).to_string()
                        on:click=move |_| filter.set(f)>{move || f.label(i18n)}</button>
                }).collect_view()}
            </div>
            {move || {
                let list = shown();
                if list.is_empty() {
                    return view! { <p class="empty">{i18n.referrals().none}</p> }.into_any();
                }
                view! { <ul class="referral-list" id="referral-list">{list.into_iter().map(|item| view! { <Row item=item/> }).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Row(item: Item) -> impl IntoView {
    let i18n = use_i18n();
    let network = use_sync().network;
    let times = network.due_times.get_untracked();
    let now = network.now();
    let overdue = item.is_overdue(&times, now);
    let other = match item.side {
        Some(Side::Receiver) => item.sender,
        _ => item.referral.to_facility,
    };
    let due = item.due(&times).map(format_date_time);
    let href = format!("/referrals/{}", item.id);
    let urgency = item.referral.urgency;
    let id = item.id.to_string();
    let name = item.child_name().to_string();
    let sent = format_date_time(item.referral.sent_at);
    let status = item.status;
    view! {
        <li class="referral-row" class:overdue=overdue data-overdue=overdue.to_string() data-id=id>
            <A href=href>{name}</A>
            " " {status_badge(status, i18n)}
            " " <span class=format!("badge urgency-{}", urgency.code())>{move || urgency.label(i18n.lang())}</span>
            {overdue.then(|| view! { " " <span class="badge danger overdue-badge">{move || i18n.referrals().overdue}</span> })}
            <span class="muted">
                " · " {network.facility_name(other)}
                " · " {sent}
                {due.filter(|_| !overdue).map(|d| view! { " · " {move || (i18n.referrals().due)(&d)} })}
            </span>
        </li>
    }
}

/// The notices not yet seen, each a link to its referral.
#[component]
pub fn Notices() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let list = use_referrals().notices;
    let text = move |notice: &Notice| {
        let r = i18n.referrals();
        let f = match notice.kind {
            NoticeKind::New => r.notice_new,
            NoticeKind::Feedback => r.notice_feedback,
            NoticeKind::Declined => r.notice_declined,
            NoticeKind::Cancelled => r.notice_cancelled,
            NoticeKind::Accepted => r.notice_accepted,
            NoticeKind::NoShow => r.notice_no_show,
            NoticeKind::Refused => r.notice_refused,
        };
        f(&notice.child)
    };
    view! {
        <article class="card notices" id="notices">
            <h2>{move || i18n.referrals().notices} " " <span class="badge" id="notice-count">{move || list.with(Vec::len)}</span></h2>
            <Show when=move || list.with(Vec::is_empty)>
                <p class="muted">{move || i18n.referrals().no_notices}</p>
            </Show>
            <ul class="plain">
                {move || list.get().into_iter().map(|n| {
                    let href = format!("/referrals/{}", n.referral_id);
                    let line = text(&n);
                    view! { <li class="notice-item"><A href=href>{line}</A></li> }
                }).collect_view()}
            </ul>
            <Show when=move || !list.with(Vec::is_empty)>
                <button type="button" class="button secondary small" id="mark-seen"
                    on:click=move |_| sync.network.mark_seen(list.get_untracked().into_iter().map(|n| n.key).collect())>
                    {move || i18n.referrals().mark_seen}
                </button>
            </Show>
        </article>
    }
}

/// Opens a referral by the short code printed on its slip.
#[component]
fn CodeLookup() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let code = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let navigate = use_navigate();
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = slip::normalise_code(&code.get_untracked());
        let found = sync.records.with_untracked(|records| {
            records
                .iter()
                .filter(|r| r.record_type == shared::sync::RecordType::Referral)
                .find(|r| slip::short_code(r.id) == wanted)
                .map(|r| r.id)
        });
        match found {
            Some(id) => navigate(&format!("/referrals/{id}"), Default::default()),
            None => missing.set(true),
        }
    };
    view! {
        <form autocomplete="off" class="inline-form code-lookup" on:submit=open>
            <label for="referral-code">{move || i18n.referrals().open_code}</label>
            <input id="referral-code" name="code" autocomplete="off" bind:value=code on:input=move |_| missing.set(false)/>
            <button type="submit" class="button secondary small">{move || i18n.referrals().verify_open}</button>
            <Show when=move || missing.get()>
                <p class="field-error" role="alert">{move || i18n.referrals().code_not_found}</p>
            </Show>
        </form>
    }
}
