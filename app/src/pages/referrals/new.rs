//! Making a referral: `/children/:id/refer` (from the child's page or a screening result, with
//! `?screening=` attached) and `/referrals/:id/onward` (the receiver refers onward, passing the
//! packet on). The target comes from the kept directory, the child's commune first. Choosing
//! hotline 111 shows a call card and records the call instead of sending a packet.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use shared::api::Facility;
use shared::care::{Session, SessionKind};
use shared::consent::Purpose;
use shared::instrument::FlagLevel;
use shared::lang::{format_date, vietnam_offset};
use shared::place::FacilityType;
use shared::referral::{sharing_purpose, Packet, Referral, Urgency};
use shared::sync::RecordType;
use shared::urgent::Standing;
use uuid::Uuid;

use super::actions::RefField;
use super::detail::screening_line;
use crate::components::form::{Feedback, Notice};
use crate::i18n::use_i18n;
use crate::pages::screening::consent::ConsentForm;
use crate::pages::screening::toggle;
use crate::records::child::child_of;
use crate::records::child::{consents_of, screenings_of};
use crate::session::use_session;
use crate::sync::use_sync;

/// Who is referred, and from where: a child of my facility, or the packet of a referral I received.
#[derive(Clone, PartialEq)]
struct Subject {
    child_id: Uuid,
    name: String,
    commune: Option<Uuid>,
    /// For a child of my facility: its screenings (id, one-line summary, urgent flag).
    screenings: Vec<(Uuid, String, Option<FlagLevel>)>,
    onward_from: Option<(Uuid, Packet)>,
}

#[component]
pub fn NewReferralPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let path_id = move || params.with(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let referrals = super::use_referrals();
    let subject = Memo::new(move |_| {
        let id = path_id()?;
        sync.records.with(|records| {
            if let Some(child) = records.iter().find(|r| r.id == id).and_then(child_of) {
                let screenings = screenings_of(records, id)
                    .into_iter()
                    .filter(|(_, s)| !s.is_voided())
                    .map(|(sid, s)| {
                        let summary =
                            Packet::build(&child, &[(sid, s.clone())], &[], s.screened_on);
                        let line = screening_line(&summary.screenings[0], i18n.lang_untracked());
                        (sid, line, s.result.urgency())
                    })
                    .collect();
                return Some(Subject {
                    child_id: id,
                    name: child.full_name.clone(),
                    commune: Some(child.commune_id),
                    screenings,
                    onward_from: None,
                });
            }
            referrals
                .all
                .with(|all| all.iter().find(|i| i.id == id).cloned())
                .map(|item| Subject {
                    child_id: item.referral.child_id,
                    name: item.child_name().to_string(),
                    commune: None,
                    screenings: Vec::new(),
                    onward_from: Some((item.id, item.referral.packet.clone())),
                })
        })
    });
    view! {
        <section class="page">
            {move || match subject.get() {
                None => view! { <p class="empty">{i18n.texts().not_found}</p> }.into_any(),
                Some(subject) => view! { <ReferralForm subject=subject/> }.into_any(),
            }}
        </section>
    }
}

/// The referral the form opens with: the screening it came from (or the standing flag's), the
/// urgency the flag implies, and the screening's line as the reason.
fn opening(
    subject: &Subject,
    standing: Option<Standing>,
    from_query: Option<Uuid>,
) -> (Vec<Uuid>, Urgency, String) {
    let standing = standing.filter(|_| subject.onward_from.is_none());
    let from_screening = from_query.or(standing.and_then(|s| s.screening_id));
    let picked = subject
        .screenings
        .iter()
        .find(|(id, _, _)| Some(*id) == from_screening);
    let flag = picked
        .and_then(|(_, _, flag)| *flag)
        .or(standing.map(|s| s.level));
    let urgency = match flag {
        Some(FlagLevel::Acute) => Urgency::Emergency,
        Some(FlagLevel::NonAcute) => Urgency::Urgent,
        None => Urgency::Routine,
    };
    let reason = picked.map(|(_, line, _)| line.clone()).unwrap_or_default();
    (from_screening.into_iter().collect(), urgency, reason)
}

