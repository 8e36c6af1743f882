//! Sign-in, sign-out, the current user and password changes.

pub mod device;
pub mod password;
pub mod policy;
pub mod session;
pub mod throttle;
pub mod vault;

use throttle::Limit;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use shared::api::{ChangePassword, CurrentUser, ErrorBody, LoginRequest, Session};
use shared::role::Role;
use shared::validate::Problem;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::error::ApiError;
use crate::extract::{AppJson, ClientAddr, SignedIn};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
        .route("/api/auth/password", post(change_password))
        .route("/api/auth/vault", post(vault::share))
        .route(
            "/api/auth/vault/{device}",
            axum::routing::delete(vault::erase),
        )
}

/// Signs in with a username and password and returns a session token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody),
              (status = 403, description = "account disabled", body = ErrorBody),
              (status = 429, description = "too many failed attempts", body = ErrorBody),
              (status = 503, description = "too many sign-ins at once: retry after Retry-After seconds", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client_addr): ClientAddr,
    AppJson(request): AppJson<LoginRequest>,
) -> Result<Json<Session>, ApiError> {
    let username = request.username.trim().to_lowercase();
    let now = state.clock.now();
    let window = Duration::minutes(state.policy.throttle_minutes);

    let lookup_name = username.clone();
    let device_token = request.device_token.clone();
    let (account, device) = state
        .db
        .read(move |connection| {
            let account = connection
                .query_row(
                    "SELECT u.id, u.password_hash, u.active, COALESCE(f.active, 1)
                     FROM users u LEFT JOIN facilities f ON f.id = u.facility_id
                     WHERE u.username = ?1",
                    params![lookup_name],
                    |row| {
                        Ok((
                            row.get::<_, Uuid>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, bool>(2)?,
                            row.get::<_, bool>(3)?,
                        ))
                    },
                )
                .optional()?;
            let device = match (&account, &device_token) {
                (Some((id, ..)), Some(token)) => device::known(connection, *id, token)?,
                _ => None,
            };
            Ok((account, device))
        })
        .await?;
    let actor = Actor {
        user_id: account.as_ref().map(|(id, _, _, _)| *id),
        username: Some(username.clone()),
        client_addr: Some(client_addr.clone()),
    };
    // A known device answers for itself only; anyone else for the account and the address.
    let limits = match &device {
        Some(key) => vec![Limit::new(
            key.clone(),
            state.policy.max_failures_per_account,
        )],
        None => vec![
            Limit::new(
                format!("account:{username}"),
                state.policy.max_failures_per_account,
            ),
            Limit::new(
                format!("address:{client_addr}"),
                state.policy.max_failures_per_address,
            ),
        ],
    };
    let attempt = match state.throttle.begin(&limits, now, window) {
        Ok(attempt) => attempt,
        Err(retry_after_seconds) => {
            throttled(
                &state,
                now,
                actor,
                "auth.sign_in_throttled",
                retry_after_seconds,
            )
            .await?;
            return Err(ApiError::TooManyAttempts {
                retry_after_seconds,
            });
        }
    };

    let stored_hash = account.as_ref().map(|(_, hash, _, _)| hash.clone());
    let password_ok = state.hasher.verify(stored_hash, request.password).await?;
    let (user_id, active, facility_active) = match account {
        Some((user_id, _, active, facility_active)) if password_ok => {
            (user_id, active, facility_active)
        }
        _ => {
            // The attempt stays counted as a failure.
            drop(attempt);
            state
                .db
                .write(move |transaction| {
                    audit::record(transaction, now, &actor, Event::new("auth.sign_in_failed"))
                })
                .await?;
            return Err(ApiError::BadCredentials);
        }
    };
    let refusal = if !active {
        Some(("account_disabled", ApiError::AccountDisabled))
    } else if !facility_active {
        Some(("facility_inactive", ApiError::FacilityInactive))
    } else {
        None
    };
    if let Some((reason, error)) = refusal {
        state
            .db
            .write(move |transaction| {
                audit::record(
                    transaction,
                    now,
                    &actor,
                    Event::new("auth.sign_in_refused").with("reason", reason),
                )
            })
            .await?;
        return Err(error);
    }
    state.throttle.succeeded(attempt);

    let (token, token_hash) = session::new_token();
    let expires_at = now + Duration::hours(state.policy.session_hours);
    let user = state
        .db
        .write(move |transaction| {
            transaction.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, client_addr) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash.as_slice(), user_id, now, expires_at, client_addr],
            )?;
            transaction.execute("UPDATE users SET last_sign_in_at = ?1 WHERE id = ?2", params![now, user_id])?;
            audit::record(transaction, now, &actor, Event::new("auth.sign_in").on("user", user_id))?;
            let device_token = match (device, request.device_token) {
                (Some(_), Some(known)) => known,
                _ => device::issue(transaction, user_id)?,
            };
            Ok((current_user(transaction, user_id)?, device_token))
        })
        .await?;
    let (user, device_token) = user;
    Ok(Json(Session {
        token,
        expires_at,
        user,
        device_token: Some(device_token),
    }))
}

