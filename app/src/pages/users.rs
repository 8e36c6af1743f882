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
use shared::validate::Problem;
use uuid::Uuid;

use crate::api::{use_api, ApiFailure};
use crate::components::form::{
    row_updater, Feedback, Field, Notice, SelectField, StatusBadge, Text,
};
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

    /// Where a user of this role can be placed: provinces and communes for area roles, then the
    /// facilities that fit the role (an integration system may take either).
    fn placements(&self, role: Option<Role>) -> Vec<(String, String)> {
        let Some(role) = role else {
            return Vec::new();
        };
        let mut places = Vec::new();
        if role.may_belong_to_area() {
            places.extend(
                self.areas
                    .iter()
                    .filter(|a| a.active && a.level != AreaLevel::LegacyDistrict)
                    .map(|a| (a.id.to_string(), a.name.clone())),
            );
        }
        if !role.belongs_to_area() {
            places.extend(
                self.facilities
                    .iter()
                    .filter(|f| f.active && role.fits_facility(f.facility_type))
                    .map(|f| (f.id.to_string(), f.name.clone())),
            );
        }
        places
    }

    /// The placement as the request wants it: `(facility, area)`, one of them set by what was
    /// chosen (an area for area roles, a facility for facility roles, either for a system).
    fn placement(&self, role: Role, chosen: &str) -> (Option<Uuid>, Option<Uuid>) {
        let id = Uuid::parse_str(chosen).ok();
        let is_area = id.is_some_and(|id| self.areas.iter().any(|a| a.id == id));
        if role.belongs_to_area() || (role.may_belong_to_area() && is_area) {
            (None, id)
        } else {
            (id, None)
        }
    }
}

fn role_options(i18n: I18n) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|role| (role.code().to_string(), role.label(i18n.lang()).to_string()))
        .collect()
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
    let feedback = Feedback::default();
    let reload = Callback::new(move |()| version.update(|v| *v += 1));

    view! {
        <section class="page">
            <h1>{move || i18n.texts().nav_users}</h1>
            {move || secret.get().map(|created| view! {
                <p class="notice secret" role="status" id="one-time-password">
                    {(i18n.texts().one_time_password_for)(&created.user.username)} " "
                    <code id="one-time-password-value">{created.one_time_password.clone()}</code>
                    <br/>{i18n.texts().one_time_password_help}
                </p>
            })}
            <Notice message=feedback.message/>
            // Outside the reloaded part: the one-time passwords stay until the page is left.
            <crate::components::import::ImportPanel kind=shared::import::ImportKind::Users on_done=reload/>
            {move || match data.get() {
                None => view! { <p class="muted">{move || i18n.texts().loading}</p> }.into_any(),
                Some(Err(failure)) => view! { <p class="notice error" role="alert">{failure.message(i18n)}</p> }.into_any(),
                Some(Ok(directory)) => view! {
                    <NewUserForm directory=directory.clone() secret=secret on_saved=reload/>
                    <UserTable directory=directory secret=secret feedback=feedback on_saved=reload/>
                }.into_any(),
            }}
        </section>
    }
}

/// The workplace select: facilities that fit the chosen role, or areas for officers and
/// administrators. Its field name follows, so the server's problem lands next to it.
#[component]
fn PlacementSelect(
    directory: Directory,
    role: RwSignal<String>,
    value: RwSignal<String>,
    feedback: Feedback,
) -> impl IntoView {
    let chosen_role = move || Role::from_code(&role.get());
    let options = Signal::derive(move || directory.placements(chosen_role()));
    move || {
        let for_area = chosen_role().is_some_and(Role::belongs_to_area);
        let (name, label): (&'static str, Text) = if for_area {
            ("area_id", |t| t.area)
        } else {
            ("facility_id", |t| t.workplace)
        };
        view! { <SelectField name=name label=label value=value errors=feedback.errors options=options placeholder=|t| t.choose/> }
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
    let feedback = Feedback::default();

    let placer = directory.clone();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(chosen) = Role::from_code(&role.get_untracked()) else {
            feedback.invalid(
                BTreeMap::from([("role".into(), Problem::Required.message(i18n.lang()))]),
                i18n,
            );
            return;
        };
        let (facility_id, area_id) = placer.placement(chosen, &place.get_untracked());
        let request = NewUser {
            username: username.get_untracked(),
            full_name: full_name.get_untracked(),
            role: chosen,
            facility_id,
            area_id,
        };
        let request = match request.clean() {
            Ok(request) => request,
            Err(problems) => return feedback.invalid(problems.messages(i18n.lang()), i18n),
        };
        spawn_local(async move {
            match api
                .post::<_, UserWithPassword>("/api/users", &request)
                .await
            {
                Ok(created) => {
                    for field in [username, full_name, role, place] {
                        field.set(String::new());
                    }
                    feedback.clear();
                    secret.set(Some(created));
                    on_saved.run(());
                }
                Err(failure) => feedback.failed(&failure, i18n),
            }
        });
    };

    view! {
        <details class="card">
            <summary id="add-user">{move || i18n.texts().add_user}</summary>
            <form autocomplete="off" on:submit=submit novalidate=true>
                <Notice message=feedback.message/>
                <div class="form-grid">
                    <Field name="username" label=|t| t.username value=username errors=feedback.errors required=true/>
                    <Field name="full_name" label=|t| t.full_name value=full_name errors=feedback.errors required=true/>
                    <SelectField name="role" label=|t| t.role value=role errors=feedback.errors
                        options=Signal::derive(move || role_options(i18n)) placeholder=|t| t.choose/>
                    <PlacementSelect directory=directory role=role value=place feedback=feedback/>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button primary" id="create-user">{move || i18n.texts().create}</button>
                </div>
            </form>
        </details>
    }
}

