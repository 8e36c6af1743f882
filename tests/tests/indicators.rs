//! The indicators in the browser: after a counsellor screens and refers on the demo province, the
//! school sees its own figures computed on the device (offline too), and the province officer
//! opens the dashboard, opens a figure into its de-identified rows, downloads the Excel report,
//! which the test reads back.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use calamine::{Data, Reader, Xlsx};
use server::config::Policy;
use shared::indicators::{Period, Span};
use tests::{
    answer, child_with_consent, choose_target, click, click_link, fill, screenshot, sign_in,
    wait_for, wait_for_attr, wait_for_text, Stack, ONE_AT_A_TIME,
};
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_officer_sees_the_indicators_and_downloads_the_annual_report() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    // Small counts are shown in this test, so the figures can be checked.
    let policy = Policy {
        suppress_below: 0,
        ..Policy::default()
    };
    let mut stack = Stack::start_with(policy).await?;
    let school = stack.browser().await?;
    sign_in(&school, &stack.url, "counsellor", "demo").await?;
    wait_for_attr(&school, "#sync-status", "data-directory", "true").await?;
    child_with_consent(&school, "Lò Thị Hiền").await?;
    click(&school, "#suggested #screen-gad7").await?;
    click(&school, "#start-screening").await?;
    for n in 1..=7 {
        answer(&school, n, 8, 2).await?;
    }
    answer(&school, 8, 8, 1).await?;
    click(&school, "#finish-screening").await?;
    wait_for_text(&school, "#verdict", "Dương tính").await?;
    click(&school, "#refer-from-result").await?;
    choose_target(
        &school,
        "commune_health_station",
        "Trạm y tế phường Tam Thanh",
    )
    .await?;
    fill(&school, "field-done_already", "Đã nói chuyện với mẹ em").await?;
    click(&school, "#send-referral").await?;
    wait_for(&school, "#referral-to").await?;
    wait_for_attr(&school, "#sync-status", "data-pending", "0").await?;

    // The school's own figures, computed on the device, also with the server gone.
    stack.stop_server().await?;
    click(&school, ".mainnav a[href='/indicators']").await?;
    wait_for_attr(&school, "#indicator-I4", "data-percent", "100.0").await?;
    wait_for_attr(&school, "#indicator-I1", "data-percent", "0.0").await?;
    wait_for_text(&school, "#i5-sent", "1").await?;
    click_link(&school, "Xem danh sách").await?;
    wait_for_text(&school, "#indicator-rows", "Lò Thị Hiền").await?;
    stack.start_server().await?;
    school.quit().await?;

    let officer = stack.browser().await?;
    let downloads = stack.downloads().expect("a profile");
    sign_in(&officer, &stack.url, "officer", "demo").await?;
    wait_for_text(&officer, "#greeting", "Triệu Thị Lan").await?;
    click(&officer, ".mainnav a[href='/indicators']").await?;
    wait_for_text(&officer, "#indicator-scope", "Tỉnh Lạng Sơn").await?;
    wait_for_attr(&officer, "#indicator-I4", "data-percent", "100.0").await?;
    wait_for_text(&officer, "#indicator-I3", "1 / 3").await?;
    // Vietnamese writes a decimal comma.
    wait_for_text(&officer, "#indicator-I3 .big-figure", "33,3%").await?;
    wait_for(&officer, "#indicator-trend svg path.chart-line").await?;
    screenshot(&officer, "indicators-dashboard").await?;
    officer.set_window_rect(0, 0, 360, 740).await?;
    screenshot(&officer, "indicators-phone").await?;
    officer.set_window_rect(0, 0, 1280, 900).await?;
    // The rows behind I4 name no child.
    officer
        .find(By::Css("#indicator-I4 a"))
        .await?
        .click()
        .await?;
    wait_for_text(&officer, "#rows-total", "1 / 1").await?;
    let rows = wait_for(&officer, "#indicator-rows").await?.text().await?;
    ensure!(
        rows.contains("Trường THCS Tam Thanh") && rows.contains('#'),
        "{rows}"
    );
    ensure!(
        !rows.contains("Lò Thị Hiền"),
        "an officer's rows carry no names"
    );
    officer.back().await?;

    // The six-month period that holds today, picked from the list.
    let today = chrono::Utc::now()
        .with_timezone(&shared::lang::vietnam_offset())
        .date_naive();
    let year = Period::year_of(today);
    let half = if Span::Half(year, 1).period().contains(today) {
        Span::Half(year, 1)
    } else {
        Span::Half(year, 2)
    };
    SelectElement::new(&wait_for(&officer, "#indicator-period").await?)
        .await?
        .select_by_value(&half.code())
        .await?;
    let from = shared::lang::format_date(half.period().from);
    wait_for_text(&officer, "#indicator-scope", &from).await?;
    wait_for_attr(&officer, "#indicator-I4", "data-percent", "100.0").await?;
    // Printed (A4), the page carries the same title and a signature block.
    let printed = officer
        .find(By::Css("#print-title"))
        .await?
        .prop("textContent")
        .await?
        .unwrap_or_default();
    ensure!(
        printed.ends_with(&half.label(shared::lang::Lang::Vi).to_uppercase()),
        "{printed}"
    );
    ensure!(officer.find(By::Css("#print-signatures")).await.is_ok());
    click(&officer, "#export-excel").await?;
    let workbook = wait_for_file(&downloads, ".xlsx").await?;
    ensure!(
        workbook.to_string_lossy().contains(&half.code()),
        "{}",
        workbook.display()
    );
    let mut book: Xlsx<_> = calamine::open_workbook(&workbook)?;
    ensure!(
        book.sheet_names()
            == [
                "Tổng hợp",
                "I1",
                "I2",
                "I3",
                "I4",
                "I5",
                "Chăm sóc, hoạt động"
            ]
    );
    let summary = book.worksheet_range("Tổng hợp")?;
    let cell = |row: u32, col: u32| {
        summary
            .get_value((row, col))
            .map(|c| c.to_string())
            .unwrap_or_default()
    };
    // The heading and the signature block of an administrative report.
    ensure!(cell(0, 0) == "TỈNH LẠNG SƠN", "{}", cell(0, 0));
    ensure!(cell(1, 0) == "Mã đơn vị: 20", "{}", cell(1, 0));
    let label = half.label(shared::lang::Lang::Vi).to_uppercase();
    ensure!(cell(2, 0).ends_with(&label), "{}", cell(2, 0));
    ensure!(cell(3, 0).contains(&from), "{}", cell(3, 0));
    ensure!(cell(4, 0).contains("Triệu Thị Lan"), "{}", cell(4, 0));
    ensure!(cell(15, 0) == "NGƯỜI LẬP BIỂU" && cell(15, 3) == "THỦ TRƯỞNG ĐƠN VỊ");
    // I4: one child registered, one screened: 100%.
    ensure!(summary.get_value((9, 1)) == Some(&Data::Float(1.0)));
    ensure!(summary.get_value((9, 3)) == Some(&Data::Float(100.0)));
    // The same figures for DHIS2, as ADX: the province first, by its official code.
    click(&officer, "#export-adx").await?;
    let adx = std::fs::read_to_string(wait_for_file(&downloads, ".xml").await?)?;
    ensure!(adx.contains("xmlns=\"urn:ihe:qrph:adx:2015\""), "{adx}");
    ensure!(adx.contains("<group orgUnit=\"20\""), "{adx}");
    ensure!(
        adx.contains("dataElement=\"TAMAN_I3_SCHOOLS\" value=\"3\""),
        "{adx}"
    );
    officer.quit().await?;
    Ok(())
}

