//! Crash safety, end to end: the real server binary is killed with SIGKILL while several clients
//! push at once, twenty times over one database. Afterwards every change the server acknowledged
//! is present exactly once, replays get the same answers, and SQLite's integrity check passes.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{json, Value};
use uuid::Uuid;

const ROUNDS: usize = 20;
const CLIENTS: usize = 4;
const BATCH: usize = 20;

struct Server {
    process: Child,
    url: String,
}

fn start(data: &Path) -> Server {
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

fn child_change(facility: &str, commune: &str, n: usize) -> Value {
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

async fn push(http: &reqwest::Client, url: &str, token: &str, changes: &[Value]) -> Option<Value> {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_sigkill_exactly_once() {
    let data = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let mut server = start(data.path());
    let login: Value = http
        .post(format!("{}/api/auth/login", server.url))
        .json(&json!({"username": "counsellor", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let facility = login["user"]["facility_id"].as_str().unwrap().to_string();
    let commune = login["user"]["area_id"].as_str().unwrap().to_string();

    let mut sent: Vec<Value> = Vec::new();
    // change id → the answer the server gave (only for answers that reached us).
    let mut acknowledged: HashMap<String, Value> = HashMap::new();
    let mut counter = 0;
    for _ in 0..ROUNDS {
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            let batches: Vec<Vec<Value>> = (0..5)
                .map(|_| {
                    (0..BATCH)
                        .map(|_| {
                            counter += 1;
                            child_change(&facility, &commune, counter)
                        })
                        .collect()
                })
                .collect();
            sent.extend(batches.iter().flatten().cloned());
            let (http, url, token) = (http.clone(), server.url.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let mut answers = Vec::new();
                for batch in batches {
                    match push(&http, &url, &token, &batch).await {
                        Some(reply) => {
                            answers.extend(reply["results"].as_array().unwrap().iter().cloned())
                        }
                        None => break,
                    }
                }
                answers
            }));
        }
        let delay = rand::thread_rng().gen_range(20..200);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.process.kill().unwrap(); // SIGKILL
        server.process.wait().unwrap();
        for task in tasks {
            for answer in task.await.unwrap() {
                acknowledged.insert(
                    answer["change_id"].as_str().unwrap().to_string(),
                    answer["outcome"].clone(),
                );
            }
        }
        server = start(data.path());
    }
    assert!(
        !acknowledged.is_empty(),
        "no push was acknowledged before the kills"
    );
    // The kills must have cut pushes short, or this proves nothing about crashes.
    assert!(
        acknowledged.len() < sent.len(),
        "every push finished before its kill: {} of {}",
        acknowledged.len(),
        sent.len()
    );
    eprintln!(
        "crash test: {} of {} changes acknowledged before the kills",
        acknowledged.len(),
        sent.len()
    );

    // Reconnect: every client sends everything again, in batches, acknowledged or not.
    let mut final_answers: HashMap<String, Value> = HashMap::new();
    for batch in sent.chunks(200) {
        let reply = push(&http, &server.url, &token, batch)
            .await
            .expect("push after restart");
        for answer in reply["results"].as_array().unwrap() {
            final_answers.insert(
                answer["change_id"].as_str().unwrap().to_string(),
                answer["outcome"].clone(),
            );
        }
    }
    for (change_id, outcome) in &acknowledged {
        assert_eq!(outcome["status"], "applied", "{change_id}: {outcome}");
        assert_eq!(
            &final_answers[change_id], outcome,
            "a replay of {change_id} got another answer"
        );
    }

    // Every record is there exactly once.
    let mut cursor = 0;
    let mut seen = HashSet::new();
    loop {
        let page: Value = http
            .get(format!("{}/api/sync/pull?since={cursor}", server.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for record in page["records"].as_array().unwrap() {
            assert!(
                seen.insert(record["id"].as_str().unwrap().to_string()),
                "record twice in a pull"
            );
        }
        cursor = page["cursor"].as_i64().unwrap();
        if page["more"] == false {
            break;
        }
    }
    assert_eq!(seen.len(), sent.len());
    for change in &sent {
        assert!(seen.contains(change["record_id"].as_str().unwrap()));
    }
    server.process.kill().unwrap();
    server.process.wait().unwrap();

    let connection = rusqlite::Connection::open(data.path().join("tam-an.db")).unwrap();
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let changes: i64 = connection
        .query_row("SELECT count(*) FROM changes", [], |row| row.get(0))
        .unwrap();
    assert_eq!(
        changes as usize,
        sent.len(),
        "each change answered exactly once"
    );
}
