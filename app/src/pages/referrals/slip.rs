//! The printable referral slip (`/referrals/:id/slip`, A4 or A5) in the style of the health
//! sector's "giấy chuyển tuyến", with a QR code linking back to the app with the server's
//! signature; and the page that link opens (`/r/:id?s=`), which asks the server whether the slip
//! is genuine and opens the referral for a party to it. Sensitive answers never go on paper.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use qrcode::render::svg;
use qrcode::QrCode;
use shared::lang::{format_date, format_date_time};
use shared::referral::slip::{self, SlipCheck};
use uuid::Uuid;

use super::detail::screening_line;
use crate::api::{use_api, ApiFailure};
use crate::i18n::use_i18n;
use crate::sync::use_sync;

/// Why a cancelled referral was cancelled (`None` while it is not).
pub fn cancel_reason(item: &super::Item) -> Option<String> {
    (item.status == shared::referral::Status::Cancelled).then(|| {
        item.events
            .iter()
            .rev()
            .find(|e| e.event.action == shared::referral::Action::Cancel)
            .and_then(|e| e.event.reason.clone())
            .unwrap_or_default()
    })
}

/// The QR code of a link, as SVG markup.
fn qr_svg(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(150, 150)
            .quiet_zone(true)
            .build(),
    )
}

#[component]
pub fn SlipPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let network = sync.network;
    let size = RwSignal::new("a4");
    let referrals = super::use_referrals();
    let item = Memo::new(move |_| {
        let id = params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()))?;
        referrals
            .all
            .with(|all| all.iter().find(|i| i.id == id).cloned())
    });
    let print = |_| {
        let _ = window().print();
    };
    view! {
        <section class="page slip-page">
            <p class="actions no-print">
                <label>{move || i18n.referrals().slip_size} " "
                    <select id="slip-size" on:change=move |e| size.set(if event_target_value(&e) == "a5" { "a5" } else { "a4" })>
                        <option value="a4">"A4"</option>
                        <option value="a5">"A5"</option>
                    </select>
                </label>
                " " <button type="button" class="button primary" on:click=print>{move || i18n.referrals().slip_print}</button>
            </p>
            // The printed page size follows the choice.
            <style>{move || format!("@page {{ size: {}; margin: 12mm; }}", if size.get() == "a5" { "A5" } else { "A4" })}</style>
            {move || item.get().map(|item| {
                let r = item.referral.clone();
                let p = r.packet.clone();
                let lang = i18n.lang();
                let qr = r.signature.as_ref().and_then(|sig| {
                    let origin = window().location().origin().ok()?;
                    qr_svg(&slip::link(&origin, item.id, sig))
                });
                view! {
                    <article class=move || format!("slip slip-{}", size.get()) id="slip">
                        <header class="slip-head">
                            <div>
                                <strong>{let sender = item.sender; move || network.facility_name(sender)}</strong>
                                <br/>{i18n.referrals().slip_code} ": " <strong id="slip-code">{slip::short_code(item.id)}</strong>
                            </div>
                            <div class="slip-nation">
                                <strong>"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"</strong><br/>
                                <span class="underline">"Độc lập - Tự do - Hạnh phúc"</span>
                            </div>
                        </header>
                        {cancel_reason(&item).map(|reason| view! {
                            <p class="slip-cancelled" id="slip-cancelled" role="note">{(i18n.referrals().cancelled_mark)(&reason)}</p>
                        })}
                        <h1 class="slip-title">{i18n.referrals().slip_title}</h1>
                        <p class="slip-subtitle">{i18n.referrals().slip_subtitle}</p>
                        <p>{i18n.referrals().to} ": " <strong id="slip-to">{let to = r.to_facility; move || network.facility_name(to)}</strong></p>
                        <dl class="facts">
                            <dt>{i18n.referrals().child}</dt><dd id="slip-child">{p.child.full_name.clone()} " · " {p.child.sex.label(lang)}</dd>
                            <dt>{i18n.referrals().born}</dt><dd>{format_date(p.child.date_of_birth)}</dd>
                            <dt>{i18n.referrals().guardian}</dt><dd>{p.child.guardian_name.clone()} " (" {p.child.guardian_relation.label(lang)} ")" {p.child.guardian_phone.clone().map(|ph| format!(" · {ph}"))}</dd>
                            <dt>{i18n.referrals().urgency}</dt><dd>{r.urgency.label(lang)}</dd>
                            <dt>{i18n.referrals().reason}</dt><dd>{r.reason.clone()}</dd>
                            {r.done_already.clone().map(|d| view! { <dt>{i18n.referrals().done_already}</dt><dd>{d}</dd> })}
                            <dt>{i18n.referrals().screenings}</dt>
                            <dd><ul class="plain">{p.screenings.iter().map(|s| view! { <li>{screening_line(s, lang)}</li> }).collect_view()}</ul></dd>
                        </dl>
                        <div class="slip-foot">
                            <div class="slip-qr" id="slip-qr">
                                {match qr {
                                    Some(svg) => view! { <div inner_html=svg></div> }.into_any(),
                                    None => view! { <p class="notice warn" id="slip-unsigned">{i18n.referrals().slip_unsigned}</p> }.into_any(),
                                }}
                            </div>
                            <div class="slip-sign">
                                <p>{format_date_time(r.sent_at)}</p>
                                <p><strong>{i18n.referrals().slip_sender_sign}</strong></p>
                                <p class="sign-space"></p>
                                <p>{r.sent_by.clone()}</p>
                            </div>
                            <div class="slip-sign">
                                <p>"\u{a0}"</p>
                                <p><strong>{i18n.referrals().slip_receiver_sign}</strong></p>
                                <p class="sign-space"></p>
                            </div>
                        </div>
                    </article>
                }
            })}
        </section>
    }
}

/// `/r/:id?s=`: where a scanned slip lands.
#[component]
pub fn VerifySlipPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let params = use_params_map();
    let query = use_query_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let signature = query.with_untracked(|q| q.get("s")).unwrap_or_default();
    let check = LocalResource::new(move || {
        let signature = signature.clone();
        async move {
            let id = id?;
            let path = format!(
                "/api/referrals/{id}/slip?s={}",
                js_sys::encode_uri_component(&signature)
            );
            Some(api.get::<SlipCheck>(&path).await)
        }
    });
    view! {
        <section class="page">
            <h1>{move || i18n.referrals().verify_title}</h1>
            {move || match check.get() {
                None => view! { <p>{i18n.texts().loading}</p> }.into_any(),
                Some(None) => view! { <p class="empty">{i18n.texts().not_found}</p> }.into_any(),
                Some(Some(Err(ApiFailure::Unreachable))) => view! { <p class="notice warn" id="slip-check">{i18n.referrals().verify_offline}</p> }.into_any(),
                Some(Some(Err(failure))) => view! { <p class="notice error">{failure.message(i18n)}</p> }.into_any(),
                Some(Some(Ok(answer))) => view! {
                    <p class=if answer.genuine { "notice ok" } else { "notice error" } id="slip-check" data-genuine=answer.genuine.to_string()>
                        {if answer.genuine { i18n.referrals().verify_genuine } else { i18n.referrals().verify_forged }}
                        " (" {answer.short_code.clone()} ")"
                    </p>
                    {(answer.can_open).then(|| view! {
                        <A href=format!("/referrals/{}", id.unwrap_or_default()) attr:class="button primary">{i18n.referrals().verify_open}</A>
                    })}
                }.into_any(),
            }}
        </section>
    }
}
