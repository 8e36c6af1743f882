//! User administration: the list, a form to add a user (with a one-time password shown once),
//! inline editing of name, role and workplace, disabling and password resets.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{Area, Facility, NewUser, UpdateUser, User, UserWithPassword};
use shared::lang::format_date_time;
use shared::place::AreaLevel;
use shared::role::Role;
use uuid::Uuid;

use crate::api::{use_api, ApiFailure};
use crate::components::form::{Field, FieldErrorMap, Notice, SelectField};
use crate::i18n::{use_i18n, I18n};

/// Everything the page shows, loaded together and reloaded after each change.
#[derive(Clone)]
struct Directory {
    users: Vec<User>,
    facilities: Vec<Facility>,
    areas: Vec<Area>,
}

impl Directory {
    fn workplace(&self, user: &User) -> String {
        let facility = user
            .facility_id
            .and_then(|id| self.facilities.iter().find(|f| f.id == id));
        match facility {
            Some(facility) => facility.name.clone(),
            None => self
                .areas
                .iter()
                .find(|a| a.id == user.area_id)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
        }
    }

    /// Where a user of this role can be placed: fitting facilities, or provinces and communes.
    fn placements(&self, role: Option<Role>) -> Vec<(String, String)> {
        match role {
            Some(role) if role.belongs_to_area() => self
                .areas
                .iter()
                .filter(|a| a.active && a.level != AreaLevel::LegacyDistrict)
                .map(|a| (a.id.to_string(), a.name.clone()))
                .collect(),
            Some(role) => self
                .facilities
                .iter()
                .filter(|f| f.active && role.fits_facility(f.facility_type))
                .map(|f| (f.id.to_string(), f.name.clone()))
                .collect(),
            None => Vec::new(),
        }
    }
}

fn role_options(i18n: I18n) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|role| (role.code().to_string(), role.label(i18n.lang()).to_string()))
        .collect()
}

