//! Work `dist` did before, kept under `target/dist-cache/` by what it was made from: a second
//! build with nothing changed skips `wasm-opt` (minutes on two cores) and the wasm's brotli
//! (seconds). One entry per kind is kept, the latest.

use std::fs;

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::util::target_dir;

/// What `produce` makes from `input` (and `recipe`: the tool and its flags), from the cache
/// when the same input and recipe were seen last time.
pub fn cached(
    kind: &str,
    recipe: &str,
    input: &[u8],
    produce: impl FnOnce() -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let dir = target_dir().join("dist-cache");
    let mut hasher = Sha256::new();
    hasher.update(recipe.as_bytes());
    hasher.update([0]);
    hasher.update(input);
    let key: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let path = dir.join(format!("{kind}-{key}"));
    if let Ok(bytes) = fs::read(&path) {
        eprintln!("xtask: {kind}: unchanged, reused");
        return Ok(bytes);
    }
    let bytes = produce()?;
    fs::create_dir_all(&dir)?;
    for entry in fs::read_dir(&dir)? {
        let entry = entry?;
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(&format!("{kind}-"))
        {
            let _ = fs::remove_file(entry.path());
        }
    }
    // Written whole, then renamed: an interrupted build never leaves half an entry.
    let partial = dir.join(format!("{kind}.partial"));
    fs::write(&partial, &bytes)?;
    fs::rename(&partial, &path)?;
    Ok(bytes)
}
