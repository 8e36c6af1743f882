//! `/indicators`: the programme's indicators against their targets, the monthly trend, the
//! units furthest from target, breakdowns, the referral loop, and the annual report as Excel,
//! CSV or print. Officers read the server's aggregates for their area (small counts hidden);
//! facility staff see their own facility's figures computed on the device from its records with
//! the same `shared` code, offline too. Every figure opens into the rows behind it ([`rows`]).

pub mod charts;
pub mod dashboard;
pub mod rows;

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::api::{CurrentUser, Facility};
use shared::indicators::{
    compute, Dataset, FacilityFact, IndicatorsView, Period, RecordRef, Suppression,
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
pub fn today(network: crate::pages::referrals::Network) -> NaiveDate {
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
    pub year: i32,
    pub area: Option<Uuid>,
    pub facility: Option<Uuid>,
}

impl Choice {
    /// The query string the server's indicator endpoints take.
    pub fn query(&self) -> String {
        let mut q = format!("year={}", self.year);
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
    let this_year = Period::year_of(today(sync.network));
    let year = RwSignal::new(this_year);
    let area = RwSignal::new(None::<Uuid>);
    let facility = RwSignal::new(None::<Uuid>);
    let choice = Memo::new(move |_| Choice {
        year: year.get(),
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
        let y = year.get();
        Some(IndicatorsView {
            scope: user.facility_name.clone().unwrap_or_default(),
            year: y,
            report: compute(&data, Period::reporting_year(y), day),
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
            <h1>{move || i18n.rp().title}</h1>
            <div class="filters no-print">
                <label>{move || i18n.rp().year} " "
                    <select id="indicator-year" on:change=move |e| year.set(event_target_value(&e).parse().unwrap_or(this_year))>
                        {(0..3).map(|back| { let y = this_year - back; view! { <option value=y.to_string()>{move || (i18n.rp().year_label)(y)}</option> } }).collect_view()}
                    </select>
                </label>
                <Show when=move || aggregate>
                    <label>{move || i18n.rp().area} " "
                        <select id="indicator-area" on:change=move |e| { area.set(Uuid::parse_str(&event_target_value(&e)).ok()); facility.set(None); }>
                            {move || areas.get().unwrap_or_default().into_iter()
                                .filter(|a| Some(a.id) == own_area || a.parent_id == own_area && a.parent_id.is_some())
                                .filter(|a| a.level != shared::place::AreaLevel::LegacyDistrict)
                                .map(|a| view! { <option value=a.id.to_string() selected=Some(a.id) == own_area>{a.name.clone()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>{move || i18n.rp().facility} " "
                        <select id="indicator-facility" on:change=move |e| facility.set(Uuid::parse_str(&event_target_value(&e)).ok())>
                            <option value="">{move || i18n.rp().all_facilities}</option>
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
                        None => return view! { <p>{i18n.t().loading}</p> }.into_any(),
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
        </section>
    }
}

/// The suppression a view's numbers are shown with.
pub fn suppression(view: &IndicatorsView) -> Suppression {
    Suppression {
        below: view.suppress_below,
    }
}
