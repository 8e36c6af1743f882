//! Peak memory of one browser, as the peer's benchmark measures it: the summed PSS of the browser's
//! whole process tree, and the largest renderer's own PSS, sampled every 100 ms from /proc.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Samples one browser (found by its profile folder) until dropped.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    tree_kb: Arc<AtomicU64>,
    renderer_kb: Arc<AtomicU64>,
}

impl Sampler {
    pub fn start(profile: PathBuf) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let tree_kb = Arc::new(AtomicU64::new(0));
        let renderer_kb = Arc::new(AtomicU64::new(0));
        let (s, t, r) = (stop.clone(), tree_kb.clone(), renderer_kb.clone());
        thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Some(root) = browser_pid(&profile) {
                    let (tree, renderer) = tree_pss(root);
                    t.fetch_max(tree, Ordering::Relaxed);
                    r.fetch_max(renderer, Ordering::Relaxed);
                }
                thread::sleep(Duration::from_millis(100));
            }
        });
        Sampler {
            stop,
            tree_kb,
            renderer_kb,
        }
    }

    /// The peaks since the last call, in MB: (whole tree, largest renderer); then starts over.
    pub fn take_peaks(&self) -> (f64, f64) {
        let tree = self.tree_kb.swap(0, Ordering::Relaxed) as f64 / 1024.0;
        let renderer = self.renderer_kb.swap(0, Ordering::Relaxed) as f64 / 1024.0;
        (tree, renderer)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn processes() -> Vec<u32> {
    fs::read_dir("/proc")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn cmdline(pid: u32) -> String {
    fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
        .unwrap_or_default()
}

/// The browser's main process: started with this profile, and not a child (`--type=`).
fn browser_pid(profile: &Path) -> Option<u32> {
    let needle = format!("--user-data-dir={}", profile.display());
    processes().into_iter().find(|pid| {
        let line = cmdline(*pid);
        line.contains(&needle) && !line.contains("--type=")
    })
}

fn parent(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 2..].split(' ').nth(1)?.parse().ok()
}

fn pss_kb(pid: u32) -> u64 {
    fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("Pss:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// (summed PSS of the tree, largest renderer PSS), in kB.
fn tree_pss(root: u32) -> (u64, u64) {
    let all: Vec<(u32, Option<u32>)> = processes().into_iter().map(|p| (p, parent(p))).collect();
    let mut tree = vec![root];
    let mut grew = true;
    while grew {
        grew = false;
        for (pid, ppid) in &all {
            if ppid.is_some_and(|pp| tree.contains(&pp)) && !tree.contains(pid) {
                tree.push(*pid);
                grew = true;
            }
        }
    }
    let mut total = 0;
    let mut renderer = 0;
    for pid in tree {
        let pss = pss_kb(pid);
        total += pss;
        if cmdline(pid).contains("--type=renderer") {
            renderer = renderer.max(pss);
        }
    }
    (total, renderer)
}
