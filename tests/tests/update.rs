//! A new version of the app takes over a device that has the old one (issue 18). Its service
//! worker installs beside the old one and copies every file the old version already holds under
//! the same (content-hashed) name instead of downloading it; a file that changed comes as a delta
//! against the version the device holds; the page offers a reload, and the reloaded app runs
//! from the new cache.

use std::fs;

use anyhow::{Context, Result};
use server::config::Policy;
use sha2::{Digest, Sha256};
use tests::{
    click, click_link, copy_dir, sign_in_to_stay, take_new_release, wait_for, wait_for_text,
    wait_until, Release, Stack, ONE_AT_A_TIME,
};

/// `name-<16 hex digits>.ext`, and its `.br` / `.gz` variants.
fn hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
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
    let Release { version, shell } = Release::of(served.path())?;
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
    take_new_release(&device).await?;
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

/// `bytes` as `dcz` against `dictionary`, as `cargo xtask dist` writes it (RFC 9842: a skippable
/// frame carrying the dictionary's SHA-256, then a Zstandard frame using the dictionary).
fn dcz(dictionary: &[u8], bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = vec![0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00];
    out.extend_from_slice(&Sha256::digest(dictionary));
    out.extend(zstd::bulk::Compressor::with_dictionary(19, dictionary)?.compress(bytes)?);
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A release whose wasm differs from the one the device holds arrives as a delta against it, and
/// the app runs on the wasm the delta unpacks to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_wasm_arrives_as_a_delta_against_the_one_the_device_holds() -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let served = tempfile::tempdir()?;
    copy_dir(&Stack::dist()?, served.path())?;
    let _ = fs::remove_dir_all(served.path().join("delta"));
    let mut stack = Stack::start_serving(Policy::default(), served.path()).await?;
    let device = stack.browser().await?;
    sign_in_to_stay(&device, &stack.url, "counsellor").await?;

    let worker_path = served.path().join("sw.js");
    let worker = fs::read_to_string(&worker_path)?;
    let Release { version, shell } = Release::of(served.path())?;
    let named = |prefix: &str| {
        shell
            .iter()
            .find(|url| url.starts_with(prefix))
            .map(|url| url.trim_start_matches('/').to_string())
            .with_context(|| format!("the worker lists {prefix}"))
    };
    let (old_wasm_name, old_boot_name) = (named("/app_bg-")?, named("/boot-")?);
    // The device's worker has fetched every file of this version (so each is a dictionary).
    wait_until(
        &device,
        &format!(
            "return caches.open('tam-an-shell-{version}').then((c) => c.keys()).then((k) => k.length === {});",
            shell.len()
        ),
    )
    .await?;

    // The next release: the wasm with a custom section more (still a valid module), the boot
    // script that names it, the shell and a new worker; the delta of the wasm against the old.
    let old_wasm = fs::read(served.path().join(&old_wasm_name))?;
    let mut new_wasm = old_wasm.clone();
    let section_name = b"tam-an-next-release";
    let payload = vec![0x42u8; 300];
    let size = 1 + section_name.len() + payload.len();
    new_wasm.extend([0x00, (size & 0x7f) as u8 | 0x80, (size >> 7) as u8]);
    new_wasm.push(section_name.len() as u8);
    new_wasm.extend_from_slice(section_name);
    new_wasm.extend_from_slice(&payload);
    let new_wasm_name = format!("app_bg-{}.wasm", &hex(&Sha256::digest(&new_wasm))[..16]);
    fs::write(served.path().join(&new_wasm_name), &new_wasm)?;
    let deltas = served.path().join("delta").join(&new_wasm_name);
    fs::create_dir_all(&deltas)?;
    let delta = dcz(&old_wasm, &new_wasm)?;
    fs::write(
        deltas.join(format!("{}.dcz", hex(&Sha256::digest(&old_wasm)))),
        &delta,
    )?;
    let boot = fs::read_to_string(served.path().join(&old_boot_name))?
        .replace(&old_wasm_name, &new_wasm_name);
    let new_boot_name = format!("boot-{}.js", &hex(&Sha256::digest(boot.as_bytes()))[..16]);
    fs::write(served.path().join(&new_boot_name), &boot)?;
    let renamed = |text: &str| {
        text.replace(&old_wasm_name, &new_wasm_name)
            .replace(&old_boot_name, &new_boot_name)
    };
    let next = format!("{version}delta");
    fs::write(
        &worker_path,
        renamed(&worker).replace(
            &format!("const VERSION = \"{version}\""),
            &format!("const VERSION = \"{next}\""),
        ),
    )?;
    let index = fs::read_to_string(served.path().join("index.html"))?;
    fs::write(served.path().join("index.html"), renamed(&index))?;
    for stale in [
        "sw.js.br",
        "sw.js.gz",
        "index.html.br",
        "index.html.gz",
        old_wasm_name.as_str(),
    ] {
        let _ = fs::remove_file(served.path().join(stale));
    }

    take_new_release(&device).await?;
    let arrived = device
        .execute(
            &format!(
                "return caches.open('tam-an-shell-{next}')
                   .then((c) => c.match('/{new_wasm_name}'))
                   .then(async (r) => [r.headers.get('content-encoding'),
                       [...new Uint8Array(await crypto.subtle.digest('SHA-256', await r.arrayBuffer()))]
                           .map((b) => b.toString(16).padStart(2, '0')).join('')]);"
            ),
            vec![],
        )
        .await
        .context("reading the new wasm from the new cache")?
        .json()
        .clone();
    assert_eq!(
        arrived[0],
        "dcz",
        "the new wasm came as a delta ({} bytes, the wasm {} bytes)",
        delta.len(),
        new_wasm.len()
    );
    assert_eq!(
        arrived[1].as_str(),
        Some(hex(&Sha256::digest(&new_wasm)).as_str()),
        "the delta unpacked to the new wasm"
    );

    // The reloaded app runs on it.
    click(&device, "#app-updated button").await?;
    wait_for_text(&device, "#greeting", "Xin chào").await?;
    click_link(&device, "Trẻ em").await?;
    wait_for(&device, "#register-child").await?;
    stack.stop_server().await?;
    device.quit().await?;
    Ok(())
}
