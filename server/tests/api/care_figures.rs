//! What the plans count of children's care, through sync and the report: orphans by their loss
//! (COVID-19 among them), children in special circumstances and those supported, sessions by
//! kind with the children reached, and hotline 111 calls; exact for the school, small counts
//! hidden for the officer.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::days;
use crate::helpers::TestApp;
use crate::screening::{change, child, push};

fn circumstance(child_id: Uuid, code: &str, parents: Option<&str>, cause: &str) -> Value {
    let mut c = json!({"child_id": child_id, "code": code, "since": days::day(-30)});
    if let Some(parents) = parents {
        // An orphan's loss and its cause; other circumstances have neither.
        c["parents_lost"] = json!(parents);
        c["cause"] = json!(cause);
    }
    c
}

fn session(child_id: Uuid, kind: &str, voided: bool) -> Value {
    let mut s = json!({"child_id": child_id, "held_on": days::day(-5), "kind": kind,
                       "held_by": "Hoàng Thị Mai"});
    if voided {
        s["voided_reason"] = json!("Nhập nhầm");
    }
    s
}

#[tokio::test]
async fn the_plans_care_figures_are_counted_from_what_the_school_records() {
    let app = TestApp::new().await;
    let counsellor = app.login("counsellor", "demo").await;
    let school = app.my_facility(&counsellor).await;
    let commune = app.my_area(&counsellor).await;
    let kids: Vec<Uuid> = (0..6).map(|_| Uuid::now_v7()).collect();
    let mut changes: Vec<Value> = kids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            let mut c = child(&commune);
            c["full_name"] = json!(format!(
                "Trẻ Thử {}",
                ["An", "Bình", "Chi", "Dũng", "Em", "Gia"][n]
            ));
            change("child", *id, &school, c)
        })
        .collect();
    let c = |n: usize, code: &str, parents: Option<&str>, cause: &str| {
        change(
            "circumstance",
            Uuid::now_v7(),
            &school,
            circumstance(kids[n], code, parents, cause),
        )
    };
    changes.extend([
        c(0, "orphan", Some("both"), "other"),
        c(1, "orphan", Some("both"), "unknown"),
        c(2, "orphan", Some("both"), "covid19"),
        c(3, "orphan", Some("one"), "other"),
        c(4, "orphan", Some("one"), "unknown"),
        c(5, "disability", None, "unknown"),
    ]);
    let s = |n: usize, kind: &str, voided: bool| {
        change(
            "session",
            Uuid::now_v7(),
            &school,
            session(kids[n], kind, voided),
        )
    };
    changes.extend([
        s(0, "individual", false),
        s(1, "group", false),
        s(1, "individual", false),
        s(5, "parent_guidance", false),
        s(3, "individual", true),
        s(2, "hotline111_call", false),
    ]);
    for outcome in push(&app, &counsellor, changes).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }

    let year = days::year();
    let own = app
        .get(&format!("/api/indicators?year={year}"), &counsellor)
        .await;
    assert_eq!(own.status, 200, "{}", own.json);
    let report = &own.json["report"];
    assert_eq!(
        report["orphans"],
        json!({"both_parents": 3, "one_parent": 2, "unrecorded": 0, "covid19": 1})
    );
    assert_eq!(
        report["i2"]["denominator"], 5,
        "I2's orphans are the same children"
    );
    // Supported: a session (0, 1, 5); a hotline call or a voided session is not support.
    assert_eq!(
        report["circumstances"],
        json!([
            {"code": "orphan", "children": 5, "supported": 2},
            {"code": "disability", "children": 1, "supported": 1}
        ])
    );
    assert_eq!(report["circumstances_children"], 6);
    assert_eq!(report["circumstances_supported"], 3);
    assert_eq!(
        report["sessions"],
        json!([
            {"kind": "individual", "sessions": 2, "children": 2},
            {"kind": "group", "sessions": 1, "children": 1},
            {"kind": "parent_guidance", "sessions": 1, "children": 1}
        ])
    );
    assert_eq!(report["sessions_children"], 3);
    assert_eq!(report["hotline_calls"], 1);

    // The officer sees the same scope with small counts hidden and zeroed on the wire.
    let officer = app.login("officer", "demo").await;
    let area = app
        .get(&format!("/api/indicators?year={year}"), &officer)
        .await
        .json;
    let hidden: Vec<&str> = area["report"]["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for key in [
        "orphans.both_parents",
        "orphans.covid19",
        "hotline_calls",
        "sessions.children",
    ] {
        assert!(hidden.contains(&key), "{key} is small: {hidden:?}");
    }
    assert_eq!(area["report"]["orphans"]["both_parents"], 0);
    assert_eq!(area["report"]["hotline_calls"], 0);
    assert_eq!(
        area["report"]["circumstances_children"], 6,
        "six is not small"
    );

    // The workbook's sheet of care gives the share supported where both counts are printed.
    let file = app
        .get(&format!("/api/indicators/export?year={year}"), &counsellor)
        .await;
    let mut book = Xlsx::new(Cursor::new(file.bytes)).expect("a workbook");
    let sheet = book.worksheet_range("Chăm sóc, hoạt động").unwrap();
    let orphans: Vec<String> = sheet
        .rows()
        .find(|row| row[2] == "Mồ côi cha, mẹ hoặc cả cha và mẹ")
        .expect("the orphans' line")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(orphans[3..6], ["2", "5", "40"], "2 of 5 supported: 40%");
    // The workbook's CSV names them.
    let csv = app
        .get(
            &format!("/api/indicators/export?format=csv&year={year}"),
            &counsellor,
        )
        .await;
    let text = String::from_utf8_lossy(&csv.bytes).to_string();
    for words in [
        "Mồ côi do COVID-19",
        "Khuyết tật",
        "Cuộc gọi Tổng đài 111",
        "Sinh hoạt nhóm",
    ] {
        assert!(text.contains(words), "the file names {words}");
    }
}

