//! Formats that must not change silently: the wire types and the values a device keeps. Each
//! sample is parsed into its type and written back; the result must equal the file kept under
//! `tests/golden/`, and the kept file must parse into the same value. A renamed field, a new
//! required field or a changed encoding fails here; an intended change is blessed with
//! `TAM_AN_BLESS_GOLDEN=1 cargo test -p shared --test golden` and shows in the diff.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use shared::instrument::{find, score, Answers};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Parses `sample` as `T`, writes it back, and compares with the kept file `name.json`.
fn pinned<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    name: &str,
    sample: Value,
) {
    let typed: T = serde_json::from_value(sample.clone())
        .unwrap_or_else(|e| panic!("{name}: the sample does not parse: {e}"));
    let written = serde_json::to_value(&typed).unwrap();
    if let (Value::Object(sample), Value::Object(out)) = (&sample, &written) {
        for key in sample.keys() {
            assert!(
                out.contains_key(key),
                "{name}: the type drops the sample's field {key}"
            );
        }
    }
    let path = golden_dir().join(format!("{name}.json"));
    if std::env::var_os("TAM_AN_BLESS_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&written).unwrap() + "\n",
        )
        .unwrap();
    }
    let kept: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap();
    assert_eq!(written, kept, "{name}: the format changed");
    let back: T = serde_json::from_value(kept)
        .unwrap_or_else(|e| panic!("{name}: the kept format no longer parses: {e}"));
    assert_eq!(back, typed, "{name}: the kept format reads differently");
}

const CHILD_ID: &str = "01934b7a-0000-7000-8000-000000000001";
const FACILITY: &str = "01934b7a-0000-7000-8000-0000000000f1";
const COMMUNE: &str = "01934b7a-0000-7000-8000-0000000000c1";
const REFERRAL_ID: &str = "01934b7a-0000-7000-8000-000000000091";

fn child() -> Value {
    json!({
        "full_name": "Lý Văn Tài", "date_of_birth": "2012-03-07", "sex": "male",
        "ethnicity": "nung", "commune_id": COMMUNE, "school_class": "8A",
        "guardian_name": "Lý Thị Hoa", "guardian_relation": "mother",
        "guardian_phone": "0912345678", "personal_id": "020212000123",
        "registered_on": "2026-09-01"
    })
}

fn screening() -> Value {
    let mut answers = Answers::default();
    for (i, value) in [2, 2, 1, 1, 1, 1, 2, 1, 1].iter().enumerate() {
        answers.values.insert(format!("phqa_{}", i + 1), *value);
    }
    let result = score(find("phqa").unwrap(), &answers);
    json!({
        "child_id": CHILD_ID, "instrument_id": "phqa", "instrument_version": "1",
        "informant": "child", "screened_on": "2026-11-01", "answers": answers,
        "result": result,
        "safety_action": {"steps": ["stayed_with_child", "urgent_referral"], "note": "Đã báo mẹ"}
    })
}

fn change() -> Value {
    json!({
        "id": "01934b7a-0000-7000-8000-0000000000a1", "record_type": "child",
        "record_id": CHILD_ID, "facility_id": FACILITY, "set": child(),
        "base": {"school_class": "7A"}, "made_at": "2026-11-02T01:00:00Z"
    })
}

#[test]
fn wire_types_keep_their_format() {
    pinned::<shared::sync::Change>("change", change());
    pinned::<shared::sync::PushRequest>("push_request", json!({"changes": [change()]}));
    pinned::<shared::sync::PushResponse>(
        "push_response",
        json!({"results": [
            {"change_id": "01934b7a-0000-7000-8000-0000000000a1",
             "outcome": {"status": "applied", "seq": 7, "superseded": []}},
            {"change_id": "01934b7a-0000-7000-8000-0000000000a2",
             "outcome": {"status": "superseded", "seq": 8, "superseded": ["school_class"]}},
            {"change_id": "01934b7a-0000-7000-8000-0000000000a3",
             "outcome": {"status": "rejected", "code": "invalid_input",
                         "message": "Vui lòng sửa các ô được đánh dấu.",
                         "fields": {"full_name": "Vui lòng nhập thông tin này."}}}
        ]}),
    );
    pinned::<shared::sync::PullResponse>(
        "pull_response",
        json!({
            "records": [{"record_type": "child", "id": CHILD_ID, "facility_id": FACILITY,
                         "fields": child(), "seq": 7}],
            "conflicts": [{"change_id": "01934b7a-0000-7000-8000-0000000000a2",
                           "record_type": "child", "record_id": CHILD_ID,
                           "field": "school_class", "proposed": "8C", "kept": "8B",
                           "proposed_by": "colleague", "made_at": "2026-11-02T01:00:00Z",
                           "seq": 8}],
            "cursor": 8, "more": false,
            "server_time": "2026-11-02T01:00:05Z",
            "due_times": {"received_hours": [24, 48, 168], "attended_hours": [null, 168, 720]}
        }),
    );
    pinned::<shared::api::ErrorBody>(
        "error_body",
        json!({"code": "too_many_attempts", "message": "Thử lại sau.",
               "fields": {"username": "x"}, "retry_after_seconds": 60}),
    );
}

