//! Slow and stalled clients against the real connection loop (`server::serve` on a socket): a
//! client that never finishes its headers is cut off, a body that stops arriving is refused, and
//! beyond the connection cap new clients wait rather than exhaust the server's files.

use std::time::{Duration, Instant};

use server::config::Policy;
use server::AppState;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

const HEALTH: &[u8] = b"GET /api/health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";

/// A server on a real socket with short limits; returns its address.
async fn serving(max_connections: usize) -> (TestApp, std::net::SocketAddr) {
    let policy = Policy {
        header_timeout_seconds: 1,
        body_idle_seconds: 1,
        max_connections,
        ..Policy::default()
    };
    let app = TestApp::with(policy.clone(), None).await;
    let state = AppState::new(app.db.clone(), policy, app.clock.clone(), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server::serve(listener, state, std::future::pending()));
    (app, addr)
}

/// Everything the server sends until it closes the connection (bounded, so a test never hangs).
async fn until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server kept a stalled connection open");
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_that_never_end_are_cut_off() {
    let (_app, addr) = serving(64).await;
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: te")
        .await
        .unwrap();
    let (_, waited) = until_closed(&mut stalled).await;
    assert!(
        waited >= Duration::from_millis(500),
        "closed only once the header time was up"
    );

    let mut fine = TcpStream::connect(addr).await.unwrap();
    fine.write_all(HEALTH).await.unwrap();
    let (answer, _) = until_closed(&mut fine).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_arriving_is_refused() {
    let (_app, addr) = serving(64).await;
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"POST /api/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"username\":")
        .await
        .unwrap();
    let (answer, _) = until_closed(&mut stalled).await;
    assert!(
        answer.starts_with("HTTP/1.1 4"),
        "a clear refusal, not a hang: {answer}"
    );
    assert!(
        answer.contains("\"code\""),
        "in the API's error format: {answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_cap_clients_wait_and_are_then_served() {
    let (_app, addr) = serving(2).await;
    let mut stalled = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /api/health HTTP/1.1\r\n")
            .await
            .unwrap();
        stalled.push(stream);
    }
    // The third is queued by the kernel until a stalled one is cut off, then answered.
    let mut third = TcpStream::connect(addr).await.unwrap();
    third.write_all(HEALTH).await.unwrap();
    let (answer, _) = until_closed(&mut third).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    for mut stream in stalled {
        until_closed(&mut stream).await;
    }
}
