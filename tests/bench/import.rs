//! `cargo xtask bench import`: a 1,000-pupil class list (a workbook made here, as a school's
//! export looks: a title row, the usual headings), previewed and then applied through the real
//! router into a fresh demo database, five times; prints the medians. The target is 2 s for each.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use axum::body::Body;
use axum::http::Request;
use chrono::{Datelike, Duration, Utc};
use http_body_util::BodyExt;
use rust_xlsxwriter::Workbook;
use server::clock::Clock;
use server::config::Policy;
use server::db::Db;
use server::{app, seed, AppState};
use tower::ServiceExt;

const PUPILS: usize = 1_000;
const RUNS: usize = 5;
const FAMILY: [&str; 8] = ["Nông", "Hoàng", "Lường", "Vi", "Triệu", "Lý", "Hà", "Lò"];
const GIVEN: [&str; 8] = ["An", "Bình", "Cường", "Dung", "Hoa", "Lan", "Minh", "Tuấn"];
const COMMUNES: [&str; 4] = [
    "Phường Tam Thanh",
    "Phường Đông Kinh",
    "Xã Văn Quan",
    "Xã Hoàng Đồng, Thành phố Lạng Sơn",
];

fn class_list() -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "DANH SÁCH HỌC SINH TOÀN TRƯỜNG")?;
    let headings = [
        "STT",
        "Mã học sinh",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Dân tộc",
        "Lớp",
        "Họ tên cha/mẹ/người giám hộ",
        "Số điện thoại",
        "Xã/phường cư trú",
    ];
    for (c, heading) in headings.iter().enumerate() {
        sheet.write_string(2, c as u16, *heading)?;
    }
    let today = Utc::now().date_naive();
    for i in 0..PUPILS {
        let r = (i + 3) as u32;
        let born = today
            .with_year(today.year() - 11 - (i % 5) as i32)
            .context("date")?
            - Duration::days((i % 300) as i64);
        let name = format!(
            "{} Văn {} {}",
            FAMILY[i % 8],
            GIVEN[(i / 8) % 8],
            GIVEN[(i / 64) % 8]
        );
        let cells = [
            (i + 1).to_string(),
            format!("HS{i:05}"),
            name,
            format!("{}/{}/{}", born.day(), born.month(), born.year()),
            if i % 2 == 0 { "Nam" } else { "nữ" }.to_string(),
            ["Tày", "Nùng", "Kinh", "Dao"][i % 4].to_string(),
            format!("{}{}", 6 + i % 4, ["A", "B", "C"][i % 3]),
            format!("{} Văn Phụ", FAMILY[(i + 3) % 8]),
            format!("09{:08}", i),
            COMMUNES[i % 4].to_string(),
        ];
        for (c, cell) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, cell)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

async fn timed(
    router: &axum::Router,
    token: &str,
    dry_run: bool,
    file: &[u8],
) -> Result<(f64, serde_json::Value)> {
    let request = Request::post(format!("/api/import/children?dry_run={dry_run}"))
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(Body::from(file.to_vec()))?;
    let started = Instant::now();
    let reply = router.clone().oneshot(request).await?;
    let status = reply.status();
    let body = reply.into_body().collect().await?.to_bytes();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    if !status.is_success() {
        bail!("{status}: {}", String::from_utf8_lossy(&body));
    }
    Ok((millis, serde_json::from_slice(&body)?))
}

#[tokio::main]
async fn main() -> Result<()> {
    let file = class_list()?;
    println!("class list: {PUPILS} pupils, {} KB", file.len() / 1024);
    let (mut previews, mut applies, mut agains) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let dir = tempfile::tempdir()?;
        let db = Db::open(&dir.path().join("bench.db")).map_err(|e| anyhow::anyhow!("{e}"))?;
        let clock = Clock::System;
        seed::seed(&db, true, None, clock.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let router = app(AppState::new(db, Policy::default(), clock, None));
        let login = Request::post("/api/auth/login")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"username":"counsellor","password":"demo"}"#))?;
        let body = router
            .clone()
            .oneshot(login)
            .await?
            .into_body()
            .collect()
            .await?
            .to_bytes();
        let token = serde_json::from_slice::<serde_json::Value>(&body)?["token"]
            .as_str()
            .context("no token")?
            .to_string();
        let (preview, report) = timed(&router, &token, true, &file).await?;
        if report["created"] != PUPILS {
            bail!(
                "the preview does not create every pupil: {}",
                report["created"]
            );
        }
        let (apply, report) = timed(&router, &token, false, &file).await?;
        if report["created"] != PUPILS {
            bail!(
                "the import did not create every pupil: {}",
                report["created"]
            );
        }
        let (again, report) = timed(&router, &token, false, &file).await?;
        if report["created"] != 0 {
            bail!("importing again created pupils: {}", report["created"]);
        }
        previews.push(preview);
        applies.push(apply);
        agains.push(again);
    }
    for (name, mut millis) in [
        ("preview", previews),
        ("apply", applies),
        ("apply again (nothing new)", agains),
    ] {
        millis.sort_by(f64::total_cmp);
        println!(
            "{name}: median {:.0} ms (min {:.0}, max {:.0}) over {RUNS} runs",
            millis[RUNS / 2],
            millis[0],
            millis[RUNS - 1]
        );
    }
    Ok(())
}
