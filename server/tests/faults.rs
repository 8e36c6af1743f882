//! Network faults, end to end: the real server binary behind a small proxy that breaks requests
//! the ways a rural 3G link does. Each fault is tried 100 times, each trial a new push of one to
//! three changes that the client then retries through a clean link until it is answered, as the
//! app does:
//! - the answer is dropped after the server has processed the push;
//! - the request is held back past the client's timeout, then delivered anyway (the retry may
//!   reach the server first);
//! - the body is cut half-way;
//! - the request is delivered twice.
//!
//! Afterwards every change is stored exactly once, every answer a client saw for a change is the
//! answer the server keeps for it, and the server never answered with a 5xx.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

#[path = "support/process.rs"]
mod process;
use process::{child_change, pull_every_record_once, sign_in, start};

const TRIALS: usize = 100;
const WORKERS: usize = 8;
/// The client gives up on a faulty attempt after this long...
const CLIENT_TIMEOUT: Duration = Duration::from_millis(300);
/// ... and a held-back request reaches the server after this long.
const HELD_BACK: Duration = Duration::from_millis(600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    DropAnswer,
    HoldBack,
    CutBody,
    Twice,
}

impl Fault {
    const ALL: [Fault; 4] = [
        Fault::DropAnswer,
        Fault::HoldBack,
        Fault::CutBody,
        Fault::Twice,
    ];

    fn code(self) -> &'static str {
        match self {
            Fault::None => "none",
            Fault::DropAnswer => "drop-answer",
            Fault::HoldBack => "hold-back",
            Fault::CutBody => "cut-body",
            Fault::Twice => "twice",
        }
    }

    fn from_code(code: &str) -> Fault {
        Fault::ALL
            .into_iter()
            .find(|f| f.code() == code)
            .unwrap_or(Fault::None)
    }
}

/// Server answers with a 5xx status seen by the proxy.
#[derive(Default)]
struct Seen {
    server_errors: AtomicUsize,
    answers: AtomicUsize,
}

impl Seen {
    fn note(&self, response: &[u8]) {
        self.answers.fetch_add(1, Ordering::Relaxed);
        if response.starts_with(b"HTTP/1.1 5") {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One request from the client: its head (with the fault asked for in `x-fault`) and body.
async fn read_request(client: &mut TcpStream) -> std::io::Result<(Vec<u8>, Vec<u8>, Fault)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_lowercase();
    let header = |name: &str| {
        head.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}:")))
            .map(|value| value.trim().to_string())
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let fault = Fault::from_code(&header("x-fault").unwrap_or_default());
    let mut body = buffer.split_off(head_end);
    while body.len() < length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((buffer, body, fault))
}

/// Sends the request to the server and reads the whole answer (the client asked for
/// `Connection: close`, so the server closes after it).
async fn exchange(upstream: SocketAddr, head: &[u8], body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(head).await?;
    server.write_all(body).await?;
    let mut response = Vec::new();
    server.read_to_end(&mut response).await?;
    Ok(response)
}

async fn relay(
    mut client: TcpStream,
    upstream: SocketAddr,
    seen: Arc<Seen>,
) -> std::io::Result<()> {
    let (head, body, fault) = read_request(&mut client).await?;
    match fault {
        Fault::None => {
            let response = exchange(upstream, &head, &body).await?;
            seen.note(&response);
            client.write_all(&response).await?;
        }
        Fault::DropAnswer => {
            let response = exchange(upstream, &head, &body).await?;
            seen.note(&response);
            // The client never hears of it.
        }
        Fault::HoldBack => {
            // The client waits on an open connection until its own timeout gives up.
            tokio::time::sleep(HELD_BACK).await;
            drop(client);
            let response = exchange(upstream, &head, &body).await?;
            seen.note(&response);
        }
        Fault::CutBody => {
            drop(client);
            let mut server = TcpStream::connect(upstream).await?;
            server.write_all(&head).await?;
            server.write_all(&body[..body.len() / 2]).await?;
            server.shutdown().await?;
            let mut response = Vec::new();
            let read =
                tokio::time::timeout(Duration::from_secs(10), server.read_to_end(&mut response));
            if matches!(read.await, Ok(Ok(_))) && !response.is_empty() {
                seen.note(&response);
            }
        }
        Fault::Twice => {
            let first = exchange(upstream, &head, &body).await?;
            seen.note(&first);
            let second = exchange(upstream, &head, &body).await?;
            seen.note(&second);
            client.write_all(&second).await?;
        }
    }
    Ok(())
}

async fn proxy(upstream: SocketAddr, seen: Arc<Seen>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let _ = relay(client, upstream, seen).await;
            });
        }
    });
    address
}

