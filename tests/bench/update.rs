//! What a device downloads when a new release comes, run by `cargo xtask bench update --from DIR`
//! (issue 18): a device holding the release in `TAM_AN_BENCH_FROM` (an earlier `dist/`) takes
//! the one in `TAM_AN_E2E_DIST`, once with the deltas `cargo xtask dist` made and once without.
//! The bytes are counted on the wire, by a proxy between Chromium and the server, from the
//! moment the new release is in place until the new service worker has cached all of it.
//!
//! Prints one JSON line per case on stdout; xtask makes the table.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use serde_json::json;
use tests::{copy_dir, sign_in_to_stay, take_new_release, wait_until, Release, Stack};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A proxy to `upstream` that counts the bytes it sends back, as they flow.
async fn counting_proxy(upstream: SocketAddr) -> Result<(String, Arc<AtomicU64>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut client_in, mut client_out) = client.into_split();
                let (mut server_in, mut server_out) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_in, &mut server_out).await;
                });
                let mut buffer = vec![0u8; 64 * 1024];
                while let Ok(read) = server_in.read(&mut buffer).await {
                    if read == 0 || client_out.write_all(&buffer[..read]).await.is_err() {
                        break;
                    }
                    counter.fetch_add(read as u64, Ordering::Relaxed);
                }
            });
        }
    });
    Ok((url, received))
}

async fn cached_all(device: &thirtyfour::WebDriver, version: &str, files: usize) -> Result<()> {
    wait_until(
        device,
        &format!(
            "return caches.open('tam-an-shell-{version}').then((c) => c.keys()).then((k) => k.length === {files});"
        ),
    )
    .await
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let from = std::path::PathBuf::from(
        std::env::var_os("TAM_AN_BENCH_FROM").context("TAM_AN_BENCH_FROM: the earlier dist")?,
    );
    let to = Stack::dist()?;
    let Release {
        version: old_version,
        shell: old_shell,
    } = Release::of(&from)?;
    let Release {
        version: new_version,
        shell: new_shell,
    } = Release::of(&to)?;
    let changed: Vec<&String> = new_shell
        .iter()
        .filter(|file| !old_shell.contains(file))
        .collect();
    let brotli: u64 = changed
        .iter()
        .map(|file| {
            let path = to.join(file.trim_start_matches('/'));
            std::fs::metadata(format!("{}.br", path.display()))
                .or_else(|_| std::fs::metadata(&path))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum();
    for with_deltas in [true, false] {
        let served = tempfile::tempdir()?;
        copy_dir(&from, served.path())?;
        let mut stack = Stack::start_serving(Default::default(), served.path()).await?;
        let upstream: SocketAddr = stack.url.trim_start_matches("http://").parse()?;
        let (url, received) = counting_proxy(upstream).await?;
        let device = stack.browser().await?;
        sign_in_to_stay(&device, &url, "counsellor").await?;
        cached_all(&device, &old_version, old_shell.len()).await?;

        // The new release replaces the old on the server.
        for entry in std::fs::read_dir(served.path())? {
            let path = entry?.path();
            if path.is_dir() {
                std::fs::remove_dir_all(path)?;
            } else {
                std::fs::remove_file(path)?;
            }
        }
        copy_dir(&to, served.path())?;
        if !with_deltas {
            let _ = std::fs::remove_dir_all(served.path().join("delta"));
        }
        let before = received.load(Ordering::Relaxed);
        take_new_release(&device).await?;
        cached_all(&device, &new_version, new_shell.len()).await?;
        let bytes = received.load(Ordering::Relaxed) - before;
        // How the new files came: `dcz` (a delta), `br`, or none (small files).
        let encodings = device
            .execute(
                &format!(
                    "return caches.open('tam-an-shell-{new_version}').then(async (c) => {{
                       const counts = {{}};
                       for (const url of {changed}) {{
                         const r = await c.match(url);
                         const coding = (r && r.headers.get('content-encoding')) || 'none';
                         counts[coding] = (counts[coding] || 0) + 1;
                       }}
                       return counts;
                     }});",
                    changed = serde_json::to_string(&changed)?
                ),
                vec![],
            )
            .await?
            .json()
            .clone();
        println!(
            "{}",
            json!({
                "case": if with_deltas { "with deltas" } else { "without deltas" },
                "files_changed": changed.len(),
                "files_brotli": brotli,
                "wire_bytes": bytes,
                "encodings": encodings,
            })
        );
        device.quit().await?;
    }
    Ok(())
}
