use axum::http::{Method, StatusCode};
use chrono::Duration;
use serde_json::json;
use server::config::Policy;

use crate::helpers::TestApp;

#[tokio::test]
async fn demo_users_sign_in_and_see_themselves() {
    let app = TestApp::new().await;
    for (username, role) in [
        ("admin", "admin"),
        ("counsellor", "counsellor"),
        ("health", "health_worker"),
        ("clinician", "clinician"),
        ("social", "social_worker"),
        ("officer", "officer"),
    ] {
        let reply = app.try_login(username, "demo").await;
        let token = TestApp::token(&reply);
        assert_eq!(reply.json["user"]["role"], role);
        let me = app.get("/api/auth/me", &token).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json["username"], username);
        assert!(me.json["area_name"].as_str().unwrap().contains("Lạng Sơn") || role != "admin");
    }
    let me = app
        .get("/api/auth/me", &app.login("counsellor", "demo").await)
        .await;
    assert_eq!(me.json["facility_name"], "Trường THCS Tam Thanh");
    // Usernames are not case-sensitive.
    assert_eq!(
        app.try_login(" Counsellor ", "demo").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_gets_the_same_clear_answer() {
    let app = TestApp::new().await;
    let wrong = app.try_login("counsellor", "nope").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json["code"], "bad_credentials");
    assert_eq!(wrong.json["message"], "Sai tên đăng nhập hoặc mật khẩu.");
    let unknown = app.try_login("nobody", "demo").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.json, wrong.json);
}

#[tokio::test]
async fn errors_speak_english_when_asked() {
    let app = TestApp::new().await;
    let request = axum::http::Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .header("accept-language", "en-GB,en;q=0.9")
        .body(axum::body::Body::from(
            json!({"username": "admin", "password": "x"}).to_string(),
        ))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.json["message"], "Wrong username or password.");
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        assert_eq!(
            app.try_login("health", "guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password is refused while throttled, with a retry time.
    let locked = app.try_login("health", "demo").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.json["code"], "too_many_attempts");
    assert_eq!(locked.json["retry_after_seconds"], 900);
    assert_eq!(locked.headers["retry-after"], "900");
    assert!(locked.json["message"].as_str().unwrap().contains("15 phút"));
    // Another account from the same address still works (schools share one address).
    assert_eq!(
        app.try_login("counsellor", "demo").await.status,
        StatusCode::OK
    );
    app.clock
        .advance(Duration::minutes(15) + Duration::seconds(1));
    assert_eq!(app.try_login("health", "demo").await.status, StatusCode::OK);
}

