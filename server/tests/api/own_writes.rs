//! A device does not pull back what it pushed: the push answer carries the server's own fields
//! when the device vouched for the version it held, and its pulls with `skip_own` leave the
//! record out until someone else writes it (`shared::sync::holds_current`).

use serde_json::{json, Value};
use shared::sync::{settle, Change, Fields};
use uuid::Uuid;

use crate::days;
use crate::helpers::TestApp;

fn child_fields(name: &str, commune: &str) -> Value {
    json!({
        "full_name": name,
        "date_of_birth": days::born(13),
        "sex": "female",
        "ethnicity": "kinh",
        "commune_id": commune,
        "school_class": "7B",
        "guardian_name": "Hoàng Văn Tư",
        "guardian_relation": "father",
        "guardian_phone": "0912345679"
    })
}

fn change(record: Uuid, facility: &str, set: Value, base: Value, base_seq: Option<i64>) -> Value {
    let mut change = json!({
        "id": Uuid::now_v7(),
        "record_type": "child",
        "record_id": record,
        "facility_id": facility,
        "set": set,
        "base": base,
        "made_at": days::made_at()
    });
    if let Some(seq) = base_seq {
        change["base_seq"] = json!(seq);
    }
    change
}

/// Pushes one change; its outcome.
async fn push(app: &TestApp, token: &str, change: &Value) -> Value {
    let reply = app
        .post("/api/sync/push", token, json!({ "changes": [change] }))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    reply.json["results"][0]["outcome"].clone()
}

/// The ids a pull since `since` returns, and its cursor.
async fn pulled(app: &TestApp, token: &str, since: i64, skip_own: bool) -> (Vec<String>, i64) {
    let page = app
        .get(
            &format!("/api/sync/pull?since={since}&skip_own={skip_own}"),
            token,
        )
        .await
        .json;
    let ids = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    (ids, page["cursor"].as_i64().unwrap())
}

/// The record as another session pulls it.
async fn stored(app: &TestApp, token: &str, id: Uuid) -> (Fields, i64) {
    let page = app.get("/api/sync/pull?since=0", token).await.json;
    let record = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.to_string())
        .unwrap_or_else(|| panic!("{id} in {page}"))
        .clone();
    (
        serde_json::from_value(record["fields"].clone()).unwrap(),
        record["seq"].as_i64().unwrap(),
    )
}

fn server_fields(outcome: &Value) -> Option<Fields> {
    outcome
        .get("server_fields")
        .map(|fields| serde_json::from_value(fields.clone()).unwrap())
}

