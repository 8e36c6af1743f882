//! Known devices: a device that signed in to an account gets a token, signed with a server key,
//! that names the account. With it the next sign-in is throttled on the device alone, so guesses
//! by others on the account or from the same school's address never keep the owner out.

use hmac::{Hmac, Mac};
use rand::RngCore;
use rusqlite::Connection;
use sha2::Sha256;
use uuid::Uuid;

use crate::error::ApiError;

fn key(connection: &Connection) -> Result<Vec<u8>, ApiError> {
    Ok(connection.query_row(
        "SELECT value FROM server_secrets WHERE name = 'device_key'",
        [],
        |row| row.get(0),
    )?)
}

fn tag(key: &[u8], user_id: Uuid, nonce: &str) -> Result<String, ApiError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|e| ApiError::Internal(format!("device key: {e}")))?;
    mac.update(format!("device/{user_id}/{nonce}").as_bytes());
    let bytes = mac.finalize().into_bytes();
    Ok(bytes[..16].iter().map(|b| format!("{b:02x}")).collect())
}

/// A new token for this account on a device.
pub fn issue(connection: &Connection, user_id: Uuid) -> Result<String, ApiError> {
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{nonce}.{}",
        tag(&key(connection)?, user_id, &nonce)?
    ))
}

/// The device's own throttle key when `token` was issued for this account.
pub fn known(
    connection: &Connection,
    user_id: Uuid,
    token: &str,
) -> Result<Option<String>, ApiError> {
    let Some((nonce, given)) = token.split_once('.') else {
        return Ok(None);
    };
    if nonce.len() != 24 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let expected = tag(&key(connection)?, user_id, nonce)?;
    // Equal length hex strings; compare without an early exit.
    let same = expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    Ok(same.then(|| format!("device:{nonce}")))
}
