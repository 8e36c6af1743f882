//! Sync through the API: visibility, idempotency, validation, conflicts, pages.

use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::days;
use crate::helpers::TestApp;

/// A complete child record's fields, as the app's form produces them.
fn child_fields(name: &str, commune: &str) -> Value {
    json!({
        "full_name": name,
        "date_of_birth": days::born(14),
        "sex": "male",
        "ethnicity": "tay",
        "commune_id": commune,
        "school_class": "8A",
        "guardian_name": "Nguyễn Thị Bình",
        "guardian_relation": "mother",
        "guardian_phone": "0912345678"
    })
}

fn change(record_id: Uuid, facility: &str, set: Value, base: Value) -> Value {
    json!({
        "id": Uuid::now_v7(),
        "record_type": "child",
        "record_id": record_id,
        "facility_id": facility,
        "set": set,
        "base": base,
        "made_at": days::made_at()
    })
}

async fn push(app: &TestApp, token: &str, changes: Vec<Value>) -> crate::helpers::Reply {
    app.post("/api/sync/push", token, json!({ "changes": changes }))
        .await
}

#[tokio::test]
async fn a_child_registered_at_a_school_reaches_colleagues_there_and_no_one_else() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let counsellor = app.login("counsellor", "demo").await;
    let school = app.my_facility(&counsellor).await;
    let commune = app.my_area(&counsellor).await;
    let colleague = app
        .new_user(&admin, "colleague", "counsellor", &school)
        .await;
    let other_school = app.facility_id(&admin, "Trường Tiểu học Văn Quan").await;
    let stranger = app
        .new_user(&admin, "stranger", "counsellor", &other_school)
        .await;

    let child = Uuid::now_v7();
    let pushed = push(
        &app,
        &counsellor,
        vec![change(
            child,
            &school,
            child_fields("Nguyễn Văn An", &commune),
            json!({}),
        )],
    )
    .await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.json);
    assert_eq!(
        pushed.json["results"][0]["outcome"]["status"], "applied",
        "{}",
        pushed.json
    );

    let seen = app.get("/api/sync/pull?since=0", &colleague).await.json;
    assert_eq!(seen["records"].as_array().unwrap().len(), 1);
    assert_eq!(seen["records"][0]["id"], child.to_string());
    assert_eq!(seen["records"][0]["fields"]["full_name"], "Nguyễn Văn An");
    assert_eq!(seen["more"], false);

    for token in [
        &stranger,
        &app.login("officer", "demo").await,
        &admin,
        &app.login("health", "demo").await,
    ] {
        let nothing = app.get("/api/sync/pull?since=0", token).await.json;
        assert_eq!(nothing["records"].as_array().unwrap().len(), 0, "{nothing}");
    }
    // The read is audited.
    let audit = app
        .get(
            "/api/audit?action=child.sync_read&username=colleague",
            &admin,
        )
        .await
        .json;
    assert_eq!(audit["entries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_repeated_push_applies_nothing_twice_and_gets_the_same_answers() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let (school, commune) = (
        app.my_facility(&counsellor).await,
        app.my_area(&counsellor).await,
    );
    let batch = vec![
        change(
            Uuid::now_v7(),
            &school,
            child_fields("Lò Thị Mai", &commune),
            json!({}),
        ),
        change(
            Uuid::now_v7(),
            &school,
            child_fields("Hoàng Văn Tú", &commune),
            json!({}),
        ),
    ];
    let first = push(&app, &counsellor, batch.clone()).await.json;
    let again = push(&app, &counsellor, batch.clone()).await.json;
    assert_eq!(first, again);
    assert_eq!(app.count("records").await, 2);
    assert_eq!(app.count("changes").await, 2);

    // The same id with other content is refused, and changes nothing.
    let mut altered = batch[0].clone();
    altered["set"]["full_name"] = json!("Lò Thị Mây");
    let reused = push(&app, &counsellor, vec![altered]).await.json;
    assert_eq!(reused["results"][0]["outcome"]["status"], "rejected");
    assert_eq!(reused["results"][0]["outcome"]["code"], "change_id_reused");
    let pulled = app.get("/api/sync/pull?since=0", &counsellor).await.json;
    assert!(pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["fields"]["full_name"] == "Lò Thị Mai"));
    assert_eq!(app.count("changes").await, 2);
}