#[test]
fn each_record_type_keeps_its_fields() {
    pinned::<shared::child::Child>("child", child());
    pinned::<shared::screening::Screening>("screening", screening());
    pinned::<shared::consent::Consent>(
        "consent",
        json!({"child_id": CHILD_ID, "guardian_name": "Lý Thị Hoa",
               "guardian_relation": "mother", "child_agreed": true, "given_on": "2026-09-05",
               "purposes": ["screening", "share_health"], "method": "verbal_witnessed",
               "witness": "Hoàng Thị Mai"}),
    );
    pinned::<shared::care::Session>(
        "session",
        json!({"child_id": CHILD_ID, "held_on": "2026-11-01", "kind": "individual",
               "held_by": "Hoàng Thị Mai", "note": "Trò chuyện", "follow_up_on": "2026-11-15"}),
    );
    pinned::<shared::care::Circumstance>(
        "circumstance",
        json!({"child_id": CHILD_ID, "code": "orphan", "since": "2021-08-01",
               "parents_lost": "both", "cause": "covid19"}),
    );
    pinned::<shared::care::CareArrangement>(
        "care_arrangement",
        json!({"child_id": CHILD_ID, "kind": "kinship", "since": "2021-09-15"}),
    );
    let actor = json!({"user_id": "01934b7a-0000-7000-8000-0000000000b1", "name": "Hoàng Thị Mai",
                       "role": "counsellor", "facility_id": FACILITY});
    pinned::<shared::referral::Referral>(
        "referral",
        json!({"child_id": CHILD_ID, "to_facility": "01934b7a-0000-7000-8000-0000000000f2",
               "urgency": "urgent", "reason": "PHQ-A dương tính", "done_already": "Đã báo mẹ",
               "screening_ids": ["01934b7a-0000-7000-8000-0000000000e1"],
               "sent_at": "2026-11-02T01:00:00Z", "sent_by": "Hoàng Thị Mai", "actor": actor,
               "packet": {"child": {"full_name": "Lý Văn Tài", "date_of_birth": "2012-03-07",
                                    "sex": "male", "guardian_name": "Lý Thị Hoa",
                                    "guardian_relation": "mother"}},
               "status": "accepted", "status_at": "2026-11-02T03:00:00Z", "signature": "abc"}),
    );
    pinned::<shared::referral::ReferralEvent>(
        "referral_event",
        json!({"referral_id": REFERRAL_ID, "action": "complete",
               "at": "2026-11-05T03:00:00Z", "by": "Lường Văn Sơn", "actor": actor,
               "feedback": {"found": "Trầm cảm mức độ vừa", "services": ["counselling"],
                            "for_school": "Theo dõi", "follow_up_on": "2026-12-01"}}),
    );
    pinned::<shared::urgent::UrgentFlag>(
        "urgent_flag",
        json!({"child_id": CHILD_ID, "instrument_id": "phqa", "level": "non_acute",
               "raised_at": "2026-11-02T01:00:00Z", "raised_by": actor,
               "screening_id": "01934b7a-0000-7000-8000-0000000000e1",
               "action": {"steps": ["stayed_with_child"], "note": "Đã gọi mẹ"},
               "action_by": actor, "action_at": "2026-11-02T01:05:00Z",
               "ended": {"how": "referral_completed", "note": "Đã khám",
                         "referral_id": REFERRAL_ID},
               "ended_by": actor, "ended_at": "2026-11-09T02:00:00Z"}),
    );
}

#[test]
fn what_a_device_keeps_reads_back_after_an_update() {
    let record = json!({"record_type": "child", "id": CHILD_ID, "facility_id": FACILITY,
                        "server": child(), "fields": child(),
                        "updated_at": "2026-11-02T01:00:00Z"});
    pinned::<shared::device::LocalRecord>("local_record", record.clone());
    pinned::<shared::device::LogEntry>(
        "log_entry",
        json!({"records": [record], "removed": ["01934b7a-0000-7000-8000-0000000000d1"]}),
    );
    pinned::<shared::device::Rejection>(
        "rejection",
        json!({"change": change(), "message": "Vui lòng sửa các ô được đánh dấu.",
               "fields": {"full_name": "Vui lòng nhập thông tin này."}}),
    );
    pinned::<shared::referral::DueTimes>(
        "due_times",
        json!({"received_hours": [24, 48, 168], "attended_hours": [null, 168, 720]}),
    );
    pinned::<Vec<shared::api::Area>>(
        "areas",
        json!([{"id": COMMUNE, "code": "06253", "name": "Phường Tam Thanh", "level": "commune",
                "parent_id": "01934b7a-0000-7000-8000-0000000000c0", "successor_id": null,
                "active": true}]),
    );
    pinned::<Vec<shared::api::Facility>>(
        "facilities",
        json!([{"id": FACILITY, "name": "Trường THCS Tam Thanh",
                "facility_type": "lower_secondary_school", "area_id": COMMUNE,
                "address": null, "phone": "02053871234", "active": true}]),
    );
}
