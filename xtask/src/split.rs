//! Cuts the app's wasm at its split points (`app/src/routes.rs`) with wasm-split, before
//! wasm-bindgen: the main module keeps what the sign-in form, the shell and the sync engine
//! need, and each page's own code goes to modules fetched when the page first opens.
//!
//! Needs the wasm linked with `--emit-relocs` (set for wasm32 in `.cargo/config.toml`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};

use crate::dist::{short_hash, write_hashed};

/// The loader wasm-split writes; the main module imports it, and it imports the main JS.
pub const LOADER: &str = "__wasm_split.js";
/// The main JS that wasm-bindgen writes.
pub const MAIN_JS: &str = "app.js";

/// What the split wrote into `dir`.
pub struct Split {
    /// The main module, for wasm-bindgen.
    pub main: PathBuf,
    /// The modules fetched on demand, by the loader, relative to it.
    pub modules: Vec<PathBuf>,
}

pub fn split(wasm: &Path, dir: &Path) -> Result<Split> {
    let input = fs::read(wasm)?;
    let main = dir.join("app_split.wasm");
    let main_module = format!("./{MAIN_JS}");
    let link_name = format!("./{LOADER}");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = dir;
    options.main_out_path = &main;
    options.main_module = &main_module;
    options.link_name = &link_name;
    let split =
        wasm_split_cli_support::transform(options).map_err(|e| anyhow!("wasm-split: {e:#}"))?;
    let mut modules = split.split_modules;
    modules.sort();
    Ok(Split { main, modules })
}

/// A split module's fetch gives up after this long without finishing, so that a link that
/// connects but never answers ends in the page's "try again" instead of "loading" for ever.
/// Generous: the largest module takes seconds on slow 3G.
const FETCH_TIMEOUT_MS: u32 = 60_000;

/// Writes the split modules, the loader and the main JS into `dist` under content-hashed names,
/// with the names they use for each other rewritten. Adds `app_js` and `split_js` to `names`
/// and returns the modules' names.
///
/// The main JS and the loader import each other, so they share one hash, taken over both and
/// the main wasm they belong to. A module whose content did not change keeps its name, so a
/// device's service worker can keep it from the previous version.
pub fn name_modules(
    staging: &Path,
    split: &Split,
    dist: &Path,
    names: &mut BTreeMap<&'static str, String>,
) -> Result<Vec<String>> {
    let mut loader = fs::read_to_string(staging.join(LOADER))?;
    let mut modules = Vec::new();
    for module in &split.modules {
        let stem = module
            .file_stem()
            .ok_or_else(|| anyhow!("a split module without a name"))?
            .to_string_lossy();
        let name = write_hashed(dist, &stem, "wasm", &fs::read(module)?)?;
        let reference = format!("\"./{stem}.wasm\"");
        if !loader.contains(&reference) {
            bail!("the split loader does not name {stem}.wasm");
        }
        loader = loader.replace(&reference, &format!("\"./{name}\""));
        modules.push(name);
    }
    let fetch = "import.meta.url))";
    if !loader.contains(fetch) {
        bail!("the split loader's fetch is not the one expected: update the timeout");
    }
    loader = loader.replace(
        fetch,
        &format!("import.meta.url), {{ signal: AbortSignal.timeout({FETCH_TIMEOUT_MS}) }})"),
    );
    let main_js = fs::read_to_string(staging.join(MAIN_JS))?;
    let main_wasm = fs::read(staging.join("app_bg.wasm"))?;
    let hash = short_hash(&[main_js.as_bytes(), loader.as_bytes(), &main_wasm].concat());
    let (js_name, loader_name) = (format!("app-{hash}.js"), format!("split-{hash}.js"));
    let import_loader = format!("from \"./{LOADER}\"");
    let import_main = format!("from \"./{MAIN_JS}\"");
    if !main_js.contains(&import_loader) || !loader.contains(&import_main) {
        bail!("the main JS and the split loader no longer import each other as expected");
    }
    fs::write(
        dist.join(&js_name),
        main_js.replace(&import_loader, &format!("from \"./{loader_name}\"")),
    )?;
    fs::write(
        dist.join(&loader_name),
        loader.replace(&import_main, &format!("from \"./{js_name}\"")),
    )?;
    names.insert("app_js", js_name);
    names.insert("split_js", loader_name);
    Ok(modules)
}