#[tokio::test]
async fn changes_for_another_facility_or_by_officers_are_rejected() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let counsellor = app.login("counsellor", "demo").await;
    let commune = app.my_area(&counsellor).await;
    let other_school = app.facility_id(&admin, "Trường Tiểu học Văn Quan").await;
    let forged = push(
        &app,
        &counsellor,
        vec![change(
            Uuid::now_v7(),
            &other_school,
            child_fields("X", &commune),
            json!({}),
        )],
    )
    .await
    .json;
    assert_eq!(
        forged["results"][0]["outcome"]["code"],
        "forbidden_facility"
    );
    assert_eq!(
        forged["results"][0]["outcome"]["message"],
        "Bạn không có quyền ghi hồ sơ của cơ sở này."
    );
    let officer = app.login("officer", "demo").await;
    let school = app.my_facility(&counsellor).await;
    let by_officer = push(
        &app,
        &officer,
        vec![change(
            Uuid::now_v7(),
            &school,
            child_fields("X", &commune),
            json!({}),
        )],
    )
    .await
    .json;
    assert_eq!(
        by_officer["results"][0]["outcome"]["code"],
        "forbidden_facility"
    );
    assert_eq!(app.count("records").await, 0);
}

#[tokio::test]
async fn invalid_records_are_rejected_with_reasons_per_field() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let (school, commune) = (
        app.my_facility(&counsellor).await,
        app.my_area(&counsellor).await,
    );
    let mut fields = child_fields("  ", &commune);
    fields["date_of_birth"] = json!(days::day(1000));
    let reply = push(
        &app,
        &counsellor,
        vec![change(Uuid::now_v7(), &school, fields, json!({}))],
    )
    .await
    .json;
    let outcome = &reply["results"][0]["outcome"];
    assert_eq!(outcome["status"], "rejected");
    assert_eq!(
        outcome["fields"]["full_name"],
        "Vui lòng nhập thông tin này."
    );
    assert_eq!(
        outcome["fields"]["date_of_birth"],
        "Ngày sinh phải ở quá khứ và trẻ chưa đủ 18 tuổi."
    );
    let mut unknown_field = child_fields("Lò Văn Páo", &commune);
    unknown_field["favourite_colour"] = json!("đỏ");
    let reply = push(
        &app,
        &counsellor,
        vec![change(Uuid::now_v7(), &school, unknown_field, json!({}))],
    )
    .await
    .json;
    assert_eq!(reply["results"][0]["outcome"]["code"], "invalid_record");
    assert_eq!(app.count("records").await, 0);
}

#[tokio::test]
async fn malformed_or_oversized_batches_store_nothing() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let (school, commune) = (
        app.my_facility(&counsellor).await,
        app.my_area(&counsellor).await,
    );
    let mut unknown_type = change(
        Uuid::now_v7(),
        &school,
        child_fields("A", &commune),
        json!({}),
    );
    unknown_type["record_type"] = json!("pet");
    let good = change(
        Uuid::now_v7(),
        &school,
        child_fields("Bế Văn Đàn", &commune),
        json!({}),
    );
    let reply = push(&app, &counsellor, vec![good.clone(), unknown_type]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let duplicated = push(&app, &counsellor, vec![good.clone(), good.clone()]).await;
    assert_eq!(duplicated.status, StatusCode::BAD_REQUEST);
    let too_many: Vec<Value> = (0..1001)
        .map(|_| change(Uuid::now_v7(), &school, json!({}), json!({})))
        .collect();
    let reply = push(&app, &counsellor, too_many).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.json
    );
    assert_eq!(reply.json["code"], "too_many_changes");
    assert_eq!(app.count("records").await, 0);
    assert_eq!(app.count("changes").await, 0);
}

