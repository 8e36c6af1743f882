//! The safety pathway cannot be escaped (issue 12): a critical answer raises the child's urgent
//! flag as a stored record at once, so leaving the urgent panel by the Back button leaves the
//! flag standing ("action not yet recorded") on the child's page, on home, in the registry and on
//! a colleague's device; the action can be recorded from the child's page; a flagged result
//! leads with the flag; the referral form suggests the urgency and attaches the screening; and a
//! safety plan ends the flag, which the history keeps.

use anyhow::{ensure, Result};
use tests::{
    answer, child_with_consent, click, click_link, fill, record_safety_action, screenshot, sign_in,
    wait_for, wait_for_attr, wait_for_text, wait_until, Stack, ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

const CHILD: &str = "Hà Thị Lan";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_on_the_urgent_panel_leaves_the_flag_standing_until_it_is_acted_on_and_ended(
) -> Result<()> {
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
    sign_in(&device, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&device, "#greeting", "Xin chào").await?;
    ensure!(
        device.find_all(By::Css("#open-flags")).await?.is_empty(),
        "no flag is open yet"
    );
    child_with_consent(&device, CHILD).await?;

    // Item 9 at 2 opens the urgent panel; the counsellor presses Back.
    click(&device, "#suggested #screen-phqa").await?;
    click(&device, "#start-screening").await?;
    for n in 1..=8 {
        answer(&device, n, 13, 0).await?;
    }
    answer(&device, 9, 13, 2).await?;
    wait_for(&device, "#urgent-panel").await?;
    device.back().await?;

    // The flag stands on the child's page, saying the action is missing.
    wait_for_text(&device, "#urgent-flag", "nguy cơ tự tử").await?;
    wait_for(&device, "#urgent-flag #flag-awaiting").await?;
    screenshot(&device, "flag-awaiting-action").await?;
    // On home, at the top, and in the registry.
    click_link(&device, "Trang chủ").await?;
    wait_for_text(&device, "#open-flags", CHILD).await?;
    wait_for_attr(&device, "#open-flags .open-flag", "data-awaiting", "true").await?;
    click_link(&device, "Trẻ em").await?;
    wait_for_attr(
        &device,
        "#children-list .urgent-badge",
        "data-awaiting",
        "true",
    )
    .await?;
    // And it reaches the server, for colleagues.
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;
    let colleague = stack.browser().await?;
    sign_in(&colleague, &stack.url, "colleague", "demo").await?;
    wait_for_text(&colleague, "#open-flags", CHILD).await?;
    click_link(&colleague, CHILD).await?;
    wait_for(&colleague, "#urgent-flag #flag-awaiting").await?;
    colleague.quit().await?;

    // The action is recorded from the child's page.
    click_link(&device, CHILD).await?;
    click(&device, "#flag-record-action").await?;
    record_safety_action(&device, "Đã ở bên em, gọi cho mẹ em đến trường").await?;
    wait_for_text(&device, "#urgent-flag", "Hành động đã ghi lại").await?;
    ensure!(device
        .find_all(By::Css("#urgent-flag #flag-awaiting"))
        .await?
        .is_empty());

    // Back in the form, the panel does not ask again; the result leads with the flag.
    click(&device, "#suggested #screen-phqa").await?;
    for n in 10..=13 {
        answer(&device, n, 13, 0).await?;
    }
    ensure!(device.find_all(By::Css("#urgent-panel")).await?.is_empty());
    click(&device, "#finish-screening").await?;
    wait_for(&device, "#result-flag").await?;
    wait_until(
        &device,
        "const flag = document.querySelector('#result-flag'), verdict = document.querySelector('#verdict');
         return !!flag && !!verdict && !verdict.classList.contains('ok')
             && !!(flag.compareDocumentPosition(verdict) & Node.DOCUMENT_POSITION_FOLLOWING);",
    )
    .await?;
    screenshot(&device, "flagged-result").await?;

    // The referral form suggests an urgent referral with the flagged screening attached.
    click(&device, "#refer-from-result").await?;
    wait_until(
        &device,
        "return document.querySelector(\"input[name='urgency'][value='urgent']\")?.checked === true
             && document.querySelector(\"#attach-screenings input[name='screening']\")?.checked === true;",
    )
    .await?;
    device.back().await?;

    // A safety plan ends it: the note is required, then the flag is gone and history keeps it.
    device.goto(format!("{}/children", stack.url)).await?;
    click_link(&device, CHILD).await?;
    click(&device, "#end-flag summary").await?;
    click(&device, "#end-flag-submit").await?;
    wait_until(
        &device,
        "return document.querySelector('#field-flag-note-error')?.textContent.trim().length > 0;",
    )
    .await?;
    fill(
        &device,
        "field-flag-note",
        "Kế hoạch an toàn cùng mẹ em, hẹn gặp lại thứ Sáu",
    )
    .await?;
    click(&device, "#end-flag-submit").await?;
    wait_until(
        &device,
        "return document.querySelector('#urgent-flag') === null;",
    )
    .await?;
    wait_for_attr(&device, "#flag-history .flag-row", "data-state", "Ended").await?;
    wait_for_text(&device, "#flag-history", "kế hoạch an toàn").await?;
    click_link(&device, "Trang chủ").await?;
    wait_for_text(&device, "#greeting", "Xin chào").await?;
    ensure!(device.find_all(By::Css("#open-flags")).await?.is_empty());
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;
    ensure!(
        device.find_all(By::Css(".rejection")).await?.is_empty(),
        "the server refused a step of the flag"
    );
    device.quit().await?;
    Ok(())
}
