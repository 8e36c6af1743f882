//! `/referrals/:id`: one referral as either party sees it: the packet, the feedback, the
//! timeline (with refused events and what waits to sync), the chain, and my side's actions.
//! The receiving facility opening it records that it was received.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::instrument::{find_version, FlagLevel};
use shared::lang::{format_date, format_date_time, Lang};
use shared::referral::{slip, Action, ReferralEvent, ScreeningSummary, Side, Status};
use shared::sync::RecordType;
use uuid::Uuid;

use super::actions::{Actions, StepForm};
use super::list::status_badge;
use crate::i18n::use_i18n;
use crate::records::referrals::{EventItem, Item};
use crate::session::use_session;
use crate::sync::use_sync;

/// One screening of the packet in a line: instrument, date, total, band, flags.
pub fn screening_line(s: &ScreeningSummary, lang: Lang) -> String {
    let instrument = find_version(&s.instrument_id, &s.instrument_version);
    let name = instrument.map_or(s.instrument_id.clone(), |i| i.name.get(lang).to_string());
    let mut parts = vec![name, format_date(s.screened_on)];
    if let Some(total) = s.scores.get("total") {
        parts.push(match lang {
            Lang::Vi => format!("tổng điểm {}", total.value),
            Lang::En => format!("total {}", total.value),
        });
    }
    if let Some(band) = s
        .band
        .as_ref()
        .and_then(|b| instrument.and_then(|i| i.band(b)))
    {
        parts.push(band.label.get(lang).to_string());
    }
    for flag in &s.flags {
        parts.push(
            match (flag.level, lang) {
                (FlagLevel::Acute, Lang::Vi) => "⚠ nguy cơ tự sát cấp",
                (FlagLevel::Acute, Lang::En) => "⚠ acute suicide risk",
                (FlagLevel::NonAcute, Lang::Vi) => "⚠ nguy cơ tự sát",
                (FlagLevel::NonAcute, Lang::En) => "⚠ suicide risk",
            }
            .to_string(),
        );
    }
    parts.join(" · ")
}