#[tokio::test]
async fn same_field_edits_keep_the_first_and_show_the_other_as_a_conflict() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let counsellor = app.login("counsellor", "demo").await;
    let (school, commune) = (
        app.my_facility(&counsellor).await,
        app.my_area(&counsellor).await,
    );
    let colleague = app
        .new_user(&admin, "colleague", "counsellor", &school)
        .await;
    let child = Uuid::now_v7();
    push(
        &app,
        &counsellor,
        vec![change(
            child,
            &school,
            child_fields("Vi Văn Nam", &commune),
            json!({}),
        )],
    )
    .await;
    let after_create = app.get("/api/sync/pull?since=0", &colleague).await.json["cursor"]
        .as_i64()
        .unwrap();

    // Both devices saw class 8A; one moves the child to 8B and changes the phone, the other to 8C.
    let first = push(
        &app,
        &counsellor,
        vec![change(
            child,
            &school,
            json!({"school_class": "8B", "guardian_phone": "0987654321"}),
            json!({"school_class": "8A", "guardian_phone": "0912345678"}),
        )],
    )
    .await
    .json;
    assert_eq!(first["results"][0]["outcome"]["status"], "applied");
    let second = push(
        &app,
        &colleague,
        vec![change(
            child,
            &school,
            json!({"school_class": "8C"}),
            json!({"school_class": "8A"}),
        )],
    )
    .await
    .json;
    assert_eq!(second["results"][0]["outcome"]["status"], "superseded");
    assert_eq!(
        second["results"][0]["outcome"]["superseded"],
        json!(["school_class"])
    );

    let pulled = app
        .get(&format!("/api/sync/pull?since={after_create}"), &colleague)
        .await
        .json;
    assert_eq!(pulled["records"][0]["fields"]["school_class"], "8B");
    assert_eq!(
        pulled["records"][0]["fields"]["guardian_phone"],
        "0987654321"
    );
    let conflict = &pulled["conflicts"][0];
    assert_eq!(conflict["field"], "school_class");
    assert_eq!(conflict["proposed"], "8C");
    assert_eq!(conflict["kept"], "8B");
    assert_eq!(conflict["proposed_by"], "colleague");
}

#[tokio::test]
async fn pulls_come_in_bounded_pages_and_resume_from_the_cursor() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let (school, commune) = (
        app.my_facility(&counsellor).await,
        app.my_area(&counsellor).await,
    );
    let names = [
        "Nông Văn Một",
        "Nông Văn Hai",
        "Nông Văn Ba",
        "Nông Văn Bốn",
        "Nông Văn Năm",
    ];
    let batch = names
        .iter()
        .map(|name| {
            change(
                Uuid::now_v7(),
                &school,
                child_fields(name, &commune),
                json!({}),
            )
        })
        .collect();
    push(&app, &counsellor, batch).await;
    let mut cursor = 0;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = app
            .get(
                &format!("/api/sync/pull?since={cursor}&limit=2"),
                &counsellor,
            )
            .await
            .json;
        pages += 1;
        for record in page["records"].as_array().unwrap() {
            seen.push(record["fields"]["full_name"].as_str().unwrap().to_string());
        }
        cursor = page["cursor"].as_i64().unwrap();
        if page["more"] == false {
            break;
        }
        assert!(pages < 10, "pages never end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, names);
    // Nothing new: an empty page at the same cursor.
    let empty = app
        .get(&format!("/api/sync/pull?since={cursor}"), &counsellor)
        .await
        .json;
    assert_eq!(empty["records"].as_array().unwrap().len(), 0);
    assert_eq!(empty["cursor"].as_i64().unwrap(), cursor);
}

#[tokio::test]
async fn malformed_screenings_and_referrals_are_refused() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let school = app.my_facility(&counsellor).await;
    let mut screening = change(
        Uuid::now_v7(),
        &school,
        json!({"instrument": "phq-a", "total": 12}),
        json!({}),
    );
    screening["record_type"] = json!("screening");
    let mut referral = change(
        Uuid::now_v7(),
        &school,
        json!({"to": "hospital"}),
        json!({}),
    );
    referral["record_type"] = json!("referral");
    let reply = push(&app, &counsellor, vec![screening, referral])
        .await
        .json;
    assert_eq!(reply["results"][0]["outcome"]["code"], "invalid_record");
    assert_eq!(reply["results"][1]["outcome"]["code"], "invalid_record");
    assert_eq!(app.count("records").await, 0);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

