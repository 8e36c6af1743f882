//! The facility directory as every user sees it: who is in the network, where, and how to call them.

use leptos::prelude::*;
use shared::api::{Area, Facility, PlaceMatch};
use shared::place::{AreaLevel, FacilityType};
use shared::text::{fold, matches};

use crate::api::use_api;
use crate::i18n::use_i18n;

/// The directory with its areas, loaded together.
#[derive(Clone)]
struct Directory {
    facilities: Vec<Facility>,
    areas: Vec<Area>,
}

impl Directory {
    fn area_name(&self, id: uuid::Uuid) -> String {
        self.areas
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    }
}

#[component]
pub fn DirectoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let data = LocalResource::new(move || async move {
        let facilities = api.get::<Vec<Facility>>("/api/facilities").await?;
        let areas = api.get::<Vec<Area>>("/api/areas").await?;
        Ok::<_, crate::api::ApiFailure>(Directory { facilities, areas })
    });
    let type_filter = RwSignal::new(String::new());
    let area_filter = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    // A search that names a commune from before the 2025 reform ("Xã Quang Trung, huyện Trùng
    // Khánh") also finds the facilities of the commune that took it over (asked of the server;
    // offline, the search is by name and code only).
    let former = LocalResource::new(move || {
        let text = search.get();
        async move {
            if text.trim().chars().count() < 4 {
                return Vec::new();
            }
            let query: String = js_sys::encode_uri_component(text.trim()).into();
            api.get::<Vec<PlaceMatch>>(&format!("/api/areas/resolve?q={query}"))
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|m| m.former.is_some())
                .collect()
        }
    });

    let rows = move |directory: Directory| {
        let wanted_type = type_filter.get();
        let wanted_area = area_filter.get();
        let needle = fold(&search.get());
        let code = search.get().trim().to_uppercase();
        let mapped: Vec<PlaceMatch> = former.get().unwrap_or_default();
        let matching: Vec<Facility> = directory
            .facilities
            .iter()
            .filter(|f| wanted_type.is_empty() || f.facility_type.code() == wanted_type)
            .filter(|f| wanted_area.is_empty() || f.area_id.to_string() == wanted_area)
            .filter(|f| {
                needle.is_empty()
                    || matches(&fold(&f.name), &needle)
                    || matches(&fold(&directory.area_name(f.area_id)), &needle)
                    || f.code.as_deref().is_some_and(|c| c.starts_with(&code))
                    || mapped.iter().any(|m| m.area_id == f.area_id)
            })
            .cloned()
            .collect();
        let hint = mapped
            .iter()
            .map(|m| {
                (i18n.texts().former_commune)(m.former.as_deref().unwrap_or_default(), &m.name)
            })
            .collect::<Vec<_>>()
            .join(" ");
        let hint = (!hint.is_empty())
            .then(|| view! { <p class="notice" role="status" id="former-commune">{hint}</p> });
        if matching.is_empty() {
            return view! { {hint} <p class="empty">{move || i18n.texts().no_facilities}</p> }
                .into_any();
        }
        let items = matching
            .into_iter()
            .map(|facility| {
                let area = directory.area_name(facility.area_id);
                let phone = facility.phone.clone();
                view! {
                    <li class="facility">
                        <div class="facility-name">{facility.name.clone()}</div>
                        <div class="muted">
                            {move || facility.facility_type.label(i18n.lang())} " · " {area.clone()}
                        </div>
                        {facility.address.clone().map(|address| view! { <div class="muted">{address}</div> })}
                        {phone.map(|phone| view! { <a class="phone" href=format!("tel:{phone}")>"☎ " {phone.clone()}</a> })}
                    </li>
                }
            })
            .collect_view();
        view! { {hint} <ul class="facility-list" id="directory-list">{items}</ul> }.into_any()
    };

    view! {
        <section class="page">
            <h1>{move || i18n.texts().nav_directory}</h1>
            <p class="lead">{move || i18n.texts().directory_intro}</p>
            <div class="filters">
                <label>
                    <span>{move || i18n.texts().facility_type}</span>
                    <select on:change=move |e| type_filter.set(event_target_value(&e))>
                        <option value="">{move || i18n.texts().all}</option>
                        {move || FacilityType::ALL.iter().map(|t| view! {
                            <option value=t.code()>{t.label(i18n.lang())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>{move || i18n.texts().commune}</span>
                    <select on:change=move |e| area_filter.set(event_target_value(&e))>
                        <option value="">{move || i18n.texts().all}</option>
                        {move || data.get().and_then(Result::ok).map(|d| d.areas.into_iter()
                            .filter(|a| a.active && a.level != AreaLevel::LegacyDistrict)
                            .map(|a| view! { <option value=a.id.to_string()>{a.name}</option> })
                            .collect_view())}
                    </select>
                </label>
                <label>
                    <span>{move || i18n.texts().search}</span>
                    <input type="search" id="directory-search" bind:value=search/>
                </label>
            </div>
            {move || match data.get() {
                None => view! { <p class="muted">{move || i18n.texts().loading}</p> }.into_any(),
                Some(Err(failure)) => view! { <p class="notice error" role="alert">{failure.message(i18n)}</p> }.into_any(),
                Some(Ok(directory)) => rows(directory),
            }}
        </section>
    }
}
