//! Screening in the browser: consent first, the PHQ-A form offline, the urgent panel that cannot
//! be closed without an action, the flag on the child's page after a reload and on a colleague's
//! device after sync, and instruments suggested by age.

use anyhow::{ensure, Result};
use tests::{
    answer, click, click_link, days, fill, record_safety_action, register_child, screenshot,
    sign_in, sign_in_to_stay, unlock, wait_for, wait_for_attr, wait_for_text, Stack, ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_critical_answer_opens_the_urgent_panel_and_the_flag_reaches_colleagues() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    stack
        .add_user(
            "colleague",
            "Đinh Thị Thu",
            "counsellor",
            "Trường THCS Tam Thanh",
        )
        .await?;
    let device = stack.browser().await?;
    sign_in_to_stay(&device, &stack.url, "counsellor").await?;
    wait_for_text(&device, "#sync-status", "Trực tuyến").await?;

    // A 4-year-old gets the preschool checklist suggested, not the adolescent forms.
    click_link(&device, "Trẻ em").await?;
    click(&device, "#register-child").await?;
    register_child(&device, "Nông Bảo Anh", &days::born(4)).await?;
    wait_for(&device, "#suggested #screen-ppsc").await?;
    ensure!(device
        .find_all(By::Css("#suggested #screen-phqa"))
        .await?
        .is_empty());

    // A 14-year-old, with the guardian's and the child's consent.
    click_link(&device, "Trẻ em").await?;
    click(&device, "#register-child").await?;
    register_child(&device, "Lý Văn Tài", &days::born(14)).await?;
    wait_for(&device, "#suggested #screen-phqa").await?;
    click(&device, "#record-consent").await?;
    click(&device, "#field-child_agreed").await?;
    click(&device, "#save-consent").await?;
    wait_for_text(&device, "#consents", "Còn hiệu lực").await?;
    // A counselling session, and the child's circumstances: an orphan in kinship care.
    click(&device, "#record-session").await?;
    fill(&device, "field-note", "Trò chuyện về giấc ngủ").await?;
    click(&device, "#save-session").await?;
    wait_for_text(&device, "#sessions", "Trò chuyện về giấc ngủ").await?;
    click(&device, "#record-circumstance").await?;
    fill(&device, "field-since", &days::typed(-1920)).await?;
    wait_for(
        &device,
        "#circumstance-form input[name='parents']:last-of-type",
    )
    .await?;
    device
        .find_all(By::Css("#circumstance-form input[name='parents']"))
        .await?[1]
        .click()
        .await?;
    click(&device, "#save-circumstance").await?;
    wait_for_text(&device, "#circumstances", "Cả cha và mẹ").await?;
    click(&device, "#record-care").await?;
    click(&device, "#save-care").await?;
    wait_for_text(&device, "#care-history", "Người thân chăm sóc").await?;
    // A diagnosis the family brought: autism, kept with the school.
    click(&device, "#record-condition").await?;
    click(&device, "#condition-form input[value='autism']").await?;
    fill(&device, "field-condition_note", "Bệnh viện Nhi Trung ương").await?;
    click(&device, "#save-condition").await?;
    wait_for_text(&device, "#condition-list", "Rối loạn phổ tự kỷ").await?;
    screenshot(&device, "child-care").await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;

    // The connection drops; the screening goes on.
    stack.stop_server().await?;
    click(&device, "#suggested #screen-phqa").await?;
    click(&device, "#start-screening").await?;
    // On a phone: one question per screen, large answer buttons.
    device.set_window_rect(0, 0, 360, 740).await?;
    wait_for(&device, "#question .option").await?;
    screenshot(&device, "screening-phone").await?;
    device.set_window_rect(0, 0, 1280, 900).await?;
    for n in 1..=8 {
        answer(&device, n, 13, 1).await?;
    }
    // Item 9 above 0: the urgent panel opens at once, before the form is finished.
    answer(&device, 9, 13, 2).await?;
    wait_for(&device, "#urgent-panel").await?;
    screenshot(&device, "urgent-panel").await?;
    // It cannot be closed without recording the action.
    click(&device, "#record-action").await?;
    wait_for(&device, "#safety-error").await?;
    ensure!(!device.find_all(By::Css("#urgent-panel")).await?.is_empty());
    // A reload keeps the draft, and the panel is still there (once the password has opened the
    // device's data again: the reload was offline).
    device.refresh().await?;
    unlock(&device, "counsellor", "demo").await?;
    wait_for(&device, "#urgent-panel").await?;
    record_safety_action(
        &device,
        "Đã gặp riêng em, gọi cho mẹ em và hẹn khám trong ngày",
    )
    .await?;

    for n in 10..=13 {
        answer(&device, n, 13, 0).await?;
    }
    click(&device, "#finish-screening").await?;
    // Items 1–8 at 1 and item 9 at 2: total 10, moderate, under the cut-off of 11.
    wait_for_text(&device, "#result [data-score='total']", "10").await?;
    wait_for_text(&device, "#band", "Triệu chứng trầm cảm vừa").await?;
    wait_for_text(&device, "#verdict", "Âm tính").await?;
    wait_for(&device, "#result-flag").await?;
    // Four changes wait: the flag raised by item 9, its action, the screening, and the flag
    // naming its screening.
    wait_for_attr(&device, "#sync-status", "data-pending", "4").await?;
    screenshot(&device, "screening-result").await?;

    // After a reload, still offline, the flag is on the child's page.
    device.goto(format!("{}/children", stack.url)).await?;
    unlock(&device, "counsellor", "demo").await?;
    wait_for_text(&device, "#children-list .urgent-badge", "nguy cơ tự tử").await?;
    click_link(&device, "Lý Văn Tài").await?;
    wait_for_text(&device, "#urgent-flag", "nguy cơ tự tử").await?;
    wait_for_text(&device, "#screening-history", "PHQ-A").await?;
    screenshot(&device, "child-with-flag").await?;

    // Back online, the screening syncs: the server rescored it and accepted the same result.
    stack.start_server().await?;
    click_link(&device, "Đồng bộ").await?;
    click(&device, "#sync-now").await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;
    ensure!(
        device.find_all(By::Css(".rejection")).await?.is_empty(),
        "the server refused the screening"
    );
    device.quit().await?;

    // A colleague's device shows the flag and the result after its sync.
    let colleague = stack.browser().await?;
    sign_in(&colleague, &stack.url, "colleague", "demo").await?;
    wait_for_text(&colleague, "#greeting", "Đinh Thị Thu").await?;
    click_link(&colleague, "Trẻ em").await?;
    wait_for_text(&colleague, "#children-list", "Lý Văn Tài").await?;
    click_link(&colleague, "Lý Văn Tài").await?;
    wait_for_text(&colleague, "#urgent-flag", "nguy cơ tự tử").await?;
    click(&colleague, "#screening-history a").await?;
    wait_for_text(&colleague, "#result [data-score='total']", "10").await?;
    colleague.quit().await?;
    Ok(())
}
