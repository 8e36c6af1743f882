//! On a 360 px phone no page scrolls sideways (issue 12), with changes waiting (the header is
//! at its widest then) and offline, for a counsellor's pages; and for an administrator's and an
//! officer's pages online. Each page is also saved as a screenshot to look at.

use anyhow::{ensure, Result};
use tests::{
    child_with_consent, screenshot, sign_in, wait_for, wait_for_attr, wait_for_text, Stack,
    ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

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
        let name = format!("phone{}", path.replace(['/', '?', '='], "-"));
        screenshot(driver, &name).await?;
        ensure!(
            scroll <= inner,
            "{path} scrolls sideways at {inner} px: the page is {scroll} px wide"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_scrolls_sideways_on_a_360_px_phone() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let phone = stack.browser().await?;
    phone.set_window_rect(0, 0, 360, 740).await?;
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
        ("officer", vec![("/indicators", "#indicator-I1")]),
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
