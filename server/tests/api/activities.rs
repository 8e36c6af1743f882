//! Programme activities (trainings, communication sessions, parent meetings): kept by a facility
//! through sync with the form's rules, and counted in the report for the period, the same for the
//! facility, the officer and the workbook.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::days;
use crate::helpers::TestApp;
use crate::screening::{change, push};

fn activity(kind: &str, held_on: &str, participants: u32, trained: Value) -> Value {
    json!({"kind": kind, "held_on": held_on, "title": "Sức khỏe tâm thần học đường",
           "participants": participants, "trained": trained})
}

fn activities_of(report: &Value) -> Vec<(String, u64, u64)> {
    report["activities"]
        .as_array()
        .expect("the report has its activities")
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_string(),
                l["held"].as_u64().unwrap(),
                l["participants"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_facilitys_activities_are_checked_kept_and_counted() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let school = app.my_facility(&counsellor).await;
    let trained = json!([{"group": "teacher", "count": 20}, {"group": "counsellor", "count": 4}]);
    let voided = {
        let mut a = activity("communication", &days::day(-2), 120, json!([]));
        a["voided_reason"] = json!("Nhập trùng");
        a
    };
    let outcomes = push(
        &app,
        &counsellor,
        vec![
            change(
                "activity",
                Uuid::now_v7(),
                &school,
                activity("training", &days::day(-10), 30, trained),
            ),
            change(
                "activity",
                Uuid::now_v7(),
                &school,
                activity("parent_meeting", &days::day(-3), 45, json!([])),
            ),
            change("activity", Uuid::now_v7(), &school, voided),
            // Long ago: another period.
            change(
                "activity",
                Uuid::now_v7(),
                &school,
                activity("parent_meeting", &days::day(-400), 60, json!([])),
            ),
        ],
    )
    .await;
    for outcome in &outcomes {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }

    // Each rule names its field, and a refused activity is not stored.
    let before = app.count("records").await;
    let refused = push(
        &app,
        &counsellor,
        vec![
            change(
                "activity",
                Uuid::now_v7(),
                &school,
                activity("training", &days::day(-1), 0, json!([])),
            ),
            change(
                "activity",
                Uuid::now_v7(),
                &school,
                activity("training", &days::day(1), 10, json!([])),
            ),
            change(
                "activity",
                Uuid::now_v7(),
                &school,
                activity(
                    "parent_meeting",
                    &days::day(-1),
                    10,
                    json!([{"group": "teacher", "count": 3}]),
                ),
            ),
            change(
                "activity",
                Uuid::now_v7(),
                &school,
                activity(
                    "training",
                    &days::day(-1),
                    10,
                    json!([{"group": "teacher", "count": 11}]),
                ),
            ),
        ],
    )
    .await;
    let fields: Vec<Vec<String>> = refused
        .iter()
        .map(|o| {
            assert_eq!(o["status"], "rejected", "{o}");
            o["fields"].as_object().unwrap().keys().cloned().collect()
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            vec!["participants".to_string()],
            vec!["held_on".to_string()],
            vec!["trained".to_string()],
            vec!["trained".to_string()]
        ]
    );
    assert_eq!(app.count("records").await, before);

    // The facility's own report, and the officer's (activities are never hidden as small).
    let year = days::year();
    let expected = vec![
        ("training".to_string(), 1, 30),
        ("communication".to_string(), 0, 0),
        ("parent_meeting".to_string(), 1, 45),
    ];
    let own = app
        .get(&format!("/api/indicators?year={year}"), &counsellor)
        .await;
    assert_eq!(own.status, 200, "{}", own.json);
    assert_eq!(activities_of(&own.json["report"]), expected);
    let training = &own.json["report"]["activities"][0]["trained"];
    assert_eq!(training[0], json!({"key": "teacher", "count": 20}));
    assert_eq!(training[1], json!({"key": "counsellor", "count": 4}));
    let officer = app.login("officer", "demo").await;
    let area = app
        .get(&format!("/api/indicators?year={year}"), &officer)
        .await;
    assert_eq!(area.json["aggregate"], true);
    assert_eq!(activities_of(&area.json["report"]), expected);

    // The workbook's CSV carries them with their Vietnamese labels.
    let csv = app
        .get(
            &format!("/api/indicators/export?format=csv&year={year}"),
            &officer,
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = String::from_utf8_lossy(&csv.bytes).to_string();
    for words in [
        "Tập huấn",
        "Họp phụ huynh",
        "Số người tham gia",
        "Giáo viên",
    ] {
        assert!(text.contains(words), "the file names {words}");
    }

    // The workbook's sheet of care and activities holds the same figures, as numbers.
    let file = app
        .get(&format!("/api/indicators/export?year={year}"), &officer)
        .await;
    let mut book = Xlsx::new(Cursor::new(file.bytes)).expect("a workbook");
    let sheet = book.worksheet_range("Chăm sóc, hoạt động").unwrap();
    let line = |group: &str, item: &str| {
        sheet.rows().find_map(|row| {
            let text: Vec<String> = row.iter().map(|c| c.to_string()).collect();
            (text[1] == group && text[2] == item).then(|| row[3].clone())
        })
    };
    assert_eq!(
        line("Số người tham gia", "Tập huấn"),
        Some(Data::Float(30.0))
    );
    assert_eq!(
        line("Số lượt tổ chức", "Họp phụ huynh"),
        Some(Data::Float(1.0))
    );
    assert_eq!(
        line("Số người được tập huấn", "Giáo viên"),
        Some(Data::Float(20.0))
    );

    // The station sees none of the school's activities.
    let health = app.login("health", "demo").await;
    let pulled = app.get("/api/sync/pull?since=0", &health).await.json;
    assert!(pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["record_type"] != "activity"));
    let own_pull = app.get("/api/sync/pull?since=0", &counsellor).await.json;
    let kept = own_pull["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["record_type"] == "activity")
        .count();
    assert_eq!(kept, 4, "the school's devices get its activities back");
}
