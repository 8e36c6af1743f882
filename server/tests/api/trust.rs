//! What an attacker or a careless device sends is never kept: every value of a change passes the
//! record's rules whatever its outcome, the actor and the time are the server's, and access
//! follows the directory (issue "Trustworthy records").

use serde_json::{json, Value};
use uuid::Uuid;

use crate::days;
use crate::helpers::TestApp;
use crate::referrals::{event, referred};
use crate::screening::{change, child, edit, push, school_with_child};

/// The outcome of one change.
async fn one(app: &TestApp, token: &str, change: Value) -> Value {
    push(app, token, vec![change]).await.remove(0)
}

/// A change made at `made_at` (a device's clock).
fn change_at(record_type: &str, id: Uuid, facility: &str, set: Value, made_at: &str) -> Value {
    let mut change = change(record_type, id, facility, set);
    change["made_at"] = json!(made_at);
    change
}

fn refused_naming(outcome: &Value, field: &str) {
    assert_eq!(outcome["status"], "rejected", "{outcome}");
    let message = outcome["fields"][field].as_str();
    assert!(
        message.is_some_and(|m| !m.is_empty()),
        "the refusal names {field}: {outcome}"
    );
}

#[tokio::test]
async fn a_superseded_change_is_judged_whole_and_no_invalid_value_becomes_a_conflict() {
    let s = school_with_child(false).await;
    let app = &s.app;
    // Another device renames the child first: every later change with the old name as its base
    // is superseded on the name.
    let rename = edit(
        "child",
        s.child_id,
        &s.facility,
        json!({"full_name": "Lý Văn Tài Em"}),
        json!({"full_name": "Lý Văn Tài"}),
    );
    assert_eq!(one(app, &s.token, rename).await["status"], "applied");
    let stale = |set: Value| {
        let mut base = json!({"full_name": "Lý Văn Tài"});
        for key in set.as_object().unwrap().keys() {
            if key != "full_name" {
                base[key] = Value::Null;
            }
        }
        edit("child", s.child_id, &s.facility, set, base)
    };
    for (set, field) in [
        (json!({"full_name": "x".repeat(300_000)}), "full_name"),
        (json!({"full_name": {"given": "Tài"}}), "full_name"),
        (
            json!({"full_name": "Tài", "date_of_birth": "1800-02-31"}),
            "date_of_birth",
        ),
        (json!({"full_name": "Tài", "is_admin": true}), "is_admin"),
        (json!({"full_name": "Ta\u{202E}i"}), "full_name"),
    ] {
        let outcome = one(app, &s.token, stale(set.clone())).await;
        refused_naming(&outcome, field);
    }
    // A valid stale name is still a conflict, shown to colleagues.
    let outcome = one(app, &s.token, stale(json!({"full_name": "Lý Văn Tài Anh"}))).await;
    assert_eq!(outcome["status"], "superseded", "{outcome}");
    let pulled = app.get("/api/sync/pull?since=0", &s.token).await.json;
    let conflicts = pulled["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "only the valid value: {conflicts:?}");
    assert_eq!(conflicts[0]["proposed"], "Lý Văn Tài Anh");
}

#[tokio::test]
async fn an_empty_new_record_and_malformed_values_are_refused_by_field_in_vietnamese() {
    let s = school_with_child(false).await;
    let app = &s.app;
    let empty = one(
        app,
        &s.token,
        change("child", Uuid::now_v7(), &s.facility, json!({})),
    )
    .await;
    refused_naming(&empty, "set");
    assert!(empty["seq"].is_null(), "nothing stored: {empty}");

    let commune = app.my_area(&s.token).await;
    let mut fields = child(&commune);
    fields["date_of_birth"] = json!(5);
    let outcome = one(
        app,
        &s.token,
        change("child", Uuid::now_v7(), &s.facility, fields),
    )
    .await;
    assert_eq!(outcome["code"], "invalid_record", "{outcome}");
    assert_eq!(
        outcome["fields"]["date_of_birth"],
        "Giá trị không đúng kiểu dữ liệu."
    );
    let mut fields = child(&commune);
    fields.as_object_mut().unwrap().remove("guardian_name");
    let outcome = one(
        app,
        &s.token,
        change("child", Uuid::now_v7(), &s.facility, fields),
    )
    .await;
    refused_naming(&outcome, "guardian_name");
}

#[tokio::test]
async fn free_text_is_bounded_on_every_record() {
    let s = school_with_child(true).await;
    let app = &s.app;
    let huge = "ghi chú ".repeat(100_000);
    let void = edit(
        "child",
        s.child_id,
        &s.facility,
        json!({"voided_reason": huge}),
        json!({}),
    );
    refused_naming(&one(app, &s.token, void).await, "voided_reason");
    let session = json!({"child_id": s.child_id, "held_on": days::day(-1), "kind": "individual",
                         "held_by": "a".repeat(5_000)});
    let outcome = one(
        app,
        &s.token,
        change("session", Uuid::now_v7(), &s.facility, session),
    )
    .await;
    refused_naming(&outcome, "held_by");
    let consent = json!({"child_id": s.child_id, "guardian_name": "Lý Thị Hoa",
        "guardian_relation": "mother", "child_agreed": true, "given_on": days::day(-3),
        "purposes": ["screening"], "method": "verbal_witnessed", "witness": "w".repeat(900_000)});
    let outcome = one(
        app,
        &s.token,
        change("consent", Uuid::now_v7(), &s.facility, consent),
    )
    .await;
    refused_naming(&outcome, "witness");
}

#[tokio::test]
async fn names_are_letters_stored_composed_and_communes_come_from_the_directory() {
    let s = school_with_child(false).await;
    let app = &s.app;
    let commune = app.my_area(&s.token).await;
    let named = |name: &str| {
        let mut fields = child(&commune);
        fields["full_name"] = json!(name);
        change("child", Uuid::now_v7(), &s.facility, fields)
    };
    for bad in [
        "\u{200B}\u{200B}".to_string(),
        format!("A{}", "\u{0301}".repeat(119)),
        "Nguyễn\u{0007} An".to_string(),
    ] {
        refused_naming(&one(app, &s.token, named(&bad)).await, "full_name");
    }
    let decomposed = named("Nguye\u{0302}\u{0303}n Va\u{0306}n An");
    let id = decomposed["record_id"].as_str().unwrap().to_string();
    assert_eq!(one(app, &s.token, decomposed).await["status"], "applied");
    let pulled = app.get("/api/sync/pull?since=0", &s.token).await.json;
    let stored = pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert_eq!(stored["fields"]["full_name"], "Nguyễn Văn An", "NFC");

    // A commune that is not one: a random id, a facility's id, the province.
    let admin = app.login("admin", "demo").await;
    let province = app.area_id(&admin, "Tỉnh Lạng Sơn").await;
    for not_a_commune in [Uuid::now_v7().to_string(), s.facility.clone(), province] {
        let mut fields = child(&commune);
        fields["commune_id"] = json!(not_a_commune);
        let outcome = one(
            app,
            &s.token,
            change("child", Uuid::now_v7(), &s.facility, fields),
        )
        .await;
        refused_naming(&outcome, "commune_id");
    }
}

#[tokio::test]
async fn the_actor_is_the_signed_in_user_whatever_the_device_writes() {
    let r = referred().await;
    let app = &r.school.app;
    let pulled = app
        .get("/api/sync/pull?since=0", &r.school.token)
        .await
        .json;
    let referral = pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rec| rec["record_type"] == "referral")
        .unwrap()
        .clone();
    // The device wrote "Hoàng Thị Mai"; the counsellor signed in is the demo's.
    let me = app.get("/api/auth/me", &r.school.token).await.json;
    assert_eq!(referral["fields"]["sent_by"], me["full_name"], "{referral}");
    assert_eq!(referral["fields"]["actor"]["role"], "counsellor");
    assert_eq!(referral["fields"]["actor"]["user_id"], me["id"]);

    let health = app.login("health", "demo").await;
    let forged = event(
        r.referral_id,
        "receive",
        json!({"by": "Hiệu trưởng (GV trường)"}),
    );
    let step = change("referral_event", Uuid::now_v7(), &r.station, forged);
    assert_eq!(one(app, &health, step).await["status"], "applied");
    let station_me = app.get("/api/auth/me", &health).await.json;
    let pulled = app
        .get("/api/sync/pull?since=0", &r.school.token)
        .await
        .json;
    let step = pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rec| rec["record_type"] == "referral_event")
        .unwrap()
        .clone();
    assert_eq!(step["fields"]["by"], station_me["full_name"], "{step}");
    assert_eq!(step["fields"]["actor"]["role"], "health_worker");
}

