//! `/indicators`: the programme's indicators against their targets, the monthly trend, the
//! units furthest from target, breakdowns, the referral loop, and the annual report as Excel,
//! CSV or print. Officers read the server's aggregates for their area (small counts hidden);
//! facility staff see their own facility's figures computed on the device from its records with
//! the same `shared` code, offline too. Every figure opens into the rows behind it ([`rows`]).

pub mod charts;
pub mod dashboard;
pub mod frozen;
pub mod rows;
pub mod submit;

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::api::{CurrentUser, Facility};
use shared::indicators::{
    compute, Dataset, FacilityFact, IndicatorsView, Period, RecordRef, Span, Suppression,
};
use shared::lang::vietnam_offset;
use shared::role::Role;
use uuid::Uuid;

use crate::api::use_api;
use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::store::LocalRecord;
use crate::sync::use_sync;

/// Today in Vietnam, by the server's clock as last measured.
pub fn today(network: crate::directory::Network) -> NaiveDate {
    network.now().with_timezone(&vietnam_offset()).date_naive()
}

/// The facility's own data set, from this device's records.
pub fn local_dataset(
    records: &[LocalRecord],
    facilities: &[Facility],
    user: &CurrentUser,
) -> Dataset {
    let own = user.facility_id;
    let facts = facilities
        .iter()
        .map(|f| FacilityFact {
            id: f.id,
            name: f.name.clone(),
            facility_type: Some(f.facility_type),
            area_id: f.area_id,
            active: f.active,
            in_scope: Some(f.id) == own,
            counsellors: u32::from(Some(f.id) == own && user.role == Role::Counsellor),
        })
        .collect();
    let refs: Vec<RecordRef> = records
        .iter()
        .map(|r| RecordRef {
            record_type: r.record_type,
            id: r.id,
            facility_id: r.facility_id,
            fields: &r.fields,
        })
        .collect();
    let mut data = Dataset::from_records(facts, &refs, Default::default());
    // Records of my facility whose facility was missing from the kept directory count too.
    for f in &mut data.facilities {
        if Some(f.id) == own {
            f.in_scope = true;
        }
    }
    data
}

/// What the user chose to look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub span: Span,
    pub area: Option<Uuid>,
    pub facility: Option<Uuid>,
}

impl Choice {
    /// The query string the server's indicator endpoints take.
    pub fn query(&self) -> String {
        let mut q = format!("period={}", self.span.code());
        if let Some(area) = self.area {
            q.push_str(&format!("&area={area}"));
        }
        if let Some(facility) = self.facility {
            q.push_str(&format!("&facility={facility}"));
        }
        q
    }
}

