//! A disk that cannot be written: changes get a clear 503 (`storage_full`, `storage_read_only`)
//! with Retry-After and change nothing, reads go on, `/api/health` says degraded and why, and all
//! is well again once a write succeeds. The disk is made read-only (`PRAGMA query_only`) or full
//! (`PRAGMA max_page_count`) on the server's own writer connection.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

/// Runs a pragma on the writer connection. `query_only` takes effect even though the transaction
/// around it then cannot commit (and no write transaction can begin after it), so the outcome is
/// not asked.
async fn pragma(app: &TestApp, sql: &'static str) {
    let _ = app
        .db
        .write(move |transaction| {
            transaction.execute_batch(sql)?;
            Ok(())
        })
        .await;
}

fn facility(area: &str, n: usize) -> serde_json::Value {
    json!({"name": format!("Trạm y tế thử {n}"), "facility_type": "commune_health_station", "area_id": area,
           "address": "Thôn Bản Thử, ".repeat(10)})
}

#[tokio::test]
async fn a_read_only_disk_refuses_changes_clearly_and_reads_go_on() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let area = app.area_id(&admin, "Xã Cao Lộc").await;
    let before = app.count("facilities").await;
    pragma(&app, "PRAGMA query_only = ON").await;

    let refused = app
        .post("/api/facilities", &admin, facility(&area, 0))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.json
    );
    assert_eq!(refused.json["code"], "storage_read_only");
    assert!(refused.headers.contains_key("retry-after"));
    assert!(refused.json["message"]
        .as_str()
        .unwrap()
        .contains("giữ trên máy này"));
    assert_eq!(
        app.get("/api/facilities", &admin).await.status,
        StatusCode::OK,
        "reads go on"
    );
    let health = app
        .call(axum::http::Method::GET, "/api/health", None, None)
        .await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json["status"], "degraded");
    assert_eq!(health.json["problems"], json!(["storage_read_only"]));

    assert_eq!(
        app.count("facilities").await,
        before,
        "the refused change left nothing"
    );
}

#[tokio::test]
async fn a_full_disk_refuses_changes_clearly_until_there_is_room_again() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let area = app.area_id(&admin, "Xã Cao Lộc").await;
    let pages: i64 = app
        .db
        .read(|c| Ok(c.query_row("PRAGMA page_count", [], |row| row.get(0))?))
        .await
        .unwrap();
    let cap = format!("PRAGMA max_page_count = {pages}");
    app.db
        .write(move |transaction| {
            transaction.query_row(&cap, [], |_| Ok(()))?;
            Ok(())
        })
        .await
        .unwrap();
    let mut full = None;
    for n in 0..200 {
        let reply = app
            .post("/api/facilities", &admin, facility(&area, n))
            .await;
        if reply.status != StatusCode::OK {
            full = Some(reply);
            break;
        }
    }
    let full = full.expect("the capped database fills up");
    assert_eq!(
        full.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        full.json
    );
    assert_eq!(full.json["code"], "storage_full");
    assert!(full.headers.contains_key("retry-after"));
    let health = app
        .call(axum::http::Method::GET, "/api/health", None, None)
        .await;
    assert_eq!(health.json["problems"], json!(["storage_full"]));

    // Room again: the first write that succeeds clears the state.
    pragma(&app, "PRAGMA max_page_count = 1000000").await;
    let stored = app
        .post("/api/facilities", &admin, facility(&area, 999))
        .await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.json);
    let health = app
        .call(axum::http::Method::GET, "/api/health", None, None)
        .await;
    assert_eq!(health.json["status"], "ok");
    assert!(health.json.get("problems").is_none());
}

#[tokio::test]
async fn a_database_file_replaced_under_the_server_is_refused_not_mixed() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    assert_eq!(
        app.get("/api/facilities", &admin).await.status,
        StatusCode::OK
    );
    let area = app.area_id(&admin, "Xã Cao Lộc").await;
    // Someone restores another copy over the data folder while the server runs.
    let path = app.db.path().to_path_buf();
    let copy = path.with_extension("copy");
    std::fs::copy(&path, &copy).unwrap();
    std::fs::rename(&copy, &path).unwrap();

    let refused = app.get("/api/facilities", &admin).await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.json
    );
    assert_eq!(refused.json["code"], "storage_replaced");
    let write = app
        .post("/api/facilities", &admin, facility(&area, 0))
        .await;
    assert_eq!(write.json["code"], "storage_replaced", "nor written");
    let health = app
        .call(axum::http::Method::GET, "/api/health", None, None)
        .await;
    assert_eq!(
        health.json["problems"],
        json!(["storage_replaced"]),
        "{}",
        health.json
    );
}