#[component]
pub fn ReferralPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let mine = move || session.user().and_then(|u| u.facility_id);
    let all = super::use_referrals().all;
    let item = Memo::new(move |_| {
        let id = id()?;
        all.with(|list| list.iter().find(|i| i.id == id).cloned())
    });
    // Opening a new referral addressed to my facility marks it received (once).
    let marked = RwSignal::new(false);
    Effect::new(move |_| {
        let Some(item) = item.get() else { return };
        let Some(facility_id) = mine() else { return };
        if item.side != Some(Side::Receiver)
            || item.status != Status::Sent
            || marked.get_untracked()
        {
            return;
        }
        marked.set(true);
        let event = ReferralEvent {
            referral_id: item.id,
            action: Action::Receive,
            at: sync.network.now(),
            by: session
                .user_untracked()
                .map(|u| u.full_name)
                .unwrap_or_default(),
            actor: None,
            reason: None,
            appointment: None,
            attended_on: None,
            feedback: None,
            refusal: None,
        };
        spawn_local(async move {
            let _ = sync
                .save(
                    RecordType::ReferralEvent,
                    Uuid::now_v7(),
                    facility_id,
                    event.to_fields(),
                )
                .await;
        });
    });
    let form = StepForm::default();
    view! {
        <section class="page">
            {move || match item.get() {
                None => view! { <p class="empty">{i18n.texts().not_found}</p> }.into_any(),
                Some(item) => view! { <Referral item=item all=all form=form/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Referral(item: Item, all: Memo<Vec<Item>>, form: StepForm) -> impl IntoView {
    let i18n = use_i18n();
    let network = use_sync().network;
    let times = network.due_times.get_untracked();
    let overdue = item.is_overdue(&times, network.now());
    let r = &item.referral;
    let packet = r.packet.clone();
    let urgency = r.urgency;
    let child_link = (item.side == Some(Side::Sender)).then(|| format!("/children/{}", r.child_id));
    let onward: Vec<Item> = all.with(|list| {
        list.iter()
            .filter(|i| i.referral.onward_from == Some(item.id))
            .cloned()
            .collect()
    });
    let previous = r.onward_from;
    let feedback = item.feedback().cloned();
    let declined = item.side == Some(Side::Sender) && item.status == Status::Declined;
    let can_refer_onward = item.side == Some(Side::Receiver)
        && matches!(
            item.status,
            Status::Accepted | Status::Attended | Status::Completed
        );
    let sent_line = (i18n.referrals().sent_by)(&r.sent_by, &format_date_time(r.sent_at));
    view! {
        <div class="section-head">
            <h1 id="referral-child">{packet.child.full_name.clone()}</h1>
            <p>
                {status_badge(item.status, i18n)}
                " " <span class=format!("badge urgency-{}", urgency.code()) id="referral-urgency">{move || urgency.label(i18n.lang())}</span>
                {overdue.then(|| view! { " " <span class="badge danger overdue-badge" id="referral-overdue">{move || i18n.referrals().overdue}</span> })}
                " " <span class="muted">{move || i18n.referrals().slip_code} ": " <strong id="referral-code">{slip::short_code(item.id)}</strong></span>
            </p>
        </div>
        {declined.then(|| view! {
            <p class="notice warn" id="declined-prompt">{move || i18n.referrals().declined_prompt} " "
                <A href=format!("/children/{}/refer", item.referral.child_id)>{move || i18n.referrals().refer}</A>
            </p>
        })}
        {feedback.map(|e| view! { <FeedbackCard event=e/> })}
        <Actions item=item.clone() form=form/>
        <article class="card" id="referral-packet">
            <dl class="facts">
                <dt>{move || i18n.referrals().from}</dt><dd id="referral-from">{let sender = item.sender; move || network.facility_name(sender)} <br/><span class="muted">{sent_line}</span></dd>
                <dt>{move || i18n.referrals().to}</dt><dd id="referral-to">{let to = r.to_facility; move || network.facility_name(to)}</dd>
                <dt>{move || i18n.referrals().child}</dt>
                <dd>{match child_link { Some(href) => view! { <A href=href>{packet.child.full_name.clone()}</A> }.into_any(), None => packet.child.full_name.clone().into_any() }}
                    " · " {packet.child.sex.label(i18n.lang_untracked())}</dd>
                <dt>{move || i18n.referrals().born}</dt><dd>{format_date(packet.child.date_of_birth)}</dd>
                <dt>{move || i18n.referrals().guardian}</dt>
                <dd>{packet.child.guardian_name.clone()} " (" {packet.child.guardian_relation.label(i18n.lang_untracked())} ")"
                    {packet.child.guardian_phone.clone().map(|p| view! { " · " <a href=format!("tel:{p}")>{p.clone()}</a> })}</dd>
                <dt>{move || i18n.referrals().reason}</dt><dd id="referral-reason">{r.reason.clone()}</dd>
                {r.done_already.clone().map(|d| view! { <dt>{move || i18n.referrals().done_already}</dt><dd>{d}</dd> })}
                {r.emergency_reason.clone().map(|d| view! { <dt>{move || i18n.referrals().emergency_reason}</dt><dd>{d}</dd> })}
            </dl>
            <h2>{move || i18n.referrals().screenings}</h2>
            <ul class="plain" id="referral-screenings">
                {packet.screenings.iter().map(|s| view! { <li>{screening_line(s, i18n.lang_untracked())}</li> }).collect_view()}
            </ul>
            {(!packet.sensitive.is_empty()).then(|| view! {
                <div class="sensitive" id="referral-sensitive">
                    <h3>{move || i18n.referrals().sensitive}</h3>
                    <ul class="plain">{packet.sensitive.iter().map(|a| {
                        let text = find_version(&a.instrument_id, &a.instrument_version)
                            .and_then(|i| i.item(&a.item_id).map(|item| item.text.get(i18n.lang_untracked()).to_string()))
                            .unwrap_or_else(|| a.item_id.clone());
                        let answer = a.value.map(|v| v.to_string()).or(a.text.clone()).unwrap_or_default();
                        view! { <li>{text} ": " <strong>{answer}</strong></li> }
                    }).collect_view()}</ul>
                </div>
            })}
            <p class="actions">
                <A href=format!("/referrals/{}/slip", item.id) attr:class="button secondary" attr:id="print-slip">{move || i18n.referrals().print_slip}</A>
                {can_refer_onward.then(|| view! {
                    <A href=format!("/referrals/{}/onward", item.id) attr:class="button secondary" attr:id="refer-onward">{move || i18n.referrals().onward}</A>
                })}
            </p>
        </article>
        {(previous.is_some() || !onward.is_empty()).then(|| view! {
            <article class="card" id="referral-chain">
                <h2>{move || i18n.referrals().chain}</h2>
                <ul class="plain">
                    {previous.map(|p| view! { <li>"← " <A href=format!("/referrals/{p}")>{move || network.facility_name(all.with(|l| l.iter().find(|i| i.id == p).map_or(Uuid::nil(), |i| i.sender)))}</A></li> })}
                    {onward.into_iter().map(|o| view! { <li>"→ " <A href=format!("/referrals/{}", o.id)>{let to = o.referral.to_facility; move || network.facility_name(to)}</A> " " {status_badge(o.status, i18n)}</li> }).collect_view()}
                </ul>
            </article>
        })}
        <Timeline events=item.events.clone()/>
    }
}

#[component]
fn FeedbackCard(event: EventItem) -> impl IntoView {
    let i18n = use_i18n();
    let Some(f) = event.event.feedback.clone() else {
        return ().into_any();
    };
    let services = f
        .services
        .iter()
        .map(|s| s.label(i18n.lang_untracked()))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <article class="card feedback" id="referral-feedback">
            <h2>{move || i18n.referrals().feedback_title}</h2>
            <dl class="facts">
                <dt>{move || i18n.referrals().found}</dt><dd id="feedback-found">{f.found.clone()}</dd>
                {(!services.is_empty()).then(|| view! { <dt>{move || i18n.referrals().services}</dt><dd>{services.clone()}</dd> })}
                {f.for_school.clone().map(|t| view! { <dt>{move || i18n.referrals().for_school}</dt><dd id="feedback-school">{t}</dd> })}
                {f.for_family.clone().map(|t| view! { <dt>{move || i18n.referrals().for_family}</dt><dd>{t}</dd> })}
                {f.follow_up_on.map(|d| view! { <dt>{move || i18n.referrals().follow_up_on}</dt><dd>{format_date(d)}</dd> })}
                {f.note.clone().map(|t| view! { <dt>{move || i18n.referrals().note}</dt><dd>{t}</dd> })}
            </dl>
            <p class="muted">{event.event.by.clone()} " · " {format_date_time(event.event.at)}</p>
        </article>
    }
    .into_any()
}

#[component]
fn Timeline(events: Vec<EventItem>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <article class="card" id="referral-timeline">
            <h2>{move || i18n.referrals().timeline}</h2>
            <ol class="timeline">
                {events.into_iter().map(|e| {
                    let ev = e.event;
                    let refused = ev.refusal.map(|r| r.message(i18n.lang_untracked()));
                    let is_refused = refused.is_some();
                    view! {
                        <li class:refused=is_refused class:pending=e.pending data-action=ev.action.code()>
                            <strong>{move || ev.action.label(i18n.lang())}</strong>
                            " · " {ev.by.clone()} " · " {format_date_time(ev.at)}
                            {e.pending.then(|| view! { " " <span class="badge warn">{move || i18n.referrals().pending}</span> })}
                            {ev.appointment.map(|a| view! { " · " {move || i18n.referrals().appointment} ": " {a.format("%d/%m/%Y %H:%M").to_string()} })}
                            {ev.attended_on.map(|d| view! { " · " {format_date(d)} })}
                            {ev.reason.clone().map(|r| view! { <br/><span class="muted">{r}</span> })}
                            {refused.map(|why| view! { <br/><span class="field-error">{move || (i18n.referrals().refused)(&why)}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </article>
    }
}
