//! axe-core, the accessibility engine people trust, run inside the page (issue 18): every rule it
//! enables by default (WCAG 2.x A and AA, and its best practices). Any violation fails the test
//! with its rule, what it asks and the elements that break it.
//!
//! The engine is the npm package `axe-core` (`package.json`); `cargo xtask test` installs it and
//! sets `TAM_AN_E2E_AXE` to its `axe.min.js`.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use thirtyfour::prelude::*;

/// The engine's source, read once per test process.
fn source() -> Result<&'static str> {
    static SOURCE: OnceLock<Result<String, String>> = OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = std::env::var_os("TAM_AN_E2E_AXE").map_or_else(
                || {
                    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                        .join("../node_modules/axe-core/axe.min.js")
                },
                PathBuf::from,
            );
            std::fs::read_to_string(&path).map_err(|error| {
                format!("axe-core not found at {} ({error}): run `npm ci`, or `cargo xtask test`, which does", path.display())
            })
        })
        .as_ref()
        .map(String::as_str)
        .map_err(|message| anyhow::anyhow!("{message}"))
}

/// Runs axe on the page as it is now; fails naming each violation, with `page` in the message.
pub async fn accessible(driver: &WebDriver, page: &str) -> Result<()> {
    let loaded = driver
        .execute("return typeof window.axe === 'object';", vec![])
        .await?
        .json()
        .as_bool()
        == Some(true);
    if !loaded {
        // The source runs as the script's body: it defines `window.axe` (no eval, so the
        // page's content security policy has no say).
        driver
            .execute(&format!("{}\n;return true;", source()?), vec![])
            .await
            .context("loading axe-core into the page")?;
    }
    let found = driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(result => done(result.violations.map(v =>
                 v.id + ' (' + v.impact + '): ' + v.help + ' — ' + v.nodes.slice(0, 4)
                   .map(n => n.target.join(' ') + ' [' + n.failureSummary.replace(/\\s+/g, ' ') + ']')
                   .join('; '))))
               .catch(error => done(['axe could not run: ' + error]));",
            vec![],
        )
        .await?
        .json()
        .clone();
    let violations: Vec<String> = serde_json::from_value(found)?;
    if violations.is_empty() {
        return Ok(());
    }
    bail!(
        "{page}: {} accessibility violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    )
}

/// The page in both languages: axe in the language shown, then after switching (the document's
/// `lang` must follow), then switched back.
pub async fn accessible_in_both_languages(driver: &WebDriver, page: &str) -> Result<()> {
    for _ in 0..2 {
        let lang = driver
            .execute("return document.documentElement.lang;", vec![])
            .await?
            .json()
            .as_str()
            .unwrap_or_default()
            .to_string();
        accessible(driver, &format!("{page} [{lang}]")).await?;
        let switched = driver
            .execute(
                "const b = document.querySelector('#switch-language'); if (b) b.click(); return !!b;",
                vec![],
            )
            .await?
            .json()
            .as_bool()
            == Some(true);
        if !switched {
            // A page without the switch (the slip's check page) is shown in one language.
            return Ok(());
        }
        let other = if lang == "vi" { "en" } else { "vi" };
        crate::wait_until(
            driver,
            &format!("return document.documentElement.lang === '{other}';"),
        )
        .await
        .with_context(|| format!("{page}: the document's lang never became {other}"))?;
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    Ok(())
}
