//! What the server refuses, as a person sees it: a closed facility's counsellor is signed out
//! with the reason and cannot sign in again, while what the device holds stays.

use anyhow::Result;
use tests::{
    click_link, register_synced_child, sign_in, sign_in_to_stay, wait_for, wait_for_attr,
    wait_for_text, Stack, ONE_AT_A_TIME,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_facility_signs_its_staff_out_with_the_reason() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let device = stack.browser().await?;
    sign_in_to_stay(&device, &stack.url, "counsellor").await?;
    wait_for_attr(&device, "#sync-status", "data-directory", "true").await?;
    register_synced_child(&device, "Hà Thị Mơ").await?;

    // The administrator closes the school.
    stack
        .execute("UPDATE facilities SET active = 0 WHERE name = 'Trường THCS Tam Thanh'")
        .await?;
    device.refresh().await?;
    wait_for_text(&device, ".notice.error", "Cơ sở của bạn đã ngừng hoạt động").await?;
    wait_for(&device, "#sign-in").await?;
    // A reload (or a sign-out that landed just before one) still says why.
    device.refresh().await?;
    wait_for(&device, "#sign-in").await?;
    wait_for_text(&device, ".notice.error", "Cơ sở của bạn đã ngừng hoạt động").await?;
    // Signing in again is refused with the same reason.
    let other = stack.browser().await?;
    sign_in(&other, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&other, ".notice.error", "ngừng hoạt động").await?;
    // The records are kept: reopened, the child is there.
    stack
        .execute("UPDATE facilities SET active = 1 WHERE name = 'Trường THCS Tam Thanh'")
        .await?;
    sign_in(&other, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&other, "#greeting", "Xin chào").await?;
    click_link(&other, "Trẻ em").await?;
    wait_for_text(&other, "main", "Hà Thị Mơ").await?;
    device.quit().await?;
    other.quit().await?;
    Ok(())
}
