//! The sync benchmark's browser half, run by `cargo xtask bench sync --browser` against a server
//! it has started behind the peer's byte-counting proxy: our real app and sync engine in headless
//! Chromium, IndexedDB included, in the peer's phase order. Timings come from inside the page (the
//! sync engine's own report of each run); bytes from the proxy. Prints one JSON line per phase.
//!
//! Usage: bench-browser-sync <app url> <proxy control port> <base changes.json> <increment changes.json>
//! (the changes already carry the run's facility and commune ids: xtask fills them in).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use tests::{click_link, sign_in, wait_for, wait_for_attr, wait_for_text, Chrome};

use thirtyfour::prelude::*;

mod memory;
mod search;

const SEED_CHUNK: usize = 1000;
/// A first sync of 14,000 records may take a while on two shared cores.
const LONG: Duration = Duration::from_secs(300);

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, control, base, increment] = args.as_slice() else {
        bail!(
            "usage: bench-browser-sync <app url> <proxy control port> <base.json> <increment.json>"
        );
    };
    let base: Vec<Value> = serde_json::from_slice(&std::fs::read(base)?)?;
    let increment: Vec<Value> = serde_json::from_slice(&std::fs::read(increment)?)?;
    let mut chrome = Chrome::start().await?;

    // Device A: signs in, gets the 14,000 records into its store (not timed, like the peer's seed).
    let a = chrome.browser().await?;
    let memory_a = memory::Sampler::start(chrome.last_profile().context("profile")?);
    sign_in(&a, url, "counsellor", "demo").await?;
    wait_for_text(&a, "#greeting", "Xin chào").await?;
    wait_for_attr(&a, "#sync-status", "data-running", "false").await?;
    let session: Value = serde_json::from_str(
        a.execute("return localStorage.getItem('tam-an.session');", vec![])
            .await?
            .json()
            .as_str()
            .context("session")?,
    )?;
    let user = session["user"]["id"].as_str().context("user")?.to_string();
    seed(&a, &user, &base).await?;

    // Phase: push 14,000. Reopening the app starts a sync run by itself (push, then the pull of
    // what came back); the run reports its own timings.
    report("push 14,000", control, &memory_a, || reopen_and_sync(&a)).await?;

    // Phase: initial pull into a fresh browser (device B).
    let b = chrome.browser().await?;
    let memory_b = memory::Sampler::start(chrome.last_profile().context("profile")?);
    b.goto(url).await?;
    wait_for(&b, "#sign-in").await?;
    report("initial pull 14,000", control, &memory_b, || async {
        sign_in(&b, url, "counsellor", "demo").await?;
        finished(&b, base.len()).await
    })
    .await?;

    // Phase: 100 new records pushed from A.
    seed(&a, &user, &increment).await?;
    report("push 100", control, &memory_a, || reopen_and_sync(&a)).await?;

    // Phase: B pulls the 100, then pulls with nothing new.
    report("pull 100", control, &memory_b, || {
        sync_now(&b, increment.len())
    })
    .await?;
    report("no-op pull", control, &memory_b, || sync_now(&b, 0)).await?;
    let heap = b
        .execute(
            "return performance.memory ? performance.memory.usedJSHeapSize : null;",
            vec![],
        )
        .await?;
    println!(
        "{}",
        json!({"phase": "js heap (device B)", "bytes": heap.json()})
    );

    // Search on 5,000 local children: device B has the workload's 2,000; 3,000 more are added to
    // its store, the app reopened on the registry, and names typed into the search box.
    let template = base
        .iter()
        .find(|c| c["record_type"] == "child")
        .context("a child in the workload")?;
    let facility = template["facility_id"].as_str().context("facility")?;
    let extra = search::synthetic_children(&template["set"], facility, 3_000);
    search::add_records(&b, &user, extra).await?;
    b.goto(format!("{url}/children")).await?;
    tests::wait_until(
        &b,
        "return parseInt(document.getElementById('children-count')?.textContent) >= 5000;",
    )
    .await?;
    memory_b.take_peaks();
    let mut times = Vec::new();
    for name in ["nguyen van an", "hoang thi hue", "ly duc tai"] {
        times.extend(search::type_and_time(&b, name).await?);
    }
    let (tree_mb, renderer_mb) = memory_b.take_peaks();
    println!(
        "{}",
        json!({"phase": "search 5,000", "keystroke_ms": times, "tree_mb": tree_mb, "renderer_mb": renderer_mb})
    );
    a.quit().await?;
    b.quit().await?;
    Ok(())
}

