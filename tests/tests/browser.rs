//! Browser end-to-end tests: what a person does and sees, in headless Chromium, against the real
//! server and the real built bundle.

use anyhow::Result;
use tests::{
    click, click_link, days, fill, register_child, register_synced_child, screenshot, sign_in,
    sign_in_to_stay, unlock, wait_for, wait_for_attr, wait_for_text, wait_until, Stack,
    ONE_AT_A_TIME,
};
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counsellor_signs_in_in_vietnamese_switches_to_english_and_signs_out() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let driver = stack.browser().await?;

    sign_in(&driver, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&driver, "#greeting", "Xin chào, Hoàng Thị Mai").await?;
    wait_for_text(&driver, "#home-role", "Tư vấn tâm lý học đường").await?;
    wait_for_text(&driver, ".who-place", "Trường THCS Tam Thanh").await?;
    let lang = driver.find(By::Css("html")).await?.attr("lang").await?;
    assert_eq!(lang.as_deref(), Some("vi"));
    // Only what a counsellor can use is in the navigation: no administration links.
    let nav = driver.find(By::Css(".mainnav")).await?.text().await?;
    assert!(
        nav.contains("Trang chủ") && nav.contains("Danh bạ cơ sở"),
        "{nav}"
    );
    assert!(
        !nav.contains("Người dùng") && !nav.contains("Nhật ký"),
        "{nav}"
    );
    screenshot(&driver, "home-vi").await?;
    driver.set_window_rect(0, 0, 360, 780).await?;
    screenshot(&driver, "home-vi-phone").await?;
    driver.set_window_rect(0, 0, 1280, 900).await?;

    click(&driver, "#switch-language").await?;
    wait_for_text(&driver, "#greeting", "Hello, Hoàng Thị Mai").await?;
    wait_for_text(&driver, "#home-role", "School counsellor").await?;
    // The choice is remembered across a reload, and the session survives it.
    driver.refresh().await?;
    wait_for_text(&driver, "#greeting", "Hello, Hoàng Thị Mai").await?;
    let lang = driver.find(By::Css("html")).await?.attr("lang").await?;
    assert_eq!(lang.as_deref(), Some("en"));

    click(&driver, "#sign-out").await?;
    wait_for_text(&driver, "#sign-in", "Sign in").await?;
    // Nothing of the session is left readable on this device.
    let left = driver
        .execute("return localStorage.getItem('tam-an.session');", vec![])
        .await?;
    assert!(
        left.json().is_null(),
        "session left in storage: {:?}",
        left.json()
    );
    driver.quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_gets_a_clear_message() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let driver = stack.browser().await?;
    sign_in(&driver, &stack.url, "health", "not-the-password").await?;
    wait_for_text(&driver, ".notice.error", "Sai tên đăng nhập hoặc mật khẩu.").await?;
    // Empty fields are caught before anything is sent.
    fill(&driver, "field-username", "").await?;
    click(&driver, "#sign-in").await?;
    wait_for_text(
        &driver,
        "#field-username-error",
        "Vui lòng nhập thông tin này.",
    )
    .await?;
    screenshot(&driver, "sign-in-error").await?;
    driver.quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_creates_a_user_who_then_signs_in() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let admin = stack.browser().await?;
    sign_in(&admin, &stack.url, "admin", "demo").await?;
    wait_for_text(&admin, "#greeting", "Xin chào").await?;
    wait_for_text(&admin, ".mainnav", "Người dùng").await?;
    click_link(&admin, "Người dùng").await?;
    wait_for_text(&admin, "#users-table", "counsellor").await?;

    click(&admin, "#add-user").await?;
    fill(&admin, "field-username", "lan.tran").await?;
    fill(&admin, "field-full_name", "Trần Thị Lan").await?;
    SelectElement::new(&wait_for(&admin, "#field-role").await?)
        .await?
        .select_by_value("counsellor")
        .await?;
    let workplace = wait_for(&admin, "#field-facility_id").await?;
    wait_for_text(&admin, "#field-facility_id", "Trường Tiểu học Văn Quan").await?;
    SelectElement::new(&workplace)
        .await?
        .select_by_exact_text("Trường Tiểu học Văn Quan")
        .await?;
    click(&admin, "#create-user").await?;
    let one_time = wait_for(&admin, "#one-time-password-value")
        .await?
        .text()
        .await?;
    assert_eq!(one_time.chars().count(), 12, "{one_time:?}");
    wait_for_text(&admin, "#users-table", "lan.tran").await?;
    screenshot(&admin, "admin-users").await?;

    // The directory and the audit log show what is there, and what just happened.
    click_link(&admin, "Cơ sở và địa bàn").await?;
    wait_for_text(&admin, "#facilities-table", "Trạm y tế xã Văn Quan").await?;
    wait_for_text(&admin, "#areas-table", "Huyện Văn Quan (cũ)").await?;
    screenshot(&admin, "admin-facilities").await?;
    click_link(&admin, "Nhật ký truy cập").await?;
    wait_for_text(&admin, "#audit-table", "Tạo tài khoản").await?;
    screenshot(&admin, "admin-audit").await?;
    admin.quit().await?;

    // On another device, the new user signs in with the one-time password and must change it.
    let device = stack.browser().await?;
    sign_in(&device, &stack.url, "lan.tran", &one_time).await?;
    wait_for(&device, "#field-current_password").await?;
    fill(&device, "field-current_password", &one_time).await?;
    fill(&device, "field-new_password", "hoa-ban-trắng").await?;
    fill(&device, "field-confirm_password", "hoa-ban-trắng").await?;
    click(&device, "#save-password").await?;
    wait_for_text(&device, "#greeting", "Xin chào, Trần Thị Lan").await?;
    wait_for_text(&device, ".who-place", "Trường Tiểu học Văn Quan").await?;
    device.quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn children_registered_offline_survive_a_reload_and_reach_colleagues_only() -> Result<()> {
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
    stack
        .add_user(
            "stranger",
            "Lý Văn Sơn",
            "counsellor",
            "Trường Tiểu học Văn Quan",
        )
        .await?;

    let device = stack.browser().await?;
    sign_in(&device, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&device, "#greeting", "Xin chào").await?;
    // The service worker has taken over and the first sync has finished.
    wait_until(
        &device,
        "return navigator.serviceWorker.controller !== null;",
    )
    .await?;
    wait_for_text(&device, "#sync-status", "Trực tuyến").await?;
    // The first run has also kept the communes the registration form needs offline.
    wait_for_attr(&device, "#sync-status", "data-directory", "true").await?;
    click_link(&device, "Trẻ em").await?;
    wait_for_text(&device, "#children-count", "0 trẻ").await?;

    // The connection drops.
    stack.stop_server().await?;
    for (name, born) in [
        ("Hoàng Thị Hoa", days::born(14)),
        ("Hoàng Thị Huệ", days::born(13)),
    ] {
        click_link(&device, "Trẻ em").await?;
        click(&device, "#register-child").await?;
        register_child(&device, name, &born).await?;
    }
    wait_for_attr(&device, "#sync-status", "data-pending", "2").await?;

    // Still offline, the app reopens from the service worker; the device's data is sealed and
    // opens with the password (no network needed), with both children and both changes.
    device.goto(format!("{}/children", stack.url)).await?;
    unlock(&device, "counsellor", "demo").await?;
    wait_for_text(&device, "#children-list", "Hoàng Thị Hoa").await?;
    wait_for_text(&device, "#children-list", "Hoàng Thị Huệ").await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "2").await?;
    wait_for_attr(&device, "#sync-status", "data-online", "false").await?;
    // Search ignores accents and case.
    fill(&device, "child-search", "hoang thi hue").await?;
    wait_for_text(&device, "#children-count", "1 trẻ").await?;
    screenshot(&device, "children-offline").await?;

    // The connection returns; a sync sends both.
    stack.start_server().await?;
    click_link(&device, "Đồng bộ").await?;
    click(&device, "#sync-now").await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;
    wait_for_attr(&device, "#sync-status", "data-online", "true").await?;
    device.quit().await?;

    // A colleague at the same school sees both on their own device...
    let colleague = stack.browser().await?;
    sign_in(&colleague, &stack.url, "colleague", "demo").await?;
    wait_for_text(&colleague, "#greeting", "Đinh Thị Thu").await?;
    click_link(&colleague, "Trẻ em").await?;
    wait_for_text(&colleague, "#children-list", "Hoàng Thị Hoa").await?;
    wait_for_text(&colleague, "#children-list", "Hoàng Thị Huệ").await?;
    colleague.quit().await?;

    // ...and a counsellor at another school does not.
    let stranger = stack.browser().await?;
    sign_in(&stranger, &stack.url, "stranger", "demo").await?;
    wait_for_text(&stranger, "#greeting", "Lý Văn Sơn").await?;
    wait_for_text(&stranger, "#sync-status", "Trực tuyến").await?;
    click_link(&stranger, "Trẻ em").await?;
    wait_for_text(&stranger, "#children-count", "0 trẻ").await?;
    stranger.quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_does_not_pull_back_the_child_it_registered() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let device = stack.browser().await?;
    sign_in_to_stay(&device, &stack.url, "counsellor").await?;
    wait_for_text(&device, "#sync-status", "Trực tuyến").await?;
    register_synced_child(&device, "Hoàng Thị Nhài").await?;
    // The run that sent the child settled on what the server stored, and received nothing back.
    click_link(&device, "Đồng bộ").await?;
    let report = wait_for_text(&device, "#last-run", "gửi 1 thay đổi").await?;
    let report = report.text().await?;
    assert!(report.contains("nhận 0 hồ sơ"), "{report}");
    // What it settled on survives a reload, and a colleague's device receives the child.
    device.refresh().await?;
    click_link(&device, "Trẻ em").await?;
    wait_for_text(&device, "#children-list", "Hoàng Thị Nhài").await?;
    device.quit().await?;
    let laptop = stack.browser().await?;
    sign_in_to_stay(&laptop, &stack.url, "counsellor").await?;
    click_link(&laptop, "Trẻ em").await?;
    wait_for_text(&laptop, "#children-list", "Hoàng Thị Nhài").await?;
    laptop.quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_signed_in_here_before_can_sign_in_again_offline() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let device = stack.browser().await?;
    sign_in_to_stay(&device, &stack.url, "counsellor").await?;
    register_synced_child(&device, "Nông Thị Lan").await?;

    // The network goes, and the session on this device ends (as when it expires).
    stack.stop_server().await?;
    device
        .execute("localStorage.removeItem('tam-an.session');", vec![])
        .await?;
    device.goto(&stack.url).await?;
    sign_in(&device, &stack.url, "counsellor", "wrong-password").await?;
    wait_for_text(&device, ".notice.error", "Mật khẩu không khớp").await?;
    sign_in(&device, &stack.url, "health", "demo").await?;
    wait_for_text(&device, ".notice.error", "chưa từng đăng nhập trên máy này").await?;
    sign_in(&device, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&device, "#greeting", "Xin chào, Hoàng Thị Mai").await?;
    click_link(&device, "Trẻ em").await?;
    wait_for_text(&device, "#children-list", "Nông Thị Lan").await?;
    wait_for_attr(&device, "#sync-status", "data-online", "false").await?;
    device.quit().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_places_an_integration_system_at_a_hospital() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let admin = stack.browser().await?;
    sign_in(&admin, &stack.url, "admin", "demo").await?;
    wait_for_text(&admin, ".mainnav", "Người dùng").await?;
    click_link(&admin, "Người dùng").await?;
    wait_for_text(&admin, "#users-table", "integrator").await?;
    click(&admin, "#add-user").await?;
    fill(&admin, "field-username", "his.bvdk").await?;
    fill(&admin, "field-full_name", "Hệ thống HIS Bệnh viện Đa khoa").await?;
    SelectElement::new(&wait_for(&admin, "#field-role").await?)
        .await?
        .select_by_value("integrator")
        .await?;
    // A system may be placed on the province, a commune or any one facility.
    let place = wait_for(&admin, "#field-facility_id").await?;
    wait_for_text(&admin, "#field-facility_id", "Tỉnh Lạng Sơn").await?;
    wait_for_text(&admin, "#field-facility_id", "Trường THCS Tam Thanh").await?;
    SelectElement::new(&place)
        .await?
        .select_by_exact_text("Bệnh viện Đa khoa tỉnh Lạng Sơn")
        .await?;
    click(&admin, "#create-user").await?;
    wait_for(&admin, "#one-time-password-value").await?;
    wait_for_text(&admin, "#users-table", "his.bvdk").await?;
    let row = admin
        .find(By::XPath("//tr[contains(., 'his.bvdk')]"))
        .await?
        .text()
        .await?;
    assert!(
        row.contains("Bệnh viện Đa khoa tỉnh Lạng Sơn") && row.contains("Hệ thống tích hợp"),
        "{row}"
    );
    admin.quit().await?;
    Ok(())
}
