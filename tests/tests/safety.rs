//! The safety pathway cannot be escaped (issue 12): a critical answer raises the child's urgent
//! flag as a stored record at once, so leaving the urgent panel by the Back button leaves the
//! flag standing ("action not yet recorded") on the child's page, on home, in the registry and on
//! a colleague's device; the action can be recorded from the child's page; a flagged result
//! leads with the flag; the referral form suggests the urgency and attaches the screening; and a
//! safety plan ends the flag, which the history keeps.

use anyhow::{ensure, Result};
use tests::{
    answer, child_with_consent, choose_target, click, click_link, fill, record_safety_action,
    register_child, screenshot, select, sign_in, wait_for, wait_for_attr, wait_for_text,
    wait_until, Choice, Stack, ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

const CHILD: &str = "Hà Thị Lan";
const STATION: &str = "Trạm y tế phường Tam Thanh";

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

    // Opened from the child's page (not the result), the referral form still suggests an urgent
    // referral with the flagged screening attached.
    device.goto(format!("{}/children", stack.url)).await?;
    click_link(&device, CHILD).await?;
    click(&device, "#refer-child").await?;
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

/// The sharing consent is recorded on the referral form itself, and the completed referral with
/// its feedback ends the child's urgent flag, with who and when (issue 12).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completed_referral_ends_the_flag_and_consent_is_recorded_on_the_referral_form(
) -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let school = stack.browser().await?;
    sign_in(&school, &stack.url, "counsellor", "demo").await?;
    wait_for_attr(&school, "#sync-status", "data-directory", "true").await?;
    // Consent to screening only: nothing yet allows sharing with a health station.
    click_link(&school, "Trẻ em").await?;
    click(&school, "#register-child").await?;
    register_child(&school, "Mã Thị Ngọc", &tests::days::born(15)).await?;
    click(&school, "#record-consent").await?;
    click(&school, "#field-child_agreed").await?;
    click(&school, "#save-consent").await?;
    wait_for_text(&school, "#consents", "Còn hiệu lực").await?;
    click(&school, "#suggested #screen-phqa").await?;
    click(&school, "#start-screening").await?;
    for n in 1..=8 {
        answer(&school, n, 13, 1).await?;
    }
    answer(&school, 9, 13, 1).await?;
    wait_for(&school, "#urgent-panel").await?;
    record_safety_action(&school, "Đã ở cùng em, báo bố em").await?;
    for n in 10..=13 {
        answer(&school, n, 13, 0).await?;
    }
    click(&school, "#finish-screening").await?;
    wait_for(&school, "#result-flag").await?;

    // The referral form asks for consent and takes it there, keeping what was typed.
    click(&school, "#refer-from-result").await?;
    choose_target(&school, "commune_health_station", STATION).await?;
    wait_for(&school, "#consent-missing").await?;
    fill(
        &school,
        "field-reason",
        "Câu 9 dương tính, cần khám trong tuần",
    )
    .await?;
    click(&school, "#referral-form-consent #record-consent").await?;
    click(&school, "#field-child_agreed").await?;
    // The form opens with the purpose the referral needs already ticked.
    wait_until(
        &school,
        "return document.querySelector(\"#consent-form input[value='share_health']\")?.checked === true;",
    )
    .await?;
    click(&school, "#save-consent").await?;
    wait_for(&school, "#consent-ok").await?;
    ensure!(
        school
            .find(By::Css("#field-reason"))
            .await?
            .value()
            .await?
            .unwrap_or_default()
            .contains("Câu 9"),
        "the reason typed before recording consent is kept"
    );
    click(&school, "#send-referral").await?;
    wait_for_text(&school, "#referral-to", STATION).await?;
    wait_for_attr(&school, "#sync-status", "data-pending", "0").await?;

    // The station sees the child, accepts, records the visit and completes with feedback.
    let station = stack.browser().await?;
    sign_in(&station, &stack.url, "health", "demo").await?;
    wait_for_attr(&station, "#sync-status", "data-directory", "true").await?;
    click(&station, ".mainnav a[href='/referrals']").await?;
    click_link(&station, "Mã Thị Ngọc").await?;
    click(&station, "#action-accept").await?;
    fill(
        &station,
        "field-appointment",
        &format!("{} 08:00", tests::days::typed(1)),
    )
    .await?;
    click(&station, "#do-accept").await?;
    click(&station, "#action-attend").await?;
    click(&station, "#do-attend").await?;
    click(&station, "#action-complete").await?;
    fill(
        &station,
        "field-found",
        "Có ý nghĩ tự sát thoáng qua, không có kế hoạch",
    )
    .await?;
    click(&station, "#form-complete input[value='counselling']").await?;
    fill(&station, "field-for_school", "Gặp em mỗi tuần").await?;
    fill(&station, "field-for_family", "Tái khám sau 2 tuần").await?;
    click(&station, "#do-complete").await?;
    wait_for(&station, "[data-status='completed']").await?;
    wait_for_attr(&station, "#sync-status", "data-pending", "0").await?;
    station.quit().await?;

    // At the school, the completed referral ends the flag.
    click_link(&school, "Đồng bộ").await?;
    click(&school, "#sync-now").await?;
    wait_for_attr(&school, "#sync-status", "data-running", "false").await?;
    click_link(&school, "Trẻ em").await?;
    click_link(&school, "Mã Thị Ngọc").await?;
    wait_for(&school, "#child-referrals [data-status='completed']").await?;
    click(&school, "#end-flag summary").await?;
    click(
        &school,
        "#end-flag input[name='flag-end'][value='ReferralCompleted']",
    )
    .await?;
    select(&school, "#field-flag-referral", Choice::Text(STATION)).await?;
    fill(&school, "field-flag-note", "Trạm y tế đã khám và tư vấn").await?;
    click(&school, "#end-flag-submit").await?;
    wait_until(
        &school,
        "return document.querySelector('#urgent-flag') === null;",
    )
    .await?;
    wait_for_attr(&school, "#flag-history .flag-row", "data-state", "Ended").await?;
    wait_for_attr(&school, "#sync-status", "data-pending", "0").await?;
    // Who ended it and when, as the server stamped it (no step left "not yet synced").
    wait_until(
        &school,
        "const t = document.querySelector('#flag-history')?.textContent ?? '';
         return t.includes('Hoàng Thị Mai') && !t.includes('chưa đồng bộ');",
    )
    .await?;
    ensure!(
        school.find_all(By::Css(".rejection")).await?.is_empty(),
        "the server refused a step of the flag"
    );
    school.quit().await?;
    Ok(())
}
