//! `cargo xtask bench lighthouse`: Lighthouse (npm, mobile emulation) on the app's pages, signed
//! out and as each role, against the release server with the demo province (issue 18's goals:
//! accessibility 100, best practices 100, performance ≥ 90). CPU-sensitive, so a benchmark, not a
//! test. The browser half is `tests/lighthouse/run.mjs`, with its own `package.json` so the test
//! command never installs Lighthouse.

use std::process::Command;

use anyhow::Result;
use serde_json::Value;

use crate::server::Server;
use crate::util::{root, run, target_dir};
use crate::{browser, dist};

const CATEGORIES: [&str; 3] = ["accessibility", "best-practices", "performance"];

/// One table row from a page's line: the scores, then what lost points.
fn row(line: &Value) -> String {
    let score = |c: &str| {
        line["scores"][c]
            .as_i64()
            .map_or("–".into(), |s| s.to_string())
    };
    let lost: Vec<String> = CATEGORIES
        .iter()
        .flat_map(|c| line["lost"][c].as_array().into_iter().flatten())
        .filter_map(|audit| audit.as_str().map(str::to_string))
        .collect();
    format!(
        "| {} | {} | {} | {} | {} | {} |",
        line["user"].as_str().unwrap_or("?"),
        line["path"].as_str().unwrap_or("?"),
        score("accessibility"),
        score("best-practices"),
        score("performance"),
        if lost.is_empty() {
            "–".into()
        } else {
            lost.join(", ")
        }
    )
}

pub fn bench() -> Result<()> {
    let browser = browser::ensure()?;
    let dist = dist::build()?;
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "server"])
        .current_dir(root()))?;
    let tools = root().join("tests/lighthouse");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&tools))?;
    let data = std::env::temp_dir().join(format!("tam-an-lighthouse-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&data)?;
    let server = Server::serving(
        &target_dir().join("release/tam-an-server"),
        &data,
        &dist,
        &[],
    )?;
    let lines = crate::util::json_lines(
        Command::new("node")
            .arg("run.mjs")
            .arg(server.base())
            .arg(&browser.chromium)
            .current_dir(&tools),
        "Lighthouse",
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    let lines = lines?;
    let version = lines
        .first()
        .and_then(|l| l["lighthouse"].as_str())
        .unwrap_or("?");
    println!("\nLighthouse {version}, mobile emulation (its default), demo province:");
    println!("| who | page | accessibility | best practices | performance | lost points |");
    println!("|---|---|---|---|---|---|");
    for line in &lines {
        println!("{}", row(line));
        if let Some(error) = line["error"].as_str() {
            println!("|   | (Lighthouse could not finish: {error}) | | | | |");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_row_names_the_scores_and_the_audits_that_lost_points() {
        let line = json!({"user": "admin", "path": "/admin/users",
            "scores": {"accessibility": 100, "best-practices": 100, "performance": 92},
            "lost": {"accessibility": [], "best-practices": [], "performance": ["total-blocking-time (0.74)"]}});
        assert_eq!(
            super::row(&line),
            "| admin | /admin/users | 100 | 100 | 92 | total-blocking-time (0.74) |"
        );
    }
}
