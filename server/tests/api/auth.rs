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
async fn guessing_slows_down_without_locking_the_owner_out() {
    let app = TestApp::new().await;
    // The owner signed in on their own device before: it holds a device token.
    let own = app.try_login("health", "demo").await;
    let device_token = own.json["device_token"].as_str().unwrap().to_string();
    for _ in 0..5 {
        assert_eq!(
            app.try_login("health", "guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // From a new device even the right password waits, a second at first, with a retry time.
    let slowed = app.try_login("health", "demo").await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(slowed.json["code"], "too_many_attempts");
    assert_eq!(slowed.json["retry_after_seconds"], 1);
    assert_eq!(slowed.headers["retry-after"], "1");
    assert!(slowed.json["message"].as_str().unwrap().contains("1 giây"));
    // Each further failure doubles the wait.
    app.clock.advance(Duration::seconds(1));
    assert_eq!(
        app.try_login("health", "guess").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.try_login("health", "guess").await.json["retry_after_seconds"],
        2
    );
    // The owner's own device is not held up by the guesses.
    let body = json!({"username": "health", "password": "demo", "device_token": device_token});
    let known = app
        .call(Method::POST, "/api/auth/login", None, Some(body))
        .await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.json);
    assert_eq!(known.json["device_token"], json!(device_token));
    // A token for another account, or a forged one, is no help.
    let body = json!({"username": "counsellor", "password": "x", "device_token": device_token});
    let other = app
        .call(Method::POST, "/api/auth/login", None, Some(body))
        .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    // Another account from the same address still works (schools share one address).
    assert_eq!(
        app.try_login("counsellor", "demo").await.status,
        StatusCode::OK
    );
    // An administrator lifts the delay at once, and every throttled attempt is in the audit.
    let admin = app.login("admin", "demo").await;
    let users = app.get("/api/users", &admin).await.json;
    let health = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "health")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unlocked = app
        .post(&format!("/api/users/{health}/unlock"), &admin, json!({}))
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.json);
    assert_eq!(app.try_login("health", "demo").await.status, StatusCode::OK);
    let audit = app
        .get("/api/audit?action=auth.sign_in_throttled", &admin)
        .await
        .json;
    assert_eq!(audit["entries"].as_array().unwrap().len(), 2, "{audit}");
    let audit = app.get("/api/audit?action=user.unlock", &admin).await.json;
    assert_eq!(audit["entries"].as_array().unwrap().len(), 1, "{audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_guesses_are_counted_before_any_is_checked() {
    let app = TestApp::new().await;
    let guesses = (0..100).map(|i| {
        let app = &app;
        async move { app.try_login("health", &format!("guess-{i}")).await.status }
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked, 5, "{answers:?}");
    assert_eq!(checked + throttled, 100, "{answers:?}");
}

#[tokio::test]
async fn a_wrong_current_password_is_throttled_and_audited_like_a_sign_in() {
    let app = TestApp::new().await;
    let token = app.login("social", "demo").await;
    let change =
        |current: &str| json!({"current_password": current, "new_password": "núi-đá-2026"});
    for i in 0..5 {
        let wrong = app
            .post("/api/auth/password", &token, change(&format!("x{i}")))
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let slowed = app.post("/api/auth/password", &token, change("demo")).await;
    assert_eq!(
        slowed.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        slowed.json
    );
    let admin = app.login("admin", "demo").await;
    for (action, count) in [
        ("auth.password_change_failed", 5),
        ("auth.password_change_throttled", 1),
    ] {
        let audit = app
            .get(&format!("/api/audit?action={action}"), &admin)
            .await
            .json;
        assert_eq!(
            audit["entries"].as_array().unwrap().len(),
            count,
            "{action}: {audit}"
        );
    }
    // The session it came from is still the user's; after the wait the right one works.
    app.clock.advance(Duration::seconds(1));
    let ok = app.post("/api/auth/password", &token, change("demo")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
}

#[tokio::test]
async fn common_short_and_personal_passwords_are_refused_in_vietnamese() {
    let app = TestApp::new().await;
    let token = app.login("social", "demo").await;
    for (password, says) in [
        ("matkhau1", "Cần ít nhất 10 ký tự."),
        ("password12", "quá phổ biến hoặc dễ đoán"),
        ("matkhau123", "quá phổ biến hoặc dễ đoán"),
        ("social-2026-núi", "tên đăng nhập hoặc họ tên"),
    ] {
        let body = json!({"current_password": "demo", "new_password": password});
        let refused = app.post("/api/auth/password", &token, body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        let message = refused.json["fields"]["new_password"].as_str().unwrap();
        assert!(message.contains(says), "{password}: {message}");
    }
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
            json!({"current_password": "demo", "new_password": "1234567890"}),
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

#[tokio::test]
async fn strict_transport_security_is_sent_only_when_told_the_site_is_https() {
    let plain = TestApp::new().await;
    let reply = plain.call(Method::GET, "/api/health", None, None).await;
    assert!(reply.headers.get("strict-transport-security").is_none());
    let policy = Policy {
        hsts: true,
        ..Policy::default()
    };
    let https = TestApp::with(policy, None).await;
    let reply = https.call(Method::GET, "/api/health", None, None).await;
    assert_eq!(
        reply.headers["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn a_devices_key_share_is_its_own_until_it_signs_out() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let device = uuid::Uuid::now_v7();
    let share = |token: String, device: uuid::Uuid| {
        let app = &app;
        async move {
            app.post("/api/auth/vault", &token, json!({ "device": device }))
                .await
        }
    };
    let first = share(counsellor.clone(), device).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.json);
    let key = first.json["key"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 64);
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));

    // The same account and device get the same share, from another session too (a reload, or a
    // sign-in after the password was changed elsewhere).
    let again = app.login("counsellor", "demo").await;
    assert_eq!(share(again.clone(), device).await.json["key"], key);
    // Another device, or another account on the same device id, gets another share.
    assert_ne!(
        share(counsellor.clone(), uuid::Uuid::now_v7()).await.json["key"],
        key
    );
    let health = app.login("health", "demo").await;
    assert_ne!(share(health.clone(), device).await.json["key"], key);

    // Without a session nothing is handed out; a malformed body is refused by name.
    assert_eq!(
        share(String::new(), device).await.status,
        StatusCode::UNAUTHORIZED
    );
    let bad = app
        .post("/api/auth/vault", &counsellor, json!({ "device": "x" }))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{:?}", bad.json);

    // Signing out erases the share: the same device id gets a new one, so what the device's disk
    // may still hold can no longer be opened. Another account's share is untouched.
    let erased = app
        .call(
            Method::DELETE,
            &format!("/api/auth/vault/{device}"),
            Some(&counsellor),
            None,
        )
        .await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT);
    assert_ne!(share(counsellor.clone(), device).await.json["key"], key);
    assert_eq!(
        share(health, device).await.json["key"],
        share(app.login("health", "demo").await, device).await.json["key"]
    );
}

#[tokio::test]
async fn simultaneous_guesses_from_one_address_are_counted_against_it() {
    // 400 guesses at once from one address, each on another (unknown) account: the per-account
    // limit never bites, the address's does, and only its free failures reach a password check.
    let app = TestApp::new().await;
    let guesses = (0..400).map(|i| {
        let app = &app;
        async move { app.try_login(&format!("nobody{i}"), "guess").await.status }
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked, 30, "{answers:?}");
    assert_eq!(checked + throttled, 400);
    // The owner of a known device is not kept out by them (see the lockout test); an unknown
    // device at that address waits, and the administrator can lift the wait.
}
