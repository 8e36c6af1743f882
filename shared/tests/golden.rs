//! Formats that must not change silently: the wire types and the values a device keeps. Each
//! sample is parsed into its type and written back; the result must equal the file kept under
//! `tests/golden/`, and the kept file must parse into the same value. A renamed field, a new
//! required field or a changed encoding fails here; an intended change is blessed with
//! `TAM_AN_BLESS_GOLDEN=1 cargo test -p shared --test golden` and shows in the diff.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use shared::sync::RecordType;

mod samples;
use samples::{child, for_type, ForType, CHILD_ID, COMMUNE, FACILITY};

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

/// Pins one record type's sample, named by its code.
struct Pin(RecordType);

impl ForType for Pin {
    type Out = ();
    fn run<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(self) {
        pinned::<T>(self.0.code(), samples::record(self.0));
    }
}

#[test]
fn each_record_type_keeps_its_fields() {
    for record_type in RecordType::ALL {
        for_type(record_type, Pin(record_type));
    }
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
