//! `cargo xtask bench signin`: the release server's memory and sign-in latency under sign-ins:
//! 1,000 one after another (memory when idle again), then 200 at once, half with a wrong password
//! for accounts that do not exist (the peak). Throttling is set out of the way so that every
//! attempt is hashed.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use crate::server::Server;
use crate::util::{percentile, root, run, target_dir};

const SEQUENTIAL: usize = 1_000;
const AT_ONCE: usize = 200;

fn sign_in(base: &str, username: &str, password: &str) -> (u16, f64) {
    let started = Instant::now();
    let status = match ureq::post(&format!("{base}/api/auth/login"))
        .send_json(serde_json::json!({"username": username, "password": password}))
    {
        Ok(reply) => reply.status(),
        Err(ureq::Error::Status(status, _)) => status,
        Err(_) => 0,
    };
    (status, started.elapsed().as_secs_f64() * 1000.0)
}

pub fn bench() -> Result<()> {
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "server"])
        .current_dir(root()))?;
    let data = std::env::temp_dir().join(format!("tam-an-signin-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&data)?;
    // Throttling out of the way, so that every attempt is hashed.
    let unthrottled = [
        "--max-failures-per-account",
        "1000000",
        "--max-failures-per-address",
        "1000000",
    ];
    let server = Server::start(
        &target_dir().join("release/tam-an-server"),
        &data,
        &unthrottled,
    )?;
    let base = server.base();
    let fresh = server.memory_kb("VmRSS:");

    let mut one_by_one = Vec::with_capacity(SEQUENTIAL);
    for _ in 0..SEQUENTIAL {
        let (status, millis) = sign_in(&base, "counsellor", "demo");
        if status != 200 {
            bail!("a sign-in failed with {status}");
        }
        one_by_one.push(millis);
    }
    std::thread::sleep(Duration::from_secs(1));
    let idle = server.memory_kb("VmRSS:");
    let peak_sequential = server.memory_kb("VmHWM:");

    let threads: Vec<_> = (0..AT_ONCE)
        .map(|i| {
            let base = base.clone();
            std::thread::spawn(move || {
                if i % 2 == 0 {
                    sign_in(&base, "counsellor", "demo")
                } else {
                    sign_in(&base, &format!("nobody{i}"), "wrong password")
                }
            })
        })
        .collect();
    let mut at_once = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for thread in threads {
        let (status, millis) = thread
            .join()
            .map_err(|_| anyhow::anyhow!("a client thread panicked"))?;
        *statuses.entry(status).or_insert(0usize) += 1;
        at_once.push(millis);
    }
    let peak = server.memory_kb("VmHWM:");
    std::thread::sleep(Duration::from_secs(1));
    let after = server.memory_kb("VmRSS:");
    drop(server);
    let _ = std::fs::remove_dir_all(&data);

    one_by_one.sort_by(f64::total_cmp);
    at_once.sort_by(f64::total_cmp);
    println!("fresh server: {} MB resident", fresh / 1024);
    println!(
        "{SEQUENTIAL} sign-ins one after another: p50 {:.0} ms, p99 {:.0} ms; resident after: {} MB (peak {} MB)",
        percentile(&one_by_one, 0.5),
        percentile(&one_by_one, 0.99),
        idle / 1024,
        peak_sequential / 1024
    );
    println!(
        "{AT_ONCE} at once (half wrong, unknown accounts): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; answers {statuses:?}",
        percentile(&at_once, 0.5),
        percentile(&at_once, 0.99),
        at_once[at_once.len() - 1]
    );
    println!(
        "peak resident during the burst: {} MB; after: {} MB",
        peak / 1024,
        after / 1024
    );
    Ok(())
}
