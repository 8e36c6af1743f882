use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn every_signed_in_user_can_read_the_directory() {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    let facilities = app.get("/api/facilities", &token).await;
    assert_eq!(facilities.status, StatusCode::OK);
    assert_eq!(facilities.json.as_array().unwrap().len(), 8);
    let areas = app.get("/api/areas", &token).await.json;
    assert_eq!(areas[0]["level"], "province", "provinces come first");
    let district = areas
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["level"] == "legacy_district" && a["name"] == "Huyện Văn Quan (cũ)")
        .unwrap();
    let van_quan = app.area_id(&token, "Xã Văn Quan").await;
    assert_eq!(
        district["successor_id"],
        van_quan.as_str(),
        "a legacy district maps to its commune"
    );

    let stations = app
        .get(
            &format!("/api/facilities?facility_type=commune_health_station&area_id={van_quan}"),
            &token,
        )
        .await
        .json;
    let names: Vec<_> = stations
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Trạm y tế xã Văn Quan"]);
}

#[tokio::test]
async fn an_administrator_creates_edits_and_deactivates_a_facility() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let cao_loc = app.area_id(&admin, "Xã Cao Lộc").await;
    let created = app
        .post(
            "/api/facilities",
            &admin,
            json!({"name": "Trạm y tế xã Cao Lộc", "facility_type": "commune_health_station", "area_id": cao_loc,
                   "address": "Thôn Pò Cại", "phone": "+84 205 3861 234"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.json);
    assert_eq!(created.json["phone"], "02053861234");
    let id = created.json["id"].as_str().unwrap().to_string();

    let edited = app
        .patch(
            &format!("/api/facilities/{id}"),
            &admin,
            json!({"address": "", "name": "Trạm Y tế Cao Lộc"}),
        )
        .await;
    assert_eq!(
        edited.json["address"],
        serde_json::Value::Null,
        "an empty address clears it"
    );
    assert_eq!(edited.json["name"], "Trạm Y tế Cao Lộc");
    assert_eq!(edited.json["phone"], "02053861234", "untouched fields stay");

    let deactivated = app
        .patch(
            &format!("/api/facilities/{id}"),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(deactivated.json["active"], false);
    let listed = app.get("/api/facilities", &admin).await.json;
    assert!(!listed
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == id.as_str()));
    let all = app
        .get("/api/facilities?include_inactive=true", &admin)
        .await
        .json;
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == id.as_str()));
}

#[tokio::test]
async fn facility_input_is_checked() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let areas = app.get("/api/areas", &admin).await.json;
    let district = areas
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["level"] == "legacy_district")
        .unwrap()["id"]
        .clone();
    let before = app.count("facilities").await;
    let bad = app
        .post("/api/facilities", &admin, json!({"name": " ", "facility_type": "primary_school", "area_id": district, "phone": "12ab"}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json["fields"]["name"], "Vui lòng nhập thông tin này.");
    assert!(bad.json["fields"]["phone"]
        .as_str()
        .unwrap()
        .starts_with("Số điện thoại không hợp lệ"));
    let in_district = app
        .post(
            "/api/facilities",
            &admin,
            json!({"name": "Trường X", "facility_type": "primary_school", "area_id": district}),
        )
        .await;
    assert_eq!(
        in_district.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no new facilities in abolished districts"
    );
    assert!(in_district.json["fields"]["area_id"].is_string());
    let wrong_type = app
        .post(
            "/api/facilities",
            &admin,
            json!({"name": "X", "facility_type": "district_hospital", "area_id": district}),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.count("facilities").await, before);
}

#[tokio::test]
async fn areas_follow_the_two_tier_structure() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let province = app.area_id(&admin, "Tỉnh Lạng Sơn").await;
    let commune = app.post("/api/areas", &admin, json!({"code": "06005", "name": "Xã Na Sầm", "level": "commune", "parent_id": province})).await;
    assert_eq!(commune.status, StatusCode::OK, "{}", commune.json);
    let commune_id = commune.json["id"].as_str().unwrap().to_string();

    let duplicate = app
        .post(
            "/api/areas",
            &admin,
            json!({"code": "06005", "name": "Xã Khác", "level": "commune", "parent_id": province}),
        )
        .await;
    assert_eq!(
        duplicate.json["fields"]["code"],
        "Giá trị này đã được sử dụng."
    );
    let under_commune = app
        .post(
            "/api/areas",
            &admin,
            json!({"code": "06006", "name": "Xã Con", "level": "commune", "parent_id": commune_id}),
        )
        .await;
    assert!(
        under_commune.json["fields"]["parent_id"].is_string(),
        "a commune hangs under a province, not a commune"
    );
    let orphan = app
        .post(
            "/api/areas",
            &admin,
            json!({"code": "06007", "name": "Xã Lạc", "level": "commune"}),
        )
        .await;
    assert_eq!(
        orphan.json["fields"]["parent_id"],
        "Vui lòng nhập thông tin này."
    );
    let successor_on_commune = app
        .patch(
            &format!("/api/areas/{commune_id}"),
            &admin,
            json!({"successor_id": province}),
        )
        .await;
    assert_eq!(
        successor_on_commune.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let renamed = app
        .patch(
            &format!("/api/areas/{commune_id}"),
            &admin,
            json!({"name": "Xã Na Sầm (mới)"}),
        )
        .await;
    assert_eq!(renamed.json["name"], "Xã Na Sầm (mới)");
    assert_eq!(renamed.json["code"], "06005");
}