#[component]
pub fn IndicatorsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let api = use_api();
    let user = session.user_untracked();
    let aggregate = user
        .as_ref()
        .is_some_and(|u| u.role.placed_on_area(u.facility_id.is_some()));
    let day = today(sync.network);
    let this_year = Period::year_of(day);
    // The report due next is shown first: after 30 November, the new year's six-month report.
    let span = RwSignal::new(Span::due_next(day));
    let custom = RwSignal::new(false);
    let area = RwSignal::new(None::<Uuid>);
    let facility = RwSignal::new(None::<Uuid>);
    let choice = Memo::new(move |_| Choice {
        span: span.get(),
        area: area.get(),
        facility: facility.get(),
    });
    let from_server = LocalResource::new(move || {
        let choice = choice.get();
        async move {
            if !aggregate {
                return None;
            }
            Some(
                api.get::<IndicatorsView>(&format!("/api/indicators?{}", choice.query()))
                    .await,
            )
        }
    });
    let local = Memo::new(move |_| {
        if aggregate {
            return None;
        }
        let user = session.user()?;
        let day = today(sync.network);
        let data = sync.network.facilities.with(|facilities| {
            sync.records
                .with(|records| local_dataset(records, facilities, &user))
        });
        let chosen = span.get();
        Some(IndicatorsView {
            scope: user.facility_name.clone().unwrap_or_default(),
            year: chosen.year(),
            report: compute(&data, chosen.period(), day),
            suppress_below: 0,
            aggregate: false,
        })
    });
    let areas = LocalResource::new(move || async move {
        api.get::<Vec<shared::api::Area>>("/api/areas")
            .await
            .unwrap_or_default()
    });
    let own_area = user.as_ref().map(|u| u.area_id);
    view! {
        <section class="page indicators-page">
            <h1>{move || i18n.report().title}</h1>
            <div class="filters no-print">
                <label>{move || i18n.report().period} " "
                    <select id="indicator-period" on:change=move |e| {
                        let value = event_target_value(&e);
                        custom.set(value == "custom");
                        if let Some(chosen) = Span::parse(&value) { span.set(chosen); }
                    }>
                        {move || {
                            let lang = i18n.lang();
                            let chosen = span.get_untracked();
                            (0..2).flat_map(|back| Span::choices(this_year - back)).map(|s| {
                                let p = s.period();
                                let label = if matches!(s, Span::Month(..)) {
                                    s.label(lang)
                                } else {
                                    format!("{} ({} – {})", s.label(lang), shared::lang::format_date(p.from), shared::lang::format_date(p.to))
                                };
                                view! { <option value=s.code() selected=s == chosen>{label}</option> }
                            }).collect_view()
                        }}
                        <option value="custom">{move || i18n.report().custom_period}</option>
                    </select>
                </label>
                <Show when=move || custom.get()>
                    <CustomPeriod span=span/>
                </Show>
                <Show when=move || aggregate>
                    <label>{move || i18n.report().area} " "
                        <select id="indicator-area" on:change=move |e| { area.set(Uuid::parse_str(&event_target_value(&e)).ok()); facility.set(None); }>
                            {move || areas.get().unwrap_or_default().into_iter()
                                .filter(|a| Some(a.id) == own_area || a.parent_id == own_area && a.parent_id.is_some())
                                .filter(|a| a.level != shared::place::AreaLevel::LegacyDistrict)
                                .map(|a| view! { <option value=a.id.to_string() selected=Some(a.id) == own_area>{a.name.clone()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>{move || i18n.report().facility} " "
                        <select id="indicator-facility" on:change=move |e| facility.set(Uuid::parse_str(&event_target_value(&e)).ok())>
                            <option value="">{move || i18n.report().all_facilities}</option>
                            {move || sync.network.facilities.get().into_iter()
                                .filter(|f| area.get().is_some_and(|a| f.area_id == a))
                                .map(|f| view! { <option value=f.id.to_string()>{f.name.clone()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                </Show>
            </div>
            {move || {
                let shown = if aggregate {
                    match from_server.get() {
                        None => return view! { <p>{i18n.texts().loading}</p> }.into_any(),
                        Some(Some(Ok(view))) => view,
                        Some(Some(Err(failure))) => return view! { <p class="notice error" role="alert">{failure.message(i18n)}</p> }.into_any(),
                        Some(None) => return ().into_any(),
                    }
                } else {
                    match local.get() {
                        Some(view) => view,
                        None => return ().into_any(),
                    }
                };
                view! { <dashboard::Dashboard shown=shown choice=choice.get()/> }.into_any()
            }}
            {user.clone().map(|user| {
                let chosen = Memo::new(move |_| span.get());
                view! { <submit::Submissions span=chosen user=user/> }
            })}
        </section>
    }
}

/// The suppression a view's numbers are shown with.
pub fn suppression(view: &IndicatorsView) -> Suppression {
    Suppression {
        below: view.suppress_below,
    }
}

/// Two dates for a period of the user's own choosing (at most two reporting years).
#[component]
fn CustomPeriod(span: RwSignal<Span>) -> impl IntoView {
    let i18n = use_i18n();
    let initial = span.get_untracked().period();
    let from = RwSignal::new(initial.from.to_string());
    let to = RwSignal::new(initial.to.to_string());
    let invalid = RwSignal::new(false);
    let apply =
        move || match Span::parse(&format!("{}..{}", from.get_untracked(), to.get_untracked())) {
            Some(chosen) => {
                invalid.set(false);
                span.set(chosen);
            }
            None => invalid.set(true),
        };
    view! {
        <label>{move || i18n.report().from_date} " "
            <input type="date" id="indicator-from" prop:value=from on:change=move |e| { from.set(event_target_value(&e)); apply(); }/>
        </label>
        <label>{move || i18n.report().to_date} " "
            <input type="date" id="indicator-to" prop:value=to on:change=move |e| { to.set(event_target_value(&e)); apply(); }/>
        </label>
        {move || invalid.get().then(|| view! { <p class="notice error" role="alert">{i18n.report().custom_period_invalid}</p> })}
    }
}
