//! Referrals through sync: who may read them (the receiver only through the packet, sensitive
//! answers to clinical roles only), who may act on them (the state machine, by side), events that
//! arrive too late, onward chains, and the slip's signature.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::days;
use crate::helpers::TestApp;
use crate::screening::{change, phqa, push, school_with_child, screening, School};

const STATION: &str = "Trạm y tế phường Tam Thanh";
const OTHER_STATION: &str = "Trạm y tế xã Văn Quan";
const HOSPITAL: &str = "Bệnh viện Đa khoa tỉnh Lạng Sơn";
const SOCIAL: &str = "Trung tâm Công tác xã hội tỉnh Lạng Sơn";

/// What a device sends: its own packet (the server builds its own from its records).
fn referral(child_id: Uuid, to: &str, screenings: &[Uuid], extra: Value) -> Value {
    let mut fields = json!({
        "child_id": child_id,
        "to_facility": to,
        "urgency": "urgent",
        "reason": "Sàng lọc PHQ-A dương tính, có ý nghĩ tự hại",
        "done_already": "Đã gặp riêng, báo mẹ",
        "screening_ids": screenings,
        "sent_at": days::made_at(),
        "sent_by": "Hoàng Thị Mai",
        "packet": {"child": {"full_name": "Tên do máy gửi", "date_of_birth": days::born(14), "sex": "male",
                             "guardian_name": "x", "guardian_relation": "mother"}}
    });
    for (key, value) in extra.as_object().unwrap() {
        fields[key] = value.clone();
    }
    fields
}

pub(crate) fn event(referral_id: Uuid, action: &str, extra: Value) -> Value {
    let mut fields = json!({
        "referral_id": referral_id,
        "action": action,
        "at": days::at(0, 3),
        "by": "Lường Văn Sơn"
    });
    for (key, value) in extra.as_object().unwrap() {
        fields[key] = value.clone();
    }
    fields
}

/// Pushes one change and returns its outcome.
async fn one(app: &TestApp, token: &str, change: Value) -> Value {
    push(app, token, vec![change]).await.remove(0)
}

/// A step on a referral, by a user of `facility`.
pub(crate) fn step(facility: &str, fields: Value) -> Value {
    change("referral_event", Uuid::now_v7(), facility, fields)
}

/// The station accepts the referral and records the child's visit.
pub(crate) fn accepted_and_attended(r: &Referred) -> Vec<Value> {
    vec![
        step(&r.station, event(r.referral_id, "accept", json!({}))),
        step(
            &r.station,
            event(
                r.referral_id,
                "attend",
                json!({"attended_on": days::day(0)}),
            ),
        ),
    ]
}

async fn pull(app: &TestApp, token: &str) -> Vec<Value> {
    let reply = app.get("/api/sync/pull?since=0", token).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    reply.json["records"].as_array().unwrap().clone()
}

fn of_type<'a>(records: &'a [Value], record_type: &str) -> Vec<&'a Value> {
    records
        .iter()
        .filter(|r| r["record_type"] == record_type)
        .collect()
}

/// A new record's change as the app sends it: vouching that the device held none, so that the
/// server answers with its own fields and the device's pulls leave the record out.
fn vouched(mut change: Value) -> Value {
    change["base_seq"] = json!(0);
    change
}

pub(crate) struct Referred {
    pub school: School,
    pub admin: String,
    pub station: String,
    pub referral_id: Uuid,
    pub screening_id: Uuid,
}