#[tokio::test]
async fn a_device_clock_is_kept_within_bounds() {
    let s = school_with_child(true).await;
    let app = &s.app;
    let commune = app.my_area(&s.token).await;
    // An adult (born 2000) passed as a child with a change "made" in 2014.
    let mut adult = child(&commune);
    adult["date_of_birth"] = json!(days::day(-26 * 365));
    let long_ago = days::at(-12 * 365, 1);
    let outcome = one(
        app,
        &s.token,
        change_at("child", Uuid::now_v7(), &s.facility, adult, &long_ago),
    )
    .await;
    refused_naming(&outcome, "date_of_birth");

    let r = referred().await;
    let app = &r.school.app;
    let health = app.login("health", "demo").await;
    // A receipt 30 days before the referral was sent, a no-show in a far future.
    let before = event(r.referral_id, "receive", json!({"at": days::at(-30, 1)}));
    let mut step = change("referral_event", Uuid::now_v7(), &r.station, before);
    step["made_at"] = json!(days::at(-30, 1));
    assert_eq!(one(app, &health, step).await["status"], "applied");
    let accept = change(
        "referral_event",
        Uuid::now_v7(),
        &r.station,
        event(r.referral_id, "accept", json!({})),
    );
    assert_eq!(one(app, &health, accept).await["status"], "applied");
    let later = event(
        r.referral_id,
        "no_show",
        json!({"at": "2100-01-01T00:00:00Z"}),
    );
    let mut step = change("referral_event", Uuid::now_v7(), &r.station, later);
    step["made_at"] = json!("2100-01-01T00:00:00Z");
    one(app, &health, step).await;
    let pulled = app.get("/api/sync/pull?since=0", &health).await.json;
    let records = pulled["records"].as_array().unwrap();
    let sent_at = records
        .iter()
        .find(|rec| rec["record_type"] == "referral")
        .map(|rec| rec["fields"]["sent_at"].as_str().unwrap().to_string())
        .unwrap();
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    let now = days::start();
    for step in records
        .iter()
        .filter(|rec| rec["record_type"] == "referral_event")
    {
        let at = parse(step["fields"]["at"].as_str().unwrap());
        assert!(at >= parse(&sent_at), "never before the referral: {step}");
        assert!(at <= now, "never after the server received it: {step}");
    }
}