/// Ends this session; the token stops working at once.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, user: SignedIn) -> Result<StatusCode, ApiError> {
    let now = state.clock.now();
    state
        .db
        .write(move |transaction| {
            revoke(transaction, &user.token_hash, now)?;
            audit::record(
                transaction,
                now,
                &Actor::user(&user),
                Event::new("auth.sign_out").on("user", user.id),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user, with the names of their facility and area.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = CurrentUser), (status = 401, body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<Json<CurrentUser>, ApiError> {
    let user = state
        .db
        .read(move |connection| current_user(connection, user.id))
        .await?;
    Ok(Json(user))
}

/// Changes the signed-in user's password; other sessions of the user are signed out.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", security(("bearer" = [])),
    request_body = ChangePassword,
    responses((status = 200, body = CurrentUser), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    user: SignedIn,
    AppJson(request): AppJson<ChangePassword>,
) -> Result<Json<CurrentUser>, ApiError> {
    let request = request.clean().map_err(ApiError::Invalid)?;
    let user_id = user.id;
    let (stored_hash, username, full_name) = state
        .db
        .read(move |connection| {
            Ok(connection.query_row(
                "SELECT password_hash, username, full_name FROM users WHERE id = ?1",
                params![user_id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                    ))
                },
            )?)
        })
        .await?;
    policy::strong_enough(&request.new_password, &[&username, &full_name])
        .map_err(|problem| ApiError::field("new_password", problem))?;
    // The current password is guessed like a sign-in: throttled per account and audited.
    let now = state.clock.now();
    let window = Duration::minutes(state.policy.throttle_minutes);
    let actor = Actor::user(&user);
    let limits = [Limit::new(
        format!("password:{user_id}"),
        state.policy.max_failures_per_account,
    )];
    let attempt = match state.throttle.begin(&limits, now, window) {
        Ok(attempt) => attempt,
        Err(retry_after_seconds) => {
            throttled(
                &state,
                now,
                actor,
                "auth.password_change_throttled",
                retry_after_seconds,
            )
            .await?;
            return Err(ApiError::TooManyAttempts {
                retry_after_seconds,
            });
        }
    };
    if !state
        .hasher
        .verify(Some(stored_hash), request.current_password)
        .await?
    {
        drop(attempt);
        state
            .db
            .write(move |transaction| {
                audit::record(
                    transaction,
                    now,
                    &actor,
                    Event::new("auth.password_change_failed").on("user", user_id),
                )
            })
            .await?;
        return Err(ApiError::field("current_password", Problem::WrongPassword));
    }
    state.throttle.succeeded(attempt);
    let new_hash = state.hasher.hash(request.new_password).await?;
    let current = state
        .db
        .write(move |transaction| {
            transaction.execute(
                "UPDATE users SET password_hash = ?1, must_change_password = 0, updated_at = ?2 WHERE id = ?3",
                params![new_hash, now, user.id],
            )?;
            transaction.execute(
                "UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND token_hash != ?3 AND revoked_at IS NULL",
                params![now, user.id, user.token_hash.as_slice()],
            )?;
            audit::record(transaction, now, &Actor::user(&user), Event::new("auth.password_change").on("user", user.id))?;
            current_user(transaction, user.id)
        })
        .await?;
    Ok(Json(current))
}

/// Audits an attempt the throttle turned away (an attack shows in the audit, not only in 429s).
async fn throttled(
    state: &AppState,
    now: DateTime<Utc>,
    actor: Actor,
    action: &'static str,
    retry_after_seconds: u64,
) -> Result<(), ApiError> {
    state
        .db
        .write(move |transaction| {
            audit::record(
                transaction,
                now,
                &actor,
                Event::new(action).with("retry_after", retry_after_seconds),
            )
        })
        .await
}

/// Revokes one session.
pub fn revoke(
    connection: &Connection,
    token_hash: &[u8; 32],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    connection.execute(
        "UPDATE sessions SET revoked_at = ?1 WHERE token_hash = ?2 AND revoked_at IS NULL",
        params![now, token_hash.as_slice()],
    )?;
    Ok(())
}

/// Revokes every session of a user (disabled account, password reset).
pub fn revoke_all(
    connection: &Connection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    connection.execute(
        "UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL",
        params![now, user_id],
    )?;
    Ok(())
}

/// Loads the signed-in user's view of themselves.
pub fn current_user(connection: &Connection, user_id: Uuid) -> Result<CurrentUser, ApiError> {
    let user = connection.query_row(
        "SELECT u.id, u.username, u.full_name, u.role, u.facility_id, f.name, u.area_id, a.name, u.must_change_password
         FROM users u JOIN areas a ON a.id = u.area_id LEFT JOIN facilities f ON f.id = u.facility_id
         WHERE u.id = ?1",
        params![user_id],
        |row| {
            Ok((
                row.get::<_, Uuid>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<Uuid>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Uuid>(6)?,
                row.get::<_, String>(7)?,
                row.get::<_, bool>(8)?,
            ))
        },
    )?;
    let (
        id,
        username,
        full_name,
        role,
        facility_id,
        facility_name,
        area_id,
        area_name,
        must_change_password,
    ) = user;
    let role =
        Role::from_code(&role).ok_or_else(|| ApiError::Internal(format!("unknown role {role}")))?;
    Ok(CurrentUser {
        id,
        username,
        full_name,
        role,
        facility_id,
        facility_name,
        area_id,
        area_name,
        must_change_password,
    })
}
