//! A new version of the app takes over a device that has the old one (issue 18). Its service
//! worker installs beside the old one and copies every file the old version already holds under
//! the same (content-hashed) name instead of downloading it; the page offers a reload, and the
//! reloaded app runs from the new cache.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use server::config::Policy;
use tests::{click, click_link, sign_in_to_stay, wait_for, wait_for_text, Stack, ONE_AT_A_TIME};

/// `name-<16 hex digits>.ext`, and its `.br` / `.gz` variants.
fn hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_copies_the_files_it_already_has_and_offers_a_reload() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let served = tempfile::tempdir()?;
    copy_dir(&Stack::dist()?, served.path())?;
    let mut stack = Stack::start_serving(Policy::default(), served.path()).await?;
    let device = stack.browser().await?;
    sign_in_to_stay(&device, &stack.url, "counsellor").await?;
    click_link(&device, "Trẻ em").await?;
    wait_for(&device, "#register-child").await?;

    // The next release: a new service worker, and no hashed file left to download, so a worker
    // that tried to download one instead of copying it would fail to install.
    let worker_path = served.path().join("sw.js");
    let worker = fs::read_to_string(&worker_path)?;
    let version = worker
        .split("const VERSION = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("the worker names its version")?
        .to_string();
    let shell: Vec<String> = serde_json::from_str(
        worker
            .split("const SHELL = ")
            .nth(1)
            .and_then(|rest| rest.split(";\n").next())
            .context("the worker lists its files")?,
    )?;
    let next = format!("{version}next");
    fs::write(
        &worker_path,
        worker.replace(
            &format!("const VERSION = \"{version}\""),
            &format!("const VERSION = \"{next}\""),
        ),
    )?;
    // The server prefers the precompressed variants: they would still be the old worker.
    for variant in ["sw.js.br", "sw.js.gz"] {
        let _ = fs::remove_file(served.path().join(variant));
    }
    let mut removed = 0;
    for entry in fs::read_dir(served.path())? {
        let entry = entry?;
        if hashed(&entry.file_name().to_string_lossy()) {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    assert!(
        removed > 20,
        "the modules, the wasm, the JS and the CSS are gone: {removed}"
    );

    // Nor in the browser's HTTP cache (long-lived for hashed names): only the worker's own
    // cache of the old version holds them now.
    device
        .cdp()
        .send_raw("Network.clearBrowserCache", serde_json::json!({}))
        .await?;
    // What `update()` itself answers is not the point (the new worker's install goes on after
    // it); the notice below is.
    device
        .execute(
            "return navigator.serviceWorker.getRegistration().then((r) => r.update()).then(() => true, () => false);",
            vec![],
        )
        .await
        .context("asking for the new worker")?;
    wait_for_text(&device, "#app-updated", "phiên bản mới").await?;
    let cached = device
        .execute(
            &format!(
                "return caches.open('tam-an-shell-{next}').then((c) => c.keys()).then((k) => k.length);"
            ),
            vec![],
        )
        .await
        .context("counting the new cache")?
        .json()
        .as_u64()
        .context("a count of cached files")?;
    assert_eq!(
        cached as usize,
        shell.len(),
        "every file of the new version is cached"
    );

    // The reloaded app runs from the new cache: the server has none of its hashed files.
    click(&device, "#app-updated button").await?;
    wait_for(&device, "#register-child").await?;
    click_link(&device, "Trang chủ").await?;
    wait_for_text(&device, "#greeting", "Xin chào").await?;
    click_link(&device, "Chuyển tuyến").await?;
    wait_for(&device, "#referral-code").await?;
    device.quit().await?;
    Ok(())
}
