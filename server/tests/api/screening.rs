//! Screenings and consents through sync: the server rescoring every result, consent gating, the
//! safety action, voiding, visibility; and the instrument endpoints for integrators.

use axum::http::StatusCode;
use serde_json::{json, Value};
use shared::instrument::{find, score, Answers};
use uuid::Uuid;

use crate::days;
use crate::helpers::TestApp;

pub(crate) fn change(record_type: &str, record_id: Uuid, facility: &str, set: Value) -> Value {
    edit(record_type, record_id, facility, set, json!({}))
}

/// A change to fields the device last saw as `base`.
pub(crate) fn edit(
    record_type: &str,
    record_id: Uuid,
    facility: &str,
    set: Value,
    base: Value,
) -> Value {
    json!({
        "id": Uuid::now_v7(),
        "record_type": record_type,
        "record_id": record_id,
        "facility_id": facility,
        "set": set,
        "base": base,
        "made_at": days::made_at()
    })
}

/// A 14-year-old pupil.
pub(crate) fn child(commune: &str) -> Value {
    json!({
        "full_name": "Lý Văn Tài",
        "date_of_birth": days::born(14),
        "sex": "male",
        "ethnicity": "nung",
        "commune_id": commune,
        "school_class": "8A",
        "guardian_name": "Lý Thị Hoa",
        "guardian_relation": "mother"
    })
}

pub(crate) fn consent(child_id: Uuid, child_agreed: bool) -> Value {
    json!({
        "child_id": child_id,
        "guardian_name": "Lý Thị Hoa",
        "guardian_relation": "mother",
        "child_agreed": child_agreed,
        "given_on": days::day(-58),
        "purposes": ["screening", "share_health"],
        "method": "signed_form"
    })
}

/// PHQ-A answers: items 1–8 as given, item 9 and the extra questions as given.
pub(crate) fn phqa(items: [i32; 9]) -> Answers {
    let mut answers = Answers::default();
    for (i, value) in items.iter().enumerate() {
        answers.values.insert(format!("phqa_{}", i + 1), *value);
    }
    answers
}

/// A PHQ-A screening with the result the shared engine gives (as the app computes it).
pub(crate) fn screening(child_id: Uuid, answers: &Answers) -> Value {
    let result = score(find("phqa").unwrap(), answers);
    json!({
        "child_id": child_id,
        "instrument_id": "phqa",
        "instrument_version": "1",
        "informant": "child",
        "screened_on": days::day(-1),
        "answers": answers,
        "result": result
    })
}

pub(crate) async fn push(app: &TestApp, token: &str, changes: Vec<Value>) -> Vec<Value> {
    let reply = app
        .post("/api/sync/push", token, json!({ "changes": changes }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].clone())
        .collect()
}

pub(crate) struct School {
    pub app: TestApp,
    pub token: String,
    pub facility: String,
    pub child_id: Uuid,
}

/// A counsellor's school with one registered child and, if asked, a consent.
pub(crate) async fn school_with_child(with_consent: bool) -> School {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    let facility = app.my_facility(&token).await;
    let commune = app.my_area(&token).await;
    let child_id = Uuid::now_v7();
    let mut changes = vec![change("child", child_id, &facility, child(&commune))];
    if with_consent {
        changes.push(change(
            "consent",
            Uuid::now_v7(),
            &facility,
            consent(child_id, true),
        ));
    }
    for outcome in push(&app, &token, changes).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    School {
        app,
        token,
        facility,
        child_id,
    }
}

#[tokio::test]
async fn a_screening_is_rescored_and_one_with_a_wrong_result_is_refused() {
    let s = school_with_child(true).await;
    let answers = phqa([2, 2, 1, 1, 1, 1, 2, 1, 0]);
    let good = screening(s.child_id, &answers);
    assert_eq!(good["result"]["scores"]["total"]["value"], 11);
    assert_eq!(good["result"]["positive"], true);
    let mut wrong = screening(s.child_id, &answers);
    wrong["result"]["scores"]["total"]["value"] = json!(9);
    wrong["result"]["positive"] = json!(false);
    let outcomes = push(
        &s.app,
        &s.token,
        vec![
            change("screening", Uuid::now_v7(), &s.facility, good),
            change("screening", Uuid::now_v7(), &s.facility, wrong),
        ],
    )
    .await;
    assert_eq!(outcomes[0]["status"], "applied", "{}", outcomes[0]);
    assert_eq!(outcomes[1]["status"], "rejected");
    assert!(outcomes[1]["fields"]["result"]
        .as_str()
        .unwrap()
        .contains("Kết quả"));
    let pulled = s.app.get("/api/sync/pull?since=0", &s.token).await.json;
    let screenings: Vec<&Value> = pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["record_type"] == "screening")
        .collect();
    assert_eq!(screenings.len(), 1);
    assert_eq!(screenings[0]["fields"]["result"]["band"], "moderate");
}

