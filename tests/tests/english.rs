//! The English pages speak English: every label through the catalogue, the child's facts worded
//! in the chosen language after a switch, the audit log in words rather than codes, and a
//! same-field conflict named by the child and the form's label. What people typed (names,
//! places) stays as typed; everything else carries no Vietnamese letter.

use anyhow::{ensure, Context, Result};
use tests::{
    click, click_link, fill, register_child, sign_in, wait_for, wait_for_attr, wait_for_text,
    Stack, ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

/// Letters only Vietnamese writes (both cases are checked).
const VIETNAMESE: &str = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ";

/// What was typed or comes from the directory: names of people, places and facilities.
const DATA: &[&str] = &[
    "Hà Thị Mơ",
    "Hoàng Văn Phúc",
    "Hoàng Thị Mai",
    "Phường Tam Thanh",
    "Trường THCS Tam Thanh",
    "Tỉnh Lạng Sơn",
    "Lạng Sơn",
    "Tiếng Việt",
    "Tâm An",
    "Nông Văn Quản",
];

/// The page's text, less what people typed, must hold no Vietnamese letter.
async fn speaks_english(driver: &WebDriver, css: &str) -> Result<()> {
    let mut text = driver.find(By::Css(css)).await?.text().await?;
    for data in DATA {
        text = text.replace(data, "");
    }
    let stray: Vec<&str> = text
        .lines()
        .filter(|line| line.to_lowercase().chars().any(|c| VIETNAMESE.contains(c)))
        .collect();
    ensure!(
        stray.is_empty(),
        "Vietnamese on the English page: {stray:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_english_pages_have_no_vietnamese_labels() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let school = stack.browser().await?;
    sign_in(&school, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&school, "#greeting", "Xin chào").await?;
    click_link(&school, "Trẻ em").await?;
    click(&school, "#register-child").await?;
    register_child(&school, "Hà Thị Mơ", &tests::days::born(12)).await?;
    wait_for_attr(&school, "#sync-status", "data-pending", "0").await?;
    let child_page = school.current_url().await?;

    // Switched on the child's page, its facts follow.
    click(&school, "#switch-language").await?;
    wait_for_text(&school, "main", "Date of birth").await?;
    wait_for_text(&school, "main", "(12 years)").await?;
    wait_for_text(&school, "main", "Hoàng Văn Phúc (Father)").await?;
    wait_for_text(&school, "main", "Tay").await?;
    speaks_english(&school, "body").await?;

    // A second device of the same school changes the same field while both are offline.
    let other = stack.browser().await?;
    sign_in(&other, &stack.url, "counsellor", "demo").await?;
    wait_for(&other, "#greeting").await?;
    click(&other, "#switch-language").await?;
    wait_for_text(&other, "#greeting", "Hello").await?;
    wait_for_attr(&other, "#sync-status", "data-pending", "0").await?;
    other.goto(child_page.as_str()).await?;
    wait_for_text(&other, "#child-name", "Hà Thị Mơ").await?;
    stack.stop_server().await?;
    for (device, phone) in [(&school, "0912000111"), (&other, "0987000222")] {
        click(device, "#edit-child").await?;
        fill(device, "field-guardian_phone", phone).await?;
        click(device, "#save-child").await?;
        wait_for_text(device, "main", phone).await?;
        wait_for_attr(device, "#sync-status", "data-pending", "1").await?;
    }
    stack.start_server().await?;
    wait_for_attr(&other, "#sync-status", "data-pending", "0").await?;
    wait_for_attr(&school, "#sync-status", "data-pending", "0").await?;
    // Whichever reached the server second holds the conflict.
    let mut seen = None;
    for _ in 0..50 {
        for device in [&school, &other] {
            if seen.is_none() && device.find(By::Css(".conflict")).await.is_ok() {
                seen = Some(device);
            }
        }
        if seen.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        for device in [&school, &other] {
            if !device.current_url().await?.path().ends_with("/sync") {
                device.goto(&format!("{}/sync", stack.url)).await?;
            }
        }
    }
    let Some(holder) = seen else {
        anyhow::bail!("no device shows the conflict");
    };
    let conflict = wait_for(holder, ".conflict").await?.text().await?;
    ensure!(
        conflict.contains("Hà Thị Mơ") && conflict.contains("Parent or guardian's phone"),
        "the conflict names the child and the field as the form does: {conflict}"
    );
    ensure!(!conflict.contains("guardian_phone"), "{conflict}");
    speaks_english(holder, "body").await?;
    other.quit().await?;

    // Every page of the counsellor's speaks English too, the figures' breakdowns included.
    for (path, ready) in [
        ("/", "#greeting"),
        ("/children", "#children-list"),
        ("/referrals", "#tab-inbox"),
        ("/indicators", "#indicator-I1"),
        ("/sync", "#sync-now"),
    ] {
        school.goto(&format!("{}{path}", stack.url)).await?;
        wait_for(&school, ready).await?;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        speaks_english(&school, "body")
            .await
            .with_context(|| format!("on {path}"))?;
    }

    // The administrator reads the audit log in words.
    let admin = stack.browser().await?;
    sign_in(&admin, &stack.url, "admin", "demo").await?;
    wait_for(&admin, "#greeting").await?;
    click(&admin, "#switch-language").await?;
    admin.goto(&format!("{}/admin/audit", stack.url)).await?;
    wait_for_text(&admin, "#audit-table", "Signed in").await?;
    wait_for_text(
        &admin,
        "#audit-table",
        "Children's records sent to a device",
    )
    .await?;
    wait_for_text(&admin, "#audit-table", "Child: change stored").await?;
    let table = admin.find(By::Css("#audit-table")).await?.text().await?;
    for code in [
        "auth.sign_in",
        "child.sync_read",
        "child.update",
        "records, seq",
    ] {
        ensure!(!table.contains(code), "raw code {code:?} in the audit log");
    }
    speaks_english(&admin, "body").await?;
    school.quit().await?;
    admin.quit().await?;
    Ok(())
}
