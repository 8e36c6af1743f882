//! The browser-test toolchain: Debian's chromium and chromium-driver. Installed with apt when
//! missing and we are root; otherwise the exact command is printed. Browser tests never skip.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Result};

use crate::util::{output, run, which};

pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

const PACKAGES: [&str; 4] = [
    "chromium",
    "chromium-driver",
    "fonts-dejavu-core",
    "fonts-noto-core",
];

pub fn ensure() -> Result<Browser> {
    if let Some(browser) = find() {
        return Ok(browser);
    }
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    let install = format!(
        "apt-get install -y --no-install-recommends {}",
        PACKAGES.join(" ")
    );
    if !is_root || which("apt-get").is_none() {
        bail!("browser tests need Chromium and ChromeDriver; install them with:\n  sudo apt-get update && sudo {install}");
    }
    eprintln!("xtask: installing Chromium and ChromeDriver for the browser tests");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(PACKAGES))?;
    match find() {
        Some(browser) => Ok(browser),
        None => bail!("chromium or chromedriver still missing after `{install}`"),
    }
}

fn find() -> Option<Browser> {
    let chromium = which("chromium").or_else(|| which("chromium-browser"))?;
    let chromedriver = which("chromedriver")?;
    Some(Browser {
        chromium,
        chromedriver,
    })
}
