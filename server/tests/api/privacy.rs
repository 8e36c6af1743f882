//! Privacy of aggregate views through the API: the rows behind a figure hide what the report
//! hides, hidden cells cannot be worked out by subtraction, pseudonyms are salted per report,
//! schools stay visible, and exported text never runs as a formula.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::days;
use crate::helpers::TestApp;
use crate::screening::{change, consent, phqa, push, screening};

/// At risk on PHQ-A (12: moderate), no item-9 flag.
fn at_risk(app_facility: &str, commune: &str, sex: &str, age: u32, name: &str) -> Vec<Value> {
    let id = Uuid::now_v7();
    let mut child = crate::screening::child(commune);
    child["full_name"] = json!(name);
    child["sex"] = json!(sex);
    child["date_of_birth"] = json!(days::born(age));
    vec![
        change("child", id, app_facility, child),
        change("consent", Uuid::now_v7(), app_facility, consent(id, true)),
        change(
            "screening",
            Uuid::now_v7(),
            app_facility,
            screening(id, &phqa([2, 2, 2, 2, 2, 2, 0, 0, 0])),
        ),
    ]
}

async fn pushed(app: &TestApp, token: &str, changes: Vec<Value>) {
    for outcome in push(app, token, changes).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
}

/// Pupils at risk: twelve aged 15 at one school (six boys, six girls), six aged 16 at another,
/// and two girls aged 11 at a third, whose figures are small.
async fn three_schools() -> (TestApp, String, String) {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let counsellor = app.login("counsellor", "demo").await;
    let (school, commune) = (
        app.my_facility(&counsellor).await,
        app.my_area(&counsellor).await,
    );
    let mut changes = Vec::new();
    for i in 0..12 {
        let sex = if i % 2 == 0 { "male" } else { "female" };
        changes.extend(at_risk(
            &school,
            &commune,
            sex,
            15,
            &format!("Học Sinh Một {i}"),
        ));
    }
    pushed(&app, &counsellor, changes).await;
    let mut small = String::new();
    for (name, user, pupils, age) in [
        ("Trường THPT Việt Bắc", "tuvan-vietbac", 6, 16),
        ("Trường Tiểu học Văn Quan", "tuvan-vanquan", 2, 11),
    ] {
        let facility = app.facility_id(&admin, name).await;
        let token = app.new_user(&admin, user, "counsellor", &facility).await;
        let commune = app.my_area(&token).await;
        let mut changes = Vec::new();
        for i in 0..pupils {
            changes.extend(at_risk(
                &facility,
                &commune,
                "female",
                age,
                &format!("Nông Thị {i}"),
            ));
        }
        pushed(&app, &token, changes).await;
        small = facility;
    }
    (app, admin, small)
}

#[tokio::test]
async fn the_rows_behind_a_figure_hide_what_the_report_hides() {
    let (app, _admin, other) = three_schools().await;
    let officer = app.login("officer", "demo").await;
    let year = days::year();
    let report = app
        .get(&format!("/api/indicators?year={year}"), &officer)
        .await
        .json["report"]
        .clone();
    assert_eq!(report["i1"]["denominator"], 20, "{report}");
    let unit = report["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == json!(other))
        .unwrap()
        .clone();
    assert_eq!(unit["i1"]["denominator_hidden"], "small", "{unit}");

    let rows = app
        .get(
            &format!("/api/indicators/rows?indicator=I1&year={year}"),
            &officer,
        )
        .await;
    assert_eq!(rows.status, 200, "{}", rows.json);
    let listed = rows.json["rows"].as_array().unwrap();
    assert_eq!(
        listed.len(),
        12,
        "only the school whose figure is shown is listed: {}",
        rows.json
    );
    assert!(
        listed
            .iter()
            .all(|r| r["facility"] == "Trường THCS Tam Thanh"),
        "{listed:?}"
    );
    for row in listed {
        assert!(row.get("date").is_none(), "no exact dates: {row}");
        assert!(
            row.get("age_band").is_none(),
            "rows are withheld, so no breakdown: {row}"
        );
        assert!(row.get("sex").is_none(), "{row}");
        assert!(row.get("child_id").is_none(), "{row}");
        assert!(row["label"].as_str().unwrap().starts_with('#'), "{row}");
    }
    let text = rows.json.to_string();
    assert!(!text.contains("Học Sinh") && !text.contains("Nông Thị"));

    // The same children under another indicator carry other pseudonyms.
    let i4 = app
        .get(
            &format!("/api/indicators/rows?indicator=I4&year={year}"),
            &officer,
        )
        .await
        .json;
    let labels = |v: &Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["label"].as_str().unwrap().to_string())
            .collect()
    };
    let i4_view = i4.clone();
    let (i1, i4) = (labels(&rows.json), labels(&i4));
    assert!(!i4.is_empty(), "{i4_view}");
    assert!(i1.iter().all(|l| !i4.contains(l)), "{i1:?} {i4:?}");

    // The school's own staff still see names and dates.
    let counsellor = app.login("counsellor", "demo").await;
    let own = app
        .get(
            &format!("/api/indicators/rows?indicator=I1&year={year}"),
            &counsellor,
        )
        .await
        .json;
    assert!(own.to_string().contains("Học Sinh Một 0"), "{own}");
    assert!(own["rows"][0]["date"].is_string(), "{own}");
}

