//! The key that opens a user's local store, and where it is kept.
//!
//! What the store keeps of a user (records, outbox, drafts, conflicts, refusals) is sealed with a
//! random AES-GCM *data key* (`store::seal`). The data key is never stored in the clear: the
//! device keeps it only wrapped (AES-KW), in a *ring* in `localStorage`:
//! - once under a key derived from the user's password (PBKDF2-SHA-256, its own salt, 310,000
//!   iterations), so the user can sign in and work offline;
//! - once under the server's share for this account and device (`POST /api/auth/vault`), so a
//!   reload of a signed-in page opens the store without asking for the password.
//!
//! In use the data key is a non-extractable WebCrypto key: no script can read its bytes. Signing
//! out erases the server's share and the ring: what a shared device's disk may still hold of the
//! store (Chromium leaves deleted data in place) can no longer be opened by anyone. When the server
//! ends a session, the store and ring stay for the next sign-in, online or offline.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::api::{Api, ApiFailure};
use crate::store::seal;

const ITERATIONS: u32 = 310_000;

/// Why the store could not be opened.
#[derive(Debug, Clone, PartialEq)]
pub enum VaultError {
    /// Neither copy of the key opens with what is at hand (offline after a reload, or a password
    /// that does not open this device's copy): the user must sign in again.
    Locked,
    /// The server could not be asked (offline, or it could not answer).
    Unreachable,
    /// The server refused the session (it ended, or the facility closed): the session has ended
    /// with that reason already.
    SessionRefused,
    /// The browser refused (no WebCrypto, storage full).
    Browser(String),
}

impl From<JsValue> for VaultError {
    fn from(error: JsValue) -> Self {
        VaultError::Browser(format!("{error:?}"))
    }
}

impl From<crate::store::StoreError> for VaultError {
    fn from(error: crate::store::StoreError) -> Self {
        VaultError::Browser(error.0)
    }
}

type Result<T> = std::result::Result<T, VaultError>;

/// The data key wrapped under a password-derived key.
#[derive(Clone, Serialize, Deserialize)]
struct ByPassword {
    salt: Vec<u8>,
    iterations: u32,
    wrapped: Vec<u8>,
}

/// What the device keeps in `localStorage` (no secret in the clear, nothing about children).
#[derive(Clone, Serialize, Deserialize)]
struct Ring {
    /// This store's own id, for the server's share.
    device: Uuid,
    by_password: Option<ByPassword>,
    by_server: Option<Vec<u8>>,
}

fn ring_key(user_id: Uuid) -> String {
    format!("tam-an.vault.{user_id}")
}

fn storage() -> Result<web_sys::Storage> {
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .ok_or_else(|| VaultError::Browser("no localStorage".into()))
}

fn load(user_id: Uuid) -> Option<Ring> {
    let json = storage().ok()?.get_item(&ring_key(user_id)).ok()??;
    serde_json::from_str(&json).ok()
}

fn save(user_id: Uuid, ring: &Ring) -> Result<()> {
    let json = serde_json::to_string(ring).map_err(|e| VaultError::Browser(e.to_string()))?;
    storage()?.set_item(&ring_key(user_id), &json)?;
    Ok(())
}

/// Whether a store key is in hand for the open session.
pub fn is_open() -> bool {
    seal::has_key()
}