#[tokio::test]
async fn a_device_settles_on_what_it_pushed_and_does_not_pull_it_back() {
    let app = TestApp::new().await;
    let phone = app.login("counsellor", "demo").await;
    let laptop = app.login("counsellor", "demo").await;
    let school = app.my_facility(&phone).await;
    let commune = app.my_area(&phone).await;
    // A colleague's child first, so that the phone's cursor is past 0 (a pull since 0 is a
    // fresh start and leaves nothing out).
    let first = change(
        Uuid::now_v7(),
        &school,
        child_fields("Hoàng Văn Minh", &commune),
        json!({}),
        None,
    );
    push(&app, &laptop, &first).await;
    let (_, start) = pulled(&app, &phone, 0, true).await;
    assert!(start > 0);

    // A new child, vouched for as "none held": the answer names the server's own fields.
    let child = Uuid::now_v7();
    let create = change(
        child,
        &school,
        child_fields("Hoàng Thị Lan", &commune),
        json!({}),
        Some(0),
    );
    let outcome = push(&app, &phone, &create).await;
    assert_eq!(outcome["status"], "applied", "{outcome}");
    let stamps = server_fields(&outcome).expect("server fields for a vouched push");
    assert!(stamps.contains_key("registered_on"), "{outcome}");
    let (on_server, seq) = stored(&app, &laptop, child).await;
    let sent: Change = serde_json::from_value(create.clone()).unwrap();
    assert_eq!(settle(None, &sent, &stamps), on_server);
    assert_eq!(outcome["seq"].as_i64(), Some(seq));

    // Its pulls leave the child out, from any cursor; another session (the laptop) gets it, and
    // so does a pull that does not ask to leave anything out.
    let (ids, cursor) = pulled(&app, &phone, start, true).await;
    assert!(!ids.contains(&child.to_string()), "{ids:?}");
    assert!(cursor >= seq);
    assert!(pulled(&app, &phone, start, false)
        .await
        .0
        .contains(&child.to_string()));
    assert!(!pulled(&app, &phone, 0, true)
        .await
        .0
        .contains(&child.to_string()));
    assert!(pulled(&app, &laptop, start, true)
        .await
        .0
        .contains(&child.to_string()));

    // An edit on the version it holds settles too.
    let edit = change(
        child,
        &school,
        json!({"school_class": "8B"}),
        json!({"school_class": "7B"}),
        Some(seq),
    );
    let outcome = push(&app, &phone, &edit).await;
    let stamps = server_fields(&outcome).expect("server fields for an edit on the held version");
    let sent: Change = serde_json::from_value(edit.clone()).unwrap();
    let (after_edit, seq) = stored(&app, &laptop, child).await;
    assert_eq!(settle(Some(&on_server), &sent, &stamps), after_edit);
    assert!(!pulled(&app, &phone, cursor, true)
        .await
        .0
        .contains(&child.to_string()));

    // The same change sent again from another session (a file of waiting changes carried to the
    // laptop, which cannot vouch for the phone's copy): the same answer without the fields.
    let mut carried = edit.clone();
    carried.as_object_mut().unwrap().remove("base_seq");
    let replay = push(&app, &laptop, &carried).await;
    assert_eq!(replay["status"], "applied", "{replay}");
    assert_eq!(replay["seq"], outcome["seq"]);
    assert!(replay.get("server_fields").is_none(), "{replay}");
    // Sent again from the phone with its base: the stored answer, fields and all.
    assert_eq!(push(&app, &phone, &edit).await, outcome);

    // Someone else writes it: the phone pulls it again.
    let (_, before_laptop) = pulled(&app, &phone, 0, true).await;
    let other = change(
        child,
        &school,
        json!({"school_class": "9B"}),
        json!({"school_class": "8B"}),
        Some(seq),
    );
    let outcome = push(&app, &laptop, &other).await;
    assert!(server_fields(&outcome).is_some(), "{outcome}");
    assert!(pulled(&app, &phone, before_laptop, true)
        .await
        .0
        .contains(&child.to_string()));

    // A base the server no longer holds earns no fields, and the record is pulled back.
    let stale = change(
        child,
        &school,
        json!({"guardian_phone": "0987654321"}),
        json!({"guardian_phone": "0912345679"}),
        Some(seq),
    );
    let (_, before_stale) = pulled(&app, &phone, 0, true).await;
    let outcome = push(&app, &phone, &stale).await;
    assert_eq!(outcome["status"], "applied", "{outcome}");
    assert!(server_fields(&outcome).is_none(), "{outcome}");
    assert!(pulled(&app, &phone, before_stale, true)
        .await
        .0
        .contains(&child.to_string()));
}

#[tokio::test]
async fn children_an_import_wrote_are_pulled_by_the_importing_device() {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    let school = app.my_facility(&token).await;
    let commune = app.my_area(&token).await;
    let first = change(
        Uuid::now_v7(),
        &school,
        child_fields("Hoàng Văn Minh", &commune),
        json!({}),
        Some(0),
    );
    push(&app, &token, &first).await;
    let (_, start) = pulled(&app, &token, 0, true).await;
    assert!(start > 0);
    let list = format!(
        "\u{feff}Họ và tên;Ngày sinh;Giới tính;Dân tộc;Lớp;Mã học sinh;Phụ huynh\nLục Thị Xuân;{};Nữ;Tày;6A;HS9;Lục Văn Hai\n",
        days::born(12).format("%d/%m/%Y")
    );
    let imported = app
        .upload(
            "/api/import/children?dry_run=false",
            &token,
            "text/csv",
            list.into_bytes(),
        )
        .await;
    assert_eq!(imported.json["created"], 1, "{}", imported.json);
    let (ids, _) = pulled(&app, &token, start, true).await;
    assert_eq!(
        ids.len(),
        1,
        "the imported child reaches the device: {ids:?}"
    );
}

#[tokio::test]
async fn a_referral_the_receiver_answered_is_pulled_back_by_its_sender() {
    let r = crate::referrals::referred().await;
    let app = &r.school.app;
    let referral = r.referral_id.to_string();
    // The school's own referral, sent with a vouch, is left out of its pulls…
    let (ids, cursor) = pulled(app, &r.school.token, 1, true).await;
    assert!(!ids.contains(&referral), "{ids:?}");
    assert!(
        !ids.is_empty(),
        "the screening (sent without a vouch) comes back: {ids:?}"
    );
    // …until the station's answer changes its status (the server's own write).
    let health = app.login("health", "demo").await;
    for step in crate::referrals::accepted_and_attended(&r) {
        let outcome = push(app, &health, &step).await;
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    let page = app
        .get(
            &format!("/api/sync/pull?since={cursor}&skip_own=true"),
            &r.school.token,
        )
        .await
        .json;
    let answered = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["id"] == referral)
        .unwrap_or_else(|| panic!("the referral comes back: {page}"));
    assert_eq!(answered["fields"]["status"], "attended", "{answered}");
}
