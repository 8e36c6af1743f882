//! Request bodies are gzip-compressed by the browser's own `CompressionStream` before they go up
//! (a push of 1,000 changes is about 560 KB of JSON; the server decompresses with tower-http).
//! Small bodies are sent as they are, and so is everything when the browser lacks the API.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStream, ReadableWritablePair, WritableStream};

// `CompressionStream` is behind web-sys's unstable flag; the three members used are bound here.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = CompressionStream)]
    type Compressor;
    #[wasm_bindgen(constructor, js_class = "CompressionStream", catch)]
    fn new(format: &str) -> Result<Compressor, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &Compressor) -> ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &Compressor) -> WritableStream;
}

/// Bodies shorter than this are not worth compressing.
pub const FROM_BYTES: usize = 8 * 1024;

/// The text gzip-compressed, or `None` when it is small or the browser cannot compress.
pub async fn compress(text: &str) -> Option<Uint8Array> {
    if text.len() < FROM_BYTES {
        return None;
    }
    let global = js_sys::global();
    if !js_sys::Reflect::has(&global, &JsValue::from_str("CompressionStream")).unwrap_or(false) {
        return None;
    }
    gzip(text).await.ok()
}

async fn gzip(text: &str) -> Result<Uint8Array, JsValue> {
    let parts = Array::of1(&JsValue::from_str(text));
    let blob = Blob::new_with_str_sequence(&parts)?;
    let compressor = Compressor::new("gzip")?;
    let pair = ReadableWritablePair::new(&compressor.readable(), &compressor.writable());
    let compressed = blob.stream().pipe_through(&pair);
    let response = web_sys::Response::new_with_opt_readable_stream(Some(&compressed))?;
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(Uint8Array::new(buffer.unchecked_ref()))
}
