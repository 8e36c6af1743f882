//! The referral network in the browser, with two devices: a school counsellor refers a child from
//! a positive PHQ-A; the health station's worker receives it after sync, and (offline) accepts it
//! with an appointment, records the visit and completes it with feedback; after sync the
//! counsellor reads the feedback on the child's page. Then a decline that prompts the sender to
//! refer elsewhere, and a referral shown overdue on both sides once the server's clock has moved
//! past its due time.

use anyhow::{ensure, Result};
use tests::{
    answer, child_with_consent, choose_target, click, click_link, days, fill, record_safety_action,
    screenshot, sign_in, wait_for, wait_for_attr, wait_for_text, wait_until, Stack, ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

const STATION: &str = "Trạm y tế phường Tam Thanh";

/// Signs in and waits until the first sync has kept the directory for offline use.
async fn device(stack: &mut Stack, username: &str) -> Result<WebDriver> {
    let driver = stack.browser().await?;
    sign_in(&driver, &stack.url, username, "demo").await?;
    wait_for_text(&driver, "#greeting", "Xin chào").await?;
    wait_for_attr(&driver, "#sync-status", "data-directory", "true").await?;
    Ok(driver)
}

/// Opens the referrals page from the navigation (its link also carries the notice count).
async fn open_referrals(driver: &WebDriver) -> Result<()> {
    click(driver, ".mainnav a[href='/referrals']").await?;
    wait_for(driver, "#tab-inbox").await?;
    Ok(())
}

async fn sync_now(driver: &WebDriver) -> Result<()> {
    click_link(driver, "Đồng bộ").await?;
    click(driver, "#sync-now").await?;
    wait_for_attr(driver, "#sync-status", "data-pending", "0").await?;
    wait_for_attr(driver, "#sync-status", "data-running", "false").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referral_reaches_the_station_and_its_feedback_comes_back() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let school = device(&mut stack, "counsellor").await?;
    child_with_consent(&school, "Lý Văn Tài").await?;

    // A positive PHQ-A with item 9 answered: the urgent panel, then the result offers referral.
    click(&school, "#suggested #screen-phqa").await?;
    click(&school, "#start-screening").await?;
    for n in 1..=8 {
        answer(&school, n, 13, 2).await?;
    }
    answer(&school, 9, 13, 1).await?;
    record_safety_action(&school, "Đã gặp riêng em và gọi cho bố em").await?;
    for n in 10..=13 {
        answer(&school, n, 13, 0).await?;
    }
    click(&school, "#finish-screening").await?;
    wait_for_text(&school, "#verdict", "Dương tính").await?;
    click(&school, "#refer-from-result").await?;

    // The form: the screening attached, urgency from the flag, consent found.
    wait_for(&school, "#attach-screenings input:checked").await?;
    ensure!(
        school
            .find(By::Css("input[name='urgency'][value='urgent']"))
            .await?
            .is_selected()
            .await?,
        "a non-acute flag suggests an urgent referral"
    );
    choose_target(&school, "commune_health_station", STATION).await?;
    wait_for(&school, "#consent-ok").await?;
    fill(&school, "field-done_already", "Đã gặp riêng em, báo bố em").await?;
    screenshot(&school, "referral-form").await?;
    click(&school, "#send-referral").await?;
    wait_for_text(&school, "#referral-to", STATION).await?;
    wait_for_attr(&school, "#sync-status", "data-pending", "0").await?;

    // The station sees it after its sync: a notice, the packet with item 9 (a clinical role).
    let station = device(&mut stack, "health").await?;
    wait_for_text(&station, "#nav-notices", "1").await?;
    wait_for_text(&station, "#home-referrals", "1 chuyển tuyến mới").await?;
    open_referrals(&station).await?;
    wait_for_text(&station, "#notices", "Chuyển tuyến mới: Lý Văn Tài").await?;
    click_link(&station, "Lý Văn Tài").await?;
    wait_for_text(&station, "#referral-screenings", "tổng điểm 17").await?;
    wait_for(&station, "#referral-sensitive").await?;
    // Opening it marked it received.
    wait_for_text(&station, "#referral-timeline", "Đã mở, xác nhận nhận").await?;
    wait_for_attr(&station, "#sync-status", "data-pending", "0").await?;
    screenshot(&station, "referral-received").await?;

    // Offline at the station: accept with an appointment, the visit, and the feedback.
    stack.stop_server().await?;
    click(&station, "#action-accept").await?;
    // The hint gives an example to copy; a wrong time is named as the time, not the date.
    wait_for_text(&station, "#appointment-hint", &days::typed(7)).await?;
    fill(
        &station,
        "field-appointment",
        &format!("{} 25:00", days::typed(2)),
    )
    .await?;
    click(&station, "#do-accept").await?;
    wait_for_text(&station, ".field-error", "Giờ không hợp lệ").await?;
    // An appointment the day after tomorrow, whatever day the test runs.
    fill(
        &station,
        "field-appointment",
        &format!("{} 08:30", days::typed(2)),
    )
    .await?;
    click(&station, "#do-accept").await?;
    click(&station, "#action-attend").await?;
    click(&station, "#do-attend").await?;
    click(&station, "#action-complete").await?;
    click(&station, "#do-complete").await?;
    wait_for(&station, "#form-complete .field.invalid").await?;
    fill(
        &station,
        "field-found",
        "Trầm cảm mức độ vừa, chưa có kế hoạch tự sát",
    )
    .await?;
    click(&station, "#form-complete input[value='counselling']").await?;
    fill(
        &station,
        "field-for_school",
        "Gặp riêng em mỗi tuần, báo trạm nếu em vắng học",
    )
    .await?;
    fill(&station, "field-for_family", "Đưa em tái khám sau 2 tuần").await?;
    click(&station, "#do-complete").await?;
    wait_for(&station, "[data-status='completed']").await?;
    wait_for_attr(&station, "#sync-status", "data-pending", "3").await?;
    ensure!(
        station
            .find_all(By::Css("#referral-timeline li.pending"))
            .await?
            .len()
            == 3,
        "the three offline steps wait to sync"
    );
    screenshot(&station, "referral-completed-offline").await?;
    stack.start_server().await?;
    sync_now(&station).await?;
    ensure!(
        station.find_all(By::Css(".rejection")).await?.is_empty(),
        "the server refused a step"
    );

    // The counsellor's device: the feedback on the child's page, a notice, and the signed slip.
    sync_now(&school).await?;
    click_link(&school, "Trẻ em").await?;
    click_link(&school, "Lý Văn Tài").await?;
    wait_for_text(
        &school,
        "#child-referrals .for-school",
        "Gặp riêng em mỗi tuần",
    )
    .await?;
    wait_for(&school, "#child-referrals [data-status='completed']").await?;
    screenshot(&school, "child-feedback").await?;
    // Two notices: the appointment to tell the family of, and the feedback.
    wait_for_text(&school, "#nav-notices", "2").await?;
    open_referrals(&school).await?;
    wait_for_text(&school, "#notices", "Đã có phản hồi: Lý Văn Tài").await?;
    wait_for_text(
        &school,
        "#notices",
        "Đã được tiếp nhận, có lịch hẹn: Lý Văn Tài",
    )
    .await?;
    click(&school, "#mark-seen").await?;
    wait_until(
        &school,
        "return document.querySelector('#nav-notices') === null;",
    )
    .await?;
    click(&school, "#tab-outbox").await?;
    click_link(&school, "Lý Văn Tài").await?;
    wait_for_text(&school, "#feedback-school", "Gặp riêng em mỗi tuần").await?;
    ensure!(
        school
            .find_all(By::Css("#referral-sensitive"))
            .await?
            .is_empty(),
        "a counsellor is not shown the sensitive answers of the packet"
    );
    let code = wait_for(&school, "#referral-code").await?.text().await?;
    click(&school, "#print-slip").await?;
    wait_for(&school, "#slip-qr svg").await?;
    wait_for_text(&school, "#slip-code", &code).await?;
    wait_for_text(&school, "#slip-to", STATION).await?;
    screenshot(&school, "referral-slip").await?;
    // A slip whose signature was altered is not confirmed.
    let id = school
        .execute("return location.pathname.split('/')[2];", vec![])
        .await?
        .json()
        .as_str()
        .unwrap_or_default()
        .to_string();
    school
        .goto(format!("{}/r/{id}?s=AAAAAAAAAAAAAAAAAAAAAA", stack.url))
        .await?;
    wait_for_attr(&school, "#slip-check", "data-genuine", "false").await?;
    // The station finds the same referral by the code typed from the paper.
    open_referrals(&station).await?;
    fill(
        &station,
        "referral-code",
        &code.to_lowercase().replace('-', " "),
    )
    .await?;
    station
        .find(By::Css(".code-lookup button"))
        .await?
        .click()
        .await?;
    wait_for_text(&station, "#referral-code", &code).await?;
    school.quit().await?;
    station.quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decline_prompts_another_referral_and_a_late_one_stands_out_as_overdue() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let school = device(&mut stack, "counsellor").await?;
    child_with_consent(&school, "Hà Thị Lan").await?;

    // Two referrals from the child's page: a routine one to the ward's station, and an urgent
    // one to the commune station of Văn Quan.
    for (target, urgency) in [(STATION, "routine"), ("Trạm y tế xã Văn Quan", "urgent")] {
        click_link(&school, "Trẻ em").await?;
        click_link(&school, "Hà Thị Lan").await?;
        click(&school, "#refer-child").await?;
        choose_target(&school, "commune_health_station", target).await?;
        wait_for(
            &school,
            &format!("input[name='urgency'][value='{urgency}']"),
        )
        .await?
        .click()
        .await?;
        fill(&school, "field-reason", "Em hay khóc, bỏ ăn, thu mình").await?;
        click(&school, "#send-referral").await?;
        wait_for_text(&school, "#referral-to", target).await?;
    }
    wait_for_attr(&school, "#sync-status", "data-pending", "0").await?;

    // The station declines its referral with a reason.
    let station = device(&mut stack, "health").await?;
    open_referrals(&station).await?;
    click_link(&station, "Hà Thị Lan").await?;
    click(&station, "#action-decline").await?;
    click(&station, "#do-decline").await?;
    wait_for(&station, "#form-decline .field.invalid").await?;
    fill(
        &station,
        "field-reason",
        "Trạm chưa có cán bộ tâm lý; đề nghị chuyển bệnh viện tỉnh",
    )
    .await?;
    click(&station, "#do-decline").await?;
    wait_for(&station, "[data-status='declined']").await?;
    wait_for_attr(&station, "#sync-status", "data-pending", "0").await?;

    // Three days pass on the server: the urgent referral nobody opened is overdue (48 hours).
    stack.clock.advance(chrono::Duration::days(3));
    sync_now(&school).await?;
    click_link(&school, "Trang chủ").await?;
    wait_for_attr(&school, "#referral-counts", "data-overdue", "1").await?;
    open_referrals(&school).await?;
    wait_for_text(&school, "#notices", "Bị từ chối: Hà Thị Lan").await?;
    click(&school, "#tab-outbox").await?;
    wait_for_text(
        &school,
        "#referral-list .referral-row.overdue",
        "Hà Thị Lan",
    )
    .await?;
    ensure!(
        school
            .find_all(By::Css("#referral-list .referral-row.overdue"))
            .await?
            .len()
            == 1,
        "only the unopened urgent referral is overdue"
    );
    screenshot(&school, "referrals-outbox-overdue").await?;
    // The declined one tells the counsellor to refer elsewhere.
    school
        .find(By::Css("#referral-list .referral-row:not(.overdue) a"))
        .await?
        .click()
        .await?;
    wait_for_text(&school, "#declined-prompt", "chuyển đến cơ sở khác").await?;
    wait_for_text(&school, "#referral-timeline", "bệnh viện tỉnh").await?;

    // The receiving side sees it overdue too: a user of the Văn Quan station.
    stack
        .add_user(
            "tramvanquan",
            "Mã Văn Đức",
            "health_worker",
            "Trạm y tế xã Văn Quan",
        )
        .await?;
    let other = device(&mut stack, "tramvanquan").await?;
    open_referrals(&other).await?;
    click(&other, "#filter-overdue").await?;
    wait_for_text(&other, "#referral-list .referral-row.overdue", "Hà Thị Lan").await?;
    school.quit().await?;
    station.quit().await?;
    other.quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_after_the_stations_acceptance_reaches_the_station() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let school = device(&mut stack, "counsellor").await?;
    child_with_consent(&school, "Lục Văn Minh").await?;
    click(&school, "#refer-child").await?;
    choose_target(&school, "commune_health_station", STATION).await?;
    fill(&school, "field-reason", "Em mất ngủ kéo dài, hay cáu gắt").await?;
    click(&school, "#send-referral").await?;
    wait_for_text(&school, "#referral-to", STATION).await?;
    wait_for_attr(&school, "#sync-status", "data-pending", "0").await?;

    // The station accepts; the school, idle on its page, has not pulled that yet.
    let station = device(&mut stack, "health").await?;
    open_referrals(&station).await?;
    click_link(&station, "Lục Văn Minh").await?;
    click(&station, "#action-accept").await?;
    fill(
        &station,
        "field-appointment",
        &format!("{} 09:00", days::typed(1)),
    )
    .await?;
    click(&station, "#do-accept").await?;
    wait_for(&station, "[data-status='accepted']").await?;
    wait_for_attr(&station, "#sync-status", "data-pending", "0").await?;

    // The school cancels from what it last knew; the button says what it does.
    click(&school, "#action-cancel").await?;
    wait_for_text(&school, "#do-cancel", "Xác nhận: hủy chuyển tuyến").await?;
    fill(
        &school,
        "field-reason",
        "Gia đình đã đưa em đi khám nơi khác",
    )
    .await?;
    click(&school, "#do-cancel").await?;
    wait_for_attr(&school, "#sync-status", "data-pending", "0").await?;
    wait_for_text(&school, "#referral-cancelled", "ĐÃ HỦY").await?;
    // The school learns, by the same run, that the station had accepted first: a notice (the
    // family may have been given the appointment) and the timeline in the server's order.
    wait_until(
        &school,
        "const t = document.querySelector('#referral-timeline')?.textContent ?? '';
         return t.indexOf('Tiếp nhận') >= 0 && t.indexOf('Tiếp nhận') < t.indexOf('Hủy chuyển tuyến');",
    )
    .await?;
    open_referrals(&school).await?;
    wait_for_text(
        &school,
        "#notices",
        "Đã được tiếp nhận, có lịch hẹn: Lục Văn Minh",
    )
    .await?;

    // The station is told, in the server's order: accepted, then cancelled.
    sync_now(&station).await?;
    open_referrals(&station).await?;
    wait_for_text(&station, "#notices", "Nơi chuyển đã hủy: Lục Văn Minh").await?;
    click_link(&station, "Lục Văn Minh").await?;
    wait_for_text(
        &station,
        "#referral-cancelled",
        "Gia đình đã đưa em đi khám nơi khác",
    )
    .await?;
    wait_until(
        &station,
        "const t = document.querySelector('#referral-timeline')?.textContent ?? '';
         return t.indexOf('Tiếp nhận') >= 0 && t.indexOf('Tiếp nhận') < t.indexOf('Hủy chuyển tuyến');",
    )
    .await?;
    // Opened from a reload, the page names both facilities (the directory loads after it).
    station.refresh().await?;
    wait_for_text(&station, "#referral-to", STATION).await?;
    wait_for_text(&station, "#referral-from", "Trường THCS Tam Thanh").await?;
    click(&station, "#print-slip").await?;
    wait_for_text(&station, "#slip-cancelled", "ĐÃ HỦY").await?;
    school.quit().await?;
    station.quit().await?;
    Ok(())
}
