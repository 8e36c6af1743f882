//! A built server binary run on a fresh data folder for a check or a benchmark: started on a free
//! port, waited for until it answers, killed when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// A running server; it is killed when this is dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// Starts `binary` (with `extra` flags) on a free port with `data` as its folder, and waits
    /// until `/api/health` answers.
    pub fn start(binary: &Path, data: &Path, extra: &[&str]) -> Result<Server> {
        Server::serving(binary, data, Path::new("/nonexistent"), extra)
    }

    /// As [`Server::start`], serving the built app in `dist` too.
    pub fn serving(binary: &Path, data: &Path, dist: &Path, extra: &[&str]) -> Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(binary)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--dist")
            .arg(dist)
            .args(extra)
            .arg("--data")
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let server = Server { child, port };
        let started = Instant::now();
        while ureq::get(&format!("{}/api/health", server.base()))
            .call()
            .is_err()
        {
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the server did not answer on port {port}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A line of the server's `/proc/PID/status` in kB (`VmRSS:` now, `VmHWM:` peak); 0 where
    /// the system does not say.
    pub fn memory_kb(&self, field: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .unwrap_or_default()
            .lines()
            .find(|line| line.starts_with(field))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
