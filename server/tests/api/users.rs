use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_administrator_creates_a_user_who_must_change_the_one_time_password() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let school = app.facility_id(&admin, "Trường Tiểu học Văn Quan").await;
    let created = app
        .post(
            "/api/users",
            &admin,
            json!({"username": "Lan.Tran", "full_name": " Trần  Thị Lan ", "role": "counsellor", "facility_id": school}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.json);
    assert_eq!(created.json["user"]["username"], "lan.tran");
    assert_eq!(created.json["user"]["full_name"], "Trần Thị Lan");
    assert_eq!(created.json["user"]["must_change_password"], true);
    let one_time = created.json["one_time_password"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(one_time.chars().count(), 12);

    let token = app.login("lan.tran", &one_time).await;
    let me = app.get("/api/auth/me", &token).await;
    assert_eq!(me.json["must_change_password"], true);
    assert_eq!(me.json["facility_name"], "Trường Tiểu học Văn Quan");
    let blocked = app.get("/api/facilities", &token).await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(blocked.json["code"], "password_change_required");
    let changed = app
        .post(
            "/api/auth/password",
            &token,
            json!({"current_password": one_time, "new_password": "hoa-ban-trắng"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.json["must_change_password"], false);
    assert_eq!(
        app.get("/api/facilities", &token).await.status,
        StatusCode::OK
    );

    let listed = app.get("/api/users", &admin).await.json;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["username"] == "lan.tran"));
}

#[tokio::test]
async fn user_input_is_checked_and_nothing_is_stored_on_error() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let hospital = app
        .facility_id(&admin, "Bệnh viện Đa khoa tỉnh Lạng Sơn")
        .await;
    let before = app.count("users").await;

    let mismatch = app
        .post("/api/users", &admin, json!({"username": "minh", "full_name": "Minh", "role": "counsellor", "facility_id": hospital}))
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        mismatch.json["fields"]["role"],
        "Vai trò này không phù hợp với nơi làm việc đã chọn."
    );

    let taken = app
        .post("/api/users", &admin, json!({"username": "clinician", "full_name": "X", "role": "clinician", "facility_id": hospital}))
        .await;
    assert_eq!(
        taken.json["fields"]["username"],
        "Giá trị này đã được sử dụng."
    );

    let bad = app
        .post(
            "/api/users",
            &admin,
            json!({"username": "a b", "full_name": "", "role": "officer"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = bad.json["fields"].as_object().unwrap();
    assert!(
        fields.contains_key("username")
            && fields.contains_key("full_name")
            && fields.contains_key("area_id")
    );

    let unknown_facility = app
        .post(
            "/api/users",
            &admin,
            json!({"username": "minh", "full_name": "Minh", "role": "clinician", "facility_id": "01a203c1-86d6-74bc-8c83-61af331563e4"}),
        )
        .await;
    assert_eq!(
        unknown_facility.json["fields"]["facility_id"],
        "Không tìm thấy hoặc đã ngừng hoạt động."
    );
    assert_eq!(app.count("users").await, before);
}

#[tokio::test]
async fn roles_and_placements_change_together_and_admins_cannot_lock_themselves_out() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let users = app.get("/api/users", &admin).await.json;
    let find = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let health_id = find("health");
    let admin_id = find("admin");

    // A health worker becomes an officer: the request must say which area.
    let no_area = app
        .patch(
            &format!("/api/users/{health_id}"),
            &admin,
            json!({"role": "officer"}),
        )
        .await;
    assert_eq!(
        no_area.status,
        StatusCode::OK,
        "officer keeps the current area: {}",
        no_area.json
    );
    assert_eq!(no_area.json["facility_id"], serde_json::Value::Null);
    let station = app.facility_id(&admin, "Trạm y tế xã Văn Quan").await;
    let back = app
        .patch(
            &format!("/api/users/{health_id}"),
            &admin,
            json!({"role": "health_worker", "facility_id": station}),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.json);
    assert_eq!(back.json["facility_id"], station.as_str());

    let own = app
        .patch(
            &format!("/api/users/{admin_id}"),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.json["fields"]["active"].is_string());

    let missing = app
        .patch(
            "/api/users/01a203c1-86d6-74bc-8c83-61af331563e4",
            &admin,
            json!({"full_name": "X"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_password_reset_signs_the_user_out_and_issues_a_new_one_time_password() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let officer = app.login("officer", "demo").await;
    let me = app.get("/api/auth/me", &officer).await.json;
    let reset = app
        .call(
            Method::POST,
            &format!("/api/users/{}/reset-password", me["id"].as_str().unwrap()),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    assert_eq!(reset.json["user"]["must_change_password"], true);
    assert_eq!(
        app.get("/api/auth/me", &officer).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.try_login("officer", "demo").await.status,
        StatusCode::UNAUTHORIZED
    );
    let one_time = reset.json["one_time_password"].as_str().unwrap();
    assert_eq!(
        app.try_login("officer", one_time).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_admin_endpoint_refuses_every_other_role() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let some_user = app.get("/api/users", &admin).await.json[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let some_facility = app.facility_id(&admin, "Trạm y tế xã Văn Quan").await;
    let some_area = app.area_id(&admin, "Xã Cao Lộc").await;
    let before_users = app.count("users").await;
    let before_facilities = app.count("facilities").await;
    let endpoints: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, "/api/users".into(), None),
        (
            Method::POST,
            "/api/users".into(),
            Some(
                json!({"username": "x1", "full_name": "X", "role": "officer", "area_id": some_area}),
            ),
        ),
        (
            Method::PATCH,
            format!("/api/users/{some_user}"),
            Some(json!({"active": false})),
        ),
        (
            Method::POST,
            format!("/api/users/{some_user}/reset-password"),
            None,
        ),
        (
            Method::POST,
            "/api/areas".into(),
            Some(
                json!({"code": "06999", "name": "Xã Mới", "level": "commune", "parent_id": some_area}),
            ),
        ),
        (
            Method::PATCH,
            format!("/api/areas/{some_area}"),
            Some(json!({"name": "Đổi tên"})),
        ),
        (
            Method::POST,
            "/api/facilities".into(),
            Some(json!({"name": "X", "facility_type": "primary_school", "area_id": some_area})),
        ),
        (
            Method::PATCH,
            format!("/api/facilities/{some_facility}"),
            Some(json!({"active": false})),
        ),
        (
            Method::GET,
            "/api/facilities?include_inactive=true".into(),
            None,
        ),
        (Method::GET, "/api/audit".into(), None),
    ];
    for username in ["counsellor", "health", "clinician", "social", "officer"] {
        let token = app.login(username, "demo").await;
        for (method, path, body) in &endpoints {
            let reply = app
                .call(method.clone(), path, Some(&token), body.clone())
                .await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{username} {method} {path}: {}",
                reply.json
            );
            assert_eq!(reply.json["code"], "forbidden");
        }
        // And without a session, 401.
        for (method, path, body) in &endpoints {
            assert_eq!(
                app.call(method.clone(), path, None, body.clone())
                    .await
                    .status,
                StatusCode::UNAUTHORIZED
            );
        }
    }
    assert_eq!(app.count("users").await, before_users);
    assert_eq!(app.count("facilities").await, before_facilities);
    let names: Vec<String> = app
        .get("/api/areas", &admin)
        .await
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert!(!names.contains(&"Đổi tên".to_string()) && !names.contains(&"Xã Mới".to_string()));
}
