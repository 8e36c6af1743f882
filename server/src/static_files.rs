//! The app's static files from `dist/`, and the headers every response carries.
//!
//! Content-hashed files (`app-<hash>.wasm`) never change, so they are cached for a year; the
//! shell (`index.html`), the service worker and the manifest are revalidated on every load so a new
//! version is picked up. Brotli and gzip variants written by `cargo xtask dist` are served with the
//! right `Content-Encoding`, and a device that holds an earlier release gets deltas against it
//! ([`delta`]). Paths without a file extension are client routes and get the shell.

use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

mod delta;

/// Content-Security-Policy: only our own origin; wasm needs `'wasm-unsafe-eval'`, nothing inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
    worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn router(dist: &Path) -> Router<AppState> {
    let shell = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(shell);
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(shell_only_for_routes))
        .layer(axum::middleware::from_fn_with_state(
            delta::Deltas::new(dist),
            delta::serve,
        ))
        // A file whose `.br`/`.gz` variant is missing (a hand-copied dist/) is compressed as it
        // goes out; a precompressed variant already carries its encoding and passes untouched.
        .layer(crate::compression())
}

/// A missing file with an extension (`/app-old.wasm`) is a real 404, not the shell.
async fn shell_only_for_routes(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let last = path.rsplit('/').next().unwrap_or("");
    let is_file = last.contains('.');
    let served_shell = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if is_file && served_shell && !last.ends_with(".html") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    response
}

/// Cache policy by path, plus the security headers, on every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let cache = cache_policy(&path);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=(), payment=()"),
    );
    headers.insert(
        "x-tam-an-version",
        HeaderValue::from_static(env!("CARGO_PKG_VERSION")),
    );
    response
}

fn cache_policy(path: &str) -> &'static str {
    if path.starts_with("/api/") {
        // Children's data must not sit in shared HTTP caches or the browser's disk cache.
        return "no-store";
    }
    let name = path.rsplit('/').next().unwrap_or("");
    if is_content_hashed(name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// `name-0123456789abcdef.ext`: a 16-hex-digit hash before the extension (see xtask's dist).
fn is_content_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    match stem.rsplit_once('-') {
        Some((_, hash)) => hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

/// Where the built app lives, if it has been built.
pub fn dist_if_built(dist: PathBuf) -> Option<PathBuf> {
    dist.join("index.html").is_file().then_some(dist)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_files_are_immutable_and_the_shell_revalidates() {
        assert_eq!(
            cache_policy("/app-0123456789abcdef.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_policy("/app_bg-0123456789abcdef.wasm.br"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_policy("/index.html"), "no-cache");
        assert_eq!(cache_policy("/sw.js"), "no-cache");
        assert_eq!(cache_policy("/children/123"), "no-cache");
        assert_eq!(cache_policy("/api/auth/me"), "no-store");
        assert_eq!(cache_policy("/icon-192.png"), "no-cache");
    }
}
