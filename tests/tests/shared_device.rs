//! Nothing readable on a shared device (issue 14): the browser's files on disk hold none of a
//! child's name, the guardian's name or the safety note, neither while the counsellor works nor
//! after she signs out. The check reads the profile folder as someone with the computer would
//! (every file, as UTF-8 and as UTF-16, the two ways Chromium writes text), and first proves it
//! can see text that a page stored in the clear.

use std::path::Path;

use anyhow::{ensure, Context, Result};
use serde_json::json;
use tests::{
    answer, child_with_consent, click, record_safety_action, sign_in, wait_for, wait_for_attr,
    wait_for_text, Stack, ONE_AT_A_TIME,
};

const CHILD: &str = "Trịnh Thị Đào";
const GUARDIAN: &str = "Hoàng Văn Phúc";
const NOTE: &str = "Ghi chú an toàn QX7Z2K: em nói muốn biến mất";
/// Text a page stores in the clear, in another database of the same site.
const CONTROL: &str = "Kiểm tra đĩa VJ4M8T: Nguyễn Thị Mận";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_devices_disk_holds_nothing_readable_during_the_session_or_after_sign_out() -> Result<()>
{
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut stack = Stack::start().await?;
    let device = stack.browser().await?;
    let profile = stack.profile().context("the browser's profile")?;
    sign_in(&device, &stack.url, "counsellor", "demo").await?;
    wait_for_text(&device, "#greeting", "Xin chào").await?;

    // A child with the guardian's name, and a critical answer with its safety note: kept as
    // records, the outbox, the draft and the urgent flag, then pulled back from the server.
    child_with_consent(&device, CHILD).await?;
    click(&device, "#suggested #screen-phqa").await?;
    click(&device, "#start-screening").await?;
    for n in 1..=8 {
        answer(&device, n, 13, 0).await?;
    }
    answer(&device, 9, 13, 2).await?;
    wait_for(&device, "#urgent-panel").await?;
    record_safety_action(&device, NOTE).await?;
    wait_for_attr(&device, "#sync-status", "data-pending", "0").await?;

    // The control: a plain value written by a page script is found by the same reading.
    let stored = device
        .execute_async(
            r#"const [text, done] = [arguments[0], arguments[arguments.length - 1]];
               const open = indexedDB.open("disk-check");
               open.onupgradeneeded = () => open.result.createObjectStore("plain");
               open.onsuccess = () => {
                   const tx = open.result.transaction("plain", "readwrite");
                   tx.objectStore("plain").put(text, "control");
                   tx.oncomplete = () => done(true);
                   tx.onerror = () => done(String(tx.error));
               };
               open.onerror = () => done(String(open.error));"#,
            vec![json!(CONTROL)],
        )
        .await?;
    ensure!(
        stored.json() == &json!(true),
        "control: {:?}",
        stored.json()
    );
    let found = readable(&profile, &[CONTROL])?;
    ensure!(
        !found.is_empty(),
        "the disk reading must see text stored in the clear (else it proves nothing)"
    );

    let secrets = [CHILD, GUARDIAN, NOTE];
    let found = readable(&profile, &secrets)?;
    ensure!(
        found.is_empty(),
        "readable on disk while signed in: {found:?}"
    );

    // Signing out erases the store and its key; nothing readable is left behind either.
    click(&device, "#sign-out").await?;
    wait_for(&device, "#sign-in").await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let found = readable(&profile, &secrets)?;
    ensure!(
        found.is_empty(),
        "readable on disk after sign-out: {found:?}"
    );
    device.quit().await?;
    // Once the browser has closed and flushed everything.
    let found = readable(&profile, &secrets)?;
    ensure!(
        found.is_empty(),
        "readable on disk after closing: {found:?}"
    );
    Ok(())
}

/// Which of the texts appear in any file under `folder`, as UTF-8 or UTF-16 (little-endian), with
/// the file they were found in.
fn readable(folder: &Path, texts: &[&str]) -> Result<Vec<(String, String)>> {
    let needles: Vec<(&str, Vec<u8>)> = texts
        .iter()
        .flat_map(|text| {
            let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            [(*text, text.as_bytes().to_vec()), (*text, utf16)]
        })
        .collect();
    let mut found = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            // A file the browser is replacing may vanish between listing and reading.
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            for (text, needle) in &needles {
                if bytes
                    .windows(needle.len())
                    .any(|window| window == needle.as_slice())
                {
                    found.push((text.to_string(), path.display().to_string()));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}
