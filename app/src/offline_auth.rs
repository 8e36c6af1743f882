//! Signing in again without a network, on a device where this user signed in before.
//!
//! After each successful online sign-in the device keeps a verifier: PBKDF2-SHA-256 of the
//! password with a random salt and many iterations (WebCrypto does the slow part), next to the
//! session it opened. When the server cannot be reached, sign-in checks the typed password
//! against the verifier and, if it matches, reopens that session so the user's local records
//! become readable again; sync resumes when the network returns (and asks for an online sign-in
//! if the server no longer accepts the session). Signing out erases the verifier with the data.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use shared::api::Session;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const ITERATIONS: u32 = 310_000;

#[derive(Serialize, Deserialize)]
struct Verifier {
    salt: Vec<u8>,
    iterations: u32,
    hash: Vec<u8>,
    session: Session,
}

fn key(username: &str) -> String {
    format!("tam-an.offline.{}", username.trim().to_lowercase())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Keeps a verifier for this user's password and session (after an online sign-in).
pub async fn remember(username: &str, password: &str, session: &Session) {
    let mut salt = [0u8; 16];
    let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) else {
        return;
    };
    if crypto.get_random_values_with_u8_array(&mut salt).is_err() {
        return;
    }
    let Some(hash) = derive(password, &salt, ITERATIONS).await else {
        return;
    };
    let verifier = Verifier {
        salt: salt.to_vec(),
        iterations: ITERATIONS,
        hash,
        session: session.clone(),
    };
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(&verifier)) {
        let _ = storage.set_item(&key(username), &json);
    }
}

/// The session kept for this user, if the password matches the verifier.
pub async fn verify(username: &str, password: &str) -> Option<Session> {
    let json = storage()?.get_item(&key(username)).ok()??;
    let verifier: Verifier = serde_json::from_str(&json).ok()?;
    let hash = derive(password, &verifier.salt, verifier.iterations).await?;
    // Compare without an early exit.
    let same = hash.len() == verifier.hash.len()
        && hash
            .iter()
            .zip(&verifier.hash)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then_some(verifier.session)
}

/// Whether this device can sign this user in offline.
pub fn known(username: &str) -> bool {
    storage()
        .and_then(|storage| storage.get_item(&key(username)).ok().flatten())
        .is_some()
}

pub fn forget(username: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(username));
    }
}

async fn derive(password: &str, salt: &[u8], iterations: u32) -> Option<Vec<u8>> {
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let password_bytes = Uint8Array::from(password.as_bytes());
    let usages = Array::of1(&JsValue::from_str("deriveBits"));
    let key = JsFuture::from(
        subtle
            .import_key_with_str("raw", &password_bytes, "PBKDF2", false, &usages)
            .ok()?,
    )
    .await
    .ok()?;
    let params = Object::new();
    Reflect::set(&params, &"name".into(), &"PBKDF2".into()).ok()?;
    Reflect::set(&params, &"hash".into(), &"SHA-256".into()).ok()?;
    Reflect::set(&params, &"salt".into(), &Uint8Array::from(salt)).ok()?;
    Reflect::set(&params, &"iterations".into(), &JsValue::from(iterations)).ok()?;
    let key: web_sys::CryptoKey = key.unchecked_into();
    let bits = JsFuture::from(subtle.derive_bits_with_object(&params, &key, 256).ok()?)
        .await
        .ok()?;
    Some(Uint8Array::new(&bits).to_vec())
}
