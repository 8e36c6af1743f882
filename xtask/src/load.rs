//! `cargo xtask bench load`: the release server under many devices at once (issue 15).
//!
//! Realistic devices each push 1–10 new children, then pull since their cursor, then wait 2–5 s,
//! for the run's duration: 50, 200 and 500 devices of one school (each pulls every other's
//! changes), and 200 spread over 100 schools. Then a write storm: 200 devices pushing 100 changes at a time with no pause; and
//! the same paced at 100 changes every 2 s each (10,000 changes/s offered). Reported: requests and changes per second, push and pull
//! p50/p95/p99, the server's peak resident memory and the database's size.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::server::Server;
use crate::util::{percentile, root, run, target_dir};

/// One device: its session, its school and commune, its cursor.
#[derive(Clone)]
struct Device {
    token: String,
    facility: String,
    commune: String,
}

#[derive(Default)]
struct Tally {
    push_ms: Vec<f64>,
    pull_ms: Vec<f64>,
    changes: usize,
    received: usize,
    failures: usize,
}

fn post(base: &str, path: &str, token: Option<&str>, body: &Value) -> Result<Value> {
    let mut request = ureq::post(&format!("{base}{path}")).timeout(Duration::from_secs(60));
    if let Some(token) = token {
        request = request.set("authorization", &format!("Bearer {token}"));
    }
    match request.send_json(body.clone()) {
        Ok(reply) => Ok(reply.into_json()?),
        Err(ureq::Error::Status(status, reply)) => {
            bail!(
                "{path}: {status} {}",
                reply.into_string().unwrap_or_default()
            )
        }
        Err(error) => Err(error.into()),
    }
}

fn sign_in(base: &str, username: &str, password: &str) -> Result<Value> {
    post(
        base,
        "/api/auth/login",
        None,
        &json!({"username": username, "password": password}),
    )
}

fn device_of(login: &Value) -> Result<Device> {
    let text = |v: &Value| v.as_str().map(str::to_string).context("login field");
    Ok(Device {
        token: text(&login["token"])?,
        facility: text(&login["user"]["facility_id"])?,
        commune: text(&login["user"]["area_id"])?,
    })
}

/// `count` sessions of the demo counsellor: devices of one school.
fn one_school(base: &str, count: usize) -> Result<Vec<Device>> {
    (0..count)
        .map(|_| device_of(&sign_in(base, "counsellor", "demo")?))
        .collect()
}

/// `schools` new schools in the demo communes, each with its own counsellor, and `per_school`
/// sessions of each.
fn many_schools(base: &str, schools: usize, per_school: usize) -> Result<Vec<Device>> {
    let admin = sign_in(base, "admin", "demo")?["token"]
        .as_str()
        .context("admin token")?
        .to_string();
    let areas = ureq::get(&format!("{base}/api/areas"))
        .set("authorization", &format!("Bearer {admin}"))
        .call()?
        .into_json::<Value>()?;
    let communes: Vec<String> = areas
        .as_array()
        .context("areas")?
        .iter()
        .filter(|a| a["level"] == "commune")
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect();
    let mut devices = Vec::new();
    for n in 0..schools {
        let school = post(
            base,
            "/api/facilities",
            Some(&admin),
            &json!({"name": format!("Trường THCS Thử Tải {n}"),
                    "facility_type": "lower_secondary_school",
                    "area_id": communes[n % communes.len()]}),
        )?;
        let username = format!("loadtest{n}");
        let made = post(
            base,
            "/api/users",
            Some(&admin),
            &json!({"username": username, "full_name": format!("Cán Bộ Thử {n}"),
                    "role": "counsellor", "facility_id": school["id"]}),
        )?;
        let one_time = made["one_time_password"]
            .as_str()
            .context("one-time password")?;
        let first = device_of(&sign_in(base, &username, one_time)?)?;
        let password = format!("Đồi chè xanh mướt {n} mùa xuân");
        post(
            base,
            "/api/auth/password",
            Some(&first.token),
            &json!({"current_password": one_time, "new_password": password}),
        )?;
        devices.push(first);
        for _ in 1..per_school {
            devices.push(device_of(&sign_in(base, &username, &password)?)?);
        }
    }
    Ok(devices)
}

/// A new child's change; `vouch`: the device says it held no copy (`base_seq` 0), as the app
/// does, so the answer carries the server's fields and its pulls leave the child out.
fn child(device: &Device, n: usize, vouch: bool) -> Value {
    let now = chrono::Utc::now();
    let mut change = json!({
        "id": uuid::Uuid::now_v7(),
        "record_type": "child",
        "record_id": uuid::Uuid::now_v7(),
        "facility_id": device.facility,
        "set": {
            "full_name": format!("Trẻ Thử Tải {n}"),
            "date_of_birth": now.date_naive() - chrono::Duration::days(13 * 365 + 100),
            "sex": "female",
            "ethnicity": "tay",
            "commune_id": device.commune,
            "guardian_name": "Người Giám Hộ",
            "guardian_relation": "mother"
        },
        "base": {},
        "made_at": now
    });
    if vouch {
        change["base_seq"] = json!(0);
    }
    change
}

