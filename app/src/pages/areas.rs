//! Area administration (part of the facilities page): add provinces, communes and legacy districts.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{Area, NewArea};
use shared::place::AreaLevel;
use uuid::Uuid;

use crate::api::use_api;
use crate::components::form::{Feedback, Field, Notice, SelectField};
use crate::i18n::use_i18n;
use crate::pages::facilities::Directory;

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
                    feedback.ok(i18n.t().saved);
                    on_saved.run(());
                }
                Err(failure) => feedback.failed(&failure, i18n),
            }
        });
    };
    view! {
        <details class="card">
            <summary id="add-area">{move || i18n.t().add_area}</summary>
            <form on:submit=submit novalidate=true>
                <Notice message=feedback.message/>
                <div class="form-grid">
                    <Field name="code" label=|t| t.area_code value=code errors=feedback.errors required=true/>
                    <Field name="name" label=|t| t.name value=name errors=feedback.errors required=true/>
                    <SelectField name="level" label=|t| t.area_level value=level errors=feedback.errors options=levels/>
                    <SelectField name="parent_id" label=|t| t.area value=parent errors=feedback.errors options=provinces placeholder=|t| t.choose/>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button primary">{move || i18n.t().create}</button>
                </div>
            </form>
        </details>
    }
}

#[component]
pub fn AreaTable(directory: Directory) -> impl IntoView {
    let i18n = use_i18n();
    let rows = directory
        .areas
        .iter()
        .map(|area| {
            let level = area.level;
            let successor = directory.area_name(area.successor_id);
            let parent = directory.area_name(area.parent_id);
            view! {
                <tr>
                    <td><strong>{area.name.clone()}</strong></td>
                    <td>{area.code.clone()}</td>
                    <td>{move || level.label(i18n.lang())}</td>
                    <td>{parent}</td>
                    <td>{successor}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table id="areas-table">
                <thead><tr>
                    <th>{move || i18n.t().name}</th>
                    <th>{move || i18n.t().area_code}</th>
                    <th>{move || i18n.t().area_level}</th>
                    <th>{move || i18n.t().area}</th>
                    <th>{move || i18n.t().successor}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