#[component]
fn UserTable(
    directory: Directory,
    secret: RwSignal<Option<UserWithPassword>>,
    feedback: Feedback,
    on_saved: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let editing = RwSignal::new(None::<Uuid>);
    let update = row_updater::<UpdateUser, User>("/api/users", editing, feedback, on_saved);
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
                Err(failure) => feedback.failed(&failure, i18n),
            }
        });
    };

    // Lifts the waits that others' wrong guesses put on this account (never a lockout, but an
    // unknown device waits up to the throttle window).
    let unlock = move |id: Uuid| {
        spawn_local(async move {
            match api
                .post::<_, User>(&format!("/api/users/{id}/unlock"), &())
                .await
            {
                Ok(user) => feedback.ok(&(i18n.texts().unlocked)(&user.full_name)),
                Err(failure) => feedback.failed(&failure, i18n),
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
            let edit_form = {
                let (role, full_name) = (user.role, user.full_name.clone());
                move || view! { <EditUser directory=directory.clone() id=id role=role full_name=full_name.clone()
                    update=update cancel=Callback::new(move |()| editing.set(None))/> }
            };
            view! {
                <tr data-username=user.username.clone()>
                    <td><strong>{user.full_name.clone()}</strong><br/><span class="muted">{user.username.clone()}</span></td>
                    <td>{move || user.role.label(i18n.lang())}</td>
                    <td>{workplace}</td>
                    <td>
                        <StatusBadge active=active/>
                        {move || pending.then(|| view! { " " <span class="badge warn">{i18n.texts().must_change_badge}</span> })}
                    </td>
                    <td class="hide-small">{move || last.clone().unwrap_or_else(|| i18n.texts().never.to_string())}</td>
                    <td>
                        <div class="row-actions">
                            <button type="button" class="link-button" on:click=move |_| editing.set(Some(id))>{move || i18n.texts().edit}</button>
                            <button type="button" class="link-button"
                                on:click=move |_| update.run((id, UpdateUser { active: Some(!active), ..Default::default() }, feedback))>
                                {move || if active { i18n.texts().disable } else { i18n.texts().enable }}
                            </button>
                            <button type="button" class="link-button" on:click=move |_| reset(id)>{move || i18n.texts().reset_password}</button>
                            <button type="button" class="link-button unlock" on:click=move |_| unlock(id)>{move || i18n.texts().unlock}</button>
                        </div>
                        <Show when=move || editing.get() == Some(id)>{edit_form.clone()}</Show>
                    </td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <div class="table-wrap" tabindex="0">
            <table id="users-table">
                <thead>
                    <tr>
                        <th>{move || i18n.texts().full_name}</th>
                        <th>{move || i18n.texts().role}</th>
                        <th>{move || i18n.texts().workplace}</th>
                        <th>{move || i18n.texts().status}</th>
                        <th class="hide-small">{move || i18n.texts().last_sign_in}</th>
                        <th>{move || i18n.texts().action}</th>
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
    update: Callback<(Uuid, UpdateUser, Feedback)>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(full_name);
    let role_code = RwSignal::new(role.code().to_string());
    let place = RwSignal::new(String::new());
    let feedback = Feedback::default();
    let placer = directory.clone();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let new_role = Role::from_code(&role_code.get_untracked()).unwrap_or(role);
        let (facility_id, area_id) = placer.placement(new_role, &place.get_untracked());
        let change = UpdateUser {
            full_name: Some(name.get_untracked()),
            role: Some(new_role),
            facility_id,
            area_id,
            active: None,
        };
        match change.clean() {
            Ok(change) => update.run((id, change, feedback)),
            Err(problems) => feedback.invalid(problems.messages(i18n.lang()), i18n),
        }
    };
    view! {
        <form autocomplete="off" class="editing" on:submit=submit novalidate=true>
            <Notice message=feedback.message/>
            <Field name="full_name" label=|t| t.full_name value=name errors=feedback.errors/>
            <SelectField name="role" label=|t| t.role value=role_code errors=feedback.errors options=Signal::derive(move || role_options(i18n))/>
            <PlacementSelect directory=directory role=role_code value=place feedback=feedback/>
            <div class="form-actions">
                <button type="submit" class="button primary small">{move || i18n.texts().save}</button>
                <button type="button" class="button secondary small" on:click=move |_| cancel.run(())>{move || i18n.texts().cancel}</button>
            </div>
        </form>
    }
}
