//! Builds the list of instrument definitions from `instruments/*.json`, so that adding an
//! instrument, or a new version of one, is adding a file: no code changes.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    let dir =
        Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("instruments");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("shared/instruments exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Every definition file, in file-name order.\npub const FILES: &[&str] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        out.push_str(&format!(
            "    include_str!({:?}),\n",
            file.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target =
        Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("instrument_files.rs");
    fs::write(target, out).expect("OUT_DIR is writable");
}