#[tokio::test]
async fn too_many_failures_from_one_address_are_throttled_across_accounts() {
    let policy = Policy {
        max_failures_per_address: 3,
        ..Policy::default()
    };
    let app = TestApp::with(policy, None).await;
    for username in ["a1", "a2", "a3"] {
        assert_eq!(
            app.try_login(username, "x").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.try_login("counsellor", "demo").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn sessions_expire() {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    app.clock.advance(Duration::hours(167));
    assert_eq!(app.get("/api/auth/me", &token).await.status, StatusCode::OK);
    app.clock.advance(Duration::hours(1));
    let expired = app.get("/api/auth/me", &token).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.json["code"], "unauthorized");
}

#[tokio::test]
async fn sign_out_revokes_the_token_at_once() {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    let other_device = app.login("counsellor", "demo").await;
    let reply = app
        .call(Method::POST, "/api/auth/logout", Some(&token), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/auth/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Only this session ended.
    assert_eq!(
        app.get("/api/auth/me", &other_device).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/auth/me", "not-a-token").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(Method::GET, "/api/auth/me", None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_is_signed_out() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let counsellor = app.login("counsellor", "demo").await;
    let me = app.get("/api/auth/me", &counsellor).await.json;
    let path = format!("/api/users/{}", me["id"].as_str().unwrap());
    assert_eq!(
        app.patch(&path, &admin, json!({"active": false}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/auth/me", &counsellor).await.status,
        StatusCode::UNAUTHORIZED
    );
    let refused = app.try_login("counsellor", "demo").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json["code"], "account_disabled");
    assert_eq!(
        app.patch(&path, &admin, json!({"active": true}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.try_login("counsellor", "demo").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one_and_signs_out_other_devices() {
    let app = TestApp::new().await;
    let token = app.login("social", "demo").await;
    let other_device = app.login("social", "demo").await;
    let wrong = app
        .post(
            "/api/auth/password",
            &token,
            json!({"current_password": "x", "new_password": "núi-đá-2026"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.json["fields"]["current_password"],
        "Mật khẩu hiện tại không đúng."
    );
    let weak = app
        .post(
            "/api/auth/password",
            &token,
            json!({"current_password": "demo", "new_password": "12345678"}),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.json["fields"]["new_password"].is_string());
    let ok = app
        .post(
            "/api/auth/password",
            &token,
            json!({"current_password": "demo", "new_password": "núi-đá-2026"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    assert_eq!(app.get("/api/auth/me", &token).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/auth/me", &other_device).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.try_login("social", "demo").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.try_login("social", "núi-đá-2026").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_throttled_on_its_own_address() {
    let policy = Policy {
        max_failures_per_address: 2,
        trust_forwarded_for: true,
        ..Policy::default()
    };
    let app = TestApp::with(policy, None).await;
    let attempt = |forwarded_for: &'static str, username: &'static str, password: &'static str| {
        axum::http::Request::post("/api/auth/login")
            .header("content-type", "application/json")
            .header("x-forwarded-for", forwarded_for)
            .body(axum::body::Body::from(
                json!({"username": username, "password": password}).to_string(),
            ))
            .unwrap()
    };
    for username in ["x1", "x2"] {
        assert_eq!(
            app.send(attempt("10.0.0.7", username, "bad")).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.send(attempt("10.0.0.7", "counsellor", "demo"))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A client forging an earlier entry is still keyed on the address the proxy appended.
    assert_eq!(
        app.send(attempt("1.2.3.4, 10.0.0.7", "counsellor", "demo"))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another school behind the same proxy is not affected.
    assert_eq!(
        app.send(attempt("10.0.0.8", "counsellor", "demo"))
            .await
            .status,
        StatusCode::OK
    );
    let audit = app
        .get(
            "/api/audit?action=auth.sign_in",
            &app.login("admin", "demo").await,
        )
        .await
        .json;
    assert!(audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["client_addr"] == "10.0.0.8"));
}

/// A rush of sign-ins queues for the bounded hasher; beyond its wait, the answer is a clear 503
/// with Retry-After (never a 5xx of another kind, never memory for all at once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rush_of_sign_ins_beyond_the_queue_is_told_to_retry() {
    let policy = Policy {
        hash_permits: 1,
        hash_queue_seconds: 0,
        ..Policy::default()
    };
    let app = TestApp::with(policy, None).await;
    let attempts = (0..12).map(|i| {
        let app = &app;
        async move { app.try_login(&format!("nobody{i}"), "sai mật khẩu").await }
    });
    let replies = futures::future::join_all(attempts).await;
    let busy: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        !busy.is_empty(),
        "one hash at a time, no wait: some of twelve at once are refused"
    );
    for reply in &busy {
        assert_eq!(reply.json["code"], "busy");
        assert!(reply.headers.contains_key("retry-after"));
        assert!(reply.json["message"].as_str().unwrap().contains("thử lại"));
    }
    assert!(
        replies.iter().all(|r| matches!(
            r.status,
            StatusCode::UNAUTHORIZED | StatusCode::SERVICE_UNAVAILABLE
        )),
        "every other answer is the usual wrong-password one"
    );
    // A sign-in after the rush works.
    let token = app.login("counsellor", "demo").await;
    assert!(!token.is_empty());
}
