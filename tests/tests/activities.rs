//! Programme activities in the browser: a counsellor records a training with the server gone,
//! sees it at once, is told plainly what is wrong with a bad entry, and the activity reaches the
//! server when it returns; the school's dashboard and the provincial officer's both count it.

use anyhow::{ensure, Result};
use tests::{
    click, click_link, days, fill, screenshot, sign_in, wait_for, wait_for_attr, wait_for_text,
    wait_until, Stack, ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_training_recorded_offline_is_counted_by_the_school_and_the_province() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let device = stack.browser().await?;
    sign_in(&device, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&device, "#greeting", "Xin chào").await?;
    wait_for_attr(&device, "#sync-status", "data-directory", "true").await?;
    click_link(&device, "Hoạt động").await?;
    wait_for_text(&device, "#activities", "Chưa ghi hoạt động nào").await?;

    // The server is gone; the training is recorded all the same.
    stack.stop_server().await?;
    click(&device, "#record-activity").await?;
    fill(&device, "field-held_on", &days::typed(0)).await?;
    fill(&device, "field-title", "Sơ cứu tâm lý cho giáo viên").await?;
    // A bad entry first: nobody took part.
    fill(&device, "field-participants", "0").await?;
    click(&device, "#save-activity").await?;
    wait_for_text(&device, "#activity-form", "Nhập một số từ 1 đến").await?;
    fill(&device, "field-participants", "30").await?;
    fill(&device, "field-trained-teacher", "25").await?;
    fill(&device, "field-trained-counsellor", "10").await?;
    click(&device, "#save-activity").await?;
    wait_for_text(&device, "#activity-form", "Nhập một số từ 0 đến 30").await?;
    fill(&device, "field-trained-counsellor", "4").await?;
    screenshot(&device, "activity-form").await?;
    click(&device, "#save-activity").await?;
    let line = wait_for(&device, "#activity-list li[data-kind='training']").await?;
    let text = line.text().await?;
    ensure!(
        text.contains("Sơ cứu tâm lý cho giáo viên") && text.contains("30 người"),
        "the line shows the topic and the people: {text:?}"
    );
    ensure!(text.contains("Giáo viên 25"), "and those trained: {text:?}");
    wait_for_attr(&device, "#sync-status", "data-pending", "1").await?;

    // The school's dashboard counts it on the device, before any sync.
    click_link(&device, "Chỉ số").await?;
    wait_for_text(
        &device,
        "#indicator-activities tr[data-kind='training']",
        "30",
    )
    .await?;
    wait_for_text(&device, "#activities-trained", "Giáo viên").await?;

    // The server returns; the activity reaches it, and the province counts it.
    stack.start_server().await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;
    device.refresh().await?;
    click_link(&device, "Hoạt động").await?;
    wait_for(&device, "#activity-list li[data-kind='training']").await?;
    screenshot(&device, "activities").await?;
    let officer = stack.browser().await?;
    sign_in(&officer, &stack.url, "officer", "demo").await?;
    wait_for_text(&officer, "#greeting", "Xin chào").await?;
    click_link(&officer, "Chỉ số").await?;
    let row = wait_for_text(
        &officer,
        "#indicator-activities tr[data-kind='training']",
        "30",
    )
    .await?;
    let cells = row.find_all(By::Css("td")).await?;
    ensure!(cells.len() == 3, "kind, held, participants");
    ensure!(cells[1].text().await? == "1", "held once");
    officer.quit().await?;

    // Voiding needs a reason, and takes it out of the count.
    click(&device, "#activity-list li[data-kind='training'] button").await?;
    let void = "#activity-list li[data-kind='training'] .inline-form button.primary";
    click(&device, void).await?;
    wait_for_text(
        &device,
        "#activity-list li[data-kind='training']",
        "Vui lòng nhập",
    )
    .await?;
    let reason = device
        .find(By::Css("#activity-list li[data-kind='training'] input"))
        .await?;
    let id = reason.id().await?.unwrap_or_default();
    fill(&device, &id, "Nhập nhầm").await?;
    click(&device, void).await?;
    wait_for_text(&device, "#activity-list li.voided", "Đã hủy").await?;
    click_link(&device, "Chỉ số").await?;
    wait_until(
        &device,
        "const held = document.querySelector(\"#indicator-activities tr[data-kind='training'] td:nth-child(2)\");
         return held !== null && held.textContent === '0';",
    )
    .await?;
    device.quit().await?;
    Ok(())
}
