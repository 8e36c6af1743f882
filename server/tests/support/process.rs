//! The real server binary for the end-to-end tests that kill or cut it off (`crash.rs`,
//! `faults.rs`): started on a free port over a data folder, and the pushes they send.
// Each test binary uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

pub struct Server {
    pub process: Child,
    pub url: String,
}

pub fn start(data: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = Command::new(env!("CARGO_BIN_EXE_tam-an-server"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--dist",
            "/nonexistent",
        ])
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not listen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Server {
        process,
        url: format!("http://127.0.0.1:{port}"),
    }
}

pub fn child_change(facility: &str, commune: &str, n: usize) -> Value {
    // Dates from the day the test runs: a 13-year-old, changed now (the real server's clock).
    let now = chrono::Utc::now();
    let born = now.date_naive() - chrono::Duration::days(13 * 365 + 100);
    json!({
        "id": Uuid::now_v7(),
        "record_type": "child",
        "record_id": Uuid::now_v7(),
        "facility_id": facility,
        "set": {
            "full_name": format!("Trẻ Thử {n}"),
            "date_of_birth": born,
            "sex": "female",
            "ethnicity": "nung",
            "commune_id": commune,
            "guardian_name": "Người Giám Hộ",
            "guardian_relation": "mother"
        },
        "base": {},
        "made_at": now
    })
}

pub async fn push(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    changes: &[Value],
) -> Option<Value> {
    let response = http
        .post(format!("{url}/api/sync/push"))
        .bearer_auth(token)
        .json(&json!({ "changes": changes }))
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}

/// Signs the demo counsellor in: the token, the school's id and its commune's id.
pub async fn sign_in(http: &reqwest::Client, url: &str) -> (String, String, String) {
    let login: Value = http
        .post(format!("{url}/api/auth/login"))
        .json(&json!({"username": "counsellor", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = |value: &Value| value.as_str().unwrap().to_string();
    (
        text(&login["token"]),
        text(&login["user"]["facility_id"]),
        text(&login["user"]["area_id"]),
    )
}

/// Pulls everything the token's school may see, page by page; fails if a record comes twice.
pub async fn pull_every_record_once(
    http: &reqwest::Client,
    url: &str,
    token: &str,
) -> std::collections::HashSet<String> {
    let mut cursor = 0;
    let mut seen = std::collections::HashSet::new();
    loop {
        let page: Value = http
            .get(format!("{url}/api/sync/pull?since={cursor}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for record in page["records"].as_array().unwrap() {
            assert!(
                seen.insert(record["id"].as_str().unwrap().to_string()),
                "a record twice in a pull"
            );
        }
        cursor = page["cursor"].as_i64().unwrap();
        if page["more"] == false {
            return seen;
        }
    }
}
