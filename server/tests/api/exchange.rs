//! The standard exchanges through the API: FHIR R4 resources checked by a kept validator (the R4
//! StructureDefinitions through Medplum's validator, `tests/standards/fhir-validate.mjs`), the
//! export paged and resumable, the reach of each role, and the ADX / DHIS2 figures accepted by a
//! stand-in that checks them against the ADX schema and the mapping.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::TestApp;
use crate::referrals::{accepted_and_attended, event, referred, Referred};
use crate::screening::{change, child, push};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the FHIR validator over resources; returns whether all were valid, and what it said.
fn validate(resources: &[Value]) -> (bool, String) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for resource in resources {
        writeln!(file, "{resource}").unwrap();
    }
    let output = Command::new("node")
        .arg(root().join("tests/standards/fhir-validate.mjs"))
        .arg(file.path())
        .current_dir(root())
        .output()
        .expect("node runs (installed with `npm ci` at the repository root)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        said.contains("checked"),
        "the validator did not run: {said}"
    );
    (output.status.success(), said)
}

/// The station completes the referral with feedback.
async fn completed(r: &Referred) -> String {
    let health = r.school.app.login("health", "demo").await;
    let mut steps = accepted_and_attended(r);
    steps.push(change(
        "referral_event",
        Uuid::now_v7(),
        &r.station,
        event(
            r.referral_id,
            "complete",
            json!({"feedback": {"found": "Trầm cảm mức độ vừa", "services": ["counselling"],
                                "for_school": "Theo dõi hằng tuần"}}),
        ),
    ));
    for outcome in push(&r.school.app, &health, steps).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    health
}

fn entries<'a>(bundle: &'a Value, resource_type: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| &e["resource"])
                .filter(|r| r["resourceType"] == resource_type)
                .collect()
        })
        .unwrap_or_default()
}

/// Every line of every page of one type's export, following `next` links.
async fn export_all(app: &TestApp, token: &str, first: &str) -> (Vec<Value>, usize) {
    let (mut lines, mut pages, mut url) = (Vec::new(), 0, Some(first.to_string()));
    while let Some(next) = url {
        let reply = app.get(&next, token).await;
        assert_eq!(
            reply.status,
            200,
            "{next}: {}",
            String::from_utf8_lossy(&reply.bytes)
        );
        assert_eq!(reply.headers["content-type"], "application/fhir+ndjson");
        pages += 1;
        for line in String::from_utf8(reply.bytes).unwrap().lines() {
            lines.push(serde_json::from_str(line).unwrap());
        }
        url = reply.headers.get("link").map(|link| {
            let link = link.to_str().unwrap();
            let start = link.find("/api/").unwrap();
            link[start..link.find('>').unwrap()].to_string()
        });
    }
    (lines, pages)
}

#[tokio::test]
async fn a_childs_file_is_valid_fhir_r4_and_says_what_the_records_say() {
    let r = referred().await;
    completed(&r).await;
    let app = &r.school.app;
    let integrator = app.login("integrator", "demo").await;
    let reply = app
        .get(
            &format!("/api/fhir/Patient/{}/$everything", r.school.child_id),
            &integrator,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.headers["content-type"], "application/fhir+json");
    let bundle = &reply.json;
    let patient = entries(bundle, "Patient")[0];
    assert_eq!(patient["name"][0]["family"], "Lý");
    assert_eq!(patient["name"][0]["given"], json!(["Văn", "Tài"]));
    assert_eq!(patient["gender"], "male");
    assert_eq!(
        patient["contact"][0]["relationship"][0]["coding"][0]["code"],
        "MTH"
    );
    assert_eq!(entries(bundle, "Consent").len(), 1);
    // The screening: a response without the sensitive answer (item 9) for a non-clinical
    // reader, and its result coded with LOINC's PHQ-9 Modified for Teens total.
    let response = entries(bundle, "QuestionnaireResponse")[0];
    assert_eq!(response["meta"]["security"][0]["code"], "REDACTED");
    let answered: Vec<&str> = response["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["linkId"].as_str().unwrap())
        .collect();
    assert!(
        answered.contains(&"phqa_1") && !answered.contains(&"phqa_9"),
        "{answered:?}"
    );
    let observation = entries(bundle, "Observation")[0];
    assert_eq!(
        observation["code"]["coding"][0]["system"],
        "http://loinc.org"
    );
    assert_eq!(observation["code"]["coding"][0]["code"], "89204-2");
    assert_eq!(observation["valueInteger"], 12);
    let request = entries(bundle, "ServiceRequest")[0];
    assert_eq!(request["priority"], "urgent");
    assert_eq!(request["status"], "completed");
    let task = entries(bundle, "Task")[0];
    assert_eq!(task["status"], "completed");
    assert_eq!(task["businessStatus"]["coding"][0]["code"], "completed");
    assert!(
        task["output"].to_string().contains("Trầm cảm mức độ vừa"),
        "{task}"
    );

    // Every resource of the exchange, the directory and the instruments included, is valid R4.
    let mut all: Vec<Value> = vec![bundle.clone()];
    for resource_type in ["Organization", "Location", "Questionnaire"] {
        let reply = app
            .get(&format!("/api/fhir/{resource_type}"), &integrator)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.json);
        assert!(
            !entries(&reply.json, resource_type).is_empty(),
            "{resource_type}"
        );
        all.push(reply.json.clone());
    }
    let gad7 = app.get("/api/fhir/Questionnaire/gad7-1", &integrator).await;
    assert_eq!(gad7.json["code"][0]["code"], "69737-5");
    assert_eq!(gad7.json["item"][0]["code"][0]["code"], "69725-0");
    let (valid, said) = validate(&all);
    assert!(valid, "{said}");
    assert!(said.contains(" 0 errors"), "{said}");
    // The validator can fail: a patient with a malformed birth date and an unknown element.
    let (valid, said) = validate(&[
        json!({"resourceType": "Patient", "id": "x", "birthDate": "2010-1-2", "sex": "m"}),
    ]);
    assert!(!valid, "{said}");
}

