//! Build orchestration for the workspace (`cargo xtask …`, see `.cargo/config.toml`).
//!
//! - `cargo xtask serve`: build the app bundle and the server, then serve with a demo province.
//! - `cargo xtask test`: every test (unit, API, browser end-to-end, the API against its OpenAPI
//!   document with schemathesis), plus format and lint checks.
//! - `cargo xtask dist`: only build the bundle into `dist/`.
//!
//! Nothing here downloads from outside the package registries: wasm-bindgen runs in-process and
//! wasm-opt comes from the npm `binaryen` package.

mod bench;
mod browser;
mod delta;
mod dist;
mod dist_cache;
mod lighthouse;
mod load;
mod load_page;
mod reconnect;
mod schema;
mod server;
mod signin;
mod split;
mod util;

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::util::{root, run, target_dir};

#[derive(Parser)]
#[command(name = "xtask", about = "Build, serve and test Tâm An")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build the app bundle (wasm, JS glue, CSS, service worker) into dist/.
    Dist,
    /// Build everything and serve the app (seeds a demo province on an empty database).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Folder for the SQLite database.
        #[arg(long, default_value = "./data")]
        data: PathBuf,
        /// Start without the demo province: only an administrator with a one-time password.
        #[arg(long)]
        no_demo: bool,
        /// First start of a real installation in this province (official code, e.g. 04 Cao
        /// Bằng): its communes are loaded; only an administrator is created.
        #[arg(long)]
        province: Option<String>,
    },
    /// Benchmarks (not tests): `cargo xtask bench sync [--peer] [--browser]`, `cargo xtask bench report`, `cargo xtask bench import`, `cargo xtask bench signin`, `cargo xtask bench load`, `cargo xtask bench reconnect`, `cargo xtask bench load-page`, `cargo xtask bench update --from DIR`, `cargo xtask bench lighthouse`.
    Bench {
        #[command(subcommand)]
        which: Bench,
    },
    /// Only the API checks against the OpenAPI document (schemathesis), as `test` runs them.
    Schema,
    /// Run every test: unit, API, browser end-to-end; then formatting and clippy.
    Test {
        /// Skip `cargo fmt --check` and clippy (faster local runs; CI never skips them).
        #[arg(long)]
        no_lint: bool,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Replays the peer workload through our sync (push, initial pull, increments, no-op pull).
    Sync {
        /// Then run the peer's own benchmark (PouchDB ⇄ CouchDB protocol) back to back.
        #[arg(long)]
        peer: bool,
        /// Use our real app in headless Chromium as the client (else a native client).
        #[arg(long)]
        browser: bool,
    },
    /// Times a 1,000-pupil class list import: the preview, then applying it.
    Import,
    /// The server's memory and sign-in latency: 1,000 sign-ins one by one, then 200 at once.
    Signin,
    /// Many devices at once: 50, 200 and 500 of one school, 200 over 100 schools, a write storm.
    Load {
        /// How long each case runs.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Only the cases whose name contains this ("storm", "one school", "100 schools").
        #[arg(long)]
        only: Option<String>,
        /// Devices push without vouching for their copy and pull back what they pushed, as
        /// apps did before the push answered with the server's fields (to compare).
        #[arg(long)]
        pull_own: bool,
    },
    /// How soon the app in Chromium shows "offline" and drains its outbox after a reconnect.
    Reconnect,
    /// The first visit on slow and fast 3G and the repeat visit offline, in Chromium.
    LoadPage,
    /// The bytes a device downloads to take the current release from an earlier `dist/`
    /// (copy `dist/` aside before a change, then pass that copy), with and without deltas.
    Update {
        /// The earlier release: a copy of `dist/` as it was.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Lighthouse (mobile) on the app's pages, signed out and as each role.
    Lighthouse,
    /// Times the annual report on a province-sized data set (generated once, then reused).
    Report {
        /// Generate the data set again.
        #[arg(long)]
        fresh: bool,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Task::Dist => dist::build().map(|_| ()),
        Task::Serve {
            listen,
            data,
            no_demo,
            province,
        } => serve(&listen, &data, no_demo, province.as_deref()),
        Task::Test { no_lint } => test(no_lint),
        Task::Schema => schema::check(),
        Task::Bench {
            which: Bench::Sync { peer, browser },
        } => bench::sync(peer, browser),
        Task::Bench {
            which: Bench::Report { fresh },
        } => bench::report(fresh),
        Task::Bench {
            which: Bench::Import,
        } => bench::import(),
        Task::Bench {
            which: Bench::Signin,
        } => signin::bench(),
        Task::Bench {
            which:
                Bench::Load {
                    seconds,
                    only,
                    pull_own,
                },
        } => load::bench(seconds, only.as_deref(), !pull_own),
        Task::Bench {
            which: Bench::Reconnect,
        } => reconnect::bench(),
        Task::Bench {
            which: Bench::LoadPage,
        } => load_page::bench(),
        Task::Bench {
            which: Bench::Lighthouse,
        } => lighthouse::bench(),
        Task::Bench {
            which: Bench::Update { from },
        } => load_page::update(&from),
    }
}

fn serve(
    listen: &str,
    data: &std::path::Path,
    no_demo: bool,
    province: Option<&str>,
) -> Result<()> {
    let dist = dist::build()?;
    run(Command::new("cargo")
        .args(["build", "--release", "-p", "server"])
        .current_dir(root()))?;
    let mut server = Command::new(target_dir().join("release/tam-an-server"));
    server
        .args(["--listen", listen])
        .arg("--data")
        .arg(data)
        .arg("--dist")
        .arg(&dist);
    if no_demo {
        server.arg("--no-demo");
    }
    if let Some(province) = province {
        server.args(["--province", province]);
    }
    run(&mut server)
}

/// How far ahead the second pass of the date-sensitive tests runs (a year and a few weeks, so
/// that it also lands on another day of the week and month).
const YEAR_AHEAD: i64 = 365 + 45;

fn test(no_lint: bool) -> Result<()> {
    if !no_lint {
        run(Command::new("cargo")
            .args(["fmt", "--all", "--", "--check"])
            .current_dir(root()))?;
    }
    let browser = browser::ensure()?;
    let dist = dist::build()?;
    let suite = |args: &[&str]| {
        let mut command = Command::new("cargo");
        command
            .args(["test"])
            .args(args)
            .env("TAM_AN_E2E_DIST", &dist)
            .env("TAM_AN_E2E_CHROMIUM", &browser.chromium)
            .env("TAM_AN_E2E_CHROMEDRIVER", &browser.chromedriver)
            .env(
                "TAM_AN_E2E_AXE",
                root().join("node_modules/axe-core/axe.min.js"),
            )
            .current_dir(root());
        command
    };
    let mut totals = util::run_tests(&mut suite(&["--workspace"]))?;
    // The date-sensitive suites again, a year ahead: the API tests (their manual clock) and the
    // browser tests that type dates (the server's clock and the page's `Date`, both shifted). A
    // date written into a test fails here the day it is written, not a year later.
    for args in [
        &["-p", "server", "--test", "api"][..],
        &["-p", "tests", "--test", "referrals", "--test", "screening"][..],
    ] {
        totals +=
            util::run_tests(suite(args).env("TAM_AN_TEST_SHIFT_DAYS", YEAR_AHEAD.to_string()))?;
    }
    // The API against its own document, each role in turn (schemathesis).
    schema::check()?;
    if !no_lint {
        run(Command::new("cargo")
            .args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(root()))?;
        run(Command::new("cargo")
            .args([
                "clippy",
                "-p",
                "app",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(root()))?;
    }
    // The plain closing line: the totals over every suite (cargo's own last line is often a doc-test
    // binary with nothing in it).
    println!("tests: {} passed, {} failed", totals.passed, totals.failed);
    Ok(())
}