/// Waits for a finished download ending in `suffix`.
async fn wait_for_file(dir: &std::path::Path, suffix: &str) -> Result<std::path::PathBuf> {
    let started = Instant::now();
    loop {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.to_string_lossy().ends_with(suffix) {
                    return Ok(path);
                }
            }
        }
        if started.elapsed() > Duration::from_secs(15) {
            bail!("no {suffix} file in {}", dir.display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_submits_its_report_and_the_province_sees_it_submitted() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    stack
        .add_commune_user(
            "canbo.xa",
            "Đinh Văn Xã",
            "officer",
            "Trường THCS Tam Thanh",
        )
        .await?;
    let commune = stack.browser().await?;
    sign_in(&commune, &stack.url, "canbo.xa", "demo").await?;
    wait_for_text(&commune, "#greeting", "Đinh Văn Xã").await?;
    click(&commune, ".mainnav a[href='/indicators']").await?;
    wait_for_text(&commune, "#own-submission", "Chưa nộp").await?;
    click(&commune, "#submit-report").await?;
    wait_for_text(&commune, "#own-submission", "Đã nộp lúc").await?;
    wait_for_text(&commune, "#own-submission", "Đinh Văn Xã").await?;
    // The commune also sees its facilities, none of which has submitted.
    wait_for_text(&commune, "#submissions", "Trường THCS Tam Thanh").await?;
    screenshot(&commune, "indicators-submitted").await?;
    commune.quit().await?;

    let province = stack.browser().await?;
    sign_in(&province, &stack.url, "officer", "demo").await?;
    wait_for_text(&province, "#greeting", "Triệu Thị Lan").await?;
    click(&province, ".mainnav a[href='/indicators']").await?;
    let row = wait_for_text(&province, "#submissions", "Đinh Văn Xã").await?;
    let text = row.text().await?;
    ensure!(
        text.contains("Đã nộp lúc") && text.contains("Chưa nộp"),
        "{text}"
    );
    // The province receives and does not submit.
    ensure!(province.find(By::Css("#submit-report")).await.is_err());
    // It opens the copy as the commune sent it: the same figures, without downloads.
    click(&province, "#submissions a.open-frozen").await?;
    wait_for_text(&province, "#frozen-report", "Báo cáo đã nộp").await?;
    wait_for_text(&province, "#frozen-by", "Đinh Văn Xã").await?;
    wait_for(&province, "#indicator-I1").await?;
    // Schools are not persons: I3's counts are shown even when small, and so is its share.
    let i3 = wait_for(&province, "#indicator-I3").await?.text().await?;
    ensure!(!i3.contains('<'), "I3 is never hidden: {i3}");
    ensure!(i3.contains('%'), "I3's share is shown: {i3}");
    ensure!(
        province.find(By::Css("#export-excel")).await.is_err(),
        "a submitted copy is not downloaded again"
    );
    screenshot(&province, "indicators-frozen").await?;
    province.quit().await?;
    Ok(())
}