/// The facilities a referral may go to (those a packet may be shared with, and hotline 111),
/// filtered by type and commune, the child's commune first.
fn targets_for(
    all: &[Facility],
    wanted: Option<FacilityType>,
    in_area: Option<Uuid>,
    mine: Option<Uuid>,
    commune: Option<Uuid>,
) -> Vec<Facility> {
    let mut list: Vec<Facility> = all
        .iter()
        .filter(|f| f.active && Some(f.id) != mine)
        .filter(|f| {
            sharing_purpose(f.facility_type).is_some()
                || f.facility_type == FacilityType::Hotline111
        })
        .filter(|f| wanted.is_none_or(|t| f.facility_type == t))
        .filter(|f| in_area.is_none_or(|a| f.area_id == a))
        .cloned()
        .collect();
    list.sort_by_key(|f| {
        (
            Some(f.area_id) != commune,
            f.facility_type != FacilityType::Hotline111,
            f.name.clone(),
        )
    });
    list
}

#[component]
fn ReferralForm(subject: Subject) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let query = use_query_map();
    let navigate = StoredValue::new(use_navigate());
    let network = sync.network;
    let me = session.user_untracked();
    let my_facility = me.as_ref().and_then(|u| u.facility_id);
    let my_name = StoredValue::new(me.map(|u| u.full_name).unwrap_or_default());
    let feedback = Feedback::default();

    // From a result, its screening; from the child's page, the screening of the child's standing
    // urgent flag. A flag sets the urgency the safety pathway implies.
    let standing = sync
        .records
        .with_untracked(|r| crate::records::child::urgent_flag(r, subject.child_id));
    let from_query =
        query.with_untracked(|q| q.get("screening").and_then(|s| Uuid::parse_str(&s).ok()));
    let (attached, urgency, reason) = opening(&subject, standing, from_query);
    let attached = RwSignal::new(attached);
    let urgency = RwSignal::new(urgency);
    let reason = RwSignal::new(reason);
    let done = RwSignal::new(String::new());
    let emergency = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());

    let commune = subject.commune;
    let targets = Memo::new(move |_| {
        let wanted = FacilityType::from_code(&kind.get());
        let in_area = Uuid::parse_str(&area.get()).ok();
        network
            .facilities
            .with(|all| targets_for(all, wanted, in_area, my_facility, commune))
    });
    let chosen = Memo::new(move |_| {
        let id = Uuid::parse_str(&target.get()).ok()?;
        targets.with(|l| l.iter().find(|f| f.id == id).cloned())
    });
    let is_hotline = move || {
        chosen.with(|f| {
            f.as_ref()
                .is_some_and(|f| f.facility_type == FacilityType::Hotline111)
        })
    };
    let subject = StoredValue::new(subject);
    let packet = move || -> Option<Packet> {
        let s = subject.get_value();
        if let Some((_, packet)) = s.onward_from {
            // An onward referral passes the same packet on.
            return Some(packet);
        }
        let today = network.now().with_timezone(&vietnam_offset()).date_naive();
        sync.records.with(|records| {
            let child = records
                .iter()
                .find(|r| r.id == s.child_id)
                .and_then(child_of)?;
            let picked = attached.get();
            let screenings: Vec<_> = screenings_of(records, s.child_id)
                .into_iter()
                .filter(|(id, _)| picked.contains(id))
                .collect();
            let consents: Vec<_> = consents_of(records, s.child_id)
                .into_iter()
                .map(|(_, _, c)| c)
                .collect();
            Some(Packet::build(&child, &screenings, &consents, today))
        })
    };
    // A memo: the consent form below keeps what is typed into it while records sync or
    // screenings are ticked; it is rebuilt only when the answer changes.
    let consented = Memo::new(move |_| {
        let purpose = chosen
            .get()
            .and_then(|f| sharing_purpose(f.facility_type))?;
        packet().map(|p| p.consent_covers(purpose))
    });

    let send = move |_| {
        let Some(facility_id) = my_facility else {
            return;
        };
        let Some(packet) = packet() else { return };
        let to = chosen.get_untracked();
        let s = subject.get_value();
        let referral = Referral {
            child_id: s.child_id,
            to_facility: to.as_ref().map_or(Uuid::nil(), |f| f.id),
            urgency: urgency.get_untracked(),
            reason: reason.get_untracked(),
            done_already: Some(done.get_untracked()),
            screening_ids: attached.get_untracked(),
            emergency_reason: Some(emergency.get_untracked()),
            onward_from: s.onward_from.as_ref().map(|(id, _)| *id),
            sent_at: network.now(),
            sent_by: my_name.get_value(),
            actor: None,
            packet,
            status: Default::default(),
            status_at: None,
            signature: None,
        };
        let clean = match referral.check_new(facility_id, to.map(|f| f.facility_type)) {
            Ok(clean) => clean,
            Err(errors) => return feedback.invalid(errors.messages(i18n.lang()), i18n),
        };
        let id = Uuid::now_v7();
        let navigate = navigate.get_value();
        spawn_local(async move {
            match sync
                .save(RecordType::Referral, id, facility_id, clean.to_fields())
                .await
            {
                Ok(_) => navigate(&format!("/referrals/{id}"), Default::default()),
                Err(error) => feedback.message.set(Some((false, error.0))),
            }
        });
    };
    // A sharing consent can be recorded here, as on the child's page.
    let own_consent_form = move || {
        let s = subject.get_value();
        let purpose = chosen
            .get_untracked()
            .and_then(|f| sharing_purpose(f.facility_type));
        let child = sync.records.with_untracked(|r| {
            r.iter()
                .find(|r| r.id == s.child_id)
                .and_then(|r| child_of(r).map(|c| (r.facility_id, c)))
        });
        child.filter(|_| s.onward_from.is_none()).map(|(facility_id, child)| view! {
            <div id="referral-form-consent">
                <ConsentForm child_id=s.child_id facility_id=facility_id child=child purpose=purpose.unwrap_or(Purpose::ShareHealth)/>
            </div>
        })
    };
    let name = subject.with_value(|s| s.name.clone());
    let own_child = subject.with_value(|s| s.onward_from.is_none());
    let child_id = subject.with_value(|s| s.child_id);
    view! {
        <h1>{move || (i18n.referrals().refer_title)(&name)}</h1>
        <Notice message=feedback.message/>
        <TargetPicker kind=kind area=area target=target targets=targets feedback=feedback/>
        <Show when=is_hotline>
            <HotlineCard child_id=child_id own_child=own_child feedback=feedback/>
        </Show>
        <Show when=move || !is_hotline()>
            <article class="card">
                <fieldset class="choices">
                    <legend>{move || i18n.referrals().urgency}</legend>
                    {Urgency::ALL.into_iter().map(|u| view! {
                        <label class="check"><input type="radio" name="urgency" value=u.code() prop:checked=move || urgency.get() == u
                            on:change=move |_| urgency.set(u)/>{move || u.label(i18n.lang())}</label>
                    }).collect_view()}
                </fieldset>
                <RefField name="reason" label=|r| r.reason value=reason errors=feedback.errors multiline=true/>
                <RefField name="done_already" label=|r| r.done_already value=done errors=feedback.errors multiline=true/>
                <Show when=move || own_child>
                    <fieldset class="choices" id="attach-screenings">
                        <legend>{move || i18n.referrals().attach}</legend>
                        {subject.with_value(|s| s.screenings.clone()).into_iter().map(|(id, line, _)| view! {
                            <label class="check"><input type="checkbox" name="screening" value=id.to_string()
                                prop:checked=move || attached.with(|a| a.contains(&id)) on:change=move |_| toggle(attached, id)/>{line}</label>
                        }).collect_view()}
                        {subject.with_value(|s| s.screenings.is_empty()).then(|| view! { <p class="muted">{move || i18n.referrals().no_screenings}</p> })}
                    </fieldset>
                </Show>
                {move || match consented.get() {
                    Some(true) => view! { <p class="notice ok" id="consent-ok">{i18n.referrals().consent_ok}</p> }.into_any(),
                    Some(false) => view! {
                        <p class="notice warn" id="consent-missing">{i18n.referrals().consent_missing}</p>
                        {own_consent_form()}
                        <RefField name="emergency_reason" label=|r| r.emergency_reason value=emergency errors=feedback.errors multiline=true/>
                    }.into_any(),
                    None => ().into_any(),
                }}
                <p class="muted">{format_date(network.now().with_timezone(&vietnam_offset()).date_naive())} " · " {my_name.get_value()}</p>
                <button type="button" class="button primary" id="send-referral" on:click=send>{move || i18n.referrals().send}</button>
            </article>
        </Show>
    }
}

