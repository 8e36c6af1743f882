//! The indicators through the API: a facility's own figures with names, an officer's aggregates
//! with small counts hidden and no names, who may ask for what, and the annual report files.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::json;
use uuid::Uuid;

use crate::days;
use crate::referrals::{accepted_and_attended, referred};
use crate::screening::push;

#[tokio::test]
async fn a_school_sees_its_figures_and_the_officer_only_aggregates() {
    let r = referred().await;
    let app = &r.school.app;
    // The station sees the child: the at-risk child reached services.
    let health = app.login("health", "demo").await;
    let steps = accepted_and_attended(&r);
    for outcome in push(app, &health, steps).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }

    let own = app
        .get(
            &format!("/api/indicators?year={}", days::year()),
            &r.school.token,
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.json);
    assert_eq!(own.json["scope"], "Trường THCS Tam Thanh");
    assert_eq!(own.json["aggregate"], false);
    let report = &own.json["report"];
    assert_eq!(report["i1"], json!({"numerator": 1, "denominator": 1}));
    assert_eq!(report["i4"], json!({"numerator": 1, "denominator": 1}));
    assert_eq!(
        report["i3"],
        json!({"numerator": 1, "denominator": 1}),
        "the school has a counsellor"
    );
    assert_eq!(report["i5"]["sent"], 1);
    let rows = app
        .get(
            &format!("/api/indicators/rows?indicator=I1&year={}", days::year()),
            &r.school.token,
        )
        .await
        .json;
    assert_eq!(
        rows["rows"][0]["label"], "Lý Văn Tài",
        "the facility's own staff see names"
    );
    assert_eq!(rows["rows"][0]["counted"], true);

    // A facility user cannot ask for an area.
    let province = app.get("/api/auth/me", &r.admin).await.json["area_id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = app
        .get(&format!("/api/indicators?area={province}"), &r.school.token)
        .await;
    assert_eq!(refused.status, 403);

    let officer = app.login("officer", "demo").await;
    let view = app
        .get(&format!("/api/indicators?year={}", days::year()), &officer)
        .await;
    assert_eq!(view.status, 200, "{}", view.json);
    assert_eq!(view.json["scope"], "Tỉnh Lạng Sơn");
    assert_eq!(view.json["aggregate"], true);
    assert_eq!(view.json["suppress_below"], 5);
    let report = &view.json["report"];
    assert_eq!(
        report["i4"],
        json!({"numerator": 0, "denominator": 0, "numerator_hidden": "small", "denominator_hidden": "small"}),
        "1 of 1 is hidden"
    );
    assert_eq!(
        report["i3"],
        json!({"numerator": 1, "denominator": 3}),
        "schools are not persons: 1 of the 3 demo schools has a counsellor"
    );
    assert!(report["hidden"]
        .as_array()
        .unwrap()
        .contains(&json!("i5.sent")));
    let text = view.json.to_string();
    assert!(!text.contains("Lý Văn Tài"));
    let rows = app
        .get(
            &format!("/api/indicators/rows?indicator=I4&year={}", days::year()),
            &officer,
        )
        .await
        .json;
    assert_eq!(rows["hidden"], true, "one row is too few to list: {rows}");
    assert_eq!(rows["rows"], json!([]));
    // (With suppression off, as the browser test runs, the rows carry pseudonyms, no names.)

    // One commune of the province; an unknown area is 404; a bad indicator 400.
    let commune = app.get("/api/auth/me", &r.school.token).await.json["area_id"]
        .as_str()
        .unwrap()
        .to_string();
    let view = app
        .get(
            &format!("/api/indicators?year={}&area={commune}", days::year()),
            &officer,
        )
        .await;
    assert_eq!(view.json["scope"], "Phường Tam Thanh");
    assert_eq!(
        view.json["report"]["i3"],
        json!({"numerator": 1, "denominator": 1})
    );
    assert_eq!(
        app.get(
            &format!("/api/indicators?area={}", Uuid::now_v7()),
            &officer
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get("/api/indicators/rows?indicator=I9", &officer)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn the_annual_report_downloads_as_a_workbook_and_as_csv() {
    let r = referred().await;
    let app = &r.school.app;
    let file = app
        .get(
            &format!("/api/indicators/export?year={}", days::year()),
            &r.school.token,
        )
        .await;
    assert_eq!(file.status, 200);
    assert!(file.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!(
            "bao-cao-{}-truong-thcs-tam-thanh.xlsx",
            days::year()
        )));
    let mut book = Xlsx::new(Cursor::new(file.bytes)).expect("a workbook");
    assert_eq!(
        book.sheet_names(),
        [
            "Tổng hợp",
            "I1",
            "I2",
            "I3",
            "I4",
            "I5",
            "Chăm sóc, hoạt động"
        ]
    );
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    assert!(summary
        .get_value((6, 0))
        .unwrap()
        .to_string()
        .starts_with("I1."));
    // I4: 1 of 1 children screened, as numbers.
    assert_eq!(summary.get_value((9, 1)), Some(&Data::Float(1.0)));
    assert_eq!(summary.get_value((9, 2)), Some(&Data::Float(1.0)));
    assert_eq!(summary.get_value((9, 3)), Some(&Data::Float(100.0)));
    let i4 = book.worksheet_range("I4").unwrap();
    let rows: Vec<String> = i4
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(
        rows.iter().any(|r| r.starts_with("Giới tính|Nam|1|1|100")),
        "{rows:?}"
    );

    let officer = app.login("officer", "demo").await;
    let csv = app
        .get(
            &format!("/api/indicators/export?year={}&format=csv", days::year()),
            &officer,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(
        &csv.bytes[..3],
        b"\xef\xbb\xbf",
        "a byte-order mark for Excel"
    );
    let text = String::from_utf8(csv.bytes).unwrap();
    let period = shared::indicators::Period::reporting_year(days::year());
    assert!(
        text.contains(&format!(
            "\"Tỉnh Lạng Sơn\",{},{},I4,\"Tổng\",\"Toàn địa bàn\",\"<5\",\"<5\",",
            days::dmy(period.from),
            days::dmy(period.to)
        )),
        "{text}"
    );
    assert!(!text.contains("Lý Văn Tài"));
    assert_eq!(
        app.get("/api/indicators/export?format=pdf", &officer)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn a_database_from_before_the_indicators_gets_its_facts_on_opening() {
    let r = referred().await;
    let app = &r.school.app;
    let before = app
        .get(
            &format!("/api/indicators?year={}", days::year()),
            &r.school.token,
        )
        .await
        .json;
    assert_eq!(
        before["report"]["i4"],
        json!({"numerator": 1, "denominator": 1})
    );
    // As a database upgraded from the version before: no facts, no marker.
    app.db
        .write(|t| {
            t.execute_batch(
                "DELETE FROM fact_children; DELETE FROM fact_screenings; DELETE FROM fact_referrals;
                 DELETE FROM fact_events; DELETE FROM server_secrets WHERE name = 'facts_indexed';",
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let emptied = app
        .get(
            &format!("/api/indicators?year={}", days::year()),
            &r.school.token,
        )
        .await
        .json;
    assert_eq!(
        emptied["report"]["i4"],
        json!({"numerator": 0, "denominator": 0})
    );
    server::db::Db::open(app.db.path()).unwrap();
    let after = app
        .get(
            &format!("/api/indicators?year={}", days::year()),
            &r.school.token,
        )
        .await
        .json;
    assert_eq!(
        after["report"], before["report"],
        "the same figures from the records"
    );
}

/// The school's records as pulled back, with the directory as the app keeps it.
async fn device_dataset(app: &crate::helpers::TestApp, token: &str) -> shared::indicators::Dataset {
    use shared::indicators::{Dataset, FacilityFact, RecordRef};
    use shared::sync::{Fields, RecordType};
    let me = app.get("/api/auth/me", token).await.json;
    let own: Uuid = me["facility_id"].as_str().unwrap().parse().unwrap();
    let facilities: Vec<shared::api::Facility> =
        serde_json::from_value(app.get("/api/facilities", token).await.json).unwrap();
    let facts = facilities
        .iter()
        .map(|f| FacilityFact {
            id: f.id,
            name: f.name.clone(),
            facility_type: Some(f.facility_type),
            area_id: f.area_id,
            active: f.active,
            in_scope: f.id == own,
            counsellors: u32::from(f.id == own),
        })
        .collect();
    let pulled = app.get("/api/sync/pull?since=0", token).await.json;
    let records: Vec<(RecordType, Uuid, Uuid, Fields)> = pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                serde_json::from_value(r["record_type"].clone()).unwrap(),
                r["id"].as_str().unwrap().parse().unwrap(),
                r["facility_id"].as_str().unwrap().parse().unwrap(),
                serde_json::from_value(r["fields"].clone()).unwrap(),
            )
        })
        .collect();
    let refs: Vec<RecordRef> = records
        .iter()
        .map(|(record_type, id, facility_id, fields)| RecordRef {
            record_type: *record_type,
            id: *id,
            facility_id: *facility_id,
            fields,
        })
        .collect();
    Dataset::from_records(facts, &refs, Default::default())
}

#[tokio::test]
async fn the_device_and_the_server_count_the_same_records_the_same_way() {
    let r = referred().await;
    let app = &r.school.app;
    let health = app.login("health", "demo").await;
    for outcome in push(app, &health, accepted_and_attended(&r)).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    let server = app
        .get(
            &format!("/api/indicators?year={}", days::year()),
            &r.school.token,
        )
        .await
        .json["report"]
        .clone();
    let data = device_dataset(app, &r.school.token).await;
    let device = shared::indicators::compute(
        &data,
        shared::indicators::Period::reporting_year(days::year()),
        days::today(),
    );
    let device = serde_json::to_value(device).unwrap();
    for figure in [
        "as_of",
        "i1",
        "i1_by_age",
        "i1_by_sex",
        "i2",
        "i3",
        "i4",
        "i4_by_age",
        "i4_by_sex",
        "i4_by_ethnicity",
        "by_instrument",
        "i5",
        "months",
    ] {
        assert!(!server[figure].is_null(), "{figure} in {server}");
        assert_eq!(device[figure], server[figure], "{figure}");
    }
    assert_eq!(server["i4"], json!({"numerator": 1, "denominator": 1}));
    // The fact rows hold the frozen codes: PHQ-A is instrument 3 whatever files are added.
    let code: i64 = app
        .db
        .read(|c| {
            Ok(
                c.query_row("SELECT instrument FROM fact_screenings", [], |row| {
                    row.get(0)
                })?,
            )
        })
        .await
        .unwrap();
    assert_eq!(
        code,
        i64::from(shared::indicators::codes::instrument_code("phqa"))
    );
    assert_eq!(code, 3);
}

#[tokio::test]
async fn one_child_registered_at_two_facilities_is_counted_once() {
    let policy = server::config::Policy {
        suppress_below: 0,
        ..Default::default()
    };
    let app = crate::helpers::TestApp::with(policy, None).await;
    let admin = app.login("admin", "demo").await;
    let counsellor = app.login("counsellor", "demo").await;
    let school = app.my_facility(&counsellor).await;
    let commune = app.my_area(&counsellor).await;
    let other_school = app.facility_id(&admin, "Trường Tiểu học Văn Quan").await;
    let other = app
        .new_user(&admin, "tuvan2", "counsellor", &other_school)
        .await;
    let mut child = crate::screening::child(&commune);
    // A 12-digit id whose century-and-sex digit and year fit the child (male, born in the 2000s).
    let born: chrono::NaiveDate = serde_json::from_value(child["date_of_birth"].clone()).unwrap();
    let yy = chrono::Datelike::year(&born) % 100;
    child["personal_id"] = json!(format!("0202{yy:02}123456"));
    for (token, facility) in [(&counsellor, &school), (&other, &other_school)] {
        let change = crate::screening::change("child", Uuid::now_v7(), facility, child.clone());
        let outcome = push(&app, token, vec![change]).await.remove(0);
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    // The second school is told the id is registered elsewhere, not where or by whom.
    let theirs = app.get("/api/sync/pull?since=0", &other).await.json;
    let fields = &theirs["records"][0]["fields"];
    assert_eq!(fields["registered_elsewhere"], true, "{fields}");
    let mine = app.get("/api/sync/pull?since=0", &counsellor).await.json;
    assert!(mine["records"][0]["fields"]
        .get("registered_elsewhere")
        .is_none());
    let text = theirs.to_string();
    assert!(
        !text.contains(&school) && !text.contains("Tam Thanh"),
        "nothing says where"
    );
    // The second school is told the id is registered elsewhere, not where or by whom.
    let theirs = app.get("/api/sync/pull?since=0", &other).await.json;
    let fields = &theirs["records"][0]["fields"];
    assert_eq!(fields["registered_elsewhere"], true, "{fields}");
    let mine = app.get("/api/sync/pull?since=0", &counsellor).await.json;
    assert!(mine["records"][0]["fields"]
        .get("registered_elsewhere")
        .is_none());
    let text = theirs.to_string();
    assert!(
        !text.contains(&school) && !text.contains("Tam Thanh"),
        "nothing says where"
    );
    let officer = app.login("officer", "demo").await;
    let view = app
        .get(&format!("/api/indicators?year={}", days::year()), &officer)
        .await;
    assert_eq!(view.status, 200, "{}", view.json);
    assert_eq!(
        view.json["report"]["i4"]["denominator"], 1,
        "one child, not two: {}",
        view.json["report"]["i4"]
    );
}

/// The half of the reporting year the test screenings (yesterday) fall in.
fn this_half() -> shared::indicators::Span {
    let yesterday = days::today() - chrono::Duration::days(1);
    let year = shared::indicators::Period::year_of(yesterday);
    let first = shared::indicators::Span::Half(year, 1);
    if first.period().contains(yesterday) {
        first
    } else {
        shared::indicators::Span::Half(year, 2)
    }
}

#[tokio::test]
async fn any_period_is_reported_with_the_heading_and_signatures_of_an_administrative_report() {
    let r = referred().await;
    let app = &r.school.app;
    let half = this_half();
    let reply = app
        .get(
            &format!("/api/indicators?period={}", half.code()),
            &r.school.token,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    let period = &reply.json["report"]["period"];
    assert_eq!(period["from"], json!(half.period().from));
    assert_eq!(period["to"], json!(half.period().to));
    let i4 = reply.json["report"]["i4"].clone();
    assert_eq!(i4["numerator"], 1);
    // A month and a range are periods too: the month the child was screened in (yesterday)
    // holds the screening, days long before it do not.
    let screened = days::today() - chrono::Duration::days(1);
    let month = shared::indicators::Span::Month(
        chrono::Datelike::year(&screened),
        chrono::Datelike::month(&screened),
    );
    let earlier = days::today() - chrono::Duration::days(70);
    for (code, screened) in [
        (month.code(), 1),
        (
            format!("{}..{}", earlier, earlier + chrono::Duration::days(5)),
            0,
        ),
    ] {
        let reply = app
            .get(&format!("/api/indicators?period={code}"), &r.school.token)
            .await;
        assert_eq!(reply.status, 200, "{code}: {}", reply.json);
        assert_eq!(reply.json["report"]["i4"]["numerator"], screened, "{code}");
    }
    for bad in ["2027-H3", "2027-13", "2020-01-01..2027-01-01", "soon"] {
        let reply = app
            .get(&format!("/api/indicators?period={bad}"), &r.school.token)
            .await;
        assert_eq!(reply.status, 422, "{bad}");
        assert!(
            reply.json["fields"]["period"].is_string(),
            "{bad}: {}",
            reply.json
        );
    }

    let file = app
        .get(
            &format!("/api/indicators/export?period={}", half.code()),
            &r.school.token,
        )
        .await;
    assert_eq!(file.status, 200);
    let disposition = file.headers["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains(&format!("bao-cao-{}-", half.code())),
        "{disposition}"
    );
    let mut book = Xlsx::new(Cursor::new(file.bytes)).expect("a workbook");
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let cell = |row: u32, col: u32| {
        summary
            .get_value((row, col))
            .map(|c| c.to_string())
            .unwrap_or_default()
    };
    assert_eq!(cell(0, 0), "TRƯỜNG THCS TAM THANH");
    assert_eq!(cell(1, 0), "Mã đơn vị: 20THCS001");
    assert_eq!(cell(0, 3), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert!(
        cell(2, 0).ends_with(&half.label(shared::lang::Lang::Vi).to_uppercase()),
        "{}",
        cell(2, 0)
    );
    assert!(
        cell(3, 0).contains(&days::dmy(half.period().from)),
        "{}",
        cell(3, 0)
    );
    assert!(cell(4, 0).contains("Hoàng Thị Mai"), "{}", cell(4, 0));
    assert_eq!(cell(15, 0), "NGƯỜI LẬP BIỂU");
    assert_eq!(cell(15, 3), "THỦ TRƯỞNG ĐƠN VỊ");
    assert_eq!(cell(20, 0), "Hoàng Thị Mai");
    // The workbook's figure is the dashboard's.
    assert_eq!(
        summary.get_value((9, 1)),
        Some(&Data::Float(i4["numerator"].as_f64().unwrap()))
    );
    assert_eq!(
        summary.get_value((9, 2)),
        Some(&Data::Float(i4["denominator"].as_f64().unwrap()))
    );
}

#[tokio::test]
async fn orphans_are_counted_by_their_form_of_care_in_the_report_and_the_workbook() {
    let s = crate::screening::school_with_child(true).await;
    let orphan = json!({"child_id": s.child_id, "code": "orphan", "since": days::day(-400),
                        "parents_lost": "both", "cause": "covid19"});
    let care = json!({"child_id": s.child_id, "kind": "social_assistance_facility", "since": days::day(-300)});
    for outcome in push(
        &s.app,
        &s.token,
        vec![
            crate::screening::change("circumstance", Uuid::now_v7(), &s.facility, orphan),
            crate::screening::change("care_arrangement", Uuid::now_v7(), &s.facility, care),
        ],
    )
    .await
    {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    let view = s
        .app
        .get(&format!("/api/indicators?year={}", days::year()), &s.token)
        .await;
    assert_eq!(view.status, 200, "{}", view.json);
    let report = &view.json["report"];
    assert_eq!(report["i2"]["numerator"], 1);
    assert_eq!(
        report["i2_by_care"],
        json!([{"key": "social_assistance_facility", "ratio": {"numerator": 1, "denominator": 1}}])
    );
    let file = s
        .app
        .get(
            &format!("/api/indicators/export?year={}", days::year()),
            &s.token,
        )
        .await;
    let mut book = Xlsx::new(Cursor::new(file.bytes)).expect("a workbook");
    let i2 = book.worksheet_range("I2").unwrap();
    let rows: Vec<String> = i2
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Hình thức chăm sóc|Cơ sở trợ giúp xã hội|1|1|100")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn referrals_are_counted_by_route() {
    let r = referred().await;
    let view = r
        .school
        .app
        .get(
            &format!("/api/indicators?year={}", days::year()),
            &r.school.token,
        )
        .await;
    assert_eq!(view.status, 200, "{}", view.json);
    assert_eq!(
        view.json["report"]["i5"]["by_route"],
        json!([{"key": "school_to_station", "count": 1}])
    );
}

#[tokio::test]
async fn a_commune_counts_as_a_working_network_once_a_referral_from_it_is_completed() {
    let r = referred().await;
    let app = &r.school.app;
    let officer = app.login("officer", "demo").await;
    let year = days::year();
    let before = app
        .get(&format!("/api/indicators?year={year}"), &officer)
        .await
        .json;
    let communes = before["report"]["networks"].as_u64().unwrap();
    assert!(
        communes >= 2,
        "the demo's facilities sit in several communes"
    );
    assert_eq!(
        before["report"]["networks_working"], 0,
        "nothing completed yet"
    );
    let health = app.login("health", "demo").await;
    let mut steps = accepted_and_attended(&r);
    steps.push(crate::referrals::step(
        &r.station,
        crate::referrals::event(
            r.referral_id,
            "complete",
            json!({"feedback": {"found": "Lo âu mức độ nhẹ", "services": ["counselling"],
                                "for_school": "Theo dõi ở trường"}}),
        ),
    ));
    for outcome in push(app, &health, steps).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    let after = app
        .get(&format!("/api/indicators?year={year}"), &officer)
        .await
        .json;
    assert_eq!(after["report"]["networks_working"], 1);
    assert_eq!(after["report"]["networks"], communes);
    // The school's own view has one commune and no station of its own: no network to count.
    let own = app
        .get(&format!("/api/indicators?year={year}"), &r.school.token)
        .await
        .json;
    assert_eq!(own["report"]["networks"], 1);
    assert_eq!(own["report"]["networks_working"], 0);
}
