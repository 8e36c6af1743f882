//! `cargo xtask bench load-page`: the first visit on slow and fast 3G (time to the sign-in form
//! usable, bytes by resource) and the repeat visit with the server stopped (from the service
//! worker), in headless Chromium with the link shaped (issue 18's goals: cold slow 3G ≤ 8 s,
//! repeat offline ≤ 1 s). The browser half is `tests/bench/load_page.rs`.

use std::collections::BTreeMap;
use std::process::Command;

use anyhow::Result;
use serde_json::Value;

use crate::{browser, dist};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

pub fn bench() -> Result<()> {
    let browser = browser::ensure()?;
    let dist = dist::build()?;
    let binary = crate::util::bench_binary("bench-load-page")?;
    let lines = crate::util::json_lines(
        Command::new(&binary)
            .env("TAM_AN_E2E_DIST", &dist)
            .env("TAM_AN_E2E_CHROMIUM", &browser.chromium)
            .env("TAM_AN_E2E_CHROMEDRIVER", &browser.chromedriver),
        "the load-page benchmark",
    )?;
    let mut by_link: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for line in &lines {
        by_link
            .entry(line["link"].as_str().unwrap_or("?").to_string())
            .or_default()
            .push(line);
    }
    println!("\nFirst and repeat visit, headless Chromium, median of the runs (range):");
    println!("| link | cold: sign-in form usable | bytes on the wire | repeat, server stopped |");
    println!("|---|---|---|---|");
    for (link, runs) in &by_link {
        let field = |key: &str| {
            runs.iter()
                .filter_map(|r| r[key].as_f64())
                .collect::<Vec<_>>()
        };
        let (cold, repeat, bytes) = (
            field("cold_ms"),
            field("repeat_offline_ms"),
            field("cold_bytes"),
        );
        let range = |v: &[f64]| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(0.0, f64::max);
            format!("{:.2}–{:.2} s", lo / 1000.0, hi / 1000.0)
        };
        println!(
            "| {link} | {:.2} s ({}) | {:.0} KB | {:.2} s ({}) |",
            median(cold.clone()) / 1000.0,
            range(&cold),
            median(bytes) / 1000.0,
            median(repeat.clone()) / 1000.0,
            range(&repeat)
        );
    }
    if let Some(first) = lines.first() {
        println!(
            "\nBytes by resource (first run, {}):",
            first["link"].as_str().unwrap_or("?")
        );
        for resource in first["resources"].as_array().into_iter().flatten() {
            println!(
                "- {}: {} B",
                resource[0].as_str().unwrap_or("?"),
                resource[1]
            );
        }
    }
    Ok(())
}

/// `cargo xtask bench update --from DIR`: the bytes on the wire when a device holding the
/// release in `from` (an earlier `dist/`, copied aside before a change) takes the current one,
/// with the deltas `dist` made and without them. The browser half is `tests/bench/update.rs`.
pub fn update(from: &std::path::Path) -> Result<()> {
    let browser = browser::ensure()?;
    let from = from
        .canonicalize()
        .map_err(|e| anyhow::anyhow!("{}: {e}", from.display()))?;
    let dist = dist::build()?;
    let binary = crate::util::bench_binary("bench-update")?;
    let lines = crate::util::json_lines(
        Command::new(&binary)
            .env("TAM_AN_BENCH_FROM", &from)
            .env("TAM_AN_E2E_DIST", &dist)
            .env("TAM_AN_E2E_CHROMIUM", &browser.chromium)
            .env("TAM_AN_E2E_CHROMEDRIVER", &browser.chromedriver),
        "the update benchmark",
    )?;
    println!("\nA device takes the new release (headless Chromium, bytes received on the wire):");
    println!(
        "| case | files with a new name | their brotli bytes | bytes on the wire | how they came |"
    );
    println!("|---|---|---|---|---|");
    for line in &lines {
        println!(
            "| {} | {} | {} | {} | {} |",
            line["case"].as_str().unwrap_or("?"),
            line["files_changed"],
            line["files_brotli"],
            line["wire_bytes"],
            line["encodings"]
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn median_takes_the_middle() {
        assert_eq!(super::median(vec![3.0, 1.0, 2.0]), 2.0);
        assert!(super::median(Vec::new()).is_nan());
    }
}
