//! Support for the browser end-to-end tests: the real server (in-process, on a free port, with a
//! temporary database seeded with the demo province) serving the real built bundle, and
//! Chromium driven through ChromeDriver, one fresh profile per simulated device.
//!
//! `cargo xtask test` builds the bundle and sets `TAM_AN_E2E_DIST`, `TAM_AN_E2E_CHROMIUM` and
//! `TAM_AN_E2E_CHROMEDRIVER`. Run directly without them, the tests fail with that explanation:
//! they never skip silently.

pub mod axe;
pub mod days;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use server::clock::Clock;
use server::config::Policy;
use server::db::Db;
use server::{seed, AppState};
use tempfile::TempDir;
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;
use thirtyfour::ChromiumLikeCapabilities;

/// Browser tests share two cores: one at a time.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long to wait for something to appear on the page.
const PATIENCE: Duration = Duration::from_secs(15);

pub struct Stack {
    pub url: String,
    pub clock: Clock,
    state: AppState,
    addr: std::net::SocketAddr,
    server: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    )>,
    chrome: Chrome,
    _data: TempDir,
}

fn env_path(name: &str) -> Result<PathBuf> {
    match std::env::var_os(name) {
        Some(value) => Ok(PathBuf::from(value)),
        None => bail!("{name} is not set: run the browser tests with `cargo xtask test`, which builds the app and finds Chromium"),
    }
}

impl Stack {
    pub async fn start() -> Result<Stack> {
        Stack::start_with(Policy::default()).await
    }

    /// A stack whose server runs with `policy` (e.g. small-count suppression turned off).
    pub async fn start_with(policy: Policy) -> Result<Stack> {
        Stack::start_serving(policy, &env_path("TAM_AN_E2E_DIST")?).await
    }

    /// The path of the built bundle the tests serve (`TAM_AN_E2E_DIST`).
    pub fn dist() -> Result<PathBuf> {
        env_path("TAM_AN_E2E_DIST")
    }

    /// A stack that serves the bundle in `dist` (a test's own copy, which it may change).
    pub async fn start_serving(policy: Policy, dist: &std::path::Path) -> Result<Stack> {
        let dist = dist.to_path_buf();
        if !dist.join("index.html").is_file() {
            bail!(
                "{} has no index.html: build it with `cargo xtask dist`",
                dist.display()
            );
        }
        let data = tempfile::tempdir()?;
        let db = Db::open(&data.path().join("e2e.db")).map_err(|e| anyhow::anyhow!("{e}"))?;
        // Real time (moved by `days::shift`), which a test may move forward (overdue referrals).
        let clock = Clock::shifted();
        clock.advance(days::shift());
        seed::seed(&db, true, None, clock.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let state = AppState::new(db, policy, clock.clone(), Some(dist));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}");
        let server = Some(spawn_server(listener, state.clone()));

        let chrome = Chrome::start().await?;
        Ok(Stack {
            url,
            clock,
            state,
            addr,
            server,
            chrome,
            _data: data,
        })
    }

    /// Takes the server off the network (its port refuses connections): the browser is offline.
    pub async fn stop_server(&mut self) -> Result<()> {
        if let Some((stop, task)) = self.server.take() {
            let _ = stop.send(());
            tokio::time::timeout(PATIENCE, task)
                .await
                .context("server did not stop")???;
        }
        Ok(())
    }

    /// Brings the server back on the same address, with the same database.
    pub async fn start_server(&mut self) -> Result<()> {
        if self.server.is_none() {
            let listener = tokio::net::TcpListener::bind(self.addr).await?;
            self.server = Some(spawn_server(listener, self.state.clone()));
        }
        Ok(())
    }