#[tokio::test]
async fn a_hidden_cell_cannot_be_worked_out_from_the_total_and_the_others() {
    let (app, _admin, _other) = three_schools().await;
    let officer = app.login("officer", "demo").await;
    let report = app
        .get(&format!("/api/indicators?year={}", days::year()), &officer)
        .await
        .json["report"]
        .clone();
    // By age: 2 aged 11–14 and 18 aged 15–17 of 20: the 18 is hidden too.
    let by_age = report["i1_by_age"].as_array().unwrap();
    let hidden: Vec<&Value> = by_age
        .iter()
        .filter(|l| l["ratio"].get("denominator_hidden").is_some())
        .collect();
    assert_eq!(hidden.len(), 2, "{by_age:?}");
    assert!(hidden.iter().all(|l| l["ratio"]["denominator"] == 0));
    // By facility: 12, 6 and 2 of 20: the 6 is a guard, the 2 "<5".
    let whys: Vec<&Value> = report["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["i1"].get("denominator_hidden"))
        .collect();
    assert!(
        whys.contains(&&json!("small")) && whys.contains(&&json!("guard")),
        "{whys:?}"
    );
    // Schools are not persons: which schools have support is shown, small or not.
    assert!(
        report["i3"].get("numerator_hidden").is_none(),
        "{}",
        report["i3"]
    );
    let i3 = app
        .get(
            &format!("/api/indicators/rows?indicator=I3&year={}", days::year()),
            &officer,
        )
        .await
        .json;
    assert_eq!(i3["hidden"], Value::Null, "{i3}");
    assert!(i3.to_string().contains("Trường Tiểu học Văn Quan"), "{i3}");
}

#[tokio::test]
async fn exported_text_never_runs_as_a_formula() {
    let (app, admin, _other) = three_schools().await;
    let area = app.get("/api/auth/me", &admin).await.json["area_id"].clone();
    let created = app
        .post(
            "/api/facilities",
            &admin,
            json!({"name": "=HYPERLINK(\"http://x.example\",\"Mở\")", "facility_type": "kindergarten", "area_id": area}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.json);
    let officer = app.login("officer", "demo").await;
    let csv = app
        .get(
            &format!("/api/indicators/export?year={}&format=csv", days::year()),
            &officer,
        )
        .await;
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x.example\"\""),
        "{text}"
    );
    assert!(
        text.lines()
            .all(|line| !line.split(',').any(|cell| cell.starts_with('='))),
        "{text}"
    );
}

#[tokio::test]
async fn an_administrator_asks_who_saw_a_child_and_gets_reads_and_writes() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let counsellor = app.login("counsellor", "demo").await;
    let (school, commune) = (
        app.my_facility(&counsellor).await,
        app.my_area(&counsellor).await,
    );
    let changes = at_risk(&school, &commune, "female", 14, "Hoàng Thị Mơ");
    let child = changes[0]["record_id"].as_str().unwrap().to_string();
    pushed(&app, &counsellor, changes).await;
    // Another child, at another school.
    let other_school = app.facility_id(&admin, "Trường THPT Việt Bắc").await;
    let elsewhere = app
        .new_user(&admin, "tuvan-vietbac", "counsellor", &other_school)
        .await;
    let other_commune = app.my_area(&elsewhere).await;
    let changes = at_risk(&other_school, &other_commune, "male", 16, "Vi Văn Khánh");
    let other_child = changes[0]["record_id"].as_str().unwrap().to_string();
    pushed(&app, &elsewhere, changes).await;

    // A colleague's device pulls the school's records; the counsellor opens the rows of I1.
    let colleague = app
        .new_user(&admin, "dongnghiep", "counsellor", &school)
        .await;
    let pulled = app.get("/api/sync/pull?since=0", &colleague).await;
    assert_eq!(pulled.status, 200);
    let rows = app
        .get(
            &format!("/api/indicators/rows?indicator=I1&year={}", days::year()),
            &counsellor,
        )
        .await;
    assert_eq!(
        rows.json["rows"][0]["label"], "Hoàng Thị Mơ",
        "{}",
        rows.json
    );

    let who = |id: String| {
        let (app, admin) = (&app, &admin);
        async move {
            let page = app.get(&format!("/api/audit?record_id={id}"), admin).await;
            assert_eq!(page.status, 200, "{}", page.json);
            page.json["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["username"].as_str().unwrap_or("").to_string(),
                        e["action"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let seen = who(child.clone()).await;
    for expected in [
        ("dongnghiep", "child.sync_read"),
        ("counsellor", "indicators.rows"),
    ] {
        assert!(
            seen.iter().any(|(u, a)| u == expected.0 && a == expected.1),
            "{expected:?} not in {seen:?}"
        );
    }
    assert!(
        seen.iter().any(|(u, _)| u == "counsellor"),
        "the write: {seen:?}"
    );
    let other = who(other_child).await;
    assert!(
        !other.iter().any(|(u, _)| u == "dongnghiep"),
        "the colleague's pull did not hold the other child: {other:?}"
    );
    assert!(other.iter().any(|(u, _)| u == "tuvan-vietbac"), "{other:?}");
}
