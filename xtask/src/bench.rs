//! `cargo xtask bench sync`: replays the peer workload (`../shared/bench/peer/workload/`) through
//! our server with a native client, phase by phase as the peer's README describes, counting wire
//! bytes with the peer's own proxy (`proxy.js`), and reports medians of three runs. With
//! `--peer`, it then runs the peer's Node benchmark back to back for comparison.
//!
//! Children are mapped onto our child record; screenings and referrals travel as opaque payloads
//! (the `--accept-opaque-records` flag of a server built with its `bench-opaque` feature) until their own rules exist.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::util::{root, run, target_dir};

const RUNS: usize = 3;
const PUSH_BATCH: usize = 1000;
const SERVER_PORT: u16 = 15995;
const PROXY_PORT: u16 = 15996;
const CONTROL_PORT: u16 = 15997;

struct Phase {
    name: &'static str,
    millis: Vec<f64>,
    up: u64,
    down: u64,
    requests: u64,
}

pub fn sync(with_peer: bool, in_browser: bool) -> Result<()> {
    let peer = root().join("../shared/bench/peer");
    let base: Vec<Value> = load(&peer.join("workload/base-seed42.jsonl"))?
        .iter()
        .map(|d| to_change(d, FACILITY, COMMUNE))
        .collect();
    let increment: Vec<Value> = load(&peer.join("workload/increment-seed1042.jsonl"))?
        .iter()
        .map(|d| to_change(d, FACILITY, COMMUNE))
        .collect();
    // The benchmark build accepts the peer's documents as opaque records (a flag the
    // production binary does not have).
    run(Command::new("cargo")
        .args([
            "build",
            "--release",
            "-p",
            "server",
            "--features",
            "bench-opaque",
        ])
        .current_dir(root()))?;
    if in_browser {
        return browser_runs(&peer, &base, &increment, with_peer);
    }
    let mut phases: Vec<Phase> = [
        "push 14,000",
        "pull 14,000",
        "push-incr 100",
        "pull-incr 100",
        "no-op pull",
    ]
    .into_iter()
    .map(|name| Phase {
        name,
        millis: Vec::new(),
        up: 0,
        down: 0,
        requests: 0,
    })
    .collect();
    let mut server_peak_kb = Vec::new();
    for run_index in 0..RUNS {
        eprintln!("xtask bench: run {} of {RUNS}", run_index + 1);
        let measured = one_run(&peer, &base, &increment)?;
        for (phase, (millis, up, down, requests)) in phases.iter_mut().zip(measured.phases) {
            phase.millis.push(millis);
            (phase.up, phase.down, phase.requests) = (up, down, requests);
        }
        server_peak_kb.push(measured.server_peak_kb);
    }
    println!("\nTâm An sync, native client (ureq, gzip), median of {RUNS} runs, wire bytes from proxy.js:");
    println!("| phase | median | min–max | up bytes | down bytes | requests |");
    println!("|---|---|---|---|---|---|");
    for phase in &phases {
        let (median, min, max) = stats(&phase.millis);
        println!(
            "| {} | {} | {}–{} | {} | {} | {} |",
            phase.name,
            show(median),
            show(min),
            show(max),
            phase.up,
            phase.down,
            phase.requests
        );
    }
    let (peak, _, _) = stats(
        &server_peak_kb
            .iter()
            .map(|kb| *kb as f64)
            .collect::<Vec<_>>(),
    );
    println!("server peak RSS (median): {:.0} MB", peak / 1024.0);
    if with_peer {
        run_peer(&peer, false)?;
    }
    Ok(())
}

/// Runs the peer's own benchmark back to back with ours (`--browser`: its browser client).
fn run_peer(peer: &Path, browser: bool) -> Result<()> {
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(peer))?;
    // bench.js writes its results file there and stops with an error if the folder is missing.
    fs::create_dir_all(peer.join("results"))?;
    let mut args = vec!["bench.js", "--runs", "3", "--tag", "vs-tam-an"];
    if browser {
        args.push("--browser");
    }
    run(Command::new("node").args(args).current_dir(peer))
}

struct RunResult {
    phases: Vec<(f64, u64, u64, u64)>,
    server_peak_kb: u64,
}