/// A push through the proxy with a fault; `None` when no answer came back.
async fn push(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    changes: &[Value],
    fault: Fault,
) -> Option<(u16, Value)> {
    let response = http
        .post(format!("{url}/api/sync/push"))
        .bearer_auth(token)
        .header("connection", "close")
        .header("x-fault", fault.code())
        .timeout(CLIENT_TIMEOUT)
        .json(&json!({ "changes": changes }))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.ok()?))
}

fn answers(reply: &Value) -> Vec<(String, Value)> {
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["change_id"].as_str().unwrap().to_string(),
                a["outcome"].clone(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_the_link_lose_nothing_and_duplicate_nothing() {
    let data = tempfile::tempdir().unwrap();
    let mut server = start(data.path());
    let upstream: SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let seen = Arc::new(Seen::default());
    let url = format!("http://{}", proxy(upstream, seen.clone()).await);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let (token, facility, commune) = sign_in(&http, &server.url).await;

    // The trials: each fault 100 times, shared out among a few concurrent clients.
    let trials: Vec<(usize, Fault)> = Fault::ALL
        .into_iter()
        .flat_map(|fault| (0..TRIALS).map(move |n| (n, fault)))
        .enumerate()
        .map(|(i, (_, fault))| (i, fault))
        .collect();
    let queue = Arc::new(Mutex::new(trials));
    // change id → every answer a client saw for it.
    let seen_answers: Arc<Mutex<HashMap<String, Vec<Value>>>> = Arc::default();
    let sent: Arc<Mutex<Vec<Value>>> = Arc::default();
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (queue, seen_answers, sent) = (queue.clone(), seen_answers.clone(), sent.clone());
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        let (facility, commune) = (facility.clone(), commune.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let Some((n, fault)) = queue.lock().await.pop() else {
                    return;
                };
                let batch: Vec<Value> = (0..1 + n % 3)
                    .map(|k| child_change(&facility, &commune, n * 3 + k))
                    .collect();
                sent.lock().await.extend(batch.iter().cloned());
                let mut replies = Vec::new();
                if let Some((status, reply)) = push(&http, &url, &token, &batch, fault).await {
                    assert!(status < 500, "{fault:?}: {status} {reply}");
                    if status == 200 {
                        replies.push(reply);
                    }
                }
                // Then as the app: again through a clean link until answered.
                let mut tries = 0;
                let answered = loop {
                    tries += 1;
                    assert!(tries <= 50, "trial {n} ({fault:?}) never answered");
                    match push(&http, &url, &token, &batch, Fault::None).await {
                        Some((200, reply)) => break reply,
                        Some((status, reply)) => {
                            assert!(status < 500, "{status} {reply}");
                        }
                        None => {}
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                };
                replies.push(answered);
                let mut all = seen_answers.lock().await;
                for reply in &replies {
                    for (change_id, outcome) in answers(reply) {
                        all.entry(change_id).or_default().push(outcome);
                    }
                }
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    // Let held-back requests land before counting.
    tokio::time::sleep(HELD_BACK * 2).await;

    let sent = sent.lock().await.clone();
    let seen_answers = seen_answers.lock().await.clone();
    assert_eq!(seen_answers.len(), sent.len(), "every change was answered");
    for (change_id, outcomes) in &seen_answers {
        assert_eq!(
            outcomes[0]["status"], "applied",
            "{change_id}: {outcomes:?}"
        );
        assert!(
            outcomes.iter().all(|o| o == &outcomes[0]),
            "{change_id} was answered differently: {outcomes:?}"
        );
    }
    assert_eq!(
        seen.server_errors.load(Ordering::Relaxed),
        0,
        "the server answered with a 5xx"
    );
    assert!(seen.answers.load(Ordering::Relaxed) >= TRIALS * Fault::ALL.len());

    // Each record once in a full pull, each change once in the server's log.
    let records = pull_every_record_once(&http, &server.url, &token).await;
    for change in &sent {
        assert!(records.contains(change["record_id"].as_str().unwrap()));
    }
    assert_eq!(records.len(), sent.len());
    server.process.kill().unwrap();
    server.process.wait().unwrap();
    let connection = rusqlite::Connection::open(data.path().join("tam-an.db")).unwrap();
    let stored: i64 = connection
        .query_row("SELECT count(*) FROM changes", [], |row| row.get(0))
        .unwrap();
    assert_eq!(
        stored as usize,
        sent.len(),
        "each change stored exactly once"
    );
    eprintln!(
        "fault test: {} changes in {} trials, {} answers from the server, none 5xx",
        sent.len(),
        TRIALS * Fault::ALL.len(),
        seen.answers.load(Ordering::Relaxed)
    );
}