#[tokio::test]
async fn screening_needs_a_valid_consent_or_a_recorded_emergency() {
    let s = school_with_child(false).await;
    let answers = phqa([0; 9]);
    let outcomes = push(
        &s.app,
        &s.token,
        vec![change(
            "screening",
            Uuid::now_v7(),
            &s.facility,
            screening(s.child_id, &answers),
        )],
    )
    .await;
    assert_eq!(outcomes[0]["status"], "rejected");
    assert!(
        outcomes[0]["fields"]["consent"].is_string(),
        "{}",
        outcomes[0]
    );

    // A 14-year-old's own agreement is required for the consent itself.
    let outcomes = push(
        &s.app,
        &s.token,
        vec![change(
            "consent",
            Uuid::now_v7(),
            &s.facility,
            consent(s.child_id, false),
        )],
    )
    .await;
    assert_eq!(outcomes[0]["status"], "rejected");
    assert!(
        outcomes[0]["fields"]["child_agreed"].is_string(),
        "{}",
        outcomes[0]
    );

    let mut emergency = screening(s.child_id, &answers);
    emergency["consent_override"] = json!("Em đang rất hoảng loạn, không liên lạc được gia đình");
    let outcomes = push(
        &s.app,
        &s.token,
        vec![change("screening", Uuid::now_v7(), &s.facility, emergency)],
    )
    .await;
    assert_eq!(outcomes[0]["status"], "applied", "{}", outcomes[0]);
}

#[tokio::test]
async fn an_urgent_flag_needs_the_action_taken() {
    let s = school_with_child(true).await;
    let answers = phqa([1, 1, 0, 0, 0, 0, 0, 0, 1]);
    let flagged = screening(s.child_id, &answers);
    assert_eq!(flagged["result"]["flags"][0]["level"], "non_acute");
    let mut acted = flagged.clone();
    acted["safety_action"] = json!({"steps": ["safety_assessment", "contacted_guardian"],
                                    "note": "Đã gặp riêng em và gọi cho mẹ em"});
    let mut note_only = flagged.clone();
    note_only["safety_action"] = json!({"steps": [], "note": "Đã hỏi"});
    let outcomes = push(
        &s.app,
        &s.token,
        vec![
            change("screening", Uuid::now_v7(), &s.facility, flagged),
            change("screening", Uuid::now_v7(), &s.facility, note_only),
            change("screening", Uuid::now_v7(), &s.facility, acted),
        ],
    )
    .await;
    assert_eq!(outcomes[0]["status"], "rejected");
    assert!(outcomes[0]["fields"]["safety_action"].is_string());
    assert_eq!(outcomes[1]["status"], "rejected");
    assert_eq!(outcomes[2]["status"], "applied", "{}", outcomes[2]);
}

#[tokio::test]
async fn a_submitted_screening_is_never_edited_only_voided() {
    let s = school_with_child(true).await;
    let id = Uuid::now_v7();
    let answers = phqa([0; 9]);
    let first = push(
        &s.app,
        &s.token,
        vec![change(
            "screening",
            id,
            &s.facility,
            screening(s.child_id, &answers),
        )],
    )
    .await;
    assert_eq!(first[0]["status"], "applied");

    let changed = phqa([1, 0, 0, 0, 0, 0, 0, 0, 0]);
    let result = score(find("phqa").unwrap(), &changed);
    let original = screening(s.child_id, &answers);
    let edited = push(
        &s.app,
        &s.token,
        vec![edit(
            "screening",
            id,
            &s.facility,
            json!({"answers": changed, "result": result}),
            json!({"answers": original["answers"], "result": original["result"]}),
        )],
    )
    .await;
    assert_eq!(edited[0]["status"], "rejected", "{}", edited[0]);
    assert!(
        edited[0]["fields"]["screening"].is_string(),
        "{}",
        edited[0]
    );

    let void = push(
        &s.app,
        &s.token,
        vec![change(
            "screening",
            id,
            &s.facility,
            json!({"voided_reason": "Nhập nhầm trẻ"}),
        )],
    )
    .await;
    assert_eq!(void[0]["status"], "applied", "{}", void[0]);
    let pulled = s.app.get("/api/sync/pull?since=0", &s.token).await.json;
    let stored = pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.to_string())
        .unwrap()
        .clone();
    assert_eq!(stored["fields"]["voided_reason"], "Nhập nhầm trẻ");
    assert_eq!(stored["fields"]["answers"]["values"]["phqa_1"], 0);
}

