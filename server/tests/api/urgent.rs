//! Urgent flags as records (issue 12): raised the moment a critical answer is given, stamped
//! with the signed-in user whatever the device writes, each step set once and checked by field,
//! ended only by a safety plan or a completed referral of the same child, and seen by colleagues.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::days;
use crate::screening::{change, edit, push, school_with_child, School};

/// Who a device might claim acted.
fn forged() -> Value {
    json!({"user_id": Uuid::now_v7(), "name": "Hiệu trưởng", "role": "admin"})
}

fn flag(child_id: Uuid) -> Value {
    json!({
        "child_id": child_id,
        "instrument_id": "phqa",
        "level": "non_acute",
        "raised_at": days::made_at(),
        "raised_by": forged()
    })
}

async fn stored(s: &School, token: &str, id: Uuid) -> Value {
    let pulled = s.app.get("/api/sync/pull?since=0", token).await.json;
    pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == json!(id))
        .map(|r| r["fields"].clone())
        .unwrap_or(Value::Null)
}

async fn step(s: &School, id: Uuid, set: Value, base: Value) -> Value {
    push(
        &s.app,
        &s.token,
        vec![edit("urgent_flag", id, &s.facility, set, base)],
    )
    .await
    .remove(0)
}

fn refused_naming(outcome: &Value, field: &str) {
    assert_eq!(outcome["status"], "rejected", "{outcome}");
    assert!(
        outcome["fields"][field]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "the refusal names {field}: {outcome}"
    );
}

#[tokio::test]
async fn a_flag_is_the_servers_to_stamp_and_each_step_is_set_once() {
    let s = school_with_child(true).await;
    let me = s.app.get("/api/auth/me", &s.token).await.json;
    let id = Uuid::now_v7();
    let raised = push(
        &s.app,
        &s.token,
        vec![change("urgent_flag", id, &s.facility, flag(s.child_id))],
    )
    .await;
    assert_eq!(raised[0]["status"], "applied", "{}", raised[0]);
    let kept = stored(&s, &s.token, id).await;
    assert_eq!(kept["raised_by"]["user_id"], me["id"], "{kept}");
    assert_eq!(kept["raised_by"]["name"], me["full_name"]);
    assert!(
        kept.get("action_by").is_none(),
        "no action, no actor: {kept}"
    );

    // A colleague at the same school receives it at once.
    let admin = s.app.login("admin", "demo").await;
    let colleague = s
        .app
        .new_user(&admin, "dongnghiep", "counsellor", &s.facility)
        .await;
    assert_eq!(stored(&s, &colleague, id).await["level"], "non_acute");

    // An action needs a step and a note; then it is stamped.
    let empty = json!({"steps": [], "note": " "});
    refused_naming(
        &step(&s, id, json!({"action": empty}), json!({})).await,
        "action",
    );
    let action = json!({"steps": ["stayed_with_child"], "note": "Đã gọi cho mẹ em"});
    let acted = step(
        &s,
        id,
        json!({"action": action, "action_by": forged()}),
        json!({}),
    )
    .await;
    assert_eq!(acted["status"], "applied", "{acted}");
    let kept = stored(&s, &s.token, id).await;
    assert_eq!(kept["action_by"]["user_id"], me["id"], "{kept}");
    assert!(kept["action_at"].is_string());

    // What is stored is not rewritten: not the level, not the action.
    refused_naming(
        &step(
            &s,
            id,
            json!({"level": "acute"}),
            json!({"level": "non_acute"}),
        )
        .await,
        "level",
    );
    let other = json!({"steps": ["gave_hotline"], "note": "Khác"});
    refused_naming(
        &step(&s, id, json!({"action": other}), json!({"action": action})).await,
        "action",
    );

    // An end by a referral must name a completed referral of this child.
    let by_referral =
        json!({"how": "referral_completed", "note": "Đã khám", "referral_id": Uuid::now_v7()});
    refused_naming(
        &step(&s, id, json!({"ended": by_referral}), json!({})).await,
        "ended.referral_id",
    );
    let plan = json!({"how": "safety_plan", "note": "Kế hoạch an toàn cùng mẹ em"});
    let ended = step(&s, id, json!({"ended": plan}), json!({})).await;
    assert_eq!(ended["status"], "applied", "{ended}");
    let kept = stored(&s, &s.token, id).await;
    assert_eq!(kept["ended_by"]["user_id"], me["id"], "{kept}");
    assert_eq!(kept["ended"]["how"], "safety_plan");
}

#[tokio::test]
async fn a_flag_needs_a_child_of_the_school_and_a_known_instrument() {
    let s = school_with_child(true).await;
    let mut unknown = flag(Uuid::now_v7());
    let outcome = push(
        &s.app,
        &s.token,
        vec![change(
            "urgent_flag",
            Uuid::now_v7(),
            &s.facility,
            unknown.clone(),
        )],
    )
    .await
    .remove(0);
    refused_naming(&outcome, "child_id");
    unknown["child_id"] = json!(s.child_id);
    unknown["instrument_id"] = json!("không-có");
    let outcome = push(
        &s.app,
        &s.token,
        vec![change("urgent_flag", Uuid::now_v7(), &s.facility, unknown)],
    )
    .await
    .remove(0);
    refused_naming(&outcome, "instrument_id");
    // A device clock running ahead does not lose the flag: the time is bounded, not refused.
    let mut ahead = flag(s.child_id);
    ahead["raised_at"] = json!((days::start() + chrono::Duration::hours(3)).to_rfc3339());
    let id = Uuid::now_v7();
    let outcome = push(
        &s.app,
        &s.token,
        vec![change("urgent_flag", id, &s.facility, ahead)],
    )
    .await
    .remove(0);
    assert_eq!(outcome["status"], "applied", "{outcome}");
    let kept = stored(&s, &s.token, id).await;
    let at: chrono::DateTime<chrono::Utc> = kept["raised_at"].as_str().unwrap().parse().unwrap();
    assert!(at <= days::start() + chrono::Duration::minutes(1), "{kept}");
}
