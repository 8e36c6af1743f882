//! The file of unsent changes can be brought back: a counsellor offline for days must sign out
//! with a child still unsent, downloads the changes from the warning, signs in again and sends
//! them on from the sync page. Another account's file is refused, and sending the same file twice
//! writes nothing twice.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use tests::{
    click, click_link, register_child, sign_in, wait_for, wait_for_attr, wait_for_text, Stack,
    ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

async fn downloaded(folder: &Path, ending: &str) -> Result<PathBuf> {
    let started = Instant::now();
    loop {
        if let Ok(entries) = std::fs::read_dir(folder) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.to_string_lossy().ends_with(ending) {
                    return Ok(path);
                }
            }
        }
        if started.elapsed() > Duration::from_secs(15) {
            bail!("no {ending} file in {}", folder.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn choose_file(driver: &WebDriver, path: &Path) -> Result<()> {
    let input = wait_for(driver, "#restore-file").await?;
    input.send_keys(path.to_string_lossy().as_ref()).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsent_changes_downloaded_at_sign_out_are_sent_after_signing_in_again() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let device = stack.browser().await?;
    let downloads = stack.downloads().expect("a profile");
    sign_in(&device, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&device, "#greeting", "Xin chào").await?;
    wait_for_attr(&device, "#sync-status", "data-directory", "true").await?;

    stack.stop_server().await?;
    click_link(&device, "Trẻ em").await?;
    click(&device, "#register-child").await?;
    register_child(&device, "Lò Văn Sáng", &tests::days::born(10)).await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "1").await?;
    click(&device, "#sign-out").await?;
    wait_for(&device, "#unsynced-dialog").await?;
    click(&device, "#export-changes").await?;
    let file = downloaded(&downloads, ".json").await?;
    let name = file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    ensure!(
        name.starts_with("tam-an-thay-doi-chua-gui-counsellor-"),
        "{name}"
    );
    click(&device, "#sign-out-anyway").await?;
    wait_for(&device, "#sign-in").await?;

    // Another account cannot send them as its own.
    stack.start_server().await?;
    sign_in(&device, &stack.url, "health", "demo").await?;
    wait_for(&device, "#greeting").await?;
    device.goto(&format!("{}/sync", stack.url)).await?;
    choose_file(&device, &file).await?;
    wait_for_text(&device, "#restore-outcome", "counsellor").await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;
    click(&device, "#sign-out").await?;
    wait_for(&device, "#sign-in").await?;

    // Its own account sends them on.
    sign_in(&device, &stack.url, "counsellor", "demo").await?;
    wait_for(&device, "#greeting").await?;
    device.goto(&format!("{}/sync", stack.url)).await?;
    choose_file(&device, &file).await?;
    wait_for_text(&device, "#restore-outcome", "Đã đưa 1 thay đổi").await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;
    // The same file again is answered as already received: still one child.
    choose_file(&device, &file).await?;
    wait_for_text(&device, "#restore-outcome", "Đã đưa 1 thay đổi").await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;

    // A colleague's device has the child, once.
    let colleague = stack.browser().await?;
    sign_in(&colleague, &stack.url, "counsellor", "demo").await?;
    wait_for_attr(&colleague, "#sync-status", "data-pending", "0").await?;
    click_link(&colleague, "Trẻ em").await?;
    wait_for_text(&colleague, "main", "Lò Văn Sáng").await?;
    let list = colleague.find(By::Css("main")).await?.text().await?;
    ensure!(list.matches("Lò Văn Sáng").count() == 1, "{list}");
    device.quit().await?;
    colleague.quit().await?;
    Ok(())
}
