//! Bulk import over real workbooks made here (rust_xlsxwriter) and CSV text: title rows, columns
//! in any order, text and Excel dates, loose spellings, duplicates, bad values, blank and footer
//! rows; the preview names each problem by row and column and changes nothing; applying twice
//! creates each record once.

use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

use crate::days::born;
use crate::helpers::{Reply, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A cell of a test workbook.
enum C {
    T(String),
    N(f64),
    D(NaiveDate),
    Blank,
}

fn t(text: &str) -> C {
    C::T(text.to_string())
}

fn workbook(rows: &[Vec<C>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                C::T(text) => {
                    sheet.write_string(r, c, text).unwrap();
                }
                C::N(number) => {
                    sheet.write_number(r, c, *number).unwrap();
                }
                C::D(day) => {
                    let when = ExcelDateTime::from_ymd(
                        day.year() as u16,
                        day.month() as u8,
                        day.day() as u8,
                    )
                    .unwrap();
                    sheet
                        .write_datetime_with_format(r, c, &when, &date)
                        .unwrap();
                }
                C::Blank => {}
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// A date typed the short way, as offices do: 5/3/2013.
fn short(day: NaiveDate) -> String {
    format!("{}/{}/{}", day.day(), day.month(), day.year())
}

/// A valid personal id for a boy born in `day`'s year (registered in Lạng Sơn, code 020).
fn personal_id_male(day: NaiveDate) -> String {
    format!("0202{:02}123456", day.year() % 100)
}

fn class_list() -> Vec<u8> {
    let (an, binh, cuong, dung) = (born(12), born(13), born(12), born(11));
    let headings = [
        "Lớp",
        "HỌ VÀ TÊN",
        "Giới tính",
        "STT",
        "Ngày sinh",
        "Dân tộc",
        "Số định danh cá nhân",
        "Họ tên cha/mẹ/người giám hộ",
        "Số điện thoại",
        "Xã/phường cư trú",
        "Mã học sinh",
    ];
    workbook(&[
        vec![t("TRƯỜNG THCS TAM THANH")],
        vec![t("DANH SÁCH HỌC SINH LỚP 7A")],
        vec![],
        headings.iter().map(|h| t(h)).collect(),
        // 5: text date in the short form, loose sex and ethnicity, a phone stored as a number.
        vec![
            t("7A"),
            t("Nông Thị An"),
            t("nữ"),
            C::N(1.0),
            t(&short(an)),
            t("Tay"),
            C::Blank,
            t("Nông Văn Ba"),
            C::N(912345678.0),
            t("Phường Tam Thanh"),
            t("HS001"),
        ],
        // 6: an Excel date, upper-case sex, a valid personal id.
        vec![
            t("7A"),
            t("Hoàng Văn Bình"),
            t("NAM"),
            C::N(2.0),
            C::D(binh),
            t("Kinh"),
            t(&personal_id_male(binh)),
            t("Hoàng Thị Hoa"),
            C::Blank,
            t("Xã Văn Quan"),
            t("HS002"),
        ],
        vec![],
        // 8: a personal id of the wrong length.
        vec![
            t("7A"),
            t("Lý Văn Cường"),
            t("Nam"),
            C::N(3.0),
            t(&short(cuong)),
            t("Nùng"),
            t("12345"),
            t("Lý Thị Mai"),
            C::Blank,
            t("Phường Tam Thanh"),
            t("HS003"),
        ],
        // 9: no name.
        vec![
            t("7A"),
            C::Blank,
            t("Nữ"),
            C::N(4.0),
            t(&short(an)),
            t("Tày"),
            C::Blank,
            t("Vi Văn Tư"),
            C::Blank,
            t("Phường Tam Thanh"),
            t("HS004"),
        ],
        // 10: row 5 again.
        vec![
            t("7A"),
            t("Nông Thị An"),
            t("Nữ"),
            C::N(5.0),
            t(&short(an)),
            t("Tày"),
            C::Blank,
            t("Nông Văn Ba"),
            C::Blank,
            t("Phường Tam Thanh"),
            t("HS001"),
        ],
        // 11: an address from before the 2025 reform.
        vec![
            t("7A"),
            t("Triệu Thị Dung"),
            t("Nữ"),
            C::N(6.0),
            t(&short(dung)),
            t("Dao"),
            C::Blank,
            t("Triệu Văn Sáu"),
            C::Blank,
            t("Xã Hoàng Đồng, Thành phố Lạng Sơn"),
            t("HS005"),
        ],
        // 12 and 13: a footer.
        vec![C::Blank, C::Blank, C::Blank, t("Tổng cộng: 6 học sinh")],
        vec![
            C::Blank,
            C::Blank,
            C::Blank,
            C::Blank,
            C::Blank,
            C::Blank,
            C::Blank,
            t("Người lập biểu"),
        ],
    ])
}

fn row(report: &Value, number: u64) -> &Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["row"] == number)
        .unwrap_or_else(|| panic!("no row {number} in {report}"))
}

fn problem_columns(row: &Value) -> Vec<&str> {
    row["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["column"].as_str().unwrap())
        .collect()
}

async fn import(app: &TestApp, token: &str, kind: &str, dry_run: bool, file: Vec<u8>) -> Reply {
    app.upload(
        &format!("/api/import/{kind}?dry_run={dry_run}"),
        token,
        XLSX,
        file,
    )
    .await
}

#[tokio::test]
async fn a_messy_class_list_is_previewed_row_by_row_and_applied_once() {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    let records = app.count("records").await;

    let preview = import(&app, &token, "children", true, class_list()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.json);
    let report = &preview.json;
    assert_eq!(report["dry_run"], true);
    assert_eq!(
        (report["created"].as_u64(), report["skipped"].as_u64()),
        (Some(3), Some(5)),
        "{report}"
    );
    for number in [5, 6, 11] {
        assert_eq!(
            row(report, number)["outcome"],
            "create",
            "{}",
            row(report, number)
        );
    }
    assert_eq!(problem_columns(row(report, 8)), ["Số định danh cá nhân"]);
    assert_eq!(problem_columns(row(report, 9)), ["HỌ VÀ TÊN"]);
    assert_eq!(row(report, 10)["outcome"], "skip");
    assert!(
        row(report, 10)["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("dòng 5"),
        "{}",
        row(report, 10)
    );
    for footer in [12, 13] {
        assert_eq!(row(report, footer)["outcome"], "skip");
        assert!(row(report, footer)["problems"]
            .as_array()
            .unwrap()
            .is_empty());
    }
    assert!(
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["row"] != 7 && r["row"] != 3),
        "blank rows are not rows"
    );
    let mapped = row(report, 11)["notes"].to_string();
    assert!(
        mapped.contains("Phường Tam Thanh"),
        "the old commune is mapped: {mapped}"
    );
    assert_eq!(
        app.count("records").await,
        records,
        "a preview changes nothing"
    );

    let applied = import(&app, &token, "children", false, class_list()).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.json);
    assert_eq!(applied.json["created"], 3, "{}", applied.json);
    assert_eq!(app.count("records").await, records + 3);

    let again = import(&app, &token, "children", false, class_list()).await;
    assert_eq!(
        (
            again.json["created"].as_u64(),
            again.json["updated"].as_u64()
        ),
        (Some(0), Some(0)),
        "{}",
        again.json
    );
    assert_eq!(
        app.count("records").await,
        records + 3,
        "the same file twice creates nothing new"
    );

    // The pupils reach the school's devices through sync, as typed in.
    let pulled = app.get("/api/sync/pull?since=0", &token).await.json;
    let children: Vec<&Value> = pulled["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["record_type"] == "child")
        .map(|r| &r["fields"])
        .collect();
    let an = children
        .iter()
        .find(|c| c["full_name"] == "Nông Thị An")
        .expect("An is registered");
    assert_eq!(an["sex"], "female");
    assert_eq!(an["ethnicity"], "tay");
    assert_eq!(
        an["guardian_phone"], "0912345678",
        "the leading zero is back"
    );
    assert_eq!(an["pupil_code"], "HS001");
    let binh = children
        .iter()
        .find(|c| c["full_name"] == "Hoàng Văn Bình")
        .unwrap();
    assert_eq!(
        binh["date_of_birth"],
        born(13).to_string(),
        "an Excel date is a date"
    );
    let dung = children
        .iter()
        .find(|c| c["full_name"] == "Triệu Thị Dung")
        .unwrap();
    assert_eq!(
        dung["former_address"], "Xã Hoàng Đồng, Thành phố Lạng Sơn",
        "the old name is kept"
    );
    assert_eq!(
        dung["commune_id"],
        app.area_id(&token, "Phường Tam Thanh").await.as_str()
    );
}

#[tokio::test]
async fn a_changed_row_updates_its_pupil_and_a_class_list_goes_only_into_ones_own_school() {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    let day = born(12);
    let list = |class: &str| {
        format!("\u{feff}Họ và tên;Ngày sinh;Giới tính;Dân tộc;Lớp;Mã học sinh;Phụ huynh\nLục Thị Xuân;{};Nữ;Tày;{class};HS9;Lục Văn Hai\n", short(day))
            .into_bytes()
    };
    let first = app
        .upload(
            "/api/import/children?dry_run=false",
            &token,
            "text/csv",
            list("6A"),
        )
        .await;
    assert_eq!(first.json["created"], 1, "{}", first.json);
    let moved = app
        .upload(
            "/api/import/children?dry_run=false",
            &token,
            "text/csv",
            list("7A"),
        )
        .await;
    assert_eq!(
        (
            moved.json["created"].as_u64(),
            moved.json["updated"].as_u64()
        ),
        (Some(0), Some(1)),
        "matched by pupil code: {}",
        moved.json
    );

    // Other roles may not import pupils; the school is the session's, never the file's.
    let health = app.login("health", "demo").await;
    let refused = app
        .upload(
            "/api/import/children?dry_run=true",
            &health,
            "text/csv",
            list("6A"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let admin = app.login("admin", "demo").await;
    let refused = app
        .upload(
            "/api/import/facilities?dry_run=true",
            &token,
            "text/csv",
            list("6A"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let unknown = app
        .upload(
            "/api/import/pets?dry_run=true",
            &admin,
            "text/csv",
            list("6A"),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn files_that_cannot_be_read_are_refused_naming_the_file() {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("empty", Vec::new(), "Vui lòng"),
        ("old Excel", vec![0xD0, 0xCF, 0x11, 0xE0, 0, 0], ".xlsx"),
        (
            "not UTF-8",
            b"H\xe1\xbb\x8d v\xe0 t\xean;Ng\xe0y".to_vec(),
            "UTF-8",
        ),
        ("no heading row", b"a;b;c\n1;2;3\n".to_vec(), "Họ và tên"),
        (
            "a required column missing",
            "Họ và tên;Lớp\nAn;6A\n".as_bytes().to_vec(),
            "Ngày sinh",
        ),
    ];
    for (case, file, said) in cases {
        let reply = app
            .upload(
                "/api/import/children?dry_run=true",
                &token,
                "text/csv",
                file,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}: {}",
            reply.json
        );
        let message = reply.json["fields"]["file"].as_str().unwrap_or_default();
        assert!(message.contains(said), "{case}: {message}");
    }
}

#[tokio::test]
async fn an_administrator_imports_facilities_and_staff_who_must_change_their_one_time_passwords() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let facilities = workbook(&[
        vec![t("DANH MỤC CƠ SỞ")],
        vec![
            t("Tên trường"),
            t("Mã trường"),
            t("Xã/phường"),
            t("Số điện thoại"),
        ],
        vec![
            t("Trường THCS Hoàng Văn Thụ"),
            t("20thcs099"),
            t("Phường Đông Kinh"),
            C::N(2053812000.0),
        ],
        vec![
            t("Trạm y tế xã Cao Lộc"),
            t("20TYT06211"),
            t("xa cao loc"),
            C::Blank,
        ],
        vec![t("Nhà văn hoá thôn"), C::Blank, t("Xã Cao Lộc"), C::Blank],
        vec![
            t("Trường Tiểu học Bính Xá"),
            C::Blank,
            t("Xã Bính Xá, huyện Đình Lập"),
            C::Blank,
        ],
    ]);
    let preview = import(&app, &admin, "facilities", true, facilities.clone()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.json);
    assert_eq!(row(&preview.json, 3)["outcome"], "create");
    assert_eq!(row(&preview.json, 4)["outcome"], "create");
    assert_eq!(
        problem_columns(row(&preview.json, 5)),
        ["Loại hình"],
        "no type, none in the name"
    );
    let split = row(&preview.json, 6);
    assert_eq!(problem_columns(split), ["Xã/phường"]);
    let message = split["problems"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Xã Đình Lập") && message.contains("Xã Kiên Mộc"),
        "a split commune offers both: {message}"
    );

    let applied = import(&app, &admin, "facilities", false, facilities.clone()).await;
    assert_eq!(applied.json["created"], 2, "{}", applied.json);
    let school = app.get("/api/facilities?q=20THCS099", &admin).await.json;
    assert_eq!(school[0]["name"], "Trường THCS Hoàng Văn Thụ");
    assert_eq!(
        school[0]["facility_type"], "lower_secondary_school",
        "the type comes from the name"
    );
    assert_eq!(school[0]["phone"], "02053812000");
    let again = import(&app, &admin, "facilities", false, facilities).await;
    assert_eq!(again.json["created"], 0, "{}", again.json);

    let staff = "Họ và tên,Vai trò,Cơ sở (mã hoặc tên)\r\nNguyễn Thị Mai,Giáo viên tư vấn,20THCS099\r\nTrần Văn Hải,Bác sĩ,Trường THCS Hoàng Văn Thụ\r\nLê Thị Thu,Cán bộ quản lý,\r\n";
    let preview = app
        .upload(
            "/api/import/users?dry_run=true",
            &admin,
            "text/csv",
            staff.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.json);
    assert_eq!(row(&preview.json, 2)["outcome"], "create");
    assert_eq!(
        problem_columns(row(&preview.json, 3)),
        ["Vai trò"],
        "a doctor does not work at a school: {}",
        preview.json
    );
    assert_eq!(
        row(&preview.json, 4)["outcome"],
        "create",
        "an officer sits in the province"
    );
    assert!(
        preview.json.get("passwords").is_none(),
        "a preview makes no passwords"
    );

    let applied = app
        .upload(
            "/api/import/users?dry_run=false",
            &admin,
            "text/csv",
            staff.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(applied.json["created"], 2, "{}", applied.json);
    let passwords = applied.json["passwords"].as_array().unwrap();
    assert_eq!(passwords.len(), 2);
    let mai = passwords
        .iter()
        .find(|p| p["username"] == "maint")
        .expect("a username from the name");
    let token = app
        .login("maint", mai["one_time_password"].as_str().unwrap())
        .await;
    let blocked = app.get("/api/facilities", &token).await;
    assert_eq!(
        blocked.status,
        StatusCode::FORBIDDEN,
        "the one-time password must be changed first"
    );
    let audit = app
        .get("/api/audit?limit=200", &admin)
        .await
        .json
        .to_string();
    assert!(
        !audit.contains(mai["one_time_password"].as_str().unwrap()),
        "passwords are never logged"
    );

    let again = app
        .upload(
            "/api/import/users?dry_run=false",
            &admin,
            "text/csv",
            staff.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(
        again.json["created"], 0,
        "the same people are found again: {}",
        again.json
    );
}

#[tokio::test]
async fn each_template_is_a_file_its_import_reads() {
    let app = TestApp::new().await;
    let admin = app.login("admin", "demo").await;
    let counsellor = app.login("counsellor", "demo").await;
    for (kind, token) in [
        ("facilities", &admin),
        ("users", &admin),
        ("children", &counsellor),
    ] {
        let template = app
            .get(&format!("/api/import/{kind}/template"), token)
            .await;
        assert_eq!(template.status, StatusCode::OK, "{kind}");
        assert_eq!(template.headers["content-type"], XLSX);
        let preview = import(&app, token, kind, true, template.bytes.clone()).await;
        assert_eq!(preview.status, StatusCode::OK, "{kind}: {}", preview.json);
        assert_eq!(
            preview.json["rows"].as_array().unwrap().len(),
            1,
            "{kind}: {}",
            preview.json
        );
        assert_eq!(
            preview.json["rows"][0]["outcome"], "create",
            "{kind}: {}",
            preview.json
        );
    }
    let refused = app.get("/api/import/users/template", &counsellor).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_sample_class_list_goes_in_whole() {
    let app = TestApp::new().await;
    let token = app.login("counsellor", "demo").await;
    let sample = include_bytes!("../../../tests/data/class-list-9a.xlsx").to_vec();
    let preview = import(&app, &token, "children", true, sample).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.json);
    let rows = preview.json["rows"].as_array().unwrap();
    assert!(rows.len() >= 30, "{}", preview.json);
    let refused: Vec<&Value> = rows.iter().filter(|r| r["outcome"] != "create").collect();
    assert!(
        refused.is_empty(),
        "every pupil of the sample goes in: {refused:?}"
    );
    assert_eq!(preview.json["created"].as_u64(), Some(rows.len() as u64));
}