/// The browser half: our app in headless Chromium, three runs, each against a fresh server.
fn browser_runs(peer: &Path, base: &[Value], increment: &[Value], with_peer: bool) -> Result<()> {
    let browser = crate::browser::ensure()?;
    let dist = crate::dist::build()?;
    let binary = crate::util::bench_binary("bench-browser-sync")?;
    let mut lines: Vec<Value> = Vec::new();
    for run_index in 0..RUNS {
        eprintln!("xtask bench (browser): run {} of {RUNS}", run_index + 1);
        let (data, mut server, mut proxy) = start_server_and_proxy(peer, Some(&dist))?;
        // The driver gets the changes with this run's ids, as files (14,000 changes are large).
        let url = format!("http://127.0.0.1:{PROXY_PORT}");
        let (_, placed_base, placed_increment) =
            sign_in_and_place(&ureq::agent(), &url, base, increment)?;
        let changes_dir = target_dir().join("bench");
        fs::create_dir_all(&changes_dir)?;
        fs::write(
            changes_dir.join("base-changes.json"),
            serde_json::to_vec(&placed_base)?,
        )?;
        fs::write(
            changes_dir.join("increment-changes.json"),
            serde_json::to_vec(&placed_increment)?,
        )?;
        let output = Command::new(&binary)
            .arg(&url)
            .arg(CONTROL_PORT.to_string())
            .arg(changes_dir.join("base-changes.json"))
            .arg(changes_dir.join("increment-changes.json"))
            .env("TAM_AN_E2E_CHROMIUM", &browser.chromium)
            .env("TAM_AN_E2E_CHROMEDRIVER", &browser.chromedriver)
            .stderr(Stdio::inherit())
            .output();
        stop(&mut proxy);
        stop(&mut server);
        let _ = fs::remove_dir_all(&data);
        let output = output?;
        if !output.status.success() {
            bail!("the browser benchmark failed");
        }
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let mut value: Value = serde_json::from_str(line)?;
            value["run_index"] = json!(run_index);
            lines.push(value);
        }
    }
    println!("\nTâm An sync, our client in headless Chromium (IndexedDB), median of {RUNS} runs, bytes from proxy.js:");
    println!("| phase | push part | pull part | up bytes | down bytes | browser tree peak PSS | renderer peak PSS |");
    println!("|---|---|---|---|---|---|---|");
    for phase in [
        "push 14,000",
        "initial pull 14,000",
        "push 100",
        "pull 100",
        "no-op pull",
    ] {
        let rows: Vec<&Value> = lines.iter().filter(|line| line["phase"] == phase).collect();
        let part = |key: &str| {
            stats(
                &rows
                    .iter()
                    .filter_map(|r| r["run"][key].as_f64())
                    .collect::<Vec<_>>(),
            )
            .0
        };
        let up = rows.first().and_then(|r| r["up"].as_u64()).unwrap_or(0);
        let down = rows.first().and_then(|r| r["down"].as_u64()).unwrap_or(0);
        let memory = |key: &str| {
            stats(
                &rows
                    .iter()
                    .filter_map(|r| r[key].as_f64())
                    .collect::<Vec<_>>(),
            )
            .0
        };
        println!(
            "| {phase} | {} | {} | {up} | {down} | {:.0} MB | {:.0} MB |",
            show(part("push_ms")),
            show(part("pull_ms")),
            memory("tree_mb"),
            memory("renderer_mb")
        );
    }
    let mut keystrokes: Vec<f64> = lines
        .iter()
        .filter(|line| line["phase"] == "search 5,000")
        .flat_map(|line| line["keystroke_ms"].as_array().cloned().unwrap_or_default())
        .filter_map(|ms| ms.as_f64())
        .collect();
    keystrokes.sort_by(f64::total_cmp);
    if let (Some(max), false) = (keystrokes.last(), keystrokes.is_empty()) {
        let at = |q: f64| keystrokes[((keystrokes.len() - 1) as f64 * q).round() as usize];
        println!(
            "Search on 5,000 local children, keystroke to the next frame after the list changed ({} keystrokes over {RUNS} runs): median {:.0} ms, 95th percentile {:.0} ms, max {max:.0} ms",
            keystrokes.len(),
            at(0.5),
            at(0.95)
        );
    }
    for line in lines
        .iter()
        .filter(|line| line["phase"] == "js heap (device B)")
    {
        println!(
            "JS heap on device B after the runs (run {}): {} bytes",
            line["run_index"], line["bytes"]
        );
    }
    if with_peer {
        run_peer(peer, true)?;
    }
    Ok(())
}

