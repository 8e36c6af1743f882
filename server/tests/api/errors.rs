//! Bad input of every kind gets a clear 4xx in our JSON shape and changes nothing.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use server::config::Policy;

use crate::helpers::TestApp;

fn raw(
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::post(path).header("authorization", format!("Bearer {token}"));
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    builder.body(body.into()).unwrap()
}

#[tokio::test]
async fn malformed_json_unknown_fields_wrong_types_and_missing_content_type() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let before = app.count("facilities").await;

    let syntax = app
        .send(raw(
            "/api/facilities",
            &admin,
            Some("application/json"),
            "{\"name\": ",
        ))
        .await;
    assert_eq!(syntax.status, StatusCode::BAD_REQUEST);
    assert_eq!(syntax.json["code"], "malformed_request");
    assert!(syntax.json["message"]
        .as_str()
        .unwrap()
        .starts_with("Dữ liệu gửi lên không đúng định dạng"));

    let area = app.area_id(&admin, "Xã Cao Lộc").await;
    let unknown = app
        .post("/api/facilities", &admin, json!({"name": "X", "facility_type": "primary_school", "area_id": area, "is_admin": true}))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.json["message"]
            .as_str()
            .unwrap()
            .contains("is_admin"),
        "{}",
        unknown.json
    );

    let wrong_type = app
        .post(
            "/api/facilities",
            &admin,
            json!({"name": 5, "facility_type": "primary_school", "area_id": area}),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    let bad_uuid = app
        .post(
            "/api/facilities",
            &admin,
            json!({"name": "X", "facility_type": "primary_school", "area_id": "abc"}),
        )
        .await;
    assert_eq!(bad_uuid.status, StatusCode::BAD_REQUEST);

    let no_type = app
        .send(raw(
            "/api/facilities",
            &admin,
            None,
            json!({"name": "X"}).to_string(),
        ))
        .await;
    assert_eq!(no_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(no_type.json["code"], "expected_json");
    assert_eq!(app.count("facilities").await, before);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let policy = Policy {
        max_body_bytes: 4096,
        ..Policy::default()
    };
    let app = TestApp::with(policy, None).await;
    let admin = app.login("admin", "demo").await;
    let huge =
        json!({"name": "x".repeat(10_000), "facility_type": "primary_school", "area_id": "x"})
            .to_string();
    let reply = app
        .send(raw(
            "/api/facilities",
            &admin,
            Some("application/json"),
            huge,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json["code"], "body_too_large");
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s_and_bad_query_parameters_are_400s() {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    let missing = app.get("/api/nothing-here", &token).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json["code"], "not_found");
    let bad_query = app
        .get("/api/facilities?facility_type=castle", &token)
        .await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn health_version_header_and_openapi() {
    let app = TestApp::new().await;
    let health = app.call(Method::GET, "/api/health", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json["status"], "ok");
    assert_eq!(
        health.headers["x-tam-an-version"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(health.headers["cache-control"], "no-store");

    let document = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .json;
    let paths = document["paths"].as_object().unwrap();
    // Every documented operation exists on the router: without a session each answers 401
    // (or, for the public ones, something other than 404).
    let mut operations = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "01a203c1-86d6-74bc-8c83-61af331563e4");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method != Method::GET).then(|| json!({}));
            let reply = app.call(method.clone(), &concrete, None, body).await;
            assert_ne!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{method} {path} is documented but not routed"
            );
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            operations += 1;
        }
    }
    assert!(operations >= 17, "only {operations} operations documented");
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for schema in [
        "Session",
        "CurrentUser",
        "Facility",
        "Area",
        "User",
        "ErrorBody",
        "AuditPage",
    ] {
        assert!(schemas.contains_key(schema), "schema {schema} missing");
    }
}

#[tokio::test]
async fn compressed_error_bodies_decode_to_the_localized_json() {
    use std::io::Read;
    let app = TestApp::new().await;
    let request = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .header("accept-encoding", "gzip")
        .header("x-lang", "en")
        .body(Body::from(
            json!({"username": "admin", "password": "wrong"}).to_string(),
        ))
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["message"], "Wrong username or password.");
}

#[tokio::test]
async fn the_document_says_where_each_parameter_goes_and_what_needs_a_session() {
    let app = TestApp::new().await;
    let document = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .json;
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                let expected = if in_path { "path" } else { "query" };
                assert_eq!(parameter["in"], expected, "{method} {path} {name}");
                if in_path {
                    assert_eq!(parameter["required"], true, "{method} {path} {name}");
                }
                checked += 1;
            }
            let public = [
                "/api/health",
                "/api/openapi.json",
                "/api/auth/login",
                "/api/instruments",
                "/api/fhir/metadata",
            ];
            if !public.contains(&path.as_str()) && !path.starts_with("/api/instruments") {
                assert!(
                    operation["security"]
                        .as_array()
                        .is_some_and(|s| !s.is_empty()),
                    "{method} {path} needs a session but does not say so"
                );
            }
        }
    }
    assert!(checked > 10, "only {checked} parameters");
    let conflict = &document["components"]["schemas"]["Conflict"]["properties"];
    assert_ne!(
        conflict["kept"]["type"], "object",
        "kept may be null or any value"
    );
}

#[tokio::test]
async fn query_and_path_rejections_answer_the_json_error_body() {
    let app = TestApp::new().await;
    let token = app.login("admin", "demo").await;
    for path in [
        "/api/sync/pull?since=abc",
        "/api/facilities/not-a-uuid",
        "/api/audit?limit=-3",
        "/api/indicators?year=x",
    ] {
        let reply = app.get(path, &token).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            reply.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}: {:?}",
            reply.headers["content-type"]
        );
        assert_eq!(reply.json["code"], "malformed_request", "{path}");
        assert!(!reply.json["message"].as_str().unwrap().is_empty());
    }
}