/// After a sign-in with the password (online with the new session's token, or offline without):
/// finds this device's data key (or makes one), keeps it wrapped under the password and, when the
/// server can be asked, under its share, and hands it to the store.
///
/// `Locked` only when the key truly cannot be opened any more (the password's copy does not open
/// and the server's share, fetched, does not either); a share that could not be fetched is
/// `Unreachable`, and nothing is given up for it.
pub async fn sign_in(api: Api, user_id: Uuid, password: &str, token: Option<&str>) -> Result<()> {
    let kept = load(user_id);
    let device = kept.as_ref().map_or_else(Uuid::now_v7, |ring| ring.device);
    let share = match token {
        Some(token) => match api.vault_share(Some(token), device).await {
            Ok(share) => Some(hex(&share.key).ok_or(VaultError::Locked)),
            Err(ApiFailure::Refused {
                status: 401 | 403, ..
            }) => Some(Err(VaultError::SessionRefused)),
            Err(_) => Some(Err(VaultError::Unreachable)),
        },
        None => None,
    };
    let share: Option<Result<Vec<u8>>> = share;
    // The data key, and whether the password's copy still opens it (then it is kept as it is:
    // one derivation fewer at every sign-in).
    let (data_key, password_opens) = match &kept {
        None => (generate().await?, false),
        Some(ring) => match opened_by_password(ring, password).await {
            Some(key) => (key, true),
            // The password was changed on another device: the server's share still opens it.
            None => match (&share, &ring.by_server) {
                (Some(Ok(share)), Some(wrapped)) => (
                    unwrap(wrapped, &share_key(share).await?, true)
                        .await
                        .map_err(|_| VaultError::Locked)?,
                    false,
                ),
                (Some(Err(error)), _) => return Err(error.clone()),
                _ => return Err(VaultError::Locked),
            },
        },
    };
    let mut ring = kept.unwrap_or(Ring {
        device,
        by_password: None,
        by_server: None,
    });
    if let Some(Ok(share)) = &share {
        ring.by_server = Some(wrap(&data_key, &share_key(share).await?).await?);
    }
    let in_use = if password_opens {
        unwrap_in_use(&ring, password).await?
    } else {
        let salt = seal::random::<16>()?.to_vec();
        let password_key = derive(password, &salt, ITERATIONS).await?;
        let wrapped = wrap(&data_key, &password_key).await?;
        let in_use = unwrap(&wrapped, &password_key, false).await?;
        ring.by_password = Some(ByPassword {
            wrapped,
            salt,
            iterations: ITERATIONS,
        });
        in_use
    };
    save(user_id, &ring)?;
    seal::set_key(in_use);
    Ok(())
}

/// The key in use (non-extractable) from the ring's password copy.
async fn unwrap_in_use(ring: &Ring, password: &str) -> Result<CryptoKey> {
    let by_password = ring.by_password.as_ref().ok_or(VaultError::Locked)?;
    let key = derive(password, &by_password.salt, by_password.iterations).await?;
    unwrap(&by_password.wrapped, &key, false)
        .await
        .map_err(|_| VaultError::Locked)
}

/// A signed-in page reloaded: opens the store with the server's share (no password at hand).
pub async fn reopen(api: Api, user_id: Uuid) -> Result<()> {
    let Some(ring) = load(user_id) else {
        // Stored before the store was sealed (or the ring was lost): a new key, which seals
        // what an older version left in the clear when the store opens.
        let device = Uuid::now_v7();
        let share = fetch_share(api, device).await?;
        let data_key = generate().await?;
        let share_key = share_key(&share).await?;
        let wrapped = wrap(&data_key, &share_key).await?;
        let in_use = unwrap(&wrapped, &share_key, false).await?;
        save(
            user_id,
            &Ring {
                device,
                by_password: None,
                by_server: Some(wrapped),
            },
        )?;
        seal::set_key(in_use);
        return Ok(());
    };
    let Some(wrapped) = &ring.by_server else {
        return Err(VaultError::Locked);
    };
    let share = fetch_share(api, ring.device).await?;
    let key = unwrap(wrapped, &share_key(&share).await?, false)
        .await
        .map_err(|_| VaultError::Locked)?;
    seal::set_key(key);
    Ok(())
}

/// After a password change on this device: the password's copy follows the new password. The
/// old password opens the old copy (no network needed); the server's share is the fallback.
pub async fn password_changed(api: Api, user_id: Uuid, current: &str, new: &str) -> Result<()> {
    let Some(mut ring) = load(user_id) else {
        return Ok(());
    };
    let data_key = match opened_by_password(&ring, current).await {
        Some(key) => key,
        None => {
            let wrapped = ring.by_server.clone().ok_or(VaultError::Locked)?;
            let share = fetch_share(api, ring.device).await?;
            unwrap(&wrapped, &share_key(&share).await?, true)
                .await
                .map_err(|_| VaultError::Locked)?
        }
    };
    let salt = seal::random::<16>()?.to_vec();
    let password_key = derive(new, &salt, ITERATIONS).await?;
    ring.by_password = Some(ByPassword {
        wrapped: wrap(&data_key, &password_key).await?,
        salt,
        iterations: ITERATIONS,
    });
    save(user_id, &ring)
}

/// At sign-out, before the session is revoked: erases the server's share and the ring, and drops
/// the key in use. Offline, the share cannot be erased; the ring still goes.
pub async fn forget(api: Api, user_id: Uuid) {
    if let Some(ring) = load(user_id) {
        let _ = api
            .delete_empty(&format!("/api/auth/vault/{}", ring.device))
            .await;
    }
    if let Ok(storage) = storage() {
        let _ = storage.remove_item(&ring_key(user_id));
    }
    seal::clear_key();
}

