//! The server's share of the key that opens a device's local store.
//!
//! A device encrypts what it keeps of a user (records, outbox, drafts, conflicts) with a data key
//! that never leaves WebCrypto. That key is stored only wrapped: once by a key derived from the
//! user's password (for signing in offline) and once by this share, which a signed-in session of
//! the same user fetches, so a reload opens the store without asking for the password. Signing out
//! erases the share here and the wrapped keys on the device: whatever a shared device's disk still
//! holds of the store can no longer be opened by anyone.
//!
//! The share is kept per account and device (not per session), so a password changed on another
//! device does not strand this device's unsent changes. An account keeps at most
//! [`DEVICES_MAX`] shares: the oldest goes first.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rand::RngCore;
use rusqlite::{params, OptionalExtension};
use shared::api::{ErrorBody, VaultKey, VaultRequest};
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::{AppJson, SignedIn};
use crate::AppState;

/// Shares kept per account (a person's phones, a school's shared computers).
pub const DEVICES_MAX: i64 = 20;

/// This device's share for the signed-in account, made on first asking.
#[utoipa::path(post, path = "/api/auth/vault", tag = "auth", security(("bearer" = [])),
    request_body = VaultRequest,
    responses((status = 200, body = VaultKey), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn share(
    State(state): State<AppState>,
    user: SignedIn,
    AppJson(request): AppJson<VaultRequest>,
) -> Result<Json<VaultKey>, ApiError> {
    let now = state.clock.now();
    let user_id = user.id;
    let device = request.device;
    // A reload only reads its share: the writer is not asked for it.
    let kept = state
        .db
        .read(move |connection| {
            Ok(connection
                .query_row(
                    "SELECT key FROM device_keys WHERE user_id = ?1 AND device_id = ?2",
                    params![user_id, device],
                    |row| row.get::<_, Vec<u8>>(0),
                )
                .optional()?)
        })
        .await?;
    let key = match kept {
        Some(key) => key,
        None => {
            state
                .db
                .write(move |transaction| {
                    let mut key = vec![0u8; 32];
                    rand::thread_rng().fill_bytes(&mut key);
                    // Two first asks at once: the first one stored wins, both get it.
                    transaction.execute(
                        "INSERT OR IGNORE INTO device_keys (user_id, device_id, key, created_at)
                         VALUES (?1, ?2, ?3, ?4)",
                        params![user_id, device, key, now.to_rfc3339()],
                    )?;
                    // The account's oldest shares beyond the limit go; never the one just made.
                    transaction.execute(
                        "DELETE FROM device_keys WHERE user_id = ?1 AND device_id != ?2
                           AND device_id NOT IN (
                             SELECT device_id FROM device_keys WHERE user_id = ?1
                             ORDER BY created_at DESC LIMIT ?3)",
                        params![user_id, device, DEVICES_MAX],
                    )?;
                    Ok(transaction.query_row(
                        "SELECT key FROM device_keys WHERE user_id = ?1 AND device_id = ?2",
                        params![user_id, device],
                        |row| row.get::<_, Vec<u8>>(0),
                    )?)
                })
                .await?
        }
    };
    Ok(Json(VaultKey {
        key: key.iter().map(|b| format!("{b:02x}")).collect(),
    }))
}

/// Erases this device's share (at sign-out): the store it opened cannot be opened again.
#[utoipa::path(delete, path = "/api/auth/vault/{device}", tag = "auth", security(("bearer" = [])),
    params(("device" = Uuid, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    user: SignedIn,
    Path(device): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let user_id = user.id;
    state
        .db
        .write(move |transaction| {
            transaction.execute(
                "DELETE FROM device_keys WHERE user_id = ?1 AND device_id = ?2",
                params![user_id, device],
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
