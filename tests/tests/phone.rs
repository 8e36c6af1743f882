//! On a 360 px phone no page scrolls sideways (issue 12), with changes waiting (the header is
//! at its widest then) and offline, for a counsellor's pages; and for an administrator's and an
//! officer's pages online. Each page is also saved as a screenshot to look at.

use anyhow::Result;
use tests::{
    answer, child_with_consent, choose_target, click, record_safety_action, screenshot, sign_in,
    wait_for, wait_for_attr, wait_for_text, Stack, ONE_AT_A_TIME,
};
use thirtyfour::prelude::*;

/// Checks the page as it is now has no accessibility violation in either language (axe-core),
/// is no wider than the screen, and saves it as a screenshot.
async fn fits(driver: &WebDriver, name: &str) -> Result<()> {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    tests::axe::accessible_in_both_languages(driver, name).await?;
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
    usable_by_thumb(driver, name).await?;
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

/// What a thumb and an eye need on a phone (issue 18): controls at least 44 px tall, chart text
/// at least 12 px as drawn, every menu entry on the screen, and list rows tappable across their
/// whole width (a tap near a row's far corner lands on its link).
async fn usable_by_thumb(driver: &WebDriver, name: &str) -> Result<()> {
    let found = driver
        .execute(
            "const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                 + ' \"' + (e.textContent || '').trim().slice(0, 24) + '\"';
             const shown = e => { const r = e.getBoundingClientRect();
                 return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
             const small = [...document.querySelectorAll('button, select, summary, .mainnav a, .chip, .tab, .sync-pill, '
                     + 'input:not([type=checkbox]):not([type=radio]):not([type=hidden])')]
                 .filter(e => shown(e) && e.getBoundingClientRect().height < 43.5)
                 .map(e => name(e) + ' ' + Math.round(e.getBoundingClientRect().height) + 'px');
             const tiny = [...document.querySelectorAll('svg text')].filter(shown).map(t => {
                     const svg = t.ownerSVGElement, box = svg.viewBox.baseVal;
                     const scale = box && box.width ? svg.getBoundingClientRect().width / box.width : 1;
                     return [t, parseFloat(getComputedStyle(t).fontSize) * scale]; })
                 .filter(([, px]) => px < 11.95)
                 .map(([t, px]) => 'chart text \"' + t.textContent + '\" ' + px.toFixed(1) + 'px');
             const menu = [...document.querySelectorAll('.mainnav a')]
                 .filter(a => a.getBoundingClientRect().right > innerWidth + 0.5 || !shown(a))
                 .map(a => 'menu entry off screen: ' + a.textContent.trim());
             const rows = [...document.querySelectorAll('.child-row, .referral-row')].filter(shown).filter(row => {
                     row.scrollIntoView({ block: 'center' });
                     const r = row.getBoundingClientRect();
                     const hit = document.elementFromPoint(r.right - 6, r.bottom - 6);
                     return !hit || !hit.closest('a') || !row.contains(hit.closest('a')); })
                 .map(row => 'row not tappable across: ' + name(row));
             return [...small, ...tiny, ...menu, ...rows].slice(0, 12);",
            vec![],
        )
        .await?
        .json()
        .clone();
    let problems: Vec<String> = serde_json::from_value(found)?;
    anyhow::ensure!(
        problems.is_empty(),
        "{name} on a phone:\n{}",
        problems.join("\n")
    );
    Ok(())
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
            ("/activities", "#activities"),
            ("/indicators", "#indicator-I1"),
            ("/sync", "#sync-now"),
            ("/directory", "main h1"),
            ("/password", "main h1"),
        ],
    )
    .await?;
    no_sideways_scroll(&phone, &stack.url, &[("/referrals", "#tab-outbox")]).await?;
    click(&phone, "#tab-outbox").await?;
    wait_for(&phone, ".referral-row").await?;
    fits(&phone, "-referrals-outbox").await?;
    stack.start_server().await?;
    wait_for_attr(&phone, "#sync-status", "data-pending", "0").await?;
    phone.quit().await?;

    for (user, paths) in [
        (
            "health",
            vec![
                ("/", "#greeting"),
                ("/referrals", "#tab-inbox"),
                (&referral, "#referral-to"),
            ],
        ),
        (
            "admin",
            vec![
                ("/", "#greeting"),
                ("/admin/users", "main h1"),
                ("/admin/facilities", "main h1"),
                ("/admin/audit", "main h1"),
            ],
        ),
        (
            "officer",
            vec![
                ("/", "#greeting"),
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
