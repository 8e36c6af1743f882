//! User administration: create, edit role and placement, disable, reset password.

use axum::extract::{Path, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use rusqlite::{params, Connection, OptionalExtension, Row};
use shared::api::{check_placement, ErrorBody, NewUser, UpdateUser, User, UserWithPassword};
use shared::place::{AreaLevel, FacilityType};
use shared::role::{Capability, Role};
use shared::validate::{FieldErrors, Problem};
use uuid::Uuid;

use crate::access;
use crate::audit::{self, Actor, Event};
use crate::auth::{self, password};
use crate::directory::bad_code;
use crate::error::ApiError;
use crate::extract::{AppJson, AuthUser};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(list_users).post(create_user))
        .route("/api/users/{id}", patch(update_user))
        .route("/api/users/{id}/reset-password", post(reset_password))
        .route("/api/users/{id}/unlock", post(unlock))
}

const USER_COLUMNS: &str =
    "id, username, full_name, role, facility_id, area_id, active, must_change_password, created_at, last_sign_in_at";

#[utoipa::path(get, path = "/api/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Vec<User>), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<Vec<User>>, ApiError> {
    access::require(&user, Capability::ManageUsers)?;
    let users = state
        .db
        .read(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT {USER_COLUMNS} FROM users ORDER BY full_name"
            ))?;
            let rows = statement.query_map([], user_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(Json(users))
}

/// Creates a user with a one-time password, which they must change at first sign-in.
#[utoipa::path(post, path = "/api/users", tag = "users", security(("bearer" = [])), request_body = NewUser,
    responses((status = 200, body = UserWithPassword), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    admin: AuthUser,
    AppJson(request): AppJson<NewUser>,
) -> Result<Json<UserWithPassword>, ApiError> {
    access::require(&admin, Capability::ManageUsers)?;
    let request = request.clean().map_err(ApiError::Invalid)?;
    let one_time_password = password::one_time();
    let password_hash = state.hasher.hash(one_time_password.clone()).await?;
    let now = state.clock.now();
    let user = state
        .db
        .write(move |transaction| {
            let taken: bool = transaction.query_row(
                "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)",
                [&request.username],
                |row| row.get(0),
            )?;
            if taken {
                return Err(ApiError::field("username", Problem::Taken));
            }
            let area_id = placement_area(
                transaction,
                request.role,
                request.facility_id,
                request.area_id,
            )?;
            let id = insert_user(transaction, &request, area_id, &password_hash, now)?;
            let role = request.role.code();
            audit::record(
                transaction,
                now,
                &Actor::user(&admin),
                Event::new("user.create").on("user", id).with("role", role),
            )?;
            load_user(transaction, id)
        })
        .await?;
    Ok(Json(UserWithPassword {
        user,
        one_time_password,
    }))
}

/// Edits a user; disabling signs them out everywhere.
#[utoipa::path(patch, path = "/api/users/{id}", tag = "users", security(("bearer" = [])), request_body = UpdateUser,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    admin: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(request): AppJson<UpdateUser>,
) -> Result<Json<User>, ApiError> {
    access::require(&admin, Capability::ManageUsers)?;
    let request = request.clean().map_err(ApiError::Invalid)?;
    let now = state.clock.now();
    let user = state
        .db
        .write(move |transaction| {
            let current = load_user(transaction, id)?;
            if id == admin.id {
                if request.active == Some(false) {
                    return Err(ApiError::field("active", Problem::OwnAccount));
                }
                if request.role.is_some_and(|role| role != current.role) {
                    return Err(ApiError::field("role", Problem::OwnAccount));
                }
            }
            let role = request.role.unwrap_or(current.role);
            // A role change moves the user between facility and area placement, so the request
            // must then say where; otherwise the current placement carries over.
            let (facility_id, area_id) = if request.facility_id.is_some() || request.area_id.is_some() {
                (request.facility_id, request.area_id)
            } else if role.placed_on_area(current.facility_id.is_some()) {
                (None, Some(current.area_id))
            } else {
                (current.facility_id, None)
            };
            let area_id = placement_area(transaction, role, facility_id, area_id)?;
            let active = request.active.unwrap_or(current.active);
            transaction.execute(
                "UPDATE users SET full_name = ?1, role = ?2, facility_id = ?3, area_id = ?4, active = ?5, updated_at = ?6
                 WHERE id = ?7",
                params![request.full_name.unwrap_or(current.full_name), role.code(), facility_id, area_id, active, now, id],
            )?;
            // A disabled account, or one moved to another place or role, keeps no session: a
            // session would otherwise switch to the new facility's records at once.
            let moved = facility_id != current.facility_id
                || area_id != current.area_id
                || role != current.role;
            if !active || moved {
                auth::revoke_all(transaction, id, now)?;
            }
            let role_code = role.code();
            audit::record(transaction, now, &Actor::user(&admin), Event::new("user.update").on("user", id).with("role", role_code).with("active", active))?;
            load_user(transaction, id)
        })
        .await?;
    Ok(Json(user))
}

