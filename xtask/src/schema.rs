//! The API against its own OpenAPI document, with schemathesis (PyPI): the real server binary on
//! a fresh demo database, each role's session in turn, a bounded number of generated requests
//! per operation and a fixed seed. Any 5xx, or a response that contradicts the document (its
//! schema or content type), fails the test command.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::server::Server;
use crate::util::{output, root, run, target_dir};

/// The version the checks were written against (its CLI changed between major versions).
const SCHEMATHESIS: &str = "schemathesis==4.32.5";
/// Generated requests per operation and phase.
const EXAMPLES: &str = "10";
const SEED: &str = "1";
/// Checks that judge the server against the document (not the generator against the server).
const CHECKS: &str = "not_a_server_error,response_schema_conformance,content_type_conformance";
/// The roles, administrator last (its requests change the directory the others rely on).
const ROLES: [&str; 7] = [
    "counsellor",
    "health",
    "clinician",
    "social",
    "officer",
    "integrator",
    "admin",
];

/// Installs schemathesis with pip when it is missing; returns the command to run it.
fn ensure() -> Result<String> {
    if output(Command::new("schemathesis").arg("--version")).is_some() {
        return Ok("schemathesis".into());
    }
    eprintln!("xtask: installing {SCHEMATHESIS} for the API checks");
    run(Command::new("python3").args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        SCHEMATHESIS,
    ]))?;
    match output(Command::new("schemathesis").arg("--version")) {
        Some(_) => Ok("schemathesis".into()),
        None => bail!("schemathesis is still missing after `pip install {SCHEMATHESIS}`"),
    }
}

fn sign_in(base: &str, username: &str) -> Result<String> {
    let reply: serde_json::Value = ureq::post(&format!("{base}/api/auth/login"))
        .send_json(serde_json::json!({"username": username, "password": "demo"}))
        .with_context(|| format!("signing in as {username}"))?
        .into_json()?;
    reply["token"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no token for {username}: {reply}"))
}

/// Runs schemathesis for each role's session, then for sign-in without one.
pub fn check() -> Result<()> {
    let schemathesis = ensure()?;
    run(Command::new("cargo")
        .args(["build", "-p", "server"])
        .current_dir(root()))?;
    let data = tempfile_dir()?;
    let server = Server::start(&target_dir().join("debug/tam-an-server"), &data, &[])?;
    let base = server.base();
    let document = format!("{base}/api/openapi.json");
    // Every session first: sign-in is exercised last, since its failures throttle the address.
    let tokens: Vec<(&str, String)> = ROLES
        .iter()
        .map(|role| sign_in(&base, role).map(|token| (*role, token)))
        .collect::<Result<_>>()?;
    let common = [
        "--checks",
        CHECKS,
        "-n",
        EXAMPLES,
        "--seed",
        SEED,
        "--no-color",
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
    ];
    for (role, token) in &tokens {
        eprintln!("xtask: schemathesis as {role}");
        run(Command::new(&schemathesis)
            .args(["run", &document])
            .args(common)
            .args(["-H", &format!("Authorization: Bearer {token}")])
            // Signing out or changing the password would end the session under test.
            .args(["--exclude-path", "/api/auth/logout"])
            .args(["--exclude-path", "/api/auth/password"])
            .args(["--exclude-path", "/api/auth/login"]))
        .with_context(|| format!("the API broke its document for the {role} role"))?;
    }
    eprintln!("xtask: schemathesis on sign-in");
    run(Command::new(&schemathesis)
        .args(["run", &document])
        .args(common)
        .args(["--include-path", "/api/auth/login"]))
    .context("sign-in broke its document")?;
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("tam-an-schemathesis-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
