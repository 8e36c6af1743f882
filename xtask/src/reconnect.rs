//! `cargo xtask bench reconnect`: how soon the real app in headless Chromium notices the server
//! stopping and drains its outbox once it returns (issue 12's targets: the truth within 5 s
//! either way, drained within 10 s). Runs the browser test that measures both a few times and
//! prints the median and the worst.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::util::root;
use crate::{browser, dist};

const RUNS: usize = 3;

/// The two times a run of the test printed, in seconds.
fn parse(log: &str) -> Option<(f64, f64)> {
    let line = log.lines().find(|line| line.starts_with("reconnect:"))?;
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|word| word.parse::<f64>().ok())
        .collect();
    match numbers[..] {
        [noticed, drained] => Some((noticed, drained)),
        _ => None,
    }
}

fn median_and_worst(mut values: Vec<f64>) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    (values[values.len() / 2], values[values.len() - 1])
}

pub fn bench() -> Result<()> {
    let browser = browser::ensure()?;
    let dist = dist::build()?;
    let (mut noticed, mut drained) = (Vec::new(), Vec::new());
    for run in 1..=RUNS {
        let out = Command::new("cargo")
            .args([
                "test",
                "-p",
                "tests",
                "--test",
                "reconnect",
                "the_header_tells_the_truth",
            ])
            .args(["--", "--nocapture"])
            .env("TAM_AN_E2E_DIST", &dist)
            .env("TAM_AN_E2E_CHROMIUM", &browser.chromium)
            .env("TAM_AN_E2E_CHROMEDRIVER", &browser.chromedriver)
            .current_dir(root())
            .output()
            .context("running the reconnect browser test")?;
        let log = String::from_utf8_lossy(&out.stderr);
        let Some((offline, empty)) = parse(&log).filter(|_| out.status.success()) else {
            bail!("run {run}: the reconnect test failed:\n{log}");
        };
        println!(
            "run {run}: offline shown after {offline:.1} s, outbox drained after {empty:.1} s"
        );
        noticed.push(offline);
        drained.push(empty);
    }
    let (n_median, n_worst) = median_and_worst(noticed);
    let (d_median, d_worst) = median_and_worst(drained);
    println!("offline shown: median {n_median:.1} s, worst {n_worst:.1} s (target 5 s)");
    println!("outbox drained: median {d_median:.1} s, worst {d_worst:.1} s (target 10 s)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tests_line() {
        let log = "noise\nreconnect: offline shown 2.8 s after the server stopped; outbox drained 1.3 s after it returned\n";
        assert_eq!(parse(log), Some((2.8, 1.3)));
        assert_eq!(parse("nothing"), None);
        assert_eq!(median_and_worst(vec![3.0, 1.0, 2.0]), (2.0, 3.0));
    }
}
