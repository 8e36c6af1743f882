//! `cargo xtask bench report` runs this twice: `generate DB` writes a province-sized data set
//! (204,000 children, 1,000,000 screenings, 150,000 referrals with their events, 400 schools,
//! 200 communes) into a fresh database; `measure DB` then opens it in a new process, signs the
//! demo officer in and times the province's report and one commune's through the real router,
//! reading the process's peak resident memory from /proc.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use axum::body::Body;
use axum::http::Request;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use http_body_util::BodyExt;
use rusqlite::params;
use server::clock::Clock;
use server::config::Policy;
use server::db::Db;
use server::{app, seed, AppState};
use tower::ServiceExt;
use uuid::Uuid;

const CHILDREN: usize = 204_000;
const SCREENINGS: usize = 1_000_000;
const REFERRALS: usize = 150_000;
const SCHOOLS: usize = 400;
const COMMUNES: usize = 200;
const RUNS: usize = 5;

/// A small deterministic generator (the data set is the same on every machine).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn day(date: NaiveDate) -> i64 {
    i64::from(chrono::Datelike::num_days_from_ce(&date))
}

/// The data set is the reporting year that ended last before the day it is generated, seen on its
/// 20 November; the year is kept in the data set so that a later measurement uses the same one.
fn anchor_year() -> i32 {
    shared::indicators::Period::year_of(Utc::now().date_naive()) - 1
}

fn anchor(year: i32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(year, 11, 20, 3, 0, 0).unwrap()
}