fn start_server_and_proxy(
    peer: &Path,
    dist: Option<&Path>,
) -> Result<(std::path::PathBuf, Child, Child)> {
    let data = std::env::temp_dir().join(format!("tam-an-bench-{}", Uuid::now_v7()));
    fs::create_dir_all(&data)?;
    let server = Command::new(target_dir().join("release/tam-an-server"))
        .args([
            "--listen",
            &format!("127.0.0.1:{SERVER_PORT}"),
            "--accept-opaque-records",
        ])
        .arg("--dist")
        .arg(dist.unwrap_or(Path::new("/nonexistent")))
        .arg("--data")
        .arg(&data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()?;
    let proxy = Command::new("node")
        .args([
            "proxy.js",
            &PROXY_PORT.to_string(),
            &SERVER_PORT.to_string(),
            &CONTROL_PORT.to_string(),
        ])
        .current_dir(peer)
        .stdout(Stdio::null())
        .spawn()
        .context("starting the peer's proxy.js (needs node)")?;
    wait_for(&format!("http://127.0.0.1:{PROXY_PORT}/api/health"))?;
    Ok((data, server, proxy))
}

fn one_run(peer: &Path, base: &[Value], increment: &[Value]) -> Result<RunResult> {
    let (data, mut server, mut proxy) = start_server_and_proxy(peer, None)?;
    let result = measure(base, increment, server.id());
    stop(&mut proxy);
    stop(&mut server);
    let _ = fs::remove_dir_all(&data);
    result
}

fn measure(base: &[Value], increment: &[Value], server_pid: u32) -> Result<RunResult> {
    let url = format!("http://127.0.0.1:{PROXY_PORT}");
    wait_for(&format!("{url}/api/health"))?;
    let agent = ureq::AgentBuilder::new().build();
    let (token, base_changes, increment_changes) =
        sign_in_and_place(&agent, &url, base, increment)?;

    let mut phases = Vec::new();
    phases.push(timed(|| push(&agent, &url, &token, &base_changes))?);
    let mut cursor = 0;
    phases.push(timed(|| {
        pull(&agent, &url, &token, &mut cursor, base.len())
    })?);
    phases.push(timed(|| push(&agent, &url, &token, &increment_changes))?);
    phases.push(timed(|| {
        pull(&agent, &url, &token, &mut cursor, increment.len())
    })?);
    phases.push(timed(|| pull(&agent, &url, &token, &mut cursor, 0))?);
    let status = fs::read_to_string(format!("/proc/{server_pid}/status")).unwrap_or_default();
    let server_peak_kb = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    Ok(RunResult {
        phases,
        server_peak_kb,
    })
}

/// Runs a phase (which returns its request count) and returns (milliseconds, bytes up, bytes
/// down, requests), the bytes from the proxy's counters.
fn timed(phase: impl FnOnce() -> Result<u64>) -> Result<(f64, u64, u64, u64)> {
    let before = proxy_stats()?;
    let started = Instant::now();
    let requests = phase()?;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let after = proxy_stats()?;
    let delta = |key: &str| {
        after[key]
            .as_u64()
            .unwrap_or(0)
            .saturating_sub(before[key].as_u64().unwrap_or(0))
    };
    Ok((millis, delta("c2s"), delta("s2c"), requests))
}

fn proxy_stats() -> Result<Value> {
    Ok(ureq::get(&format!("http://127.0.0.1:{CONTROL_PORT}/stats"))
        .call()?
        .into_json()?)
}

fn push(agent: &ureq::Agent, url: &str, token: &str, changes: &[Value]) -> Result<u64> {
    let mut requests = 0;
    for batch in changes.chunks(PUSH_BATCH) {
        requests += 1;
        let reply: Value = agent
            .post(&format!("{url}/api/sync/push"))
            .set("Authorization", token)
            .send_json(json!({ "changes": batch }))?
            .into_json()?;
        let applied = reply["results"].as_array().map_or(0, |r| {
            r.iter()
                .filter(|r| r["outcome"]["status"] == "applied")
                .count()
        });
        if applied != batch.len() {
            bail!(
                "only {applied} of {} changes applied: {}",
                batch.len(),
                reply["results"][0]
            );
        }
    }
    Ok(requests)
}

fn pull(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    cursor: &mut i64,
    expected: usize,
) -> Result<u64> {
    let mut received = 0;
    let mut requests = 0;
    loop {
        requests += 1;
        let page: Value = agent
            .get(&format!("{url}/api/sync/pull?since={cursor}"))
            .set("Authorization", token)
            .call()?
            .into_json()?;
        received += page["records"].as_array().map_or(0, Vec::len);
        *cursor = page["cursor"].as_i64().context("cursor")?;
        if page["more"] != true {
            break;
        }
    }
    if received != expected {
        bail!("pulled {received} records, expected {expected}");
    }
    Ok(requests)
}

/// Signs the demo counsellor in and returns the bearer header and the changes with this run's
/// facility and commune in place of the placeholders.
fn sign_in_and_place(
    agent: &ureq::Agent,
    url: &str,
    base: &[Value],
    increment: &[Value],
) -> Result<(String, Vec<Value>, Vec<Value>)> {
    let session: Value = agent
        .post(&format!("{url}/api/auth/login"))
        .send_json(json!({"username": "counsellor", "password": "demo"}))?
        .into_json()?;
    let token = format!("Bearer {}", session["token"].as_str().context("token")?);
    let facility = session["user"]["facility_id"]
        .as_str()
        .context("facility")?;
    let commune = session["user"]["area_id"].as_str().context("area")?;
    Ok((
        token,
        place(base, facility, commune)?,
        place(increment, facility, commune)?,
    ))
}

/// Changes with this run's facility and commune in place of the placeholders.
fn place(changes: &[Value], facility: &str, commune: &str) -> Result<Vec<Value>> {
    let text = serde_json::to_string(changes)?
        .replace(FACILITY, facility)
        .replace(COMMUNE, commune);
    Ok(serde_json::from_str(&text)?)
}

/// Stand-ins for the ids of each run's fresh database.
const FACILITY: &str = "00000000-0000-0000-0000-00000000fac1";
const COMMUNE: &str = "00000000-0000-0000-0000-0000000c0111";

/// A workload document as one of our changes: children onto our child record, the rest opaque.
fn to_change(doc: &Value, facility: &str, commune: &str) -> Value {
    let kind = doc["type"].as_str().unwrap_or("");
    let (record_type, set) = if kind == "child" {
        let phone = doc["guardian_phone"].as_str().unwrap_or("");
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let tail = &digits[digits.len().saturating_sub(8)..];
        let set = json!({
            "full_name": format!("{} {}", doc["given_name"].as_str().unwrap_or(""), doc["family_name"].as_str().unwrap_or("")),
            "date_of_birth": doc["date_of_birth"],
            "sex": doc["sex"],
            "ethnicity": "kinh",
            "commune_id": commune,
            "guardian_name": doc["guardian_name"],
            "guardian_relation": "mother",
            "guardian_phone": format!("09{tail}"),
        });
        ("child", set)
    } else {
        let mut fields: Map<String, Value> = doc.as_object().cloned().unwrap_or_default();
        fields.remove("_id");
        (kind, Value::Object(fields))
    };
    json!({
        "id": Uuid::now_v7(),
        "record_type": record_type,
        "record_id": doc["_id"],
        "facility_id": facility,
        "set": set,
        "base": {},
        // Screenings and referrals carry their own date fields; the change is made now (the server
        // bounds a device's clock to a window before it receives the change).
        "made_at": chrono::Utc::now(),
    })
}

fn load(path: &Path) -> Result<Vec<Value>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| Ok(serde_json::from_str(line)?))
        .collect()
}

fn wait_for(url: &str) -> Result<()> {
    let started = Instant::now();
    while ureq::get(url).call().is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("{url} did not answer");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn stats(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    (
        median,
        sorted.first().copied().unwrap_or(0.0),
        sorted.last().copied().unwrap_or(0.0),
    )
}

fn show(millis: f64) -> String {
    if millis >= 1000.0 {
        format!("{:.2} s", millis / 1000.0)
    } else {
        format!("{millis:.0} ms")
    }
}

/// `cargo xtask bench report`: generates the province-sized data set once (in
/// `target/bench/report.db`), then times the reports in a fresh process and prints its peak memory.
pub fn report(fresh: bool) -> Result<()> {
    let binary = crate::util::bench_binary("bench-report")?;
    let dir = target_dir().join("bench");
    fs::create_dir_all(&dir)?;
    let db = dir.join("report.db");
    if fresh || !db.exists() {
        run(Command::new(&binary).arg("generate").arg(&db))?;
    }
    run(Command::new(&binary).arg("measure").arg(&db))
}

/// `cargo xtask bench import`: a 1,000-pupil class list previewed and applied (release build).
pub fn import() -> Result<()> {
    run(&mut Command::new(crate::util::bench_binary(
        "bench-import",
    )?))
}
