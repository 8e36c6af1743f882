//! One sample of every record type, and the one place a record type is tied to its Rust type in
//! the tests ([`for_type`]). Both are exhaustive matches over `RecordType`: a new record type does
//! not compile here until it has a sample and a type, and then the golden test asks for its
//! kept file and the property tests run on it.

#![allow(dead_code)]

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use shared::instrument::{find, score, Answers};
use shared::sync::RecordType;

pub const CHILD_ID: &str = "01934b7a-0000-7000-8000-000000000001";
pub const FACILITY: &str = "01934b7a-0000-7000-8000-0000000000f1";
pub const COMMUNE: &str = "01934b7a-0000-7000-8000-0000000000c1";
pub const REFERRAL_ID: &str = "01934b7a-0000-7000-8000-000000000091";

/// Something to do with a record type's Rust type.
pub trait ForType {
    type Out;
    fn run<T: Serialize + DeserializeOwned + PartialEq + Debug>(self) -> Self::Out;
}

/// Runs `job` with the Rust type of `record_type`.
pub fn for_type<J: ForType>(record_type: RecordType, job: J) -> J::Out {
    use shared::*;
    match record_type {
        RecordType::Child => job.run::<child::Child>(),
        RecordType::Screening => job.run::<screening::Screening>(),
        RecordType::Referral => job.run::<referral::Referral>(),
        RecordType::Consent => job.run::<consent::Consent>(),
        RecordType::Session => job.run::<care::Session>(),
        RecordType::Circumstance => job.run::<care::Circumstance>(),
        RecordType::CareArrangement => job.run::<care::CareArrangement>(),
        RecordType::ReferralEvent => job.run::<referral::ReferralEvent>(),
        RecordType::UrgentFlag => job.run::<urgent::UrgentFlag>(),
        RecordType::Activity => job.run::<activity::Activity>(),
        RecordType::HealthCondition => job.run::<health_condition::HealthCondition>(),
    }
}

pub fn child() -> Value {
    json!({
        "full_name": "Lý Văn Tài", "date_of_birth": "2012-03-07", "sex": "male",
        "ethnicity": "nung", "commune_id": COMMUNE, "school_class": "8A",
        "guardian_name": "Lý Thị Hoa", "guardian_relation": "mother",
        "guardian_phone": "0912345678", "personal_id": "020212000123",
        "registered_on": "2026-09-01"
    })
}

pub fn screening() -> Value {
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

fn actor() -> Value {
    json!({"user_id": "01934b7a-0000-7000-8000-0000000000b1", "name": "Hoàng Thị Mai",
           "role": "counsellor", "facility_id": FACILITY})
}

/// A sample of the record type with every field it knows filled in.
pub fn record(record_type: RecordType) -> Value {
    match record_type {
        RecordType::Child => child(),
        RecordType::Screening => screening(),
        RecordType::Consent => json!({
            "child_id": CHILD_ID, "guardian_name": "Lý Thị Hoa",
            "guardian_relation": "mother", "child_agreed": true, "given_on": "2026-09-05",
            "purposes": ["screening", "share_health"], "method": "verbal_witnessed",
            "witness": "Hoàng Thị Mai"}),
        RecordType::Session => json!({
            "child_id": CHILD_ID, "held_on": "2026-11-01", "kind": "individual",
            "held_by": "Hoàng Thị Mai", "note": "Trò chuyện", "follow_up_on": "2026-11-15"}),
        RecordType::Circumstance => json!({
            "child_id": CHILD_ID, "code": "orphan", "since": "2021-08-01",
            "parents_lost": "both", "cause": "covid19"}),
        RecordType::CareArrangement => json!({
            "child_id": CHILD_ID, "kind": "kinship", "since": "2021-09-15"}),
        RecordType::Referral => json!({
            "child_id": CHILD_ID, "to_facility": "01934b7a-0000-7000-8000-0000000000f2",
            "urgency": "urgent", "reason": "PHQ-A dương tính", "done_already": "Đã báo mẹ",
            "screening_ids": ["01934b7a-0000-7000-8000-0000000000e1"],
            "sent_at": "2026-11-02T01:00:00Z", "sent_by": "Hoàng Thị Mai", "actor": actor(),
            "packet": {"child": {"full_name": "Lý Văn Tài", "date_of_birth": "2012-03-07",
                                 "sex": "male", "guardian_name": "Lý Thị Hoa",
                                 "guardian_relation": "mother"}},
            "status": "accepted", "status_at": "2026-11-02T03:00:00Z", "signature": "abc"}),
        RecordType::ReferralEvent => json!({
            "referral_id": REFERRAL_ID, "action": "complete",
            "at": "2026-11-05T03:00:00Z", "by": "Lường Văn Sơn", "actor": actor(),
            "feedback": {"found": "Trầm cảm mức độ vừa", "services": ["counselling"],
                         "for_school": "Theo dõi", "follow_up_on": "2026-12-01"}}),
        RecordType::UrgentFlag => json!({
            "child_id": CHILD_ID, "instrument_id": "phqa", "level": "non_acute",
            "raised_at": "2026-11-02T01:00:00Z", "raised_by": actor(),
            "screening_id": "01934b7a-0000-7000-8000-0000000000e1",
            "action": {"steps": ["stayed_with_child"], "note": "Đã gọi mẹ"},
            "action_by": actor(), "action_at": "2026-11-02T01:05:00Z",
            "ended": {"how": "referral_completed", "note": "Đã khám",
                      "referral_id": REFERRAL_ID},
            "ended_by": actor(), "ended_at": "2026-11-09T02:00:00Z"}),
        RecordType::HealthCondition => json!({
            "child_id": CHILD_ID, "kind": "autism", "source": "known_diagnosis",
            "noted_on": "2026-10-02", "noted_by": "Hoàng Thị Mai",
            "note": "Bệnh viện Nhi Trung ương", "voided_reason": "Nhầm trẻ"}),
        RecordType::Activity => json!({
            "kind": "training", "held_on": "2026-10-20", "title": "Sơ cứu tâm lý cho giáo viên",
            "participants": 32,
            "trained": [{"group": "teacher", "count": 25}, {"group": "counsellor", "count": 4}],
            "note": "Trạm y tế xã phối hợp", "voided_reason": "Nhập trùng"}),
    }
}
