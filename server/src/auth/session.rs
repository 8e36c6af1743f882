//! Session tokens: 256 random bits, handed to the client once, kept only as a SHA-256 hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};
use shared::role::Role;
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::SignedIn;
use crate::AppState;

/// A fresh token and the hash to store.
pub fn new_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Finds the user behind a token. Unknown, revoked and expired tokens, and tokens of disabled
/// users, are all simply "not signed in"; staff of a facility closed in the directory are
/// refused with their own answer.
pub async fn resolve(
    state: &AppState,
    token: &str,
    client_addr: String,
) -> Result<SignedIn, ApiError> {
    let token_hash = hash_token(token);
    let now = state.clock.now();
    let row = state
        .db
        .read(move |connection| {
            Ok(connection
                .query_row(
                    "SELECT u.id, u.username, u.role, u.facility_id, u.area_id, u.must_change_password,
                            u.active, s.expires_at, s.revoked_at, COALESCE(f.active, 1)
                     FROM sessions s JOIN users u ON u.id = s.user_id
                     LEFT JOIN facilities f ON f.id = u.facility_id
                     WHERE s.token_hash = ?1",
                    params![token_hash.as_slice()],
                    |row| {
                        Ok((
                            row.get::<_, Uuid>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, Option<Uuid>>(3)?,
                            row.get::<_, Uuid>(4)?,
                            row.get::<_, bool>(5)?,
                            row.get::<_, bool>(6)?,
                            row.get::<_, DateTime<Utc>>(7)?,
                            row.get::<_, Option<DateTime<Utc>>>(8)?,
                            row.get::<_, bool>(9)?,
                        ))
                    },
                )
                .optional()?)
        })
        .await?;
    let Some((
        id,
        username,
        role,
        facility_id,
        area_id,
        must_change_password,
        active,
        expires_at,
        revoked_at,
        facility_active,
    )) = row
    else {
        return Err(ApiError::Unauthorized);
    };
    if !active || revoked_at.is_some() || expires_at <= now {
        return Err(ApiError::Unauthorized);
    }
    // A closed facility's staff keep their accounts and data, but use nothing until it reopens.
    if !facility_active {
        return Err(ApiError::FacilityInactive);
    }
    let role =
        Role::from_code(&role).ok_or_else(|| ApiError::Internal(format!("unknown role {role}")))?;
    Ok(SignedIn {
        id,
        username,
        role,
        facility_id,
        area_id,
        must_change_password,
        token_hash,
        client_addr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_256_bit_and_hash_stably() {
        let (token, hash) = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&token).unwrap().len(), 32);
        assert_eq!(hash, hash_token(&token));
        assert_ne!(new_token().0, token);
    }
}
