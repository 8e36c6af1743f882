//! A referral as FHIR R4: the request as a `ServiceRequest` (who asks whom, how urgently, why,
//! with the screenings it carries) and its life cycle as a `Task` whose status is mapped from
//! ours and whose business status keeps ours exactly; the receiver's feedback is the Task's
//! output.

use serde_json::{json, Map, Value};
use shared::lang::Lang;
use shared::referral::{Action, Referral, ReferralEvent, Status, Urgency};
use uuid::Uuid;

use super::people::{put, reference};
use super::systems;

fn priority(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Emergency => "stat",
        Urgency::Urgent => "urgent",
        Urgency::Routine => "routine",
    }
}

/// The request's own status: open while the receiver works on it.
fn request_status(status: Status) -> &'static str {
    match status {
        Status::Sent | Status::Received | Status::Accepted | Status::Attended | Status::NoShow => {
            "active"
        }
        Status::Completed => "completed",
        Status::Declined | Status::Cancelled => "revoked",
    }
}

/// The Task's status for each of ours (the business status keeps ours).
pub fn task_status(status: Status) -> &'static str {
    match status {
        Status::Sent => "requested",
        Status::Received => "received",
        Status::Accepted => "accepted",
        Status::Declined => "rejected",
        Status::NoShow => "failed",
        Status::Attended => "in-progress",
        Status::Completed => "completed",
        Status::Cancelled => "cancelled",
    }
}

pub fn service_request(id: Uuid, owner: Uuid, referral: &Referral, updated: &str) -> Value {
    let mut request = Map::new();
    request.insert("resourceType".into(), json!("ServiceRequest"));
    request.insert("id".into(), json!(id));
    request.insert("meta".into(), json!({ "lastUpdated": updated }));
    if let Some(from) = referral.onward_from {
        request.insert("basedOn".into(), json!([reference("ServiceRequest", from)]));
    }
    request.insert("status".into(), json!(request_status(referral.status)));
    request.insert("intent".into(), json!("order"));
    request.insert(
        "category".into(),
        json!([{ "text": "Chuyển tuyến chăm sóc sức khỏe tâm thần trẻ em" }]),
    );
    request.insert("priority".into(), json!(priority(referral.urgency)));
    request.insert("subject".into(), reference("Patient", referral.child_id));
    request.insert("authoredOn".into(), json!(referral.sent_at.to_rfc3339()));
    let mut requester = reference("Organization", owner);
    requester["display"] = json!(referral.sent_by);
    request.insert("requester".into(), requester);
    request.insert(
        "performer".into(),
        json!([reference("Organization", referral.to_facility)]),
    );
    put(
        &mut request,
        "reasonCode",
        json!([{ "text": referral.reason }]),
    );
    let screenings: Vec<Value> = referral
        .screening_ids
        .iter()
        .flat_map(|s| {
            [
                reference("QuestionnaireResponse", s),
                reference("Observation", s),
            ]
        })
        .collect();
    put(&mut request, "supportingInfo", json!(screenings));
    let mut notes = Vec::new();
    if let Some(done) = &referral.done_already {
        notes.push(json!({ "text": format!("Đã làm: {done}") }));
    }
    if let Some(reason) = &referral.emergency_reason {
        notes.push(json!({ "text": format!("Chia sẻ khẩn cấp không cần đồng ý: {reason}") }));
    }
    put(&mut request, "note", json!(notes));
    Value::Object(request)
}

/// The referral's life cycle; `events` are the referral's steps accepted by the server, in any
/// order.
pub fn task(
    id: Uuid,
    owner: Uuid,
    referral: &Referral,
    events: &[ReferralEvent],
    updated: &str,
) -> Value {
    let mut task = Map::new();
    task.insert("resourceType".into(), json!("Task"));
    task.insert("id".into(), json!(id));
    task.insert("meta".into(), json!({ "lastUpdated": updated }));
    task.insert("status".into(), json!(task_status(referral.status)));
    task.insert(
        "businessStatus".into(),
        json!({ "coding": [{ "system": systems::REFERRAL_STATUS, "code": referral.status.code(), "display": referral.status.label(Lang::Vi) }],
                "text": referral.status.label(Lang::Vi) }),
    );
    task.insert("intent".into(), json!("order"));
    task.insert("priority".into(), json!(priority(referral.urgency)));
    task.insert("focus".into(), reference("ServiceRequest", id));
    task.insert("for".into(), reference("Patient", referral.child_id));
    task.insert("authoredOn".into(), json!(referral.sent_at.to_rfc3339()));
    if let Some(at) = referral.status_at {
        task.insert("lastModified".into(), json!(at.to_rfc3339()));
    }
    task.insert("requester".into(), reference("Organization", owner));
    task.insert(
        "owner".into(),
        reference("Organization", referral.to_facility),
    );
    let accepted: Vec<&ReferralEvent> = events.iter().filter(|e| e.refusal.is_none()).collect();
    if let Some(declined) = accepted.iter().find(|e| e.action == Action::Decline) {
        if let Some(reason) = &declined.reason {
            task.insert("statusReason".into(), json!({ "text": reason }));
        }
    }
    let mut outputs = Vec::new();
    for event in &accepted {
        let Some(feedback) = &event.feedback else {
            continue;
        };
        outputs.push(
            json!({ "type": { "text": "Kết quả khám, đánh giá" }, "valueString": feedback.found }),
        );
        for service in &feedback.services {
            outputs.push(json!({
                "type": { "text": "Dịch vụ đã cung cấp" },
                "valueCodeableConcept": { "coding": [{ "system": systems::SERVICE, "code": service.code(), "display": service.label(Lang::Vi) }] },
            }));
        }
        for (label, text) in [
            ("Đề nghị với nhà trường", &feedback.for_school),
            ("Đề nghị với gia đình", &feedback.for_family),
            ("Ghi chú", &feedback.note),
        ] {
            if let Some(text) = text {
                outputs.push(json!({ "type": { "text": label }, "valueString": text }));
            }
        }
        if let Some(on) = feedback.follow_up_on {
            outputs
                .push(json!({ "type": { "text": "Hẹn tái khám" }, "valueDate": on.to_string() }));
        }
    }
    put(&mut task, "output", json!(outputs));
    Value::Object(task)
}