#[tokio::test]
async fn staff_of_a_closed_facility_or_moved_elsewhere_lose_their_sessions() {
    let s = school_with_child(false).await;
    let app = &s.app;
    let admin = app.login("admin", "demo").await;
    let closed = app
        .patch(
            &format!("/api/facilities/{}", s.facility),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.json);
    let pull = app.get("/api/sync/pull?since=0", &s.token).await;
    assert_eq!(pull.status, 403, "{}", pull.json);
    assert_eq!(pull.json["code"], "facility_inactive");
    let again = app.try_login("counsellor", "demo").await;
    assert_eq!(again.status, 403);
    assert_eq!(again.json["code"], "facility_inactive");
    // The data stays: reopened, the child is there.
    app.patch(
        &format!("/api/facilities/{}", s.facility),
        &admin,
        json!({"active": true}),
    )
    .await;
    let pulled = app.get("/api/sync/pull?since=0", &s.token).await;
    assert_eq!(pulled.status, 200);
    assert_eq!(pulled.json["records"].as_array().unwrap().len(), 1);

    // Moved to another school: the old session ends (it would read the new school's data).
    let me = app.get("/api/auth/me", &s.token).await.json;
    let other = app.facility_id(&admin, "Trường Tiểu học Văn Quan").await;
    let moved = app
        .patch(
            &format!("/api/users/{}", me["id"].as_str().unwrap()),
            &admin,
            json!({"facility_id": other}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.json);
    assert_eq!(
        app.get("/api/sync/pull?since=0", &s.token).await.status,
        401
    );
}