/// A school child with a positive PHQ-A (item 9 answered) referred to the ward's health station.
pub(crate) async fn referred() -> Referred {
    let school = school_with_child(true).await;
    let admin = school.app.login("admin", "demo").await;
    let station = school.app.facility_id(&admin, STATION).await;
    let screening_id = Uuid::now_v7();
    let mut phq = screening(school.child_id, &phqa([2, 2, 1, 1, 1, 1, 2, 1, 1]));
    phq["safety_action"] =
        json!({"steps": ["stayed_with_child", "urgent_referral"], "note": "Đã báo mẹ"});
    let referral_id = Uuid::now_v7();
    let outcomes = push(
        &school.app,
        &school.token,
        vec![
            change("screening", screening_id, &school.facility, phq),
            vouched(change(
                "referral",
                referral_id,
                &school.facility,
                referral(school.child_id, &station, &[screening_id], json!({})),
            )),
        ],
    )
    .await;
    for outcome in &outcomes {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    Referred {
        school,
        admin,
        station,
        referral_id,
        screening_id,
    }
}

#[tokio::test]
async fn the_receiver_sees_the_packet_only_and_the_sender_gets_the_feedback() {
    let r = referred().await;
    let app = &r.school.app;
    let health = app.login("health", "demo").await;
    let records = pull(app, &health).await;
    assert!(of_type(&records, "child").is_empty(), "no child record");
    assert!(of_type(&records, "screening").is_empty(), "no screening");
    let referrals = of_type(&records, "referral");
    assert_eq!(referrals.len(), 1);
    let fields = &referrals[0]["fields"];
    assert_eq!(fields["status"], "sent");
    assert_eq!(
        fields["packet"]["child"]["full_name"], "Lý Văn Tài",
        "built from the server's records"
    );
    assert_eq!(
        fields["packet"]["screenings"][0]["scores"]["total"]["value"],
        12
    );
    assert_eq!(
        fields["packet"]["screenings"][0]["flags"][0]["id"],
        "suicide_risk"
    );
    assert_eq!(fields["packet"]["consented"], json!(["share_health"]));
    let sensitive = fields["packet"]["sensitive"].as_array().unwrap();
    assert_eq!(
        sensitive.len(),
        1,
        "a clinical role gets item 9: {sensitive:?}"
    );
    assert_eq!(sensitive[0]["item_id"], "phqa_9");
    assert_eq!(sensitive[0]["value"], 1);

    // Another station, with its own health worker, sees nothing of it.
    let other = app.facility_id(&r.admin, OTHER_STATION).await;
    let elsewhere = app
        .new_user(&r.admin, "tramvanquan", "health_worker", &other)
        .await;
    assert!(pull(app, &elsewhere).await.is_empty());
    let sneaky = event(r.referral_id, "accept", json!({}));
    let outcome = &one(app, &elsewhere, step(&other, sneaky)).await;
    assert_eq!(outcome["code"], "forbidden_facility", "{outcome}");

    // The station receives, accepts with an appointment, sees the child and completes.
    let steps = [
        event(r.referral_id, "receive", json!({})),
        event(
            r.referral_id,
            "accept",
            json!({"appointment": format!("{}T08:30:00", days::day(2))}),
        ),
        event(
            r.referral_id,
            "attend",
            json!({"attended_on": days::day(0)}),
        ),
        event(
            r.referral_id,
            "complete",
            json!({"feedback": {
                "found": "Trầm cảm mức độ vừa, không có kế hoạch tự sát",
                "services": ["counselling", "assessment"],
                "for_school": "Theo dõi hằng tuần, gặp riêng em",
                "for_family": "Đưa em tái khám sau 2 tuần"
            }}),
        ),
    ];
    let changes = steps
        .into_iter()
        .map(|fields| step(&r.station, fields))
        .collect();
    for outcome in push(app, &health, changes).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }

    let records = pull(app, &r.school.token).await;
    let referral = of_type(&records, "referral")[0];
    assert_eq!(referral["fields"]["status"], "completed");
    assert!(
        referral["fields"]["packet"].get("sensitive").is_none(),
        "a counsellor is not a clinical role"
    );
    let events = of_type(&records, "referral_event");
    assert_eq!(events.len(), 4, "the sender sees every step");
    let completed = events
        .iter()
        .find(|e| e["fields"]["action"] == "complete")
        .unwrap();
    assert_eq!(
        completed["fields"]["feedback"]["for_school"],
        "Theo dõi hằng tuần, gặp riêng em"
    );
    assert_eq!(
        completed["fields"]["feedback"]["services"],
        json!(["assessment", "counselling"])
    );
}