async fn push_encoded(
    app: &TestApp,
    token: &str,
    encoding: &str,
    body: Vec<u8>,
) -> crate::helpers::Reply {
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/sync/push")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("content-encoding", encoding)
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn gzip_request_bodies_are_accepted_and_their_size_is_limited_after_decompression() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let school = app.my_facility(&counsellor).await;
    let commune = app.my_area(&counsellor).await;
    let body = json!({"changes": [change(Uuid::now_v7(), &school, child_fields("Hà Văn Nam", &commune), json!({}))]});
    let plain = body.to_string().into_bytes();

    let reply = push_encoded(&app, &counsellor, "gzip", gzip(&plain)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["results"][0]["outcome"]["status"], "applied");

    let corrupt = push_encoded(&app, &counsellor, "gzip", b"not gzip at all".to_vec()).await;
    assert_eq!(corrupt.status, StatusCode::BAD_REQUEST, "{}", corrupt.json);

    // 2 MB of JSON whitespace compresses to a few kB; decompressed it is over the 1 MiB limit.
    let mut bomb = plain.clone();
    bomb.splice(1..1, std::iter::repeat_n(b' ', 2 * 1024 * 1024));
    let bomb = gzip(&bomb);
    assert!(bomb.len() < 16 * 1024);
    let refused = push_encoded(&app, &counsellor, "gzip", bomb).await;
    assert_eq!(
        refused.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        refused.json
    );
    assert_eq!(refused.json["code"], "body_too_large");

    let unknown = push_encoded(&app, &counsellor, "br", plain).await;
    assert_eq!(unknown.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.count("records").await, 1);
}

/// A pull is audited without waiting for the writer: it is answered while a long write holds
/// the database, and the audit page shows the read afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_is_answered_while_the_writer_is_busy_and_still_audited() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let admin = app.login("admin", "demo").await;
    let (school, commune) = (
        app.my_facility(&counsellor).await,
        app.my_area(&counsellor).await,
    );
    let child = Uuid::now_v7();
    let fields = child_fields("Lục Văn Bảo", &commune);
    push(
        &app,
        &counsellor,
        vec![change(child, &school, fields, json!({}))],
    )
    .await;

    // A long write holds the single writer until the test lets it go.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let db = app.db.clone();
    let writer = tokio::spawn(async move {
        db.write(move |_| {
            let _ = released.recv_timeout(std::time::Duration::from_secs(30));
            Ok(())
        })
        .await
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let pulled = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        app.get("/api/sync/pull?since=0", &counsellor),
    )
    .await
    .expect("the pull waited for the writer");
    assert_eq!(pulled.json["records"].as_array().unwrap().len(), 1);
    release.send(()).unwrap();
    writer.await.unwrap().unwrap();

    let audit = app
        .get(
            "/api/audit?action=child.sync_read&username=counsellor",
            &admin,
        )
        .await
        .json;
    assert_eq!(audit["entries"].as_array().unwrap().len(), 1, "{audit}");
}

#[tokio::test]
async fn a_busy_schools_pull_comes_in_pages_bounded_in_bytes_each_record_once() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let school = app.my_facility(&counsellor).await;
    let commune = app.my_area(&counsellor).await;
    let mut sent = std::collections::BTreeSet::new();
    for batch in 0..2 {
        let changes: Vec<Value> = (0..800)
            .map(|n| {
                let id = Uuid::now_v7();
                sent.insert(id.to_string());
                let mut fields = child_fields(&format!("Học Sinh Số {batch} {n}"), &commune);
                fields["former_address"] =
                    json!("Thôn Bản Chắt, xã Tân Đoàn, tỉnh Lạng Sơn cũ. ".repeat(3));
                change(id, &school, fields, json!({}))
            })
            .collect();
        let pushed = push(&app, &counsellor, changes).await;
        assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.json);
    }
    let (mut cursor, mut pages, mut seen) = (0, 0, std::collections::BTreeSet::new());
    loop {
        let page = app
            .get(&format!("/api/sync/pull?since={cursor}"), &counsellor)
            .await
            .json;
        let records = page["records"].as_array().unwrap();
        let bytes: usize = records.iter().map(|r| r["fields"].to_string().len()).sum();
        let largest = records
            .iter()
            .map(|r| r["fields"].to_string().len())
            .max()
            .unwrap_or(0);
        assert!(
            bytes <= shared::sync::PULL_PAGE_BYTES + largest,
            "page {pages}: {bytes} bytes in {} records",
            records.len()
        );
        for record in records {
            assert!(
                seen.insert(record["id"].as_str().unwrap().to_string()),
                "{} twice",
                record["id"]
            );
        }
        pages += 1;
        cursor = page["cursor"].as_i64().unwrap();
        if page["more"] == false {
            break;
        }
    }
    assert_eq!(seen, sent);
    assert!(
        pages >= 2,
        "1,600 records of ~0.6 KB are more than one page holds"
    );
}
