//! Updates sent as deltas (RFC 9842, compression dictionary transport).
//!
//! Every content-hashed file goes out marked `Use-As-Dictionary`: the browser keeps it as the
//! dictionary for later versions of the same file (`/split_admin-*.wasm`). When it asks for such
//! a version, it names the dictionary it holds (`Available-Dictionary: :<SHA-256, base64>:`) and
//! offers `dcz` in `Accept-Encoding`. If `cargo xtask dist` wrote a delta of that file against
//! that dictionary (`dist/delta/<file>/<sha256 hex>.dcz`), the delta goes out instead of the
//! brotli file: a release that renames every wasm module costs a device a few percent of it.
//! Anything else (no dictionary, one we have no delta for, a browser without `dcz`) gets the
//! file as before.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

/// The kinds of content-hashed files that serve as dictionaries and may go out as deltas.
const KINDS: [(&str, &str); 3] = [
    ("wasm", "application/wasm"),
    ("js", "text/javascript; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
];

/// Where the deltas live: `dist/delta/`.
#[derive(Clone)]
pub struct Deltas(Arc<PathBuf>);

impl Deltas {
    pub fn new(dist: &std::path::Path) -> Deltas {
        Deltas(Arc::new(dist.join("delta")))
    }
}

/// Sends a delta when the browser holds a dictionary one was made against, and marks every
/// content-hashed file as a dictionary. `dist/delta/` itself is not served.
pub async fn serve(State(deltas): State<Deltas>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == "/delta" || path.starts_with("/delta/") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let Some(file) = File::named(path) else {
        return next.run(request).await;
    };
    let wanted = (request.method() == Method::GET && accepts_dcz(request.headers()))
        .then(|| available_dictionary(request.headers()))
        .flatten();
    let delta = match wanted {
        Some(hash) => tokio::fs::read(deltas.0.join(&file.name).join(format!("{hash}.dcz")))
            .await
            .ok(),
        None => None,
    };
    let mut response = match delta {
        Some(bytes) => {
            let mut response = Body::from(bytes).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.mime));
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("dcz"));
            response
        }
        None => next.run(request).await,
    };
    if response.status() == StatusCode::OK {
        let headers = response.headers_mut();
        if let Ok(mark) = HeaderValue::from_str(&format!("match=\"{}\"", file.pattern)) {
            headers.insert("use-as-dictionary", mark);
        }
        // The answer differs by what the browser accepts and which dictionary it holds.
        headers.insert(
            header::VARY,
            HeaderValue::from_static("accept-encoding, available-dictionary"),
        );
    }
    response
}

/// A content-hashed file at the top of `dist/`: `split_admin-0123456789abcdef.wasm`.
struct File {
    name: String,
    /// The URL pattern of its other versions: `/split_admin-*.wasm`.
    pattern: String,
    mime: &'static str,
}

impl File {
    fn named(path: &str) -> Option<File> {
        let name = path.strip_prefix('/')?;
        let (stem, extension) = name.rsplit_once('.')?;
        let mime = KINDS.iter().find(|(kind, _)| *kind == extension)?.1;
        let (role, hash) = stem.rsplit_once('-')?;
        let safe = |text: &str| {
            !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        };
        if hash.len() != 16 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) || !safe(role) {
            return None;
        }
        Some(File {
            name: name.to_string(),
            pattern: format!("/{role}-*.{extension}"),
            mime,
        })
    }
}

/// Whether `Accept-Encoding` offers `dcz` (with a weight above zero).
fn accepts_dcz(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|offer| {
            let mut parts = offer.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("");
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            coding.eq_ignore_ascii_case("dcz") && !refused
        })
}

/// The hex SHA-256 named by `Available-Dictionary` (a structured-field byte sequence).
fn available_dictionary(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("available-dictionary")?.to_str().ok()?.trim();
    let encoded = value.strip_prefix(':')?.strip_suffix(':')?;
    let hash = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    (hash.len() == 32).then(|| hash.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_hashed_files_at_the_top_are_dictionaries() {
        let file = File::named("/split_admin-0123456789abcdef.wasm").unwrap();
        assert_eq!(file.pattern, "/split_admin-*.wasm");
        assert_eq!(file.mime, "application/wasm");
        assert!(File::named("/sw.js").is_none());
        assert!(File::named("/index.html").is_none());
        assert!(File::named("/icons/icon-0123456789abcdef.png").is_none());
        assert!(File::named("/a/../app-0123456789abcdef.js").is_none());
        assert!(File::named("/app-0123456789abcdeg.js").is_none());
    }

    #[test]
    fn dcz_must_be_offered_with_a_weight() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            accepts_dcz(&headers)
        };
        assert!(with("gzip, deflate, br, zstd, dcb, dcz"));
        assert!(with("br;q=0.9, DCZ;q=1"));
        assert!(!with("gzip, br, zstd, dcb"));
        assert!(!with("br, dcz;q=0"));
    }

    #[test]
    fn the_dictionary_is_named_by_its_sha256() {
        let mut headers = HeaderMap::new();
        let hash = [0xabu8; 32];
        let encoded = base64::engine::general_purpose::STANDARD.encode(hash);
        headers.insert(
            "available-dictionary",
            HeaderValue::from_str(&format!(":{encoded}:")).unwrap(),
        );
        assert_eq!(available_dictionary(&headers), Some("ab".repeat(32)));
        headers.insert("available-dictionary", HeaderValue::from_static(":YWJj:"));
        assert_eq!(available_dictionary(&headers), None, "not 32 bytes");
        headers.insert("available-dictionary", HeaderValue::from_static("../../x"));
        assert_eq!(available_dictionary(&headers), None);
    }
}
