//! Facility and area administration: add, edit, deactivate facilities; add areas.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{Area, Facility, NewFacility, UpdateFacility};
use shared::place::{AreaLevel, FacilityType};
use shared::text::{fold, matches};
use uuid::Uuid;

use crate::api::{use_api, ApiFailure};
use crate::components::form::{row_updater, Feedback, Field, Notice, SelectField, StatusBadge};
use crate::components::import::ImportPanel;
use crate::i18n::{use_i18n, I18n};
use crate::pages::areas::{AreaForm, AreaTable, OfficialList};
use shared::import::ImportKind;

/// The directory as this page shows it, loaded together and reloaded after each change.
#[derive(Clone)]
pub struct Directory {
    pub facilities: Vec<Facility>,
    pub areas: Vec<Area>,
}

impl Directory {
    pub fn area_name(&self, id: Option<Uuid>) -> String {
        id.and_then(|id| self.areas.iter().find(|a| a.id == id))
            .map(|a| a.name.clone())
            .unwrap_or_default()
    }

    /// Areas a facility can be in: active provinces and communes (not abolished districts).
    fn facility_areas(&self) -> Vec<(String, String)> {
        self.areas
            .iter()
            .filter(|a| a.active && a.level != AreaLevel::LegacyDistrict)
            .map(|a| (a.id.to_string(), a.name.clone()))
            .collect()
    }
}

fn type_options(i18n: I18n) -> Vec<(String, String)> {
    FacilityType::ALL
        .iter()
        .map(|t| (t.code().to_string(), t.label(i18n.lang()).to_string()))
        .collect()
}