#[tokio::test]
async fn known_conditions_stay_with_the_school_and_are_counted() {
    let r = crate::referrals::referred().await;
    let app = &r.school.app;
    let school = &r.school;
    let second = Uuid::now_v7();
    let commune = app.my_area(&school.token).await;
    let condition = |child: Uuid, kind: &str, voided: bool| {
        let mut c = json!({"child_id": child, "kind": kind, "source": "known_diagnosis",
                           "noted_on": days::day(-20), "noted_by": "Hoàng Thị Mai"});
        if voided {
            c["voided_reason"] = json!("Nhầm trẻ");
        }
        change("health_condition", Uuid::now_v7(), &school.facility, c)
    };
    let mut other = child(&commune);
    other["full_name"] = json!("Trẻ Thử Hai");
    let outcomes = push(
        app,
        &school.token,
        vec![
            change("child", second, &school.facility, other),
            condition(school.child_id, "autism", false),
            condition(school.child_id, "mental", false),
            condition(second, "autism", false),
            condition(second, "intellectual", true),
        ],
    )
    .await;
    for outcome in &outcomes {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    // A date before the child was born is refused, naming the field.
    let mut early = condition(second, "mental", false);
    early["set"]["noted_on"] = json!(days::born(20));
    let refused = push(app, &school.token, vec![early]).await;
    assert_eq!(refused[0]["status"], "rejected");
    assert!(
        refused[0]["fields"]["noted_on"].is_string(),
        "{}",
        refused[0]
    );

    let year = days::year();
    let own = app
        .get(&format!("/api/indicators?year={year}"), &school.token)
        .await
        .json;
    assert_eq!(
        own["report"]["conditions"],
        json!([
            {"key": "mental", "count": 1},
            {"key": "neurological", "count": 0},
            {"key": "intellectual", "count": 0},
            {"key": "autism", "count": 2}
        ])
    );
    assert_eq!(own["report"]["conditions_children"], 2);
    // The station that received the child's referral never receives the conditions.
    let health = app.login("health", "demo").await;
    let pulled = app.get("/api/sync/pull?since=0", &health).await.json;
    assert!(pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["record_type"] != "health_condition"));
    // The officer sees the counts hidden as small.
    let officer = app.login("officer", "demo").await;
    let area = app
        .get(&format!("/api/indicators?year={year}"), &officer)
        .await
        .json;
    assert_eq!(area["report"]["conditions_children"], 0);
    let hidden: Vec<&str> = area["report"]["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(hidden.contains(&"condition.autism"), "{hidden:?}");
}