#[tokio::test]
async fn a_school_cannot_accept_and_an_event_too_late_is_kept_with_its_refusal() {
    let r = referred().await;
    let app = &r.school.app;
    let accept = event(r.referral_id, "accept", json!({}));
    let outcome = &one(
        app,
        &r.school.token,
        step(&r.school.facility, accept.clone()),
    )
    .await;
    assert_eq!(outcome["status"], "rejected");
    assert_eq!(outcome["code"], "referral_refused", "{outcome}");

    // A referral is never edited, not even its packet, and leaves no conflict behind.
    let edit = crate::screening::edit(
        "referral",
        r.referral_id,
        &r.school.facility,
        json!({"packet": {"child": {"full_name": "Khác"}}, "reason": "Sửa"}),
        json!({}),
    );
    let outcome = &one(app, &r.school.token, edit).await;
    assert_eq!(outcome["code"], "invalid_input", "{outcome}");
    let page = app
        .get("/api/sync/pull?since=0", &r.school.token)
        .await
        .json;
    assert_eq!(page["conflicts"], json!([]));

    // A cancel without a reason is refused; with one it is applied.
    let cancel = event(r.referral_id, "cancel", json!({"by": "Hoàng Thị Mai"}));
    let outcome = &one(
        app,
        &r.school.token,
        step(&r.school.facility, cancel.clone()),
    )
    .await;
    assert_eq!(outcome["code"], "invalid_input", "{outcome}");
    assert!(outcome["fields"]["reason"].is_string());
    let mut cancel = cancel;
    cancel["reason"] = json!("Gia đình đã đưa em đi khám nơi khác");
    let outcome = &one(app, &r.school.token, step(&r.school.facility, cancel)).await;
    assert_eq!(outcome["status"], "applied", "{outcome}");

    // The station accepted while offline; it arrives after the cancel.
    let health = app.login("health", "demo").await;
    let late_id = Uuid::now_v7();
    let outcome = &one(
        app,
        &health,
        change("referral_event", late_id, &r.station, accept),
    )
    .await;
    assert_eq!(outcome["status"], "rejected");
    assert_eq!(outcome["code"], "referral_refused");
    assert!(
        outcome["message"].as_str().unwrap().contains("Đã hủy"),
        "{outcome}"
    );
    for token in [&health, &r.school.token] {
        let records = pull(app, token).await;
        assert_eq!(
            of_type(&records, "referral")[0]["fields"]["status"],
            "cancelled"
        );
        let late = records
            .iter()
            .find(|e| e["id"] == json!(late_id))
            .expect("kept");
        assert_eq!(late["fields"]["refusal"]["refusal"], "no_longer_possible");
    }
}

#[tokio::test]
async fn non_clinical_roles_never_receive_sensitive_answers() {
    let r = referred().await;
    let app = &r.school.app;
    let social = app.facility_id(&r.admin, SOCIAL).await;
    let fields = referral(r.school.child_id, &social, &[r.screening_id], json!({}));
    let id = Uuid::now_v7();
    let outcome = &one(
        app,
        &r.school.token,
        change("referral", id, &r.school.facility, fields.clone()),
    )
    .await;
    assert_eq!(
        outcome["code"], "invalid_input",
        "no consent to share with social services"
    );
    assert!(
        outcome["fields"]["emergency_reason"].is_string(),
        "{outcome}"
    );

    let mut fields = fields;
    fields["emergency_reason"] = json!("Em có nguy cơ bị bạo hành tại nhà");
    let outcome = &one(
        app,
        &r.school.token,
        change("referral", id, &r.school.facility, fields),
    )
    .await;
    assert_eq!(outcome["status"], "applied", "{outcome}");

    let token = app.login("social", "demo").await;
    let body = app
        .get("/api/sync/pull?since=0", &token)
        .await
        .json
        .to_string();
    assert!(
        body.contains("Lý Văn Tài"),
        "the social worker receives the referral"
    );
    assert!(
        !body.contains("sensitive"),
        "but never the sensitive answers"
    );
    assert!(!body.contains("phqa_9"));
    let records = pull(app, &token).await;
    assert_eq!(
        of_type(&records, "referral").len(),
        1,
        "only the one addressed to it"
    );

    // The hotline is called, not sent a referral; and a school is not a referral target.
    for target in [
        "Tổng đài quốc gia bảo vệ trẻ em 111",
        "Trường Tiểu học Văn Quan",
    ] {
        let to = app.facility_id(&r.admin, target).await;
        let fields = referral(r.school.child_id, &to, &[], json!({}));
        let outcome = &one(
            app,
            &r.school.token,
            change("referral", Uuid::now_v7(), &r.school.facility, fields),
        )
        .await;
        assert!(
            outcome["fields"]["to_facility"].is_string(),
            "{target}: {outcome}"
        );
    }
}

