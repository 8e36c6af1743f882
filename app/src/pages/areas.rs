//! Area administration (part of the facilities page): add provinces, communes and legacy districts.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{Area, LoadProvince, NewArea, OfficialProvince, ProvinceLoaded, UpdateArea};
use shared::place::AreaLevel;
use shared::text::{fold, matches};
use uuid::Uuid;

use crate::api::use_api;
use crate::components::form::{row_updater, Feedback, Field, Notice, SelectField};
use crate::i18n::use_i18n;
use crate::pages::facilities::Directory;

/// Loads the province's official units from the list shipped with the server (the first step
/// of an installation started without `--province`; again, harmlessly, at any time).
#[component]
pub fn OfficialList(on_saved: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let province = RwSignal::new(String::new());
    let feedback = Feedback::default();
    let provinces = LocalResource::new(move || async move {
        api.get::<Vec<OfficialProvince>>("/api/areas/official")
            .await
            .unwrap_or_default()
    });
    let options = Signal::derive(move || {
        provinces
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.code.clone(), format!("{} ({})", p.name, p.code)))
            .collect()
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let request = LoadProvince {
            province_code: province.get_untracked(),
        };
        spawn_local(async move {
            match api
                .post::<_, ProvinceLoaded>("/api/areas/official", &request)
                .await
            {
                Ok(loaded) => {
                    feedback.ok(&(i18n.imports().official_loaded)(
                        loaded.communes_added,
                        loaded.districts_added,
                    ));
                    on_saved.run(());
                }
                Err(failure) => feedback.failed(&failure, i18n),
            }
        });
    };
    view! {
        <details class="card">
            <summary id="official-list">{move || i18n.imports().official_title}</summary>
            <form autocomplete="off" on:submit=submit novalidate=true>
                <p class="muted">{move || i18n.imports().official_intro}</p>
                <Notice message=feedback.message/>
                <SelectField name="province_code" label=|t| t.province value=province errors=feedback.errors
                    options=options placeholder=|t| t.choose/>
                <div class="form-actions">
                    <button type="submit" class="button primary" id="load-official">{move || i18n.imports().official_load}</button>
                </div>
            </form>
        </details>
    }
}

#[component]
pub fn AreaForm(directory: Directory, on_saved: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let level = RwSignal::new(AreaLevel::Commune.code().to_string());
    let parent = RwSignal::new(String::new());
    let feedback = Feedback::default();
    let provinces = Signal::derive(move || {
        directory
            .areas
            .iter()
            .filter(|a| a.level == AreaLevel::Province)
            .map(|a| (a.id.to_string(), a.name.clone()))
            .collect()
    });
    let levels = Signal::derive(move || {
        [
            AreaLevel::Province,
            AreaLevel::Commune,
            AreaLevel::LegacyDistrict,
        ]
        .iter()
        .map(|l| (l.code().to_string(), l.label(i18n.lang()).to_string()))
        .collect()
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let request = NewArea {
            code: code.get_untracked(),
            name: name.get_untracked(),
            level: AreaLevel::from_code(&level.get_untracked()).unwrap_or(AreaLevel::Commune),
            parent_id: Uuid::parse_str(&parent.get_untracked()).ok(),
            successor_id: None,
        };
        let request = match request.clean() {
            Ok(request) => request,
            Err(problems) => {
                return feedback.invalid(problems.messages(i18n.lang()), i18n);
            }
        };
        spawn_local(async move {
            match api.post::<_, Area>("/api/areas", &request).await {
                Ok(_) => {
                    code.set(String::new());
                    name.set(String::new());
                    feedback.ok(i18n.texts().saved);
                    on_saved.run(());
                }
                Err(failure) => feedback.failed(&failure, i18n),
            }
        });
    };
    view! {
        <details class="card">
            <summary id="add-area">{move || i18n.texts().add_area}</summary>
            <form autocomplete="off" on:submit=submit novalidate=true>
                <Notice message=feedback.message/>
                <div class="form-grid">
                    <Field name="code" label=|t| t.area_code value=code errors=feedback.errors required=true/>
                    <Field name="name" label=|t| t.name value=name errors=feedback.errors required=true/>
                    <SelectField name="level" label=|t| t.area_level value=level errors=feedback.errors options=levels/>
                    <SelectField name="parent_id" label=|t| t.area value=parent errors=feedback.errors options=provinces placeholder=|t| t.choose/>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button primary">{move || i18n.texts().create}</button>
                </div>
            </form>
        </details>
    }
}

/// The areas, filtered as the administrator types (a code, or words of a name without accents),
/// each with its name and official code editable.
#[component]
pub fn AreaTable(
    directory: Directory,
    feedback: Feedback,
    on_saved: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Uuid>);
    let update = row_updater::<UpdateArea, Area>("/api/areas", editing, feedback, on_saved);
    let rows = move || {
        let wanted = fold(&query.get());
        directory
            .areas
            .iter()
            .filter(|area| wanted.is_empty() || area.code.starts_with(wanted.as_str()) || matches(&fold(&area.name), &wanted))
            .map(|area| {
                let level = area.level;
                let id = area.id;
                let successor = directory.area_name(area.successor_id);
                let parent = directory.area_name(area.parent_id);
                let edit_form = {
                    let area = area.clone();
                    move || view! { <EditArea area=area.clone() update=update cancel=Callback::new(move |()| editing.set(None))/> }
                };
                view! {
                    <tr>
                        <td><strong>{area.name.clone()}</strong></td>
                        <td>{area.code.clone()}</td>
                        <td>{move || level.label(i18n.lang())}</td>
                        <td>{parent}</td>
                        <td>{successor}</td>
                        <td>
                            <button type="button" class="link-button" on:click=move |_| editing.set(Some(id))>{move || i18n.texts().edit}</button>
                            <Show when=move || editing.get() == Some(id)>{edit_form.clone()}</Show>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="filters">
            <label>
                <span>{move || i18n.texts().search}</span>
                <input type="search" id="area-search" bind:value=query autocomplete="off"/>
            </label>
        </div>
        <div class="table-wrap" tabindex="0">
            <table id="areas-table">
                <thead><tr>
                    <th>{move || i18n.texts().name}</th>
                    <th>{move || i18n.texts().area_code}</th>
                    <th>{move || i18n.texts().area_level}</th>
                    <th>{move || i18n.texts().area}</th>
                    <th>{move || i18n.texts().successor}</th>
                    <th>{move || i18n.texts().action}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Corrects an area's name or official code (sources disagree on some codes).
#[component]
fn EditArea(
    area: Area,
    update: Callback<(Uuid, UpdateArea, Feedback)>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(area.name.clone());
    let code = RwSignal::new(area.code.clone());
    let feedback = Feedback::default();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let change = UpdateArea {
            code: Some(code.get_untracked()),
            name: Some(name.get_untracked()),
            successor_id: None,
            active: None,
        };
        match change.clean() {
            Ok(change) => update.run((area.id, change, feedback)),
            Err(problems) => feedback.invalid(problems.messages(i18n.lang()), i18n),
        }
    };
    view! {
        <form autocomplete="off" class="editing" on:submit=submit novalidate=true>
            <Notice message=feedback.message/>
            <Field name="name" label=|t| t.name value=name errors=feedback.errors/>
            <Field name="code" label=|t| t.area_code value=code errors=feedback.errors/>
            <div class="form-actions">
                <button type="submit" class="button primary small">{move || i18n.texts().save}</button>
                <button type="button" class="button secondary small" on:click=move |_| cancel.run(())>{move || i18n.texts().cancel}</button>
            </div>
        </form>
    }
}
