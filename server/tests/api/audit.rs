use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn changes_and_sign_ins_are_audited_and_can_be_filtered() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let _ = app.try_login("health", "wrong").await;
    let area = app.area_id(&admin, "Xã Cao Lộc").await;
    let created = app
        .post("/api/facilities", &admin, json!({"name": "Trường Mầm non Cao Lộc", "facility_type": "kindergarten", "area_id": area}))
        .await;
    let facility_id = created.json["id"].as_str().unwrap();

    let all = app.get("/api/audit", &admin).await;
    assert_eq!(all.status, StatusCode::OK);
    let actions: Vec<_> = all.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions[0], "facility.create", "newest first");
    assert!(actions.contains(&"auth.sign_in_failed"));
    assert!(actions.contains(&"auth.sign_in"));

    let by_record = app
        .get(
            &format!("/api/audit?record_type=facility&record_id={facility_id}"),
            &admin,
        )
        .await
        .json;
    let entry = &by_record["entries"][0];
    assert_eq!(entry["username"], "admin");
    assert_eq!(entry["client_addr"], "local");
    assert_eq!(by_record["entries"].as_array().unwrap().len(), 1);

    let failures = app
        .get("/api/audit?action=auth.sign_in_failed", &admin)
        .await
        .json;
    assert_eq!(failures["entries"][0]["username"], "health");
    let auth_prefix = app.get("/api/audit?action=auth.", &admin).await.json;
    assert!(auth_prefix["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["action"].as_str().unwrap().starts_with("auth.")));
    assert_eq!(
        auth_prefix["entries"].as_array().unwrap().len(),
        2,
        "the admin's sign-in and the failed one"
    );
}

#[tokio::test]
async fn the_audit_log_pages_backwards() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    for _ in 0..4 {
        app.login("officer", "demo").await;
    }
    let first = app
        .get("/api/audit?action=auth.sign_in&limit=3", &admin)
        .await
        .json;
    assert_eq!(first["entries"].as_array().unwrap().len(), 3);
    let before = first["next_before"].as_i64().expect("a next page");
    let second = app
        .get(
            &format!("/api/audit?action=auth.sign_in&limit=3&before={before}"),
            &admin,
        )
        .await
        .json;
    assert_eq!(
        second["entries"].as_array().unwrap().len(),
        2,
        "5 sign-ins in all"
    );
    assert!(second["next_before"].is_null());
}
