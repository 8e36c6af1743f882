//! Reports submitted to the province: who may submit (a facility's staff, a commune's officer,
//! never the province), the frozen aggregate kept, lateness by the period's due date, and what
//! each reader sees of its units.

use serde_json::{json, Value};
use shared::indicators::{Period, Span};

use crate::days;
use crate::referrals::referred;

fn units(view: &Value) -> Vec<&Value> {
    view["units"].as_array().unwrap().iter().collect()
}

fn unit<'a>(view: &'a Value, name: &str) -> &'a Value {
    units(view)
        .into_iter()
        .find(|u| u["unit_name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {view}"))
}

#[tokio::test]
async fn units_submit_their_reports_and_the_province_sees_who_has_and_who_is_late() {
    let r = referred().await;
    let app = &r.school.app;
    let year = Period::year_of(days::today());
    // This year's report is due on 30 November, still ahead; last year's is past due.
    let (current, past) = (Span::Year(year), Span::Year(year - 1));
    let commune = app.my_area(&r.school.token).await;
    let created = app
        .post(
            "/api/users",
            &r.admin,
            json!({"username": "canbo.xa", "full_name": "Đinh Văn Xã", "role": "officer", "area_id": commune}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.json);
    let one_time = created.json["one_time_password"]
        .as_str()
        .unwrap()
        .to_string();
    let commune_officer = app.login("canbo.xa", &one_time).await;
    let body = json!({"current_password": one_time, "new_password": "mật-khẩu-mới-1"});
    assert_eq!(
        app.post("/api/auth/password", &commune_officer, body)
            .await
            .status,
        200
    );

    let province = app.login("officer", "demo").await;
    for (token, who) in [(&province, "province officer"), (&r.admin, "admin")] {
        let reply = app
            .post(
                "/api/reports/submissions",
                token,
                json!({"period": current.code()}),
            )
            .await;
        assert_eq!(reply.status, 403, "{who}: {}", reply.json);
    }
    let bad = app
        .post(
            "/api/reports/submissions",
            &commune_officer,
            json!({"period": "2027-H3"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.json["fields"]["period"].is_string(), "{}", bad.json);

    let sent = app
        .post(
            "/api/reports/submissions",
            &commune_officer,
            json!({"period": current.code()}),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.json);
    assert_eq!(sent.json["submitted_by"], "Đinh Văn Xã");
    assert_eq!(sent.json["unit_kind"], "commune");
    assert_eq!(sent.json["late"], false);
    let school = app
        .post(
            "/api/reports/submissions",
            &r.school.token,
            json!({"period": past.code()}),
        )
        .await;
    assert_eq!(school.status, 200, "{}", school.json);
    assert_eq!(
        school.json["late"], true,
        "last year's report, sent now, is late"
    );

    let view = app
        .get(
            &format!("/api/reports/submissions?period={}", current.code()),
            &province,
        )
        .await;
    assert_eq!(view.status, 200, "{}", view.json);
    assert_eq!(view.json["due_on"], json!(current.due_on()));
    let ward = unit(&view.json, sent.json["unit_name"].as_str().unwrap());
    assert_eq!(ward["submission"]["submitted_by"], "Đinh Văn Xã");
    assert_eq!(ward["late"], false);
    let tam_thanh = unit(&view.json, "Trường THCS Tam Thanh");
    assert!(tam_thanh["submission"].is_null());
    assert_eq!(tam_thanh["late"], false, "not due yet");
    let past_view = app
        .get(
            &format!("/api/reports/submissions?period={}", past.code()),
            &province,
        )
        .await;
    assert_eq!(unit(&past_view.json, "Trường THCS Tam Thanh")["late"], true);
    let station = unit(&past_view.json, "Trạm y tế phường Tam Thanh");
    assert!(
        station["submission"].is_null() && station["late"] == true,
        "{station}"
    );

    // The frozen copy is the aggregate as sent, for those whose reach holds the unit.
    let id = sent.json["id"].as_str().unwrap();
    let copy = app
        .get(&format!("/api/reports/submissions/{id}"), &province)
        .await;
    assert_eq!(copy.status, 200, "{}", copy.json);
    assert_eq!(copy.json["aggregate"], true);
    assert_eq!(
        copy.json["report"]["period"]["from"],
        json!(current.period().from)
    );
    assert_eq!(
        app.get(&format!("/api/reports/submissions/{id}"), &r.school.token)
            .await
            .status,
        404
    );
    // A school sees its own unit only.
    let own = app
        .get(
            &format!("/api/reports/submissions?period={}", past.code()),
            &r.school.token,
        )
        .await;
    assert_eq!(units(&own.json).len(), 1);
    assert_eq!(own.json["units"][0]["submission"]["late"], true);
    let trail = app.get("/api/audit?action=report.submit", &r.admin).await;
    assert!(
        trail.json.to_string().contains("canbo.xa"),
        "{}",
        trail.json
    );
}