/// This device's store can no longer be opened (neither copy of its key opens): erases it and its
/// ring, so the next opening starts afresh and pulls again what the server has.
pub async fn abandon(user_id: Uuid) {
    if let Ok(storage) = storage() {
        let _ = storage.remove_item(&ring_key(user_id));
    }
    let _ = crate::store::erase(user_id).await;
}

async fn fetch_share(api: Api, device: Uuid) -> Result<Vec<u8>> {
    match api.vault_share(None, device).await {
        Ok(share) => hex(&share.key).ok_or(VaultError::Locked),
        Err(ApiFailure::Refused {
            status: 401 | 403, ..
        }) => Err(VaultError::SessionRefused),
        Err(_) => Err(VaultError::Unreachable),
    }
}

async fn opened_by_password(ring: &Ring, password: &str) -> Option<CryptoKey> {
    let by_password = ring.by_password.as_ref()?;
    let key = derive(password, &by_password.salt, by_password.iterations)
        .await
        .ok()?;
    unwrap(&by_password.wrapped, &key, true).await.ok()
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn subtle() -> Result<SubtleCrypto> {
    Ok(web_sys::window()
        .ok_or_else(|| VaultError::Browser("no window".into()))?
        .crypto()?
        .subtle())
}

fn usages(names: &[&str]) -> Array {
    names.iter().map(|name| JsValue::from_str(name)).collect()
}

fn object(pairs: &[(&str, JsValue)]) -> Result<Object> {
    let object = Object::new();
    for (name, value) in pairs {
        Reflect::set(&object, &JsValue::from_str(name), value)?;
    }
    Ok(object)
}

async fn resolve<T: JsCast>(promise: std::result::Result<js_sys::Promise, JsValue>) -> Result<T> {
    Ok(JsFuture::from(promise?).await?.unchecked_into())
}

/// A new data key, extractable only until it is wrapped.
async fn generate() -> Result<CryptoKey> {
    let algorithm = object(&[("name", "AES-GCM".into()), ("length", 256.into())])?;
    resolve(subtle()?.generate_key_with_object(&algorithm, true, &usages(&["encrypt", "decrypt"])))
        .await
}

/// The wrapping key derived from the password.
async fn derive(password: &str, salt: &[u8], iterations: u32) -> Result<CryptoKey> {
    let subtle = subtle()?;
    let base: CryptoKey = resolve(subtle.import_key_with_str(
        "raw",
        &Uint8Array::from(password.as_bytes()),
        "PBKDF2",
        false,
        &usages(&["deriveKey"]),
    ))
    .await?;
    let params = object(&[
        ("name", "PBKDF2".into()),
        ("hash", "SHA-256".into()),
        ("salt", Uint8Array::from(salt).into()),
        ("iterations", iterations.into()),
    ])?;
    let kind = object(&[("name", "AES-KW".into()), ("length", 256.into())])?;
    resolve(subtle.derive_key_with_object_and_object(
        &params,
        &base,
        &kind,
        false,
        &usages(&["wrapKey", "unwrapKey"]),
    ))
    .await
}

/// The server's share as a wrapping key.
async fn share_key(share: &[u8]) -> Result<CryptoKey> {
    resolve(subtle()?.import_key_with_str(
        "raw",
        &Uint8Array::from(share),
        "AES-KW",
        false,
        &usages(&["wrapKey", "unwrapKey"]),
    ))
    .await
}

async fn wrap(data_key: &CryptoKey, wrapping: &CryptoKey) -> Result<Vec<u8>> {
    let wrapped: js_sys::ArrayBuffer =
        resolve(subtle()?.wrap_key_with_str("raw", data_key, wrapping, "AES-KW")).await?;
    Ok(Uint8Array::new(&wrapped).to_vec())
}

/// The data key from a wrapped copy; `extractable` only to wrap it again at once.
async fn unwrap(wrapped: &[u8], wrapping: &CryptoKey, extractable: bool) -> Result<CryptoKey> {
    let algorithm = object(&[("name", "AES-GCM".into())])?;
    resolve(subtle()?.unwrap_key_with_js_u8_array_and_str_and_object(
        "raw",
        &Uint8Array::from(wrapped),
        wrapping,
        "AES-KW",
        &algorithm,
        extractable,
        &usages(&["encrypt", "decrypt"]),
    ))
    .await
}
