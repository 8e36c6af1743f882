//! What the store writes is sealed: AES-256-GCM under the user's data key, which lives only in
//! WebCrypto (non-extractable) while the user is signed in. `crate::vault` finds the key at
//! sign-in or reload and hands it over with [`set_key`]; without it nothing can be read or written.
//!
//! A sealed value is `[1, iv (12 bytes), ciphertext with its 16-byte tag]` as a `Uint8Array`, the
//! plaintext being the value's bytes compressed with LZ4 (its size first). Chromium compresses
//! what it writes to IndexedDB, which ciphertext defeats: compressing first keeps the store as
//! small as before (a pulled page of 2,000 records: 1.4 MB of JSON, about a third of that sealed)
//! and cheaper to write than the uncompressed ciphertext.
//! WebCrypto answers with promises, and an IndexedDB transaction closes as soon as it waits on
//! anything else: values are sealed before a transaction opens and opened after it has read.

use std::cell::RefCell;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::CryptoKey;

use super::StoreError;

/// The first byte of a sealed value: the format, so a later one can be told apart.
const FORMAT: u8 = 1;
const IV_LEN: usize = 12;
/// The error of a value this key does not open (the store was sealed under a key now lost).
pub const UNREADABLE: &str = "the local store cannot be opened with this key";

thread_local! {
    static KEY: RefCell<Option<CryptoKey>> = const { RefCell::new(None) };
}

/// The data key for the store about to be opened (non-extractable, AES-GCM).
pub fn set_key(key: CryptoKey) {
    KEY.with(|slot| *slot.borrow_mut() = Some(key));
}

/// Forgets the data key: the store cannot be read again until the vault finds it.
pub fn clear_key() {
    KEY.with(|slot| *slot.borrow_mut() = None);
}

pub fn has_key() -> bool {
    KEY.with(|slot| slot.borrow().is_some())
}

fn key() -> Result<CryptoKey, StoreError> {
    KEY.with(|slot| slot.borrow().clone())
        .ok_or_else(|| StoreError("the local store is locked".into()))
}

fn subtle() -> Result<web_sys::SubtleCrypto, StoreError> {
    Ok(web_sys::window()
        .ok_or_else(|| StoreError("no window".into()))?
        .crypto()
        .map_err(|_| StoreError("no WebCrypto".into()))?
        .subtle())
}

fn params(iv: &[u8]) -> Result<Object, StoreError> {
    let params = Object::new();
    let set = |name: &str, value: &JsValue| {
        Reflect::set(&params, &name.into(), value).map_err(|_| StoreError("crypto".into()))
    };
    set("name", &"AES-GCM".into())?;
    set("iv", &Uint8Array::from(iv).into())?;
    Ok(params)
}

/// Random bytes from the browser's generator.
pub fn random<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    web_sys::window()
        .ok_or_else(|| StoreError("no window".into()))?
        .crypto()
        .map_err(|_| StoreError("no WebCrypto".into()))?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| StoreError("no random numbers".into()))?;
    Ok(bytes)
}

/// Seals the bytes under the data key.
pub async fn seal(plain: &[u8]) -> Result<JsValue, StoreError> {
    let key = key()?;
    let iv = random::<IV_LEN>()?;
    let packed = lz4_flex::block::compress_prepend_size(plain);
    let promise = subtle()?
        .encrypt_with_object_and_js_u8_array(&params(&iv)?, &key, &Uint8Array::from(&packed[..]))
        .map_err(|_| StoreError("encrypt".into()))?;
    let sealed = JsFuture::from(promise)
        .await
        .map_err(|_| StoreError("encrypt".into()))?;
    let sealed = Uint8Array::new(&sealed);
    let out = Uint8Array::new_with_length((1 + IV_LEN) as u32 + sealed.length());
    out.set_index(0, FORMAT);
    out.subarray(1, 1 + IV_LEN as u32).copy_from(&iv);
    out.set(&sealed, (1 + IV_LEN) as u32);
    Ok(out.into())
}

/// Opens a sealed value; `None` when the value was not sealed (text an older app version wrote
/// before the store was encrypted: it is read once and sealed again).
pub async fn open(value: &JsValue) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(bytes) = value.dyn_ref::<Uint8Array>() else {
        return if value.is_string() {
            Ok(None)
        } else {
            Err(StoreError("stored value is not sealed".into()))
        };
    };
    if bytes.length() < (1 + IV_LEN) as u32 || bytes.get_index(0) != FORMAT {
        return Err(StoreError("stored value is not sealed".into()));
    }
    let iv = bytes.subarray(1, 1 + IV_LEN as u32).to_vec();
    let body = bytes.subarray(1 + IV_LEN as u32, bytes.length());
    let promise = subtle()?
        .decrypt_with_object_and_js_u8_array(&params(&iv)?, &key()?, &body)
        .map_err(|_| StoreError("decrypt".into()))?;
    let plain = JsFuture::from(promise)
        .await
        .map_err(|_| StoreError(UNREADABLE.into()))?;
    lz4_flex::block::decompress_size_prepended(&Uint8Array::new(&plain).to_vec())
        .map(Some)
        .map_err(|_| StoreError(UNREADABLE.into()))
}