#[tokio::test]
async fn screenings_stay_in_their_school() {
    let s = school_with_child(true).await;
    let admin = s.app.login("admin", "demo").await;
    let other_school = s.app.facility_id(&admin, "Trường Tiểu học Văn Quan").await;
    let stranger = s
        .app
        .new_user(&admin, "stranger", "counsellor", &other_school)
        .await;
    let answers = phqa([0; 9]);
    let ok = push(
        &s.app,
        &s.token,
        vec![change(
            "screening",
            Uuid::now_v7(),
            &s.facility,
            screening(s.child_id, &answers),
        )],
    )
    .await;
    assert_eq!(ok[0]["status"], "applied");
    let theirs = s.app.get("/api/sync/pull?since=0", &stranger).await.json;
    assert!(theirs["records"].as_array().unwrap().is_empty(), "{theirs}");

    // Another school cannot screen this child, even under its own facility id.
    let forged = push(
        &s.app,
        &stranger,
        vec![change(
            "screening",
            Uuid::now_v7(),
            &other_school,
            screening(s.child_id, &answers),
        )],
    )
    .await;
    assert_eq!(forged[0]["status"], "rejected");
    assert!(forged[0]["fields"]["child_id"].is_string(), "{}", forged[0]);
}

#[tokio::test]
async fn integrators_list_instruments_and_score_answers() {
    let app = TestApp::new().await;
    let token = app.login("health", "demo").await;
    let list = app.get("/api/instruments", &token).await;
    assert_eq!(list.status, StatusCode::OK);
    let ids: Vec<&str> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ppsc", "psc17", "phqa", "gad7", "asq", "concern"]);

    let acute = app
        .post(
            "/api/instruments/asq/score",
            &token,
            json!({"answers": {"values": {"asq_1": 1, "asq_2": 0, "asq_3": 0, "asq_4": 0, "asq_5": 1}}}),
        )
        .await;
    assert_eq!(acute.status, StatusCode::OK, "{}", acute.json);
    assert_eq!(acute.json["result"]["band"], "acute_positive");
    assert_eq!(acute.json["result"]["flags"][0]["level"], "acute");

    let unknown = app
        .post("/api/instruments/sdq/score", &token, json!({"answers": {}}))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = app
        .post(
            "/api/instruments/gad7/score",
            &token,
            json!({"answers": {"values": {"gad7_1": 7}}}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json["fields"]["answers"]
        .as_str()
        .unwrap()
        .contains("gad7_1"));
    let anonymous = app.get("/api/instruments", "").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_circumstances_and_care_arrangements_are_checked_records_of_the_child() {
    let s = school_with_child(true).await;
    let session = json!({"child_id": s.child_id, "held_on": days::day(-1), "kind": "individual",
                         "held_by": "Hoàng Thị Mai", "note": "Trò chuyện về giấc ngủ",
                         "follow_up_on": days::day(13)});
    let early_follow_up = json!({"child_id": s.child_id, "held_on": days::day(-1), "kind": "group",
                                 "held_by": "Hoàng Thị Mai", "follow_up_on": days::day(-32)});
    let orphan_unclear = json!({"child_id": s.child_id, "code": "orphan", "since": days::day(-1920),
                                "cause": "covid19"});
    let orphan = json!({"child_id": s.child_id, "code": "orphan", "since": days::day(-1920),
                        "parents_lost": "both", "cause": "covid19"});
    let care = json!({"child_id": s.child_id, "kind": "kinship", "since": days::day(-1874)});
    let stranger_child =
        json!({"child_id": Uuid::now_v7(), "kind": "adoption", "since": days::day(-1766)});
    let outcomes = push(
        &s.app,
        &s.token,
        vec![
            change("session", Uuid::now_v7(), &s.facility, session),
            change("session", Uuid::now_v7(), &s.facility, early_follow_up),
            change("circumstance", Uuid::now_v7(), &s.facility, orphan_unclear),
            change("circumstance", Uuid::now_v7(), &s.facility, orphan),
            change("care_arrangement", Uuid::now_v7(), &s.facility, care),
            change(
                "care_arrangement",
                Uuid::now_v7(),
                &s.facility,
                stranger_child,
            ),
        ],
    )
    .await;
    let statuses: Vec<&str> = outcomes
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["applied", "rejected", "rejected", "applied", "applied", "rejected"],
        "{outcomes:?}"
    );
    assert!(outcomes[1]["fields"]["follow_up_on"].is_string());
    assert!(outcomes[2]["fields"]["parents_lost"].is_string());
    assert!(outcomes[5]["fields"]["child_id"].is_string());
    let pulled = s.app.get("/api/sync/pull?since=0", &s.token).await.json;
    let types: Vec<&str> = pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["record_type"].as_str().unwrap())
        .collect();
    for kind in [
        "session",
        "circumstance",
        "care_arrangement",
        "consent",
        "child",
    ] {
        assert!(types.contains(&kind), "{kind} in {types:?}");
    }
}