#[tokio::test]
async fn an_onward_referral_is_seen_along_the_chain_and_the_slip_is_signed() {
    let r = referred().await;
    let app = &r.school.app;
    let health = app.login("health", "demo").await;
    let hospital = app.facility_id(&r.admin, HOSPITAL).await;
    let onward_id = Uuid::now_v7();
    let mut onward = referral(
        r.school.child_id,
        &hospital,
        &[],
        json!({"onward_from": r.referral_id}),
    );
    onward["urgency"] = json!("emergency");
    onward["sent_by"] = json!("Lường Văn Sơn");
    let mut changes = accepted_and_attended(&r);
    changes.push(change("referral", onward_id, &r.station, onward.clone()));
    let outcomes = push(app, &health, changes).await;
    for outcome in &outcomes {
        assert_eq!(outcome["status"], "applied", "{outcomes:?}");
    }
    // Onward from a referral not addressed to you: refused.
    let outcome = &one(
        app,
        &r.school.token,
        change("referral", Uuid::now_v7(), &r.school.facility, onward),
    )
    .await;
    assert!(outcome["fields"]["onward_from"].is_string(), "{outcome}");

    let clinician = app.login("clinician", "demo").await;
    // Pages of one record: the chain's records, brought forward under one change's number,
    // still all arrive.
    let (mut cursor, mut ids) = (0, Vec::new());
    loop {
        let page = app
            .get(
                &format!("/api/sync/pull?since={cursor}&limit=1"),
                &clinician,
            )
            .await
            .json;
        for record in page["records"].as_array().unwrap() {
            ids.push(record["id"].clone());
        }
        cursor = page["cursor"].as_i64().unwrap();
        if page["more"] != true {
            break;
        }
    }
    assert_eq!(ids.len(), 4, "two referrals and two events: {ids:?}");
    let records = pull(app, &clinician).await;
    let referrals = of_type(&records, "referral");
    assert_eq!(referrals.len(), 2, "the hospital sees the chain");
    let theirs = referrals
        .iter()
        .find(|r| r["id"] == json!(onward_id))
        .unwrap();
    assert_eq!(
        theirs["fields"]["packet"]["child"]["full_name"],
        "Lý Văn Tài"
    );
    assert_eq!(
        theirs["fields"]["packet"]["sensitive"][0]["item_id"],
        "phqa_9"
    );
    assert_eq!(
        of_type(&records, "referral_event").len(),
        2,
        "and the first one's events"
    );

    let done = event(
        onward_id,
        "complete",
        json!({"feedback": {"found": "Đã điều trị"}}),
    );
    let attend = event(onward_id, "attend", json!({"attended_on": days::day(0)}));
    let receive = event(onward_id, "receive", json!({}));
    let changes = vec![
        step(&hospital, receive),
        step(&hospital, attend),
        step(&hospital, done),
    ];
    for outcome in push(app, &clinician, changes).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    let school = pull(app, &r.school.token).await;
    let onward = school
        .iter()
        .find(|r| r["id"] == json!(onward_id))
        .expect("the school sees it");
    assert_eq!(onward["fields"]["status"], "completed");
    assert!(school
        .iter()
        .any(|e| e["fields"]["feedback"]["found"] == "Đã điều trị"));

    // The slip: the signature the server gave is genuine; another is not.
    let signature = onward["fields"]["signature"].as_str().unwrap();
    let path = format!("/api/referrals/{onward_id}/slip?s={signature}");
    let check = app.get(&path, &clinician).await.json;
    assert_eq!(check["genuine"], true);
    assert_eq!(check["can_open"], true);
    assert_eq!(
        check["short_code"],
        shared::referral::slip::short_code(onward_id)
    );
    let forged = format!("/api/referrals/{onward_id}/slip?s=AAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(app.get(&forged, &clinician).await.json["genuine"], false);
    let other = app.facility_id(&r.admin, OTHER_STATION).await;
    let stranger = app
        .new_user(&r.admin, "nguoila", "health_worker", &other)
        .await;
    let check = app.get(&path, &stranger).await.json;
    assert_eq!(check["genuine"], true);
    assert_eq!(check["can_open"], false, "genuine, but not theirs to open");
    // Holding a genuine slip is seeing the child: the check is among the child's reads.
    let reads = app
        .get(
            &format!("/api/audit?record_id={}", r.school.child_id),
            &r.admin,
        )
        .await;
    assert_eq!(reads.status, 200, "{}", reads.json);
    let checks: Vec<&str> = reads.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "referral.slip_check")
        .filter_map(|e| e["username"].as_str())
        .collect();
    assert!(checks.contains(&"nguoila"), "{}", reads.json);
    // The two genuine checks; the forged one revealed nothing of the child.
    assert_eq!(checks.len(), 2, "{}", reads.json);
}