    /// Adds a user with password `demo` at the named facility, straight into the database.
    pub async fn add_user(
        &self,
        username: &str,
        full_name: &str,
        role: &str,
        facility: &str,
    ) -> Result<()> {
        let hash = server::auth::password::hash("demo").map_err(|e| anyhow::anyhow!("{e}"))?;
        let (username, full_name, role, facility) = (
            username.to_string(),
            full_name.to_string(),
            role.to_string(),
            facility.to_string(),
        );
        let now = self.clock.now();
        self.state
            .db
            .write(move |transaction| {
                let (facility_id, area_id): (uuid::Uuid, uuid::Uuid) = transaction.query_row(
                    "SELECT id, area_id FROM facilities WHERE name = ?1",
                    [&facility],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )?;
                transaction.execute(
                    "INSERT INTO users (id, username, full_name, role, facility_id, area_id, password_hash,
                                        created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                    rusqlite::params![uuid::Uuid::now_v7(), username, full_name, role, facility_id, area_id, hash, now],
                )?;
                Ok(())
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Adds an area user (an officer) with password `demo`, placed on the commune of the named
    /// facility.
    pub async fn add_commune_user(
        &self,
        username: &str,
        full_name: &str,
        role: &str,
        facility: &str,
    ) -> Result<()> {
        self.add_user(username, full_name, role, facility).await?;
        self.execute(&format!(
            "UPDATE users SET facility_id = NULL WHERE username = '{}'",
            username.replace('\'', "''")
        ))
        .await
    }

    /// Runs SQL on the server's database (what an administrator's action would change).
    pub async fn execute(&self, sql: &str) -> Result<()> {
        let sql = sql.to_string();
        self.state
            .db
            .write(move |transaction| {
                transaction.execute_batch(&sql)?;
                Ok(())
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// A new browser with its own empty profile: a separate device.
    pub async fn browser(&mut self) -> Result<WebDriver> {
        self.chrome.browser().await
    }

    /// The profile folder of the browser started last: what that device keeps on its disk.
    pub fn profile(&self) -> Option<PathBuf> {
        self.chrome.last_profile()
    }

    /// Where the browser started last saves downloads.
    pub fn downloads(&self) -> Option<PathBuf> {
        self.chrome.last_profile().map(|p| p.join("downloads"))
    }
}

/// ChromeDriver on a free port, and the browsers it starts (each with its own fresh profile).
pub struct Chrome {
    driver_url: String,
    driver: Child,
    profiles: Vec<TempDir>,
}

impl Chrome {
    /// Starts ChromeDriver (`TAM_AN_E2E_CHROMEDRIVER`).
    pub async fn start() -> Result<Chrome> {
        let chromedriver = env_path("TAM_AN_E2E_CHROMEDRIVER")?;
        let port = free_port()?;
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", chromedriver.display()))?;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > PATIENCE {
                bail!("chromedriver did not start on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(Chrome {
            driver_url: format!("http://127.0.0.1:{port}"),
            driver,
            profiles: Vec::new(),
        })
    }

    /// The profile folder of the browser started last (benchmarks find its processes by it).
    pub fn last_profile(&self) -> Option<PathBuf> {
        self.profiles.last().map(|p| p.path().to_path_buf())
    }

    /// A new browser (`TAM_AN_E2E_CHROMIUM`) with its own empty profile: a separate device.
    pub async fn browser(&mut self) -> Result<WebDriver> {
        let chromium = env_path("TAM_AN_E2E_CHROMIUM")?;
        let profile = tempfile::tempdir()?;
        let mut capabilities = DesiredCapabilities::chrome();
        capabilities.set_binary(&chromium.to_string_lossy())?;
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ] {
            capabilities.add_arg(arg)?;
        }
        capabilities.add_arg(&format!("--user-data-dir={}", profile.path().display()))?;
        // Downloads land in the profile's own folder, without asking.
        let downloads = profile.path().join("downloads");
        std::fs::create_dir_all(&downloads)?;
        capabilities.add_experimental_option(
            "prefs",
            serde_json::json!({
                "download.default_directory": downloads.to_string_lossy(),
                "download.prompt_for_download": false
            }),
        )?;
        // Console output and uncaught errors, for `print_browser_log` when a test fails.
        capabilities.set_browser_log_level(thirtyfour::LoggingPrefsLogLevel::Warning)?;
        self.profiles.push(profile);
        let driver = WebDriver::new(&self.driver_url, capabilities).await?;
        if let Some(script) = days::clock_script() {
            driver
                .cdp()
                .send_raw(
                    "Page.addScriptToEvaluateOnNewDocument",
                    serde_json::json!({ "source": script }),
                )
                .await?;
        }
        Ok(driver)
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn spawn_server(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    (stop, task)
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits until the element matching `css` exists and its text contains `expected`.
pub async fn wait_for_text(driver: &WebDriver, css: &str, expected: &str) -> Result<WebElement> {
    let started = Instant::now();
    let mut last = String::new();
    loop {
        if let Ok(element) = driver.find(By::Css(css)).await {
            if let Ok(text) = element.text().await {
                if text.contains(expected) {
                    return Ok(element);
                }
                last = text;
            }
        }
        if started.elapsed() > PATIENCE {
            bail!("`{css}` never showed {expected:?}; last text: {last:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until an element matching `css` exists.
pub async fn wait_for(driver: &WebDriver, css: &str) -> Result<WebElement> {
    let started = Instant::now();
    loop {
        if let Ok(element) = driver.find(By::Css(css)).await {
            return Ok(element);
        }
        if started.elapsed() > PATIENCE {
            bail!("`{css}` never appeared");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Types into the input with this id, replacing what it held. It erases with keystrokes, as a
/// person would, so the page sees input events (WebDriver's "clear" sends none).
/// A field that is on the page but not yet interactable (a panel still opening, a re-render)
/// is found again and retried, as `click` does.
pub async fn fill(driver: &WebDriver, id: &str, text: &str) -> Result<()> {
    let mut last = None;
    for _ in 0..30 {
        let input = wait_for(driver, &format!("#{id}")).await?;
        let typed = async {
            input.send_keys(Key::Control + "a").await?;
            input.send_keys(Key::Backspace).await?;
            if !text.is_empty() {
                input.send_keys(text).await?;
            }
            WebDriverResult::Ok(())
        };
        match typed.await {
            Ok(()) => return Ok(()),
            Err(error) => last = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("could not type into #{id}: {last:?}")
}

/// After a reload without a network: the page says the device's data opens only with the
/// password, and the user signs in again on the same page (offline, against this device).
pub async fn unlock(driver: &WebDriver, username: &str, password: &str) -> Result<()> {
    wait_for_text(driver, ".notice", "chỉ mở được bằng mật khẩu").await?;
    fill(driver, "field-username", username).await?;
    fill(driver, "field-password", password).await?;
    click(driver, "#sign-in").await?;
    Ok(())
}

pub async fn sign_in(driver: &WebDriver, url: &str, username: &str, password: &str) -> Result<()> {
    driver.goto(url).await?;
    fill(driver, "field-username", username).await?;
    fill(driver, "field-password", password).await?;
    click(driver, "#sign-in").await?;
    Ok(())
}

/// Saves a screenshot under `target/screenshots/` for a person to look at.
pub async fn screenshot(driver: &WebDriver, name: &str) -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.png"));
    driver.screenshot(&path).await?;
    Ok(path)
}

/// Waits until the page's element matching `css` has the attribute with this value.
pub async fn wait_for_attr(
    driver: &WebDriver,
    css: &str,
    name: &str,
    expected: &str,
) -> Result<()> {
    let started = Instant::now();
    let mut last = None;
    loop {
        if let Ok(element) = driver.find(By::Css(css)).await {
            last = element.attr(name).await.ok().flatten();
            if last.as_deref() == Some(expected) {
                return Ok(());
            }
        }
        if started.elapsed() > PATIENCE {
            bail!("`{css}` never had {name}={expected:?}; last: {last:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until a script returns true.
pub async fn wait_until(driver: &WebDriver, script: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        if driver.execute(script, vec![]).await?.json().as_bool() == Some(true) {
            return Ok(());
        }
        if started.elapsed() > PATIENCE {
            bail!("never true: {script}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for a link with exactly this text and follows it.
pub async fn click_link(driver: &WebDriver, text: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        if let Ok(link) = driver.find(By::LinkText(text)).await {
            link.click().await?;
            return Ok(());
        }
        if started.elapsed() > PATIENCE {
            bail!("no link {text:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs `username` in (password "demo") and waits until the greeting shows and the service
/// worker controls the page: the app will open again without the network.
pub async fn sign_in_to_stay(driver: &WebDriver, url: &str, username: &str) -> Result<()> {
    sign_in(driver, url, username, "demo").await?;
    wait_for_text(driver, "#greeting", "Xin chào").await?;
    wait_until(
        driver,
        "return navigator.serviceWorker.controller !== null;",
    )
    .await
}

/// Registers a 12-year-old from the registry and waits until the change has reached the server.
pub async fn register_synced_child(driver: &WebDriver, name: &str) -> Result<()> {
    click_link(driver, "Trẻ em").await?;
    click(driver, "#register-child").await?;
    register_child(driver, name, &days::born(12)).await?;
    wait_for_attr(driver, "#sync-status", "data-pending", "0").await
}

/// Fills and saves the registration form (the registry page is open) and waits for the child's page.
pub async fn register_child(driver: &WebDriver, name: &str, date_of_birth: &str) -> Result<()> {
    fill(driver, "field-full_name", name).await?;
    fill(driver, "field-date_of_birth", date_of_birth).await?;
    select(driver, "#field-sex", Choice::Value("female")).await?;
    select(driver, "#field-ethnicity", Choice::Value("tay")).await?;
    wait_for_text(driver, "#field-commune_id", "Phường Tam Thanh").await?;
    select(
        driver,
        "#field-commune_id",
        Choice::Text("Phường Tam Thanh"),
    )
    .await?;
    fill(driver, "field-school_class", "7A").await?;
    fill(driver, "field-guardian_name", "Hoàng Văn Phúc").await?;
    select(driver, "#field-guardian_relation", Choice::Value("father")).await?;
    fill(driver, "field-guardian_phone", "0912 345 678").await?;
    click(driver, "#save-child").await?;
    wait_for_text(driver, "#saved-notice", "Đã lưu trên máy này").await?;
    wait_for_text(driver, "#child-name", name).await?;
    Ok(())
}

/// An option of a `<select>`: by its value or by its whole visible text.
pub enum Choice<'a> {
    Value(&'a str),
    Text(&'a str),
}

/// Chooses an option, finding the select again if the page re-rendered it in between (a
/// directory refresh redraws the commune list).
pub async fn select(driver: &WebDriver, css: &str, choice: Choice<'_>) -> Result<()> {
    let mut last = None;
    for _ in 0..20 {
        let element = wait_for(driver, css).await?;
        let chosen = match SelectElement::new(&element).await {
            Ok(select) => match choice {
                Choice::Value(value) => select.select_by_value(value).await,
                Choice::Text(text) => select.select_by_exact_text(text).await,
            },
            Err(error) => Err(error),
        };
        match chosen {
            Ok(()) => return Ok(()),
            Err(error) => last = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("could not choose in {css}: {last:?}")
}

/// Prints what the page wrote to the console (warnings and errors) since the last call.
pub async fn print_browser_log(driver: &WebDriver) {
    if let Ok(entries) = driver.browser_log().await {
        for entry in entries {
            eprintln!("browser: {entry:?}");
        }
    }
}

/// Answers the screening question on screen (waiting for it to be question `n` of `total`).
pub async fn answer(driver: &WebDriver, n: usize, total: usize, value: i32) -> Result<()> {
    wait_for_text(driver, "#progress", &format!("Câu {n}/{total}")).await?;
    click(driver, &format!("#question .option[data-value='{value}']")).await
}

/// Clicks the element matching `css`, finding it again if the page re-rendered it between
/// finding and clicking (a stale element).
pub async fn click(driver: &WebDriver, css: &str) -> Result<()> {
    let mut last = None;
    for _ in 0..20 {
        match wait_for(driver, css).await?.click().await {
            Ok(()) => return Ok(()),
            Err(error) => last = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("could not click {css}: {last:?}")
}

/// Registers a 14-year-old with the guardian's and the child's consent to screening and to
/// sharing with health facilities.
pub async fn child_with_consent(driver: &WebDriver, name: &str) -> Result<()> {
    click_link(driver, "Trẻ em").await?;
    // Each click finds its element again if the page re-rendered it (a sync run may).
    click(driver, "#register-child").await?;
    register_child(driver, name, &days::born(14)).await?;
    click(driver, "#record-consent").await?;
    click(driver, "#field-child_agreed").await?;
    click(driver, "#consent-form input[value='share_health']").await?;
    click(driver, "#save-consent").await?;
    wait_for_text(driver, "#consents", "Còn hiệu lực").await?;
    Ok(())
}

/// Chooses the target on the referral form.
pub async fn choose_target(driver: &WebDriver, facility_type: &str, name: &str) -> Result<()> {
    SelectElement::new(&wait_for(driver, "#field-target-type").await?)
        .await?
        .select_by_value(facility_type)
        .await?;
    wait_for_text(driver, "#field-to_facility", name).await?;
    SelectElement::new(&wait_for(driver, "#field-to_facility").await?)
        .await?
        .select_by_partial_text(name)
        .await?;
    Ok(())
}

/// Records the action taken on the urgent panel (the first step ticked, the note typed) and
/// waits for the panel to close. The panel may still be opening when it first appears, and a
/// tick or a note typed then can be lost, so each step is checked and the whole is tried again
/// (a few times) while the panel stays open.
pub async fn record_safety_action(driver: &WebDriver, note: &str) -> Result<()> {
    let step = "#urgent-panel input[name='safety-step']";
    let ticked = format!("return document.querySelector(\"{step}\")?.checked === true;");
    let closed = "return document.querySelector('#urgent-panel') === null;";
    let is = |script: String| async move {
        Ok::<bool, anyhow::Error>(
            driver.execute(&script, vec![]).await?.json().as_bool() == Some(true),
        )
    };
    for _ in 0..5 {
        for _ in 0..20 {
            if is(ticked.clone()).await? {
                break;
            }
            click(driver, step).await?;
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        fill(driver, "safety-note", note).await?;
        click(driver, "#record-action").await?;
        for _ in 0..30 {
            if is(closed.to_string()).await? {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    bail!("the urgent panel stayed open after recording the action five times")
}

/// Copies a folder and everything in it (a test's own copy of the bundle, which it may change).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A built bundle's release, as its service worker names it.
pub struct Release {
    /// The worker's version: its cache is `tam-an-shell-<version>`.
    pub version: String,
    /// The files the worker caches at install.
    pub shell: Vec<String>,
}

impl Release {
    /// The release in `dist` (read from its `sw.js`).
    pub fn of(dist: &std::path::Path) -> Result<Release> {
        let worker = std::fs::read_to_string(dist.join("sw.js"))?;
        let version = worker
            .split("const VERSION = \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .context("the worker names its version")?
            .to_string();
        let shell = serde_json::from_str(
            worker
                .split("const SHELL = ")
                .nth(1)
                .and_then(|rest| rest.split(";\n").next())
                .context("the worker lists its files")?,
        )?;
        Ok(Release { version, shell })
    }
}

/// Asks the page's service worker to look for a new release and waits for the page's notice
/// that it has taken over. What `update()` itself answers is not the point (the new worker's
/// install goes on after it); the notice is.
pub async fn take_new_release(driver: &WebDriver) -> Result<()> {
    driver
        .execute(
            "return navigator.serviceWorker.getRegistration().then((r) => r.update()).then(() => true, () => false);",
            vec![],
        )
        .await
        .context("asking for the new worker")?;
    wait_for_text(driver, "#app-updated", "phiên bản mới").await?;
    Ok(())
}
