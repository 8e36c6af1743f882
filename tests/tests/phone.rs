//! On a 360 px phone no page scrolls sideways (issue 12), with changes waiting (the header is
//! at its widest then) and offline, for a counsellor's pages; and for an administrator's and an
//! officer's pages online. Each page is also saved as a screenshot to look at.

use anyhow::Result;
use tests::{
    answer, child_with_consent, choose_target, click, record_safety_action, screenshot, sign_in,
    wait_for, wait_for_attr, wait_for_text, Stack, ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

/// Checks the page as it is now is no wider than the screen, and saves it as a screenshot.
async fn fits(driver: &WebDriver, name: &str) -> Result<()> {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let widths = driver
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await?
        .json()
        .clone();
    let (scroll, inner) = (
        widths[0].as_i64().unwrap_or(0),
        widths[1].as_i64().unwrap_or(0),
    );
    driver.execute("window.scrollTo(0, 0);", vec![]).await?;
    screenshot(driver, &format!("phone{name}")).await?;
    if inner > 0 && scroll <= inner {
        return Ok(());
    }
    // Name what sticks out, innermost first, to say what to fix.
    let culprits = driver
        .execute(
            "return [...document.querySelectorAll('body *')]
                .filter(e => !e.parentElement.closest('nav, .table-wrap, .tabs')
                    && e.getBoundingClientRect().right > window.innerWidth + 0.5
                    && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (e.className && e.className.baseVal === undefined ? '.' + e.className.split(' ').join('.') : '')
                    + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');",
            vec![],
        )
        .await?
        .json()
        .clone();
    anyhow::bail!("{name} scrolls sideways at {inner} px: the page is {scroll} px wide; {culprits}")
}

/// Opens each path in the app (a client route) and checks the page is no wider than the screen.
async fn no_sideways_scroll(driver: &WebDriver, url: &str, paths: &[(&str, &str)]) -> Result<()> {
    for (path, ready) in paths {
        driver
            .execute(
                "history.pushState(null, '', arguments[0]); window.dispatchEvent(new PopStateEvent('popstate'));",
                vec![serde_json::json!(format!("{url}{path}"))],
            )
            .await?;
        wait_for(driver, ready).await?;
        fits(driver, &path.replace(['/', '?', '='], "-")).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_scrolls_sideways_on_a_360_px_phone() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let phone = stack.browser().await?;
    phone.set_window_rect(0, 0, 360, 740).await?;
    phone.goto(&stack.url).await?;
    wait_for(&phone, "#sign-in").await?;
    fits(&phone, "-sign-in").await?;
    sign_in(&phone, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&phone, "#greeting", "Xin chào").await?;
    wait_for_attr(&phone, "#sync-status", "data-directory", "true").await?;
    stack.stop_server().await?;
    child_with_consent(&phone, "Hoàng Thị Phương Thảo").await?;
    wait_for_attr(&phone, "#sync-status", "data-pending", "2").await?;
    let child = phone
        .execute("return location.pathname;", vec![])
        .await?
        .json()
        .as_str()
        .unwrap_or_default()
        .to_string();
    let screen = format!("{child}/screen/phqa");
    let refer = format!("{child}/refer");
    let edit = format!("{child}/edit");

    // The question screen, the urgent panel over it, the result, and a referral with its slip.
    click(&phone, "#suggested #screen-phqa").await?;
    click(&phone, "#start-screening").await?;
    wait_for(&phone, "#question .option").await?;
    fits(&phone, "-question").await?;
    for n in 1..=8 {
        answer(&phone, n, 13, 1).await?;
    }
    answer(&phone, 9, 13, 1).await?;
    wait_for(&phone, "#urgent-panel").await?;
    fits(&phone, "-urgent-panel").await?;
    record_safety_action(&phone, "Đã gặp riêng em, báo mẹ em").await?;
    for n in 10..=13 {
        answer(&phone, n, 13, 0).await?;
    }
    click(&phone, "#finish-screening").await?;
    wait_for(&phone, "#result-flag").await?;
    fits(&phone, "-result").await?;
    click(&phone, "#refer-from-result").await?;
    choose_target(
        &phone,
        "commune_health_station",
        "Trạm y tế phường Tam Thanh",
    )
    .await?;
    click(&phone, "#send-referral").await?;
    wait_for(&phone, "#referral-to").await?;
    fits(&phone, "-referral").await?;
    let referral = phone
        .execute("return location.pathname;", vec![])
        .await?
        .json()
        .as_str()
        .unwrap_or_default()
        .to_string();
    let slip = format!("{referral}/slip");
    let check = format!("/r/{}?s=0", referral.rsplit('/').next().unwrap_or_default());
    no_sideways_scroll(
        &phone,
        &stack.url,
        &[
            ("/", "#greeting"),
            ("/children", "#children-list"),
            ("/children/new", "#field-full_name"),
            (&child, "#child-name"),
            (&screen, "#start-screening"),
            (&refer, "#referral-form"),
            (&edit, "#field-full_name"),
            (&slip, "main"),
            (&check, "main"),
            ("/referrals", "#tab-inbox"),
            ("/indicators", "#indicator-I1"),
            ("/sync", "#sync-now"),
            ("/directory", "main h1"),
            ("/password", "main h1"),
        ],
    )
    .await?;
    stack.start_server().await?;
    wait_for_attr(&phone, "#sync-status", "data-pending", "0").await?;
    phone.quit().await?;

    for (user, paths) in [
        (
            "admin",
            vec![
                ("/admin/users", "main h1"),
                ("/admin/facilities", "main h1"),
                ("/admin/audit", "main h1"),
            ],
        ),
        (
            "officer",
            vec![
                ("/indicators", "#indicator-I1"),
                ("/indicators/rows/I4", "main h1"),
            ],
        ),
    ] {
        let phone = stack.browser().await?;
        phone.set_window_rect(0, 0, 360, 740).await?;
        sign_in(&phone, &stack.url, user, "demo").await?;
        wait_for_text(&phone, "#greeting", "Xin chào").await?;
        no_sideways_scroll(&phone, &stack.url, &paths).await?;
        phone.quit().await?;
    }
    Ok(())
}
