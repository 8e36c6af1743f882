//! The first and the repeat visit on slow links, run by `cargo xtask bench load-page` (issue 18):
//! the real server and bundle (in-process, as the browser tests run them), headless Chromium
//! with the network shaped through the DevTools protocol.
//!
//! - Cold: a fresh profile opens the app on slow 3G (400 kbit/s, 400 ms round trip) and on fast
//!   3G (1.6 Mbit/s, 150 ms); the time from navigation to the sign-in form being usable, and the
//!   bytes each resource took on the wire.
//! - Repeat: the same profile, once its service worker holds the app, opens it again with the
//!   server stopped: the time to the sign-in form, from the worker alone.
//!
//! Prints one JSON line per run on stdout; xtask makes the table.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use serde_json::{json, Value};
use tests::Stack;
use thirtyfour::prelude::*;

/// (name, kbit/s down and up, round trip in ms)
const LINKS: [(&str, f64, f64); 2] = [("slow 3G", 400.0, 400.0), ("fast 3G", 1600.0, 150.0)];
const RUNS: usize = 3;
const PATIENCE: Duration = Duration::from_secs(120);

/// The sign-in form is usable: its fields and button are on the page and enabled. Returns the
/// page's own clock (ms since navigation began) at the first poll that sees it.
async fn usable_at(driver: &WebDriver) -> Result<f64> {
    let started = Instant::now();
    loop {
        let seen = driver
            .execute(
                "const b = document.querySelector('#sign-in');
                 return b && !b.disabled && document.querySelector('#field-username')
                     ? performance.now() : null;",
                vec![],
            )
            .await?
            .json()
            .as_f64();
        if let Some(ms) = seen {
            return Ok(ms);
        }
        if started.elapsed() > PATIENCE {
            bail!("the sign-in form never became usable");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn shape(driver: &WebDriver, kbit: f64, rtt: f64) -> Result<()> {
    let bytes_per_second = kbit * 1000.0 / 8.0;
    driver.cdp().send_raw("Network.enable", json!({})).await?;
    driver
        .cdp()
        .send_raw(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": rtt,
                "downloadThroughput": bytes_per_second,
                "uploadThroughput": bytes_per_second,
            }),
        )
        .await?;
    Ok(())
}

/// Bytes on the wire by resource (the document included), largest first.
async fn bytes_by_resource(driver: &WebDriver) -> Result<Value> {
    Ok(driver
        .execute(
            "return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
                 .map(e => [new URL(e.name).pathname, e.transferSize])
                 .sort((a, b) => b[1] - a[1]);",
            vec![],
        )
        .await?
        .json()
        .clone())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    for (link, kbit, rtt) in LINKS {
        for run in 0..RUNS {
            let mut stack = Stack::start().await?;
            let device = stack.browser().await?;
            shape(&device, kbit, rtt).await?;
            device.goto(&stack.url).await?;
            let cold_ms = usable_at(&device).await?;
            let resources = bytes_by_resource(&device).await?;
            let total: i64 = resources
                .as_array()
                .map(|all| all.iter().filter_map(|r| r[1].as_i64()).sum())
                .unwrap_or(0);

            // The repeat visit: once the worker controls the page and holds the shell, the
            // server goes away and the app opens again.
            device
                .cdp()
                .send_raw(
                    "Network.emulateNetworkConditions",
                    json!({ "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
                )
                .await?;
            tests::wait_until(
                &device,
                "return !!navigator.serviceWorker && !!navigator.serviceWorker.controller;",
            )
            .await?;
            // (The worker takes control only once its install has put the shell in its cache.)
            tokio::time::sleep(Duration::from_millis(500)).await;
            stack.stop_server().await?;
            device.refresh().await?;
            let repeat_ms = usable_at(&device).await?;
            println!(
                "{}",
                json!({
                    "link": link,
                    "run": run,
                    "cold_ms": cold_ms,
                    "cold_bytes": total,
                    "resources": resources,
                    "repeat_offline_ms": repeat_ms,
                })
            );
            device.quit().await?;
        }
    }
    Ok(())
}
