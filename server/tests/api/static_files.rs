//! The built app is served with the right caching, encodings and security headers.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use server::config::Policy;
use tower::ServiceExt;

use crate::helpers::TestApp;

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Tâm An</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app-0123456789abcdef.wasm"), b"\0asm-plain").unwrap();
    std::fs::write(
        dir.path().join("app-0123456789abcdef.wasm.br"),
        b"brotli-bytes",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    dir
}

async fn get(
    app: &TestApp,
    path: &str,
    encoding: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut builder = Request::get(path);
    if let Some(encoding) = encoding {
        builder = builder.header("accept-encoding", encoding);
    }
    let response = app
        .router
        .clone()
        .oneshot(builder.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn shell_assets_and_client_routes() {
    let dir = dist();
    let app = TestApp::with(Policy::default(), Some(dir.path().to_path_buf())).await;

    let (status, headers, body) = get(&app, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("Tâm An"));
    assert_eq!(headers["cache-control"], "no-cache");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("'wasm-unsafe-eval'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("referrer-policy"));

    let (status, _, body) = get(&app, "/admin/users", None).await;
    assert_eq!(status, StatusCode::OK, "client routes get the shell");
    assert!(String::from_utf8(body).unwrap().contains("Tâm An"));

    let (status, headers, body) = get(&app, "/app-0123456789abcdef.wasm", Some("br, gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(body, b"brotli-bytes");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers["content-type"], "application/wasm");

    let (_, headers, body) = get(&app, "/app-0123456789abcdef.wasm", None).await;
    assert!(!headers.contains_key("content-encoding"));
    assert_eq!(body, b"\0asm-plain");

    let (_, headers, _) = get(&app, "/sw.js", None).await;
    assert_eq!(headers["cache-control"], "no-cache");

    let (status, _, _) = get(&app, "/app-ffffffffffffffff.wasm", None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a missing asset is not the shell"
    );
}

#[tokio::test]
async fn a_file_without_its_precompressed_variant_is_compressed_on_the_fly() {
    // A dist/ whose .br went missing (issue 18: the 2.8 MB wasm went out uncompressed).
    let dir = dist();
    let wasm: Vec<u8> = b"\0asm"
        .iter()
        .copied()
        .chain(std::iter::repeat_n(b"(func $f (param i32))".iter().copied(), 2_000).flatten())
        .collect();
    std::fs::write(dir.path().join("app_bg-fedcba9876543210.wasm"), &wasm).unwrap();
    let app = TestApp::with(Policy::default(), Some(dir.path().to_path_buf())).await;
    let (status, headers, body) =
        get(&app, "/app_bg-fedcba9876543210.wasm", Some("br, gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(headers["content-type"], "application/wasm");
    assert!(body.len() < wasm.len() / 10, "{} bytes", body.len());
    let mut plain = Vec::new();
    brotli_decompress(&body, &mut plain);
    assert_eq!(plain, wasm);
    // A precompressed variant is still sent as it is, not compressed again.
    let (_, headers, body) = get(&app, "/app-0123456789abcdef.wasm", Some("br")).await;
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(body, b"brotli-bytes");
}

fn brotli_decompress(input: &[u8], output: &mut Vec<u8>) {
    use std::io::Read;
    brotli::Decompressor::new(input, 4096)
        .read_to_end(output)
        .unwrap();
}