/// Writes records and their outbox changes straight into the user's IndexedDB, as a device that
/// made them offline would hold them.
async fn seed(driver: &WebDriver, user: &str, changes: &[Value]) -> Result<()> {
    const SCRIPT: &str = r#"
        const [name, changes, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
        const open = indexedDB.open(name);
        open.onerror = () => done(String(open.error));
        open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(["record_log", "outbox"], "readwrite");
            const now = new Date().toISOString();
            const records = changes.map(c => ({ record_type: c.record_type, id: c.record_id,
                facility_id: c.facility_id, server: null, fields: c.set, updated_at: now }));
            tx.objectStore("record_log").add(JSON.stringify({ records }));
            for (const c of changes) {
                tx.objectStore("outbox").put(JSON.stringify(c), c.id);
            }
            tx.oncomplete = () => { db.close(); done(true); };
            tx.onerror = () => done(String(tx.error));
        };"#;
    for chunk in changes.chunks(SEED_CHUNK) {
        let result = driver
            .execute_async(SCRIPT, vec![json!(format!("tam-an-{user}")), json!(chunk)])
            .await?;
        if result.json() != &json!(true) {
            bail!("seeding failed: {}", result.json());
        }
    }
    Ok(())
}

/// Reloads the app (as a device does when reopened), which syncs at start; waits for that run.
async fn reopen_and_sync(driver: &WebDriver) -> Result<Value> {
    driver.refresh().await?;
    finished(driver, 0).await
}

/// Starts a run from the sync page and waits for it to finish.
async fn sync_now(driver: &WebDriver, expect_received: usize) -> Result<Value> {
    click_link(driver, "Đồng bộ").await?;
    let before = driver
        .find(By::Css("#sync-status"))
        .await?
        .attr("data-last-run")
        .await?;
    wait_for(driver, "#sync-now").await?.click().await?;
    let started = Instant::now();
    loop {
        let status = driver.find(By::Css("#sync-status")).await?;
        let last = status.attr("data-last-run").await?;
        if status.attr("data-running").await?.as_deref() == Some("false")
            && last != before
            && last.is_some()
        {
            break;
        }
        if started.elapsed() > LONG {
            bail!("the sync run did not finish");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    finished(driver, expect_received).await
}

/// Waits until no run is going and nothing is pending, then returns the run's own report.
async fn finished(driver: &WebDriver, expect_received: usize) -> Result<Value> {
    let started = Instant::now();
    loop {
        let status = driver.find(By::Css("#sync-status")).await;
        if let Ok(status) = status {
            let running = status.attr("data-running").await?;
            let pending = status.attr("data-pending").await?;
            if let (Some("false"), Some("0"), Some(last)) = (
                running.as_deref(),
                pending.as_deref(),
                status.attr("data-last-run").await?,
            ) {
                let parts: Vec<f64> = last.split(' ').filter_map(|p| p.parse().ok()).collect();
                if let [push_ms, pull_ms, sent, received] = parts[..] {
                    if received as usize >= expect_received {
                        return Ok(
                            json!({"push_ms": push_ms, "pull_ms": pull_ms, "sent": sent, "received": received}),
                        );
                    }
                }
            }
        }
        if started.elapsed() > LONG {
            bail!("no finished run with {expect_received} records received");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs a phase between two readings of the proxy's byte counters and prints it.
async fn report<F, Fut>(phase: &str, control: &str, memory: &memory::Sampler, run: F) -> Result<()>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Value>>,
{
    let before = proxy_stats(control)?;
    memory.take_peaks();
    let run_report = run().await?;
    let (tree_mb, renderer_mb) = memory.take_peaks();
    let after = proxy_stats(control)?;
    let delta = |key: &str| {
        after[key]
            .as_u64()
            .unwrap_or(0)
            .saturating_sub(before[key].as_u64().unwrap_or(0))
    };
    println!(
        "{}",
        json!({"phase": phase, "run": run_report, "up": delta("c2s"), "down": delta("s2c"),
               "tree_mb": tree_mb, "renderer_mb": renderer_mb})
    );
    Ok(())
}

fn proxy_stats(control_port: &str) -> Result<Value> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", control_port.parse::<u16>()?))?;
    stream.write_all(b"GET /stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let body = response.split("\r\n\r\n").nth(1).context("stats body")?;
    Ok(serde_json::from_str(body)?)
}