#[tokio::test]
async fn the_export_is_paged_resumable_bounded_by_period_and_audited() {
    let r = referred().await;
    let app = &r.school.app;
    let commune = app.my_area(&r.school.token).await;
    let mut changes = Vec::new();
    // One of them with a personal id (its century-and-sex digit and year fit a boy born in the
    // 2000s) and a pupil code, to be found by either.
    let known = Uuid::now_v7();
    let mut with_ids = child(&commune);
    let born: chrono::NaiveDate =
        serde_json::from_value(with_ids["date_of_birth"].clone()).unwrap();
    let personal_id = format!("0202{:02}123456", chrono::Datelike::year(&born) % 100);
    with_ids["personal_id"] = json!(personal_id);
    with_ids["pupil_code"] = json!("HS2026-0042");
    changes.push(change("child", known, &r.school.facility, with_ids));
    for _ in 0..3 {
        changes.push(change(
            "child",
            Uuid::now_v7(),
            &r.school.facility,
            child(&commune),
        ));
    }
    for outcome in push(app, &r.school.token, changes).await {
        assert_eq!(outcome["status"], "applied", "{outcome}");
    }
    let integrator = app.login("integrator", "demo").await;
    for identifier in [
        format!("urn:tam-an:sid:vn-personal-id|{personal_id}"),
        personal_id.clone(),
        "urn:tam-an:sid:vn-pupil-code|HS2026-0042".to_string(),
    ] {
        let path = format!(
            "/api/fhir/Patient?identifier={}",
            identifier.replace('|', "%7C")
        );
        let found = app.get(&path, &integrator).await;
        assert_eq!(found.status, 200, "{}", found.json);
        let patients = entries(&found.json, "Patient");
        assert_eq!(patients.len(), 1, "{identifier}: {}", found.json);
        assert_eq!(patients[0]["id"], json!(known));
    }
    let nobody = app
        .get("/api/fhir/Patient?identifier=020200999999", &integrator)
        .await;
    assert!(entries(&nobody.json, "Patient").is_empty());
    let wrong = app
        .get("/api/fhir/Patient?identifier=http://other%7C1", &integrator)
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.json["fields"]["identifier"].is_string(),
        "{}",
        wrong.json
    );

    let manifest = app
        .get("/api/fhir/$export?_type=Patient,Task", &integrator)
        .await;
    assert_eq!(manifest.status, 200, "{}", manifest.json);
    let outputs = manifest.json["output"].as_array().unwrap();
    assert_eq!(outputs.len(), 2);
    assert!(outputs[0]["url"]
        .as_str()
        .unwrap()
        .ends_with("/api/fhir/$export/Patient"));

    let (patients, pages) =
        export_all(app, &integrator, "/api/fhir/$export/Patient?_count=2").await;
    assert_eq!(patients.len(), 5);
    assert_eq!(pages, 3);
    let mut ids: Vec<&str> = patients.iter().map(|p| p["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each child once");
    // The same page asked twice (a transfer resumed) answers the same lines.
    let again = app
        .get("/api/fhir/$export/Patient?_count=2&_cursor=0", &integrator)
        .await;
    let first = app
        .get("/api/fhir/$export/Patient?_count=2", &integrator)
        .await;
    assert_eq!(again.bytes, first.bytes);
    let next = first.headers["x-next-cursor"].to_str().unwrap();
    let resumed = app
        .get(
            &format!("/api/fhir/$export/Patient?_count=2&_cursor={next}"),
            &integrator,
        )
        .await;
    let first_page = String::from_utf8(first.bytes).unwrap();
    for line in String::from_utf8(resumed.bytes).unwrap().lines() {
        let id: Value = serde_json::from_str(line).unwrap();
        assert!(
            !first_page.contains(id["id"].as_str().unwrap()),
            "a resumed page repeats {id}"
        );
    }

    // A period after today holds nothing; a period that holds today holds everything.
    let (later, _) = export_all(
        app,
        &integrator,
        &format!("/api/fhir/$export/Patient?_since={}", crate::days::day(2)),
    )
    .await;
    assert!(later.is_empty());
    let (within, _) = export_all(
        app,
        &integrator,
        &format!(
            "/api/fhir/$export/Patient?_since={}&_until={}",
            crate::days::day(-1),
            crate::days::day(0)
        ),
    )
    .await;
    assert_eq!(within.len(), 5);

    for (path, field) in [
        ("/api/fhir/$export/Patient?_since=04/12/2026", "_since"),
        ("/api/fhir/$export/Patient?_count=0", "_count"),
        ("/api/fhir/$export?_type=Patient,Nonsense", "_type"),
    ] {
        let reply = app.get(path, &integrator).await;
        assert_eq!(reply.status, 422, "{path}: {}", reply.json);
        assert!(
            reply.json["fields"][field].is_string(),
            "{path}: {}",
            reply.json
        );
    }
    assert_eq!(app.get("/api/fhir/Nonsense", &integrator).await.status, 404);

    // Who saw this child: the export is in the child's audit trail.
    let trail = app
        .get(
            &format!("/api/audit?record_id={}", r.school.child_id),
            &r.admin,
        )
        .await;
    assert_eq!(trail.status, 200, "{}", trail.json);
    let text = trail.json.to_string();
    assert!(
        text.contains("fhir.export") && text.contains("integrator"),
        "{text}"
    );
}