#[component]
pub fn FacilitiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let version = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        version.track();
        async move {
            let facilities = api
                .get::<Vec<Facility>>("/api/facilities?include_inactive=true")
                .await?;
            let areas = api.get::<Vec<Area>>("/api/areas").await?;
            Ok::<_, ApiFailure>(Directory { facilities, areas })
        }
    });
    let feedback = Feedback::default();
    let reload = Callback::new(move |()| version.update(|v| *v += 1));

    view! {
        <section class="page">
            <h1>{move || i18n.texts().nav_facilities}</h1>
            <Notice message=feedback.message/>
            // Outside the reloaded part, so that the report stays after the list reloads.
            <ImportPanel kind=ImportKind::Facilities on_done=reload/>
            {move || match data.get() {
                None => view! { <p class="muted">{move || i18n.texts().loading}</p> }.into_any(),
                Some(Err(failure)) => view! { <p class="notice error" role="alert">{failure.message(i18n)}</p> }.into_any(),
                Some(Ok(directory)) => view! {
                    <FacilityForm directory=directory.clone() on_saved=reload/>
                    <FacilityTable directory=directory.clone() feedback=feedback on_saved=reload/>
                    <div class="section-head"><h2>{move || i18n.texts().areas_title}</h2></div>
                    <OfficialList on_saved=reload/>
                    <AreaForm directory=directory.clone() on_saved=reload/>
                    <AreaTable directory=directory feedback=feedback on_saved=reload/>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn FacilityForm(directory: Directory, on_saved: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let facility_type = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let feedback = Feedback::default();
    let areas = Signal::derive(move || directory.facility_areas());

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut problems = BTreeMap::new();
        let required = shared::validate::Problem::Required.message(i18n.lang());
        let chosen_type = FacilityType::from_code(&facility_type.get_untracked());
        let chosen_area = Uuid::parse_str(&area.get_untracked()).ok();
        if chosen_type.is_none() {
            problems.insert("facility_type".to_string(), required.clone());
        }
        if chosen_area.is_none() {
            problems.insert("area_id".to_string(), required);
        }
        let request = NewFacility {
            code: code.get_untracked(),
            name: name.get_untracked(),
            facility_type: chosen_type.unwrap_or(FacilityType::PrimarySchool),
            area_id: chosen_area.unwrap_or_default(),
            address: address.get_untracked(),
            phone: phone.get_untracked(),
        };
        let request = match request.clean() {
            Ok(request) if problems.is_empty() => request,
            Ok(_) => return feedback.invalid(problems, i18n),
            Err(field_errors) => {
                problems.extend(field_errors.messages(i18n.lang()));
                return feedback.invalid(problems, i18n);
            }
        };
        spawn_local(async move {
            match api.post::<_, Facility>("/api/facilities", &request).await {
                Ok(_) => {
                    for field in [code, name, facility_type, area, address, phone] {
                        field.set(String::new());
                    }
                    feedback.ok(i18n.texts().saved);
                    on_saved.run(());
                }
                Err(failure) => feedback.failed(&failure, i18n),
            }
        });
    };

    view! {
        <details class="card">
            <summary id="add-facility">{move || i18n.texts().add_facility}</summary>
            <form autocomplete="off" on:submit=submit novalidate=true>
                <Notice message=feedback.message/>
                <div class="form-grid">
                    <Field name="name" label=|t| t.name value=name errors=feedback.errors required=true/>
                    <Field name="code" label=|t| t.facility_code value=code errors=feedback.errors/>
                    <SelectField name="facility_type" label=|t| t.facility_type value=facility_type errors=feedback.errors
                        options=Signal::derive(move || type_options(i18n)) placeholder=|t| t.choose/>
                    <SelectField name="area_id" label=|t| t.area value=area errors=feedback.errors options=areas placeholder=|t| t.choose/>
                    <Field name="address" label=|t| t.address value=address errors=feedback.errors/>
                    <Field name="phone" label=|t| t.phone value=phone errors=feedback.errors input_type="tel"/>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button primary" id="create-facility">{move || i18n.texts().create}</button>
                </div>
            </form>
        </details>
    }
}

#[component]
fn FacilityTable(
    directory: Directory,
    feedback: Feedback,
    on_saved: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(None::<Uuid>);
    let update =
        row_updater::<UpdateFacility, Facility>("/api/facilities", editing, feedback, on_saved);
    let query = RwSignal::new(String::new());
    let rows = move || {
        let wanted = fold(&query.get());
        let code = query.get().trim().to_uppercase();
        directory
        .facilities
        .iter()
        .filter(|f| {
            wanted.is_empty()
                || f.code.as_deref().is_some_and(|c| c.starts_with(&code))
                || matches(&fold(&f.name), &wanted)
        })
        .cloned()
        .map(|facility| {
            let id = facility.id;
            let active = facility.active;
            let area = directory.area_name(Some(facility.area_id));
            let edit_form = {
                let facility = facility.clone();
                move || view! { <EditFacility facility=facility.clone() update=update cancel=Callback::new(move |()| editing.set(None))/> }
            };
            view! {
                <tr>
                    <td><strong>{facility.name.clone()}</strong>
                        {facility.code.clone().map(|code| view! { <br/><span class="muted">{code}</span> })}</td>
                    <td>{move || facility.facility_type.label(i18n.lang())}</td>
                    <td>{area}</td>
                    <td class="hide-small">{facility.phone.clone()}</td>
                    <td><StatusBadge active=active/></td>
                    <td>
                        <div class="row-actions">
                            <button type="button" class="link-button" on:click=move |_| editing.set(Some(id))>{move || i18n.texts().edit}</button>
                            <button type="button" class="link-button"
                                on:click=move |_| update.run((id, UpdateFacility { active: Some(!active), ..Default::default() }, feedback))>
                                {move || if active { i18n.texts().deactivate } else { i18n.texts().reactivate }}
                            </button>
                        </div>
                        <Show when=move || editing.get() == Some(id)>{edit_form.clone()}</Show>
                    </td>
                </tr>
            }
        })
        .collect_view()
    };
    view! {
        <div class="section-head"><h2>{move || i18n.texts().nav_directory}</h2></div>
        <div class="filters">
            <label>
                <span>{move || i18n.texts().search}</span>
                <input type="search" id="facility-search" bind:value=query autocomplete="off"/>
            </label>
        </div>
        <div class="table-wrap" tabindex="0">
            <table id="facilities-table">
                <thead><tr>
                    <th>{move || i18n.texts().name}</th>
                    <th>{move || i18n.texts().facility_type}</th>
                    <th>{move || i18n.texts().area}</th>
                    <th class="hide-small">{move || i18n.texts().phone}</th>
                    <th>{move || i18n.texts().status}</th>
                    <th>{move || i18n.texts().action}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn EditFacility(
    facility: Facility,
    update: Callback<(Uuid, UpdateFacility, Feedback)>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(facility.name.clone());
    let code = RwSignal::new(facility.code.clone().unwrap_or_default());
    let address = RwSignal::new(facility.address.clone().unwrap_or_default());
    let phone = RwSignal::new(facility.phone.clone().unwrap_or_default());
    let feedback = Feedback::default();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let change = UpdateFacility {
            code: Some(code.get_untracked()),
            name: Some(name.get_untracked()),
            address: Some(address.get_untracked()),
            phone: Some(phone.get_untracked()),
            ..Default::default()
        };
        match change.clean() {
            Ok(change) => update.run((facility.id, change, feedback)),
            Err(problems) => feedback.invalid(problems.messages(i18n.lang()), i18n),
        }
    };
    view! {
        <form autocomplete="off" class="editing" on:submit=submit novalidate=true>
            <Notice message=feedback.message/>
            <Field name="name" label=|t| t.name value=name errors=feedback.errors/>
            <Field name="code" label=|t| t.facility_code value=code errors=feedback.errors/>
            <Field name="address" label=|t| t.address value=address errors=feedback.errors/>
            <Field name="phone" label=|t| t.phone value=phone errors=feedback.errors input_type="tel"/>
            <div class="form-actions">
                <button type="submit" class="button primary small">{move || i18n.texts().save}</button>
                <button type="button" class="button secondary small" on:click=move |_| cancel.run(())>{move || i18n.texts().cancel}</button>
            </div>
        </form>
    }
}