#[tokio::test]
async fn the_demo_is_the_real_lang_son_with_its_official_codes() {
    let app = TestApp::new().await;
    let token = app.login("officer", "demo").await;
    let areas = app.get("/api/areas", &token).await.json;
    let areas = areas.as_array().unwrap();
    let communes: Vec<&serde_json::Value> =
        areas.iter().filter(|a| a["level"] == "commune").collect();
    assert_eq!(communes.len(), 65, "every commune and ward of Lạng Sơn");
    let tam_thanh = communes
        .iter()
        .find(|a| a["name"] == "Phường Tam Thanh")
        .unwrap();
    assert_eq!(tam_thanh["code"], "05986");
    assert!(
        areas.iter().any(|a| a["name"] == "Huyện Tràng Định (cũ)"),
        "abolished districts are kept"
    );
    let facilities = app
        .get("/api/facilities?q=truong%20thcs", &token)
        .await
        .json;
    assert_eq!(
        facilities[0]["name"], "Trường THCS Tam Thanh",
        "accent-free search: {facilities}"
    );
    assert!(facilities[0]["code"].is_string());
}

#[tokio::test]
async fn a_first_start_in_cao_bang_loads_its_communes_and_maps_old_addresses() {
    let (app, password) = TestApp::first_start(Some("04")).await;
    let admin = app.login("admin", &password).await;
    let body = json!({"current_password": password, "new_password": "mật-khẩu-mới-1"});
    assert_eq!(
        app.post("/api/auth/password", &admin, body).await.status,
        StatusCode::OK
    );
    let areas = app.get("/api/areas", &admin).await.json;
    let areas = areas.as_array().unwrap();
    assert_eq!(areas[0]["name"], "Tỉnh Cao Bằng");
    assert_eq!(areas[0]["code"], "04");
    assert_eq!(areas.iter().filter(|a| a["level"] == "commune").count(), 56);

    let found = app.get("/api/areas/resolve?q=X%C3%A3%20Quang%20Trung%2C%20huy%E1%BB%87n%20Tr%C3%B9ng%20Kh%C3%A1nh", &admin).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.json);
    let matches = found.json.as_array().unwrap();
    assert_eq!(matches.len(), 1, "{}", found.json);
    assert_eq!(matches[0]["name"], "Xã Quang Trung");
    assert_eq!(matches[0]["former"], "Xã Quang Trung, Huyện Trùng Khánh");
    let old_seat = app
        .get("/api/areas/resolve?q=Xa%20Lang%20Hieu", &admin)
        .await
        .json;
    assert_eq!(
        old_seat[0]["name"], "Xã Trùng Khánh",
        "an old commune, written without accents: {old_seat}"
    );
    let nowhere = app
        .get("/api/areas/resolve?q=Xa%20Khong%20Co", &admin)
        .await
        .json;
    assert_eq!(nowhere, json!([]));
}

#[tokio::test]
async fn the_official_list_replaces_the_placeholder_and_a_corrected_code_survives_a_reload() {
    let (app, password) = TestApp::first_start(None).await;
    let admin = app.login("admin", &password).await;
    let body = json!({"current_password": password, "new_password": "mật-khẩu-mới-1"});
    assert_eq!(
        app.post("/api/auth/password", &admin, body).await.status,
        StatusCode::OK
    );
    let provinces = app.get("/api/areas/official", &admin).await.json;
    assert_eq!(provinces.as_array().unwrap().len(), 34);

    let loaded = app
        .post(
            "/api/areas/official",
            &admin,
            json!({"province_code": "20"}),
        )
        .await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.json);
    assert_eq!(loaded.json["communes_added"], 65);
    let areas = app.get("/api/areas", &admin).await.json;
    assert_eq!(
        areas[0]["name"], "Tỉnh Lạng Sơn",
        "the placeholder became the province"
    );
    assert_eq!(
        areas
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["level"] == "province")
            .count(),
        1
    );

    // Sources disagree on some codes: the administrator corrects one; loading again adds nothing.
    let tam_thanh = app.area_id(&admin, "Phường Tam Thanh").await;
    let corrected = app
        .patch(
            &format!("/api/areas/{tam_thanh}"),
            &admin,
            json!({"code": "05980"}),
        )
        .await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.json);
    assert_eq!(corrected.json["code"], "05980");
    let again = app
        .post(
            "/api/areas/official",
            &admin,
            json!({"province_code": "20"}),
        )
        .await;
    assert_eq!(
        (
            again.json["communes_added"].as_u64(),
            again.json["districts_added"].as_u64()
        ),
        (Some(0), Some(0))
    );
    let areas = app.get("/api/areas", &admin).await.json;
    assert_eq!(
        areas
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["name"] == "Phường Tam Thanh")
            .count(),
        1
    );

    let other = app
        .post(
            "/api/areas/official",
            &admin,
            json!({"province_code": "04"}),
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one installation, one province"
    );
    let unknown = app
        .post(
            "/api/areas/official",
            &admin,
            json!({"province_code": "99"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.json["fields"]["province_code"].is_string());
    let taken = app
        .patch(
            &format!("/api/areas/{tam_thanh}"),
            &admin,
            json!({"code": "05977"}),
        )
        .await;
    assert_eq!(
        taken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Đông Kinh has that code"
    );
}
