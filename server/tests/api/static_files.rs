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
    get_with(app, path, encoding, None).await
}

async fn get_with(
    app: &TestApp,
    path: &str,
    encoding: Option<&str>,
    dictionary: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut builder = Request::get(path);
    if let Some(encoding) = encoding {
        builder = builder.header("accept-encoding", encoding);
    }
    if let Some(dictionary) = dictionary {
        builder = builder.header("available-dictionary", dictionary);
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

#[tokio::test]
async fn a_device_holding_an_earlier_release_gets_the_delta_against_it() {
    use base64::Engine;
    let dir = dist();
    // What `cargo xtask dist` keeps: the delta of the current wasm against an earlier one.
    let earlier = [7u8; 32];
    let hex: String = earlier.iter().map(|b| format!("{b:02x}")).collect();
    let held = format!(
        ":{}:",
        base64::engine::general_purpose::STANDARD.encode(earlier)
    );
    let deltas = dir.path().join("delta/app-0123456789abcdef.wasm");
    std::fs::create_dir_all(&deltas).unwrap();
    std::fs::write(deltas.join(format!("{hex}.dcz")), b"delta-bytes").unwrap();
    let app = TestApp::with(Policy::default(), Some(dir.path().to_path_buf())).await;
    let chromium = "gzip, deflate, br, zstd, dcb, dcz";
    let path = "/app-0123456789abcdef.wasm";

    let (status, headers, body) = get_with(&app, path, Some(chromium), Some(&held)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "dcz");
    assert_eq!(headers["content-type"], "application/wasm");
    assert_eq!(body, b"delta-bytes");
    assert_eq!(headers["vary"], "accept-encoding, available-dictionary");
    assert_eq!(headers["use-as-dictionary"], "match=\"/app-*.wasm\"");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );

    // A dictionary there is no delta for, or a browser that does not take dcz: the brotli file.
    let other = format!(
        ":{}:",
        base64::engine::general_purpose::STANDARD.encode([8u8; 32])
    );
    for (encoding, dictionary) in [(chromium, other.as_str()), ("gzip, br", held.as_str())] {
        let (status, headers, body) = get_with(&app, path, Some(encoding), Some(dictionary)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-encoding"], "br");
        assert_eq!(body, b"brotli-bytes");
        assert_eq!(headers["use-as-dictionary"], "match=\"/app-*.wasm\"");
        assert_eq!(headers["vary"], "accept-encoding, available-dictionary");
    }

    // The shell is no dictionary, and the deltas and dictionaries themselves are not served.
    let (_, headers, _) = get(&app, "/", Some(chromium)).await;
    assert!(!headers.contains_key("use-as-dictionary"));
    let (status, _, _) = get(
        &app,
        &format!("/delta/app-0123456789abcdef.wasm/{hex}.dcz"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&app, "/app-ffffffffffffffff.wasm", Some(chromium)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