/// Where the referral goes: a type and a commune narrow the list of facilities.
#[component]
fn TargetPicker(
    kind: RwSignal<String>,
    area: RwSignal<String>,
    target: RwSignal<String>,
    targets: Memo<Vec<Facility>>,
    feedback: Feedback,
) -> impl IntoView {
    let i18n = use_i18n();
    let network = use_sync().network;
    let api = crate::api::use_api();
    let communes = LocalResource::new(move || crate::directory::communes(api));
    let type_options = move || {
        let mut types: Vec<FacilityType> = network
            .facilities
            .with(|all| all.iter().map(|f| f.facility_type).collect());
        types.sort_by_key(|t| t.code());
        types.dedup();
        types.retain(|t| sharing_purpose(*t).is_some() || *t == FacilityType::Hotline111);
        types
    };
    view! {
        <article class="card" id="referral-form">
            <div class="form-grid">
                <div class="field">
                    <label for="field-target-type">{move || i18n.referrals().target_type}</label>
                    <select id="field-target-type" on:change=move |e| { kind.set(event_target_value(&e)); target.set(String::new()); }>
                        <option value="">{move || i18n.texts().all}</option>
                        {move || type_options().into_iter().map(|t| view! { <option value=t.code()>{t.label(i18n.lang())}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="field-target-commune">{move || i18n.referrals().target_commune}</label>
                    <select id="field-target-commune" on:change=move |e| { area.set(event_target_value(&e)); target.set(String::new()); }>
                        <option value="">{move || i18n.texts().all}</option>
                        {move || communes.get().unwrap_or_default().into_iter().map(|a| view! { <option value=a.id.to_string()>{a.name.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field" class:invalid=move || feedback.errors.with(|e| e.contains_key("to_facility"))>
                    <label for="field-to_facility">{move || i18n.referrals().target}</label>
                    <select id="field-to_facility" name="to_facility" on:change=move |e| target.set(event_target_value(&e)) prop:value=move || target.get()>
                        <option value="">{move || i18n.texts().choose}</option>
                        {move || targets.get().into_iter().map(|f| {
                            let label = format!("{} ({})", f.name, f.facility_type.label(i18n.lang()));
                            view! { <option value=f.id.to_string()>{label}</option> }
                        }).collect_view()}
                    </select>
                    <p class="hint">{move || i18n.referrals().own_commune_first}</p>
                    <p class="field-error" role="alert">{move || feedback.errors.with(|e| e.get("to_facility").cloned())}</p>
                </div>
            </div>
        </article>
    }
}

/// Hotline 111 is a phone call: the steps, and the call recorded as a session of the child's.
#[component]
fn HotlineCard(child_id: Uuid, own_child: bool, feedback: Feedback) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let note = RwSignal::new(String::new());
    let call_recorded = RwSignal::new(false);
    let record_call = move |_| {
        let Some(facility_id) = session.user_untracked().and_then(|u| u.facility_id) else {
            return;
        };
        let call = Session {
            child_id,
            held_on: sync
                .network
                .now()
                .with_timezone(&vietnam_offset())
                .date_naive(),
            kind: SessionKind::Hotline111Call,
            held_by: session
                .user_untracked()
                .map(|u| u.full_name)
                .unwrap_or_default(),
            note: Some(note.get_untracked()),
            follow_up_on: None,
            voided_reason: None,
        };
        spawn_local(async move {
            match sync
                .save(
                    RecordType::Session,
                    Uuid::now_v7(),
                    facility_id,
                    shared::sync::to_fields(&call),
                )
                .await
            {
                Ok(_) => {
                    call_recorded.set(true);
                    feedback.ok(i18n.referrals().hotline_recorded);
                }
                Err(error) => feedback.message.set(Some((false, error.0))),
            }
        });
    };
    view! {
        <article class="card hotline" id="hotline-card">
            <h2>{move || i18n.referrals().hotline_title}</h2>
            <a class="button danger" href="tel:111">"☎ 111"</a>
            <ol>{move || i18n.referrals().hotline_steps.iter().map(|s| view! { <li>{*s}</li> }).collect_view()}</ol>
            <Show when=move || own_child>
                <RefField name="hotline_note" label=|r| r.hotline_note value=note errors=feedback.errors multiline=true/>
                <button type="button" class="button primary" id="record-call" disabled=move || call_recorded.get() on:click=record_call>
                    {move || i18n.referrals().hotline_record}
                </button>
            </Show>
        </article>
    }
}
