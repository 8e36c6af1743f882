//! Bulk import in the browser: a counsellor imports the sample class list (preview, then apply),
//! finds a pupil by an accent-free search, and the pupils reach a colleague's device; an
//! administrator imports a facility list and a staff list and sees the one-time passwords once.

use std::path::{Path, PathBuf};

use anyhow::Result;
use tests::{
    click, click_link, fill, screenshot, sign_in, wait_for, wait_for_text, Stack, ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/class-list-9a.xlsx")
}

/// Picks a file in an `<input type=file>` (WebDriver types its path).
async fn choose_file(driver: &WebDriver, id: &str, path: &Path) -> Result<()> {
    let input = wait_for(driver, &format!("#{id}")).await?;
    input.send_keys(path.to_string_lossy().as_ref()).await?;
    Ok(())
}

/// Opens the panel, previews the file, checks the preview, imports.
async fn import(driver: &WebDriver, kind: &str, file: &Path, will: &str, done: &str) -> Result<()> {
    click(driver, &format!("#open-import-{kind}")).await?;
    choose_file(driver, &format!("import-file-{kind}"), file).await?;
    click(driver, &format!("#import-preview-{kind}")).await?;
    wait_for_text(driver, &format!("#import-summary-{kind}"), will).await?;
    click(driver, &format!("#import-apply-{kind}")).await?;
    wait_for_text(driver, &format!("#import-summary-{kind}"), done).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counsellor_imports_the_sample_class_list_and_a_colleague_sees_it() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    stack
        .add_user(
            "colleague",
            "Vi Thị Thu",
            "counsellor",
            "Trường THCS Tam Thanh",
        )
        .await?;
    let driver = stack.browser().await?;
    sign_in(&driver, &stack.url, "counsellor", "demo").await?;
    wait_for(&driver, "#greeting").await?;
    click_link(&driver, "Trẻ em").await?;
    click(&driver, "#open-import-children").await?;
    choose_file(&driver, "import-file-children", &sample()).await?;
    click(&driver, "#import-preview-children").await?;
    let summary = wait_for_text(&driver, "#import-summary-children", "Sẽ tạo mới").await?;
    let said = summary.text().await?;
    assert!(
        said.contains("bỏ qua 0 dòng"),
        "every pupil of the sample goes in: {said}"
    );
    let preview_rows = driver
        .find_all(By::Css("#import-rows-children tbody tr"))
        .await?
        .len();
    assert!(preview_rows >= 30, "one line per pupil: {preview_rows}");
    screenshot(&driver, "import-preview").await?;
    driver.set_window_rect(0, 0, 360, 780).await?;
    screenshot(&driver, "import-preview-phone").await?;
    driver.set_window_rect(0, 0, 1280, 900).await?;
    // The connection drops as the counsellor imports: nothing is half-done, and the same file,
    // still in the page, goes in when the server is back.
    stack.stop_server().await?;
    click(&driver, "#import-apply-children").await?;
    wait_for_text(&driver, "[role=alert]", "Không kết nối được máy chủ").await?;
    stack.start_server().await?;
    click(&driver, "#import-apply-children").await?;
    wait_for_text(&driver, "#import-summary-children", "Đã tạo mới").await?;

    fill(&driver, "child-search", "trieu thi hue").await?;
    wait_for_text(&driver, "#children-list", "Triệu Thị Huệ").await?;

    // A second device of the same school gets the pupils by sync.
    let colleague = stack.browser().await?;
    sign_in(&colleague, &stack.url, "colleague", "demo").await?;
    wait_for(&colleague, "#greeting").await?;
    click_link(&colleague, "Trẻ em").await?;
    fill(&colleague, "child-search", "ha ngoc hoa").await?;
    wait_for_text(&colleague, "#children-list", "Hà Ngọc Hoa").await?;

    // The same file again creates nobody new.
    click(&driver, "#import-preview-children").await?;
    wait_for_text(&driver, "#import-summary-children", "Sẽ tạo mới 0").await?;
    colleague.quit().await?;
    driver.quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_imports_facilities_and_staff() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let files = tempfile::tempdir()?;
    let facilities = files.path().join("co-so.csv");
    std::fs::write(
        &facilities,
        "\u{feff}DANH MỤC CƠ SỞ NĂM 2026\n\nTên cơ sở;Mã cơ sở;Xã/phường;Số điện thoại\nTrường THCS Chi Lăng;20THCS777;Xã Chi Lăng;02053820777\nTrạm y tế xã Chi Lăng;20TYT777;Xã Chi Lăng;\n",
    )?;
    let staff = files.path().join("can-bo.csv");
    std::fs::write(
        &staff,
        "Họ và tên,Vai trò,Cơ sở (mã hoặc tên)\nLò Thị Nga,Giáo viên tư vấn,20THCS777\n",
    )?;
    let driver = stack.browser().await?;
    sign_in(&driver, &stack.url, "admin", "demo").await?;
    wait_for(&driver, "#greeting").await?;
    click_link(&driver, "Cơ sở và địa bàn").await?;
    import(
        &driver,
        "facilities",
        &facilities,
        "Sẽ tạo mới 2",
        "Đã tạo mới 2",
    )
    .await?;
    wait_for_text(&driver, "#facilities-table", "Trường THCS Chi Lăng").await?;

    click_link(&driver, "Người dùng").await?;
    import(&driver, "users", &staff, "Sẽ tạo mới 1", "Đã tạo mới 1").await?;
    let passwords = wait_for_text(&driver, "#import-passwords", "ngalt").await?;
    let shown = passwords.find(By::Css("code")).await?.text().await?;
    assert_eq!(shown.len(), 12, "a one-time password, shown once: {shown}");
    screenshot(&driver, "import-passwords").await?;

    // The directory finds a school by an address from before the 2025 reform.
    click_link(&driver, "Danh bạ cơ sở").await?;
    fill(
        &driver,
        "directory-search",
        "Xã Hoàng Đồng, Thành phố Lạng Sơn",
    )
    .await?;
    wait_for_text(&driver, "#former-commune", "nay thuộc Phường Tam Thanh").await?;
    wait_for_text(&driver, "#directory-list", "Trường THCS Tam Thanh").await?;
    fill(&driver, "directory-search", "20thcs777").await?;
    wait_for_text(&driver, "#directory-list", "Trường THCS Chi Lăng").await?;
    driver.quit().await?;
    Ok(())
}