async fn generate(path: &str) -> Result<()> {
    let _ = std::fs::remove_file(path);
    let db = Db::open(std::path::Path::new(path)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let year = anchor_year();
    let now = anchor(year);
    seed::seed(&db, true, None, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.write(move |t| {
        let province: Uuid = t.query_row("SELECT id FROM areas WHERE level = 'province'", [], |r| r.get(0))?;
        let mut rng = Lcg(42);
        let mut communes = Vec::new();
        for c in 0..COMMUNES {
            let id = Uuid::now_v7();
            t.execute(
                "INSERT INTO areas (id, code, name, level, parent_id, active, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'commune', ?4, 1, ?5, ?5)",
                params![id, format!("9{c:04}"), format!("Xã Thử {c}"), province, now],
            )?;
            communes.push(id);
        }
        let mut schools = Vec::new();
        let hash: String = t.query_row("SELECT password_hash FROM users LIMIT 1", [], |r| r.get(0))?;
        for s in 0..SCHOOLS {
            let id = Uuid::now_v7();
            let kind = ["primary_school", "lower_secondary_school", "upper_secondary_school", "kindergarten"][s % 4];
            t.execute(
                "INSERT INTO facilities (id, name, facility_type, area_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![id, format!("Trường Thử {s}"), kind, communes[s % COMMUNES], now],
            )?;
            if s % 4 != 3 {
                t.execute(
                    "INSERT INTO users (id, username, full_name, role, facility_id, area_id, password_hash, created_at, updated_at)
                     VALUES (?1, ?2, 'Người Thử', 'counsellor', ?3, ?4, ?5, ?6, ?6)",
                    params![Uuid::now_v7(), format!("tuvan{s}"), id, communes[s % COMMUNES], hash, now],
                )?;
            }
            schools.push(id);
        }
        for (c, commune) in communes.iter().enumerate() {
            let id = Uuid::now_v7();
            t.execute(
                "INSERT INTO facilities (id, name, facility_type, area_id, created_at, updated_at)
                 VALUES (?1, ?2, 'commune_health_station', ?3, ?4, ?4)",
                params![id, format!("Trạm y tế Thử {c}"), commune, now],
            )?;
        }
        t.execute_batch(&format!("CREATE TABLE bench_anchor (year INTEGER); INSERT INTO bench_anchor VALUES ({year});"))?;
        let start = shared::indicators::Period::reporting_year(year).from;
        let mut child_school = Vec::with_capacity(CHILDREN);
        {
            let mut insert = t.prepare(
                "INSERT INTO fact_children (key, id, facility_id, born, sex, ethnicity, registered_on, voided)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
            )?;
            for key in 0..CHILDREN {
                let school = rng.below(SCHOOLS as u64) as usize;
                let born = start - Duration::days(17 * 365) + Duration::days(rng.below(17 * 365) as i64);
                insert.execute(params![
                    key as i64 + 1,
                    Uuid::now_v7(),
                    schools[school],
                    day(born),
                    rng.below(2) as i64,
                    rng.below(12) as i64,
                    day(start - Duration::days(400))
                ])?;
                child_school.push(school);
            }
        }
        let mut at_risk = Vec::new();
        {
            let mut insert = t.prepare(
                "INSERT INTO fact_screenings (id, child, facility_id, day, instrument, at_risk, voided)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for _ in 0..SCREENINGS {
                let child = rng.below(CHILDREN as u64) as usize;
                let risk = rng.chance(12);
                let on = start + Duration::days(rng.below(355) as i64);
                if risk {
                    at_risk.push((child, on));
                }
                insert.execute(params![
                    Uuid::now_v7(),
                    child as i64 + 1,
                    schools[child_school[child]],
                    day(on),
                    rng.below(6) as i64,
                    risk,
                    rng.chance(1)
                ])?;
            }
        }
        {
            let mut insert = t.prepare(
                "INSERT INTO fact_sessions (id, child, facility_id, day, counts) VALUES (?1, ?2, ?3, ?4, 1)",
            )?;
            for (child, on) in at_risk.iter().step_by(2) {
                insert.execute(params![
                    Uuid::now_v7(),
                    *child as i64 + 1,
                    schools[child_school[*child]],
                    day(*on + Duration::days(rng.below(60) as i64))
                ])?;
            }
        }
        {
            let mut referral = t.prepare(
                "INSERT INTO fact_referrals (key, id, child, facility_id, urgency, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut event = t.prepare(
                "INSERT INTO fact_events (id, referral, action, at, attended_on, refused) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            )?;
            for key in 0..REFERRALS {
                let (child, on) = at_risk[key % at_risk.len()];
                let sent = on.and_hms_opt(2, 0, 0).unwrap().and_utc() + Duration::hours(rng.below(72) as i64);
                referral.execute(params![
                    key as i64 + 1,
                    Uuid::now_v7(),
                    child as i64 + 1,
                    schools[child_school[child]],
                    rng.below(3) as i64,
                    sent.timestamp()
                ])?;
                // receive, then accept or decline, attend, complete (Action::ALL positions).
                let mut at = sent;
                let mut step = |action: i64, hours: u64, attended: bool| -> rusqlite::Result<()> {
                    at += Duration::hours(hours as i64);
                    let on = attended.then(|| day(at.date_naive()));
                    event.execute(params![Uuid::now_v7(), key as i64 + 1, action, at.timestamp(), on])?;
                    Ok(())
                };
                if rng.chance(90) {
                    step(0, rng.below(60), false)?;
                    if rng.chance(10) {
                        step(2, 4, false)?;
                        continue;
                    }
                    if rng.chance(80) {
                        step(1, 2, false)?;
                        if rng.chance(85) {
                            step(3, rng.below(200), true)?;
                            if rng.chance(80) {
                                step(4, 24, false)?;
                            }
                        }
                    }
                }
            }
        }
        {
            let mut orphan = t.prepare(
                "INSERT INTO fact_circumstances (id, child, orphan, since, until) VALUES (?1, ?2, 1, ?3, NULL)",
            )?;
            let mut care = t.prepare("INSERT INTO fact_care (id, child, kind, since) VALUES (?1, ?2, ?3, ?4)")?;
            for i in 0..382 {
                let child = (i * 531) as i64 + 1;
                orphan.execute(params![Uuid::now_v7(), child, day(start - Duration::days(100))])?;
                care.execute(params![Uuid::now_v7(), child, rng.below(5) as i64, day(start)])?;
            }
        }
        Ok(())
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

fn memory_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

async fn measure(path: &str) -> Result<()> {
    let db = Db::open(std::path::Path::new(path)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let year: i32 = db
        .read(|c| Ok(c.query_row("SELECT year FROM bench_anchor", [], |r| r.get(0))?))
        .await
        .map_err(|e| anyhow::anyhow!("{e} (generate the data set again: --fresh)"))?;
    let clock = Clock::manual(anchor(year));
    let today = anchor(year).date_naive();
    let commune: Uuid = db
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM areas WHERE name = 'Phường Tam Thanh'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Where the time goes, once: loading the facts, then computing.
    let (load_ms, compute_ms) = db
        .read(move |c| {
            let scope: std::collections::HashSet<Uuid> = c
                .prepare("SELECT id FROM facilities")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let started = Instant::now();
            let window = shared::indicators::Period {
                from: shared::indicators::Period::reporting_year(year).from,
                to: today,
            };
            let data = server::facts::load(c, &scope, Default::default(), window)?;
            let loaded = started.elapsed().as_secs_f64() * 1000.0;
            let started = Instant::now();
            let report = shared::indicators::compute(
                &data,
                shared::indicators::Period::reporting_year(year),
                today,
            );
            std::hint::black_box(report);
            Ok((loaded, started.elapsed().as_secs_f64() * 1000.0))
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "province, in process: loading the facts {load_ms:.0} ms, computing {compute_ms:.0} ms"
    );
    let router = app(AppState::new(db, Policy::default(), clock, None));
    let login = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"username":"officer","password":"demo"}"#))?;
    let reply = router.clone().oneshot(login).await?;
    let body = reply.into_body().collect().await?.to_bytes();
    let token = serde_json::from_slice::<serde_json::Value>(&body)?["token"]
        .as_str()
        .context("no token")?
        .to_string();
    let before_kb = memory_kb("VmRSS:");
    println!("resident before the reports: {} MB", before_kb / 1024);
    for (name, path) in [
        (
            "province (204,000 children)",
            format!("/api/indicators?year={year}"),
        ),
        (
            "one commune",
            format!("/api/indicators?year={year}&area={commune}"),
        ),
    ] {
        let mut millis = Vec::new();
        let mut size = 0;
        for _ in 0..RUNS {
            let request = Request::get(&path)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())?;
            let started = Instant::now();
            let reply = router.clone().oneshot(request).await?;
            let status = reply.status();
            let body = reply.into_body().collect().await?.to_bytes();
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
            if !status.is_success() {
                bail!("{status}: {}", String::from_utf8_lossy(&body));
            }
            size = body.len();
        }
        millis.sort_by(f64::total_cmp);
        println!(
            "{name}: median {:.0} ms (min {:.0}, max {:.0}) over {RUNS} runs, {size} bytes of JSON",
            millis[RUNS / 2],
            millis[0],
            millis[RUNS - 1]
        );
    }
    println!(
        "peak resident memory of the server process: {} MB (after sign-in, before the reports: {} MB)",
        memory_kb("VmHWM:") / 1024,
        before_kb / 1024
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("generate"), Some(path)) => {
            let started = Instant::now();
            generate(path).await?;
            println!("generated in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        (Some("measure"), Some(path)) => measure(path).await,
        _ => bail!("usage: bench-report generate|measure DB"),
    }
}