/// The placement as the request wants it: a facility for facility roles, an area otherwise.
fn placement(role: Role, chosen: &str) -> (Option<Uuid>, Option<Uuid>) {
    let id = Uuid::parse_str(chosen).ok();
    if role.belongs_to_area() {
        (None, id)
    } else {
        (id, None)
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let version = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        version.track();
        async move {
            let users = api.get::<Vec<User>>("/api/users").await?;
            let facilities = api.get::<Vec<Facility>>("/api/facilities").await?;
            let areas = api.get::<Vec<Area>>("/api/areas").await?;
            Ok::<_, ApiFailure>(Directory {
                users,
                facilities,
                areas,
            })
        }
    });
    let secret = RwSignal::new(None::<UserWithPassword>);
    let message = RwSignal::new(None);
    let reload = Callback::new(move |()| version.update(|v| *v += 1));

    view! {
        <section class="page">
            <h1>{move || i18n.t().nav_users}</h1>
            {move || secret.get().map(|created| view! {
                <p class="notice secret" role="status" id="one-time-password">
                    {(i18n.t().one_time_password_for)(&created.user.username)} " "
                    <code id="one-time-password-value">{created.one_time_password.clone()}</code>
                    <br/>{i18n.t().one_time_password_help}
                </p>
            })}
            <Notice message=message/>
            {move || match data.get() {
                None => view! { <p class="muted">{move || i18n.t().loading}</p> }.into_any(),
                Some(Err(failure)) => view! { <p class="notice error" role="alert">{failure.message(i18n)}</p> }.into_any(),
                Some(Ok(directory)) => view! {
                    <NewUserForm directory=directory.clone() secret=secret on_saved=reload/>
                    <UserTable directory=directory secret=secret message=message on_saved=reload/>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn NewUserForm(
    directory: Directory,
    secret: RwSignal<Option<UserWithPassword>>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let username = RwSignal::new(String::new());
    let full_name = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let errors: FieldErrorMap = RwSignal::new(BTreeMap::new());
    let message = RwSignal::new(None);
    let chosen_role = move || Role::from_code(&role.get());
    let placements = Signal::derive(move || directory.placements(chosen_role()));
    let place_label = move || {
        if chosen_role().is_some_and(Role::belongs_to_area) {
            "area_id"
        } else {
            "facility_id"
        }
    };

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(chosen) = Role::from_code(&role.get_untracked()) else {
            errors.set(BTreeMap::from([(
                "role".into(),
                shared::validate::Problem::Required.message(i18n.lang()),
            )]));
            return;
        };
        let (facility_id, area_id) = placement(chosen, &place.get_untracked());
        let request = NewUser {
            username: username.get_untracked(),
            full_name: full_name.get_untracked(),
            role: chosen,
            facility_id,
            area_id,
        };
        let request = match request.clean() {
            Ok(request) => request,
            Err(problems) => {
                errors.set(problems.messages(i18n.lang()));
                message.set(Some((true, i18n.t().fix_fields.to_string())));
                return;
            }
        };
        errors.set(BTreeMap::new());
        spawn_local(async move {
            match api
                .post::<_, UserWithPassword>("/api/users", &request)
                .await
            {
                Ok(created) => {
                    for field in [username, full_name, role, place] {
                        field.set(String::new());
                    }
                    message.set(None);
                    secret.set(Some(created));
                    on_saved.run(());
                }
                Err(failure) => {
                    errors.set(failure.fields());
                    message.set(Some((true, failure.message(i18n))));
                }
            }
        });
    };

    view! {
        <details class="card">
            <summary id="add-user">{move || i18n.t().add_user}</summary>
            <form on:submit=submit novalidate=true>
                <Notice message=message/>
                <div class="form-grid">
                    <Field name="username" label=|t| t.username value=username errors=errors required=true/>
                    <Field name="full_name" label=|t| t.full_name value=full_name errors=errors required=true/>
                    <SelectField name="role" label=|t| t.role value=role errors=errors
                        options=Signal::derive(move || role_options(i18n)) placeholder=|t| t.choose/>
                    {move || {
                        let name = place_label();
                        let label: crate::components::form::Text = if name == "area_id" { |t| t.area } else { |t| t.workplace };
                        view! { <SelectField name=name label=label value=place errors=errors options=placements placeholder=|t| t.choose/> }
                    }}
                </div>
                <div class="form-actions">
                    <button type="submit" class="button primary" id="create-user">{move || i18n.t().create}</button>
                </div>
            </form>
        </details>
    }
}

#[component]
fn UserTable(
    directory: Directory,
    secret: RwSignal<Option<UserWithPassword>>,
    message: RwSignal<Option<(bool, String)>>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let editing = RwSignal::new(None::<Uuid>);
    let update = Callback::new(move |(id, change): (Uuid, UpdateUser)| {
        spawn_local(async move {
            match api
                .patch::<_, User>(&format!("/api/users/{id}"), &change)
                .await
            {
                Ok(_) => {
                    editing.set(None);
                    message.set(Some((false, i18n.t().saved.to_string())));
                    on_saved.run(());
                }
                Err(failure) => message.set(Some((true, failure.message(i18n)))),
            }
        });
    });
    let reset = move |id: Uuid| {
        spawn_local(async move {
            match api
                .post::<_, UserWithPassword>(&format!("/api/users/{id}/reset-password"), &())
                .await
            {
                Ok(reset) => {
                    secret.set(Some(reset));
                    on_saved.run(());
                }
                Err(failure) => message.set(Some((true, failure.message(i18n)))),
            }
        });
    };

    let rows = directory
        .users
        .iter()
        .cloned()
        .map(|user| {
            let id = user.id;
            let workplace = directory.workplace(&user);
            let directory = directory.clone();
            let active = user.active;
            let pending = user.must_change_password;
            let last = user.last_sign_in_at.map(format_date_time);
            let full_name = user.full_name.clone();
            view! {
                <tr data-username=user.username.clone()>
                    <td><strong>{user.full_name.clone()}</strong><br/><span class="muted">{user.username.clone()}</span></td>
                    <td>{move || user.role.label(i18n.lang())}</td>
                    <td>{workplace}</td>
                    <td>
                        {move || if active { view! { <span class="badge">{i18n.t().active}</span> }.into_any() }
                            else { view! { <span class="badge off">{i18n.t().inactive}</span> }.into_any() }}
                        {move || pending.then(|| view! { " " <span class="badge warn">{i18n.t().must_change_badge}</span> })}
                    </td>
                    <td class="hide-small">{let last = last.clone(); move || last.clone().unwrap_or_else(|| i18n.t().never.to_string())}</td>
                    <td>
                        <div class="row-actions">
                            <button type="button" class="link-button" on:click=move |_| editing.set(Some(id))>{move || i18n.t().edit}</button>
                            <button type="button" class="link-button" on:click=move |_| update.run((id, UpdateUser { active: Some(!active), ..Default::default() }))>
                                {move || if active { i18n.t().disable } else { i18n.t().enable }}
                            </button>
                            <button type="button" class="link-button" on:click=move |_| reset(id)>{move || i18n.t().reset_password}</button>
                        </div>
                        <Show when=move || editing.get() == Some(id)>
                            <EditUser directory=directory.clone() role=user.role full_name=full_name.clone() id=id update=update cancel=Callback::new(move |()| editing.set(None))/>
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <div class="table-wrap">
            <table id="users-table">
                <thead>
                    <tr>
                        <th>{move || i18n.t().full_name}</th>
                        <th>{move || i18n.t().role}</th>
                        <th>{move || i18n.t().workplace}</th>
                        <th>{move || i18n.t().status}</th>
                        <th class="hide-small">{move || i18n.t().last_sign_in}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn EditUser(
    directory: Directory,
    id: Uuid,
    role: Role,
    full_name: String,
    update: Callback<(Uuid, UpdateUser)>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(full_name);
    let role_code = RwSignal::new(role.code().to_string());
    let place = RwSignal::new(String::new());
    let errors: FieldErrorMap = RwSignal::new(BTreeMap::new());
    let placements =
        Signal::derive(move || directory.placements(Role::from_code(&role_code.get())));
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let new_role = Role::from_code(&role_code.get_untracked()).unwrap_or(role);
        let (facility_id, area_id) = placement(new_role, &place.get_untracked());
        update.run((
            id,
            UpdateUser {
                full_name: Some(name.get_untracked()),
                role: Some(new_role),
                facility_id,
                area_id,
                active: None,
            },
        ));
    };
    view! {
        <form class="editing" on:submit=submit novalidate=true>
            <Field name="full_name" label=|t| t.full_name value=name errors=errors/>
            <SelectField name="role" label=|t| t.role value=role_code errors=errors options=Signal::derive(move || role_options(i18n))/>
            <SelectField name="place" label=|t| t.workplace value=place errors=errors options=placements placeholder=|t| t.choose/>
            <div class="form-actions">
                <button type="submit" class="button primary small">{move || i18n.t().save}</button>
                <button type="button" class="button secondary small" on:click=move |_| cancel.run(())>{move || i18n.t().cancel}</button>
            </div>
        </form>
    }
}