/// How a device paces its pushes.
#[derive(Clone, Copy)]
enum Pace {
    /// 1–10 changes, a pull, then 2–5 s of pause: a counsellor at work.
    Realistic,
    /// 100 changes at a time, no pull, no pause: as fast as the server answers.
    NoPause,
    /// 100 changes every period, no pull, whatever the answer's latency (an open load: the
    /// offered rate is fixed, so latency shows queueing, not the clients' own speed).
    Every(Duration),
}

impl Pace {
    fn batch(self, n: usize) -> usize {
        match self {
            Pace::Realistic => 1 + n % 10,
            Pace::NoPause | Pace::Every(_) => 100,
        }
    }

    fn realistic_pause(n: usize) -> Duration {
        Duration::from_millis(2_000 + (n as u64 * 7919) % 3_000)
    }

    /// When device `d` of `count` starts: spread over the first pause or period.
    fn start(self, d: usize, count: usize) -> Duration {
        match self {
            Pace::Realistic => Pace::realistic_pause(d) / 2,
            Pace::NoPause => Duration::ZERO,
            Pace::Every(period) => period * d as u32 / count.max(1) as u32,
        }
    }
}

/// Runs `devices` for `seconds`, each pushing (and pulling) at its `pace`; `skip_own`: as the
/// app does, vouching in pushes and leaving out of pulls what the device settled on.
fn drive(base: &str, devices: Vec<Device>, seconds: u64, pace: Pace, skip_own: bool) -> Tally {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let until = Instant::now() + Duration::from_secs(seconds);
    let pull = matches!(pace, Pace::Realistic);
    let count = devices.len();
    let threads: Vec<_> = devices
        .into_iter()
        .enumerate()
        .map(|(d, device)| {
            let (base, tally) = (base.to_string(), tally.clone());
            std::thread::spawn(move || {
                let mut cursor = 0i64;
                let mut mine = Tally::default();
                let mut n = d * 1_000_000;
                std::thread::sleep(pace.start(d, count));
                let mut next = Instant::now();
                while Instant::now() < until {
                    let changes: Vec<Value> = (0..pace.batch(n))
                        .map(|k| child(&device, n + k, skip_own))
                        .collect();
                    n += changes.len();
                    let started = Instant::now();
                    match post(
                        &base,
                        "/api/sync/push",
                        Some(&device.token),
                        &json!({"changes": changes}),
                    ) {
                        Ok(_) => {
                            mine.push_ms.push(started.elapsed().as_secs_f64() * 1000.0);
                            mine.changes += changes.len();
                        }
                        Err(_) => mine.failures += 1,
                    }
                    if pull {
                        loop {
                            let started = Instant::now();
                            let page = ureq::get(&format!(
                                "{base}/api/sync/pull?since={cursor}&skip_own={skip_own}"
                            ))
                            .set("authorization", &format!("Bearer {}", device.token))
                            .timeout(Duration::from_secs(60))
                            .call()
                            .ok()
                            .and_then(|r| r.into_json::<Value>().ok());
                            let Some(page) = page else {
                                mine.failures += 1;
                                break;
                            };
                            mine.pull_ms.push(started.elapsed().as_secs_f64() * 1000.0);
                            mine.received += page["records"].as_array().map_or(0, Vec::len);
                            cursor = page["cursor"].as_i64().unwrap_or(cursor);
                            if page["more"] != true {
                                break;
                            }
                        }
                    }
                    match pace {
                        Pace::Realistic => std::thread::sleep(Pace::realistic_pause(n)),
                        Pace::NoPause => {}
                        Pace::Every(period) => {
                            next += period;
                            std::thread::sleep(next.saturating_duration_since(Instant::now()));
                        }
                    }
                }
                let mut all = tally.lock().expect("tally");
                all.push_ms.extend(mine.push_ms);
                all.pull_ms.extend(mine.pull_ms);
                all.changes += mine.changes;
                all.received += mine.received;
                all.failures += mine.failures;
            })
        })
        .collect();
    for thread in threads {
        let _ = thread.join();
    }
    Arc::try_unwrap(tally)
        .map(|m| m.into_inner().unwrap_or_default())
        .unwrap_or_default()
}