#[tokio::test]
async fn only_integration_systems_read_fhir_and_only_within_their_area() {
    let r = referred().await;
    let app = &r.school.app;
    let everything = format!("/api/fhir/Patient/{}/$everything", r.school.child_id);
    for user in ["counsellor", "health", "officer", "admin"] {
        let token = app.login(user, "demo").await;
        assert_eq!(
            app.get("/api/fhir/Patient", &token).await.status,
            403,
            "{user}"
        );
        assert_eq!(app.get(&everything, &token).await.status, 403, "{user}");
    }
    let anonymous = app
        .call(axum::http::Method::GET, "/api/fhir/Patient", None, None)
        .await;
    assert_eq!(anonymous.status, 401);
    let metadata = app
        .call(axum::http::Method::GET, "/api/fhir/metadata", None, None)
        .await;
    assert_eq!(metadata.json["fhirVersion"], "4.0.1");

    // An integration system of another commune reads nothing of this school.
    let other = app.area_id(&r.admin, "Xã Văn Quan").await;
    let created = app
        .post(
            "/api/users",
            &r.admin,
            json!({"username": "his_van_quan", "full_name": "HIS Văn Quan", "role": "integrator", "area_id": other}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.json);
    let password = created.json["one_time_password"]
        .as_str()
        .unwrap()
        .to_string();
    let token = app.login("his_van_quan", &password).await;
    let body = json!({"current_password": password, "new_password": "mật-khẩu-mới-1"});
    assert_eq!(
        app.post("/api/auth/password", &token, body).await.status,
        200
    );
    assert_eq!(app.get(&everything, &token).await.status, 404);
    let search = app.get("/api/fhir/Patient", &token).await;
    assert_eq!(search.status, 200);
    assert!(search.json["entry"].is_null(), "{}", search.json);
    let province = app.login("integrator", "demo").await;
    assert_eq!(app.get(&everything, &province).await.status, 200);

    // A system placed at one facility (the school's, or the station's) reads that facility's
    // records only, and cannot widen its reach with `facility=`.
    let school_system = app
        .new_user(&r.admin, "school_system", "integrator", &r.school.facility)
        .await;
    assert_eq!(app.get(&everything, &school_system).await.status, 200);
    let station_system = app
        .new_user(&r.admin, "station_system", "integrator", &r.station)
        .await;
    assert_eq!(app.get(&everything, &station_system).await.status, 404);
    let (patients, _) = export_all(app, &station_system, "/api/fhir/$export/Patient").await;
    assert!(patients.is_empty());
    let widened = format!("/api/fhir/$export/Patient?facility={}", r.school.facility);
    assert_eq!(app.get(&widened, &station_system).await.status, 404);
    let organizations = app.get("/api/fhir/Organization", &station_system).await;
    assert_eq!(entries(&organizations.json, "Organization").len(), 1);
    // Placed at a facility or on an area, never both.
    let both = app
        .post(
            "/api/users",
            &r.admin,
            json!({"username": "his_both", "full_name": "HIS", "role": "integrator",
                   "facility_id": r.station, "area_id": other}),
        )
        .await;
    assert_eq!(both.status, 422, "{}", both.json);
    assert!(
        both.json["fields"]["facility_id"].is_string(),
        "{}",
        both.json
    );
}

/// The stand-in DHIS2, on a free port.
struct StandIn {
    child: std::process::Child,
    url: String,
}

impl StandIn {
    fn start() -> StandIn {
        let mut child = Command::new("node")
            .arg(root().join("tests/standards/dhis2-standin.mjs"))
            .arg(root().join("server/data/dhis2-mapping.json"))
            .current_dir(root())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("listening ")
            .expect("the stand-in says its port");
        StandIn {
            child,
            url: format!("http://127.0.0.1:{port}/api/dataValueSets"),
        }
    }

    async fn post(&self, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let reply = reqwest::Client::new()
            .post(&self.url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (reply.status().as_u16(), reply.json().await.unwrap())
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[tokio::test]
async fn adx_and_dhis2_figures_are_the_reports_and_a_dhis2_stand_in_accepts_them() {
    let r = referred().await;
    let app = &r.school.app;
    let integrator = app.login("integrator", "demo").await;
    let year = crate::days::year();
    let adx = app
        .get(&format!("/api/adx?period={year}"), &integrator)
        .await;
    assert_eq!(adx.status, 200, "{}", String::from_utf8_lossy(&adx.bytes));
    let xml = String::from_utf8(adx.bytes.clone()).unwrap();
    assert!(
        xml.contains(&format!("period=\"{}-12-01/P1Y\"", year - 1)),
        "{xml}"
    );
    // The province first, with the school's one referral and one PHQ-A screening.
    let province = &xml[..xml.find("</group>").unwrap()];
    assert!(
        province.contains(r#"<dataValue dataElement="TAMAN_I5_SENT" value="1"/>"#),
        "{province}"
    );
    assert!(
        province
            .contains(r#"<dataValue dataElement="TAMAN_SCREENINGS" INSTRUMENT="PHQA" value="1"/>"#),
        "{province}"
    );
    // The same figure as the school's own report (one report function).
    let school = app
        .get(&format!("/api/indicators?year={year}"), &r.school.token)
        .await;
    assert_eq!(school.json["report"]["i5"]["sent"], 1);

    let stand_in = StandIn::start();
    let (status, summary) = stand_in
        .post("application/adx+xml", adx.bytes.clone())
        .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["status"], "OK");
    let sent = xml.matches("<dataValue ").count() as u64;
    assert_eq!(summary["importCount"]["imported"], sent);
    // The stand-in can refuse: a value outside the mapping, and a message that breaks the schema.
    let (status, summary) = stand_in
        .post(
            "application/adx+xml",
            xml.replace("TAMAN_I5_SENT", "NOT_MAPPED").into_bytes(),
        )
        .await;
    assert_eq!(status, 409, "{summary}");
    let (status, summary) = stand_in
        .post(
            "application/adx+xml",
            xml.replacen("dataSet=\"TAMAN_CMH\"", "", 1).into_bytes(),
        )
        .await;
    assert_eq!(status, 409, "{summary}");
    assert!(
        summary["conflicts"].to_string().contains("dataSet"),
        "{summary}"
    );

    // DHIS2 JSON by month; a year is refused with the reason, naming the field.
    let month = crate::days::today().format("%Y-%m").to_string();
    let json_export = app
        .get(
            &format!("/api/adx/dataValueSets?period={month}"),
            &integrator,
        )
        .await;
    assert_eq!(json_export.status, 200, "{}", json_export.json);
    assert_eq!(json_export.json["period"], month.replace('-', ""));
    let (status, summary) = stand_in
        .post("application/json", json_export.bytes.clone())
        .await;
    assert_eq!(status, 200, "{summary}");
    let refused = app
        .get(
            &format!("/api/adx/dataValueSets?period={year}"),
            &integrator,
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.json["fields"]["period"].is_string(),
        "{}",
        refused.json
    );
    assert_eq!(
        app.get("/api/adx?period=2026-13", &integrator).await.status,
        422
    );

    // Officers get their dashboard's figures: the single referral is too small to send.
    let officer = app.login("officer", "demo").await;
    let theirs = app.get(&format!("/api/adx?period={year}"), &officer).await;
    assert_eq!(theirs.status, 200);
    let theirs = String::from_utf8(theirs.bytes).unwrap();
    assert!(!theirs.contains("TAMAN_I5_SENT\" value=\"1\""), "{theirs}");
    assert_eq!(app.get("/api/adx", &r.school.token).await.status, 403);
    let trail = app.get("/api/audit?action=adx.export", &r.admin).await;
    assert!(
        trail.json.to_string().contains("format=adx"),
        "{}",
        trail.json
    );
}
