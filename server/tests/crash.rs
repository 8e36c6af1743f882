//! Crash safety, end to end: the real server binary is killed with SIGKILL while several clients
//! push at once, fifty times over one database. Afterwards every change the server acknowledged
//! is present exactly once, replays get the same answers, and SQLite's integrity check passes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use serde_json::Value;

#[path = "support/process.rs"]
mod process;
use process::{child_change, pull_every_record_once, push, sign_in, start};

const ROUNDS: usize = 50;
const CLIENTS: usize = 4;
const BATCH: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_sigkill_exactly_once() {
    let data = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let mut server = start(data.path());
    let (token, facility, commune) = sign_in(&http, &server.url).await;

    let mut sent: Vec<Value> = Vec::new();
    // change id → the answer the server gave (only for answers that reached us).
    let mut acknowledged: HashMap<String, Value> = HashMap::new();
    let counter = Arc::new(AtomicUsize::new(0));
    for _ in 0..ROUNDS {
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            // Each client pushes batch after batch until the server is gone: the batch in
            // flight at the kill is never answered, however fast this machine is.
            let (http, url, token) = (http.clone(), server.url.clone(), token.clone());
            let (facility, commune, counter) = (facility.clone(), commune.clone(), counter.clone());
            tasks.push(tokio::spawn(async move {
                let (mut tried, mut answers) = (Vec::new(), Vec::new());
                loop {
                    let batch: Vec<Value> = (0..BATCH)
                        .map(|_| {
                            let n = counter.fetch_add(1, Ordering::Relaxed);
                            child_change(&facility, &commune, n)
                        })
                        .collect();
                    tried.extend(batch.iter().cloned());
                    match push(&http, &url, &token, &batch).await {
                        Some(reply) => {
                            answers.extend(reply["results"].as_array().unwrap().iter().cloned())
                        }
                        None => break,
                    }
                }
                (tried, answers)
            }));
        }
        let delay = rand::thread_rng().gen_range(20..200);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.process.kill().unwrap(); // SIGKILL
        server.process.wait().unwrap();
        for task in tasks {
            let (tried, answers) = task.await.unwrap();
            sent.extend(tried);
            for answer in answers {
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
    // The kills cut pushes short (each client's last batch was in flight), or this would prove
    // nothing about crashes.
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
    let seen = pull_every_record_once(&http, &server.url, &token).await;
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