/// A device that pulls every half second until `until`: the latency of each pull request (a
/// page of at most a couple of thousand records, or nothing new).
fn observe(base: &str, user: &str, until: Instant) -> Result<Vec<f64>> {
    let token = sign_in(base, user, "demo")?["token"]
        .as_str()
        .context("token")?
        .to_string();
    let mut cursor = 0i64;
    let mut times = Vec::new();
    while Instant::now() < until {
        let started = Instant::now();
        let page: Value = ureq::get(&format!("{base}/api/sync/pull?since={cursor}"))
            .set("authorization", &format!("Bearer {token}"))
            .timeout(Duration::from_secs(60))
            .call()?
            .into_json()?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        cursor = page["cursor"].as_i64().unwrap_or(cursor);
        if page["more"] != true {
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    Ok(times)
}

fn report(name: &str, seconds: u64, mut tally: Tally, server: &Server, data: &std::path::Path) {
    tally.push_ms.sort_by(f64::total_cmp);
    tally.pull_ms.sort_by(f64::total_cmp);
    let requests = tally.push_ms.len() + tally.pull_ms.len();
    let size: u64 = std::fs::read_dir(data)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    println!(
        "| {name} | {:.0} | {:.0} | {:.0} | {:.0} / {:.0} / {:.0} ms | {:.0} / {:.0} / {:.0} ms | {} | {} MB | {} MB |",
        requests as f64 / seconds as f64,
        tally.changes as f64 / seconds as f64,
        tally.received as f64 / seconds as f64,
        percentile(&tally.push_ms, 0.5),
        percentile(&tally.push_ms, 0.95),
        percentile(&tally.push_ms, 0.99),
        percentile(&tally.pull_ms, 0.5),
        percentile(&tally.pull_ms, 0.95),
        percentile(&tally.pull_ms, 0.99),
        tally.failures,
        server.memory_kb("VmHWM:") / 1024,
        size >> 20,
    );
}

pub fn bench(seconds: u64, only: Option<&str>, skip_own: bool) -> Result<()> {
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "server"])
        .current_dir(root()))?;
    let binary = target_dir().join("release/tam-an-server");
    // Sign-ins are not what is measured: throttling out of the way.
    let flags = [
        "--max-failures-per-account",
        "1000000",
        "--max-failures-per-address",
        "1000000",
        "--hash-queue-seconds",
        "120",
    ];
    let own = if skip_own {
        "devices do not pull back what they pushed"
    } else {
        "devices pull back what they pushed (--pull-own)"
    };
    println!("Each case on a fresh database, {seconds} s, release build, this machine; {own}:");
    println!("| case | requests/s | changes/s | records pulled/s | push p50 / p95 / p99 | pull p50 / p95 / p99 | failures | server peak RSS | database |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let cases: [(&str, usize, usize, Pace); 6] = [
        ("50 devices, one school", 50, 0, Pace::Realistic),
        ("200 devices, one school", 200, 0, Pace::Realistic),
        ("500 devices, one school", 500, 0, Pace::Realistic),
        ("200 devices, 100 schools", 200, 100, Pace::Realistic),
        (
            "write storm: 200 devices × 100 changes, no pause",
            200,
            0,
            Pace::NoPause,
        ),
        (
            "paced storm: 200 devices × 100 changes every 2 s (10,000 offered/s)",
            200,
            0,
            Pace::Every(Duration::from_secs(2)),
        ),
    ];
    for (name, devices, schools, pace) in cases {
        let storm = !matches!(pace, Pace::Realistic);
        if only.is_some_and(|only| !name.contains(only)) {
            continue;
        }
        let data = std::env::temp_dir().join(format!("tam-an-load-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&data)?;
        let server = Server::start(&binary, &data, &flags)?;
        let base = server.base();
        let fleet = if schools > 0 {
            many_schools(&base, schools, devices / schools)?
        } else {
            one_school(&base, devices)?
        };
        if fleet.len() != devices {
            bail!("{name}: {} devices signed in of {devices}", fleet.len());
        }
        let tally = if storm {
            // Two observers pull every half second meanwhile: a device of the same school (its
            // pulls return records) and the health station's (nothing to receive).
            let until = Instant::now() + Duration::from_secs(seconds.min(30));
            let observers: Vec<_> = [("counsellor", "with records"), ("health", "empty")]
                .into_iter()
                .map(|(user, label)| {
                    let base = base.clone();
                    std::thread::spawn(move || observe(&base, user, until).map(|ms| (label, ms)))
                })
                .collect();
            let tally = drive(&base, fleet, seconds.min(30), pace, skip_own);
            for observer in observers {
                if let Ok(Ok((label, mut ms))) = observer.join() {
                    ms.sort_by(f64::total_cmp);
                    println!(
                        "|   pulls during the storm, {label} | {} pull requests | | | | {:.0} / {:.0} / {:.0} ms | | | |",
                        ms.len(),
                        percentile(&ms, 0.5),
                        percentile(&ms, 0.95),
                        percentile(&ms, 0.99)
                    );
                }
            }
            tally
        } else {
            drive(&base, fleet, seconds, pace, skip_own)
        };
        report(
            name,
            if storm { seconds.min(30) } else { seconds },
            tally,
            &server,
            &data,
        );
        drop(server);
        let _ = std::fs::remove_dir_all(&data);
    }
    Ok(())
}