/// Gives the user a new one-time password and signs them out everywhere.
#[utoipa::path(post, path = "/api/users/{id}/reset-password", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = UserWithPassword), (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    admin: AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Json<UserWithPassword>, ApiError> {
    access::require(&admin, Capability::ManageUsers)?;
    let one_time_password = password::one_time();
    let password_hash = state.hasher.hash(one_time_password.clone()).await?;
    let now = state.clock.now();
    let user = state
        .db
        .write(move |transaction| {
            load_user(transaction, id)?;
            transaction.execute(
                "UPDATE users SET password_hash = ?1, must_change_password = 1, updated_at = ?2 WHERE id = ?3",
                params![password_hash, now, id],
            )?;
            auth::revoke_all(transaction, id, now)?;
            audit::record(transaction, now, &Actor::user(&admin), Event::new("user.reset_password").on("user", id))?;
            load_user(transaction, id)
        })
        .await?;
    Ok(Json(UserWithPassword {
        user,
        one_time_password,
    }))
}

/// Lifts the sign-in and password-change delays others' failed guesses put on the account.
#[utoipa::path(post, path = "/api/users/{id}/unlock", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unlock(
    State(state): State<AppState>,
    admin: AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Json<User>, ApiError> {
    access::require(&admin, Capability::ManageUsers)?;
    let now = state.clock.now();
    let window = chrono::Duration::minutes(state.policy.throttle_minutes);
    let throttle = state.throttle.clone();
    let user = state
        .db
        .write(move |transaction| {
            let user = load_user(transaction, id)?;
            let keys = [
                format!("account:{}", user.username),
                format!("password:{id}"),
            ];
            let failures: usize = keys.iter().map(|k| throttle.failures(k, now, window)).sum();
            for key in &keys {
                throttle.clear(key);
            }
            let event = Event::new("user.unlock").on("user", id);
            audit::record(
                transaction,
                now,
                &Actor::user(&admin),
                event.with("failures", failures),
            )?;
            Ok(user)
        })
        .await?;
    Ok(Json(user))
}

/// Checks where a user of this role is placed and returns their area: the facility's area for
/// facility roles, the given province or commune for officers and administrators.
/// Stores a new account (a cleaned request, placed) that must change its one-time password at
/// first sign-in. The caller checks the username and audits.
pub(crate) fn insert_user(
    connection: &Connection,
    request: &NewUser,
    area_id: Uuid,
    password_hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    connection.execute(
        "INSERT INTO users (id, username, full_name, role, facility_id, area_id, password_hash,
                            must_change_password, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8)",
        params![
            id,
            request.username,
            request.full_name,
            request.role.code(),
            request.facility_id,
            area_id,
            password_hash,
            now
        ],
    )?;
    Ok(id)
}

pub(crate) fn placement_area(
    connection: &Connection,
    role: Role,
    facility_id: Option<Uuid>,
    area_id: Option<Uuid>,
) -> Result<Uuid, ApiError> {
    let mut errors = FieldErrors::default();
    check_placement(&mut errors, role, facility_id, area_id);
    errors.into_result().map_err(ApiError::Invalid)?;
    if let Some(facility_id) = facility_id {
        let facility: Option<(String, Uuid)> = connection
            .query_row(
                "SELECT facility_type, area_id FROM facilities WHERE id = ?1 AND active",
                [facility_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let Some((facility_type, facility_area)) = facility else {
            return Err(ApiError::field("facility_id", Problem::UnknownReference));
        };
        let fits = FacilityType::from_code(&facility_type).is_some_and(|t| role.fits_facility(t));
        if !fits {
            return Err(ApiError::field("role", Problem::RoleMismatch));
        }
        return Ok(facility_area);
    }
    let area_id = area_id.ok_or_else(|| ApiError::field("area_id", Problem::Required))?;
    let level: Option<String> = connection
        .query_row(
            "SELECT level FROM areas WHERE id = ?1 AND active",
            [area_id],
            |row| row.get(0),
        )
        .optional()?;
    match level.as_deref().and_then(AreaLevel::from_code) {
        Some(AreaLevel::Province | AreaLevel::Commune) => Ok(area_id),
        _ => Err(ApiError::field("area_id", Problem::UnknownReference)),
    }
}

pub fn load_user(connection: &Connection, id: Uuid) -> Result<User, ApiError> {
    connection
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
            [id],
            user_from_row,
        )
        .optional()?
        .ok_or(ApiError::NotFound)
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = row.get(3)?;
    Ok(User {
        id: row.get(0)?,
        username: row.get(1)?,
        full_name: row.get(2)?,
        role: Role::from_code(&role).ok_or_else(|| bad_code(3, &role))?,
        facility_id: row.get(4)?,
        area_id: row.get(5)?,
        active: row.get(6)?,
        must_change_password: row.get(7)?,
        created_at: row.get(8)?,
        last_sign_in_at: row.get(9)?,
    })
}
