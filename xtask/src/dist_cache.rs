//! Work `dist` did before, kept under `target/dist-cache/` by what it was made from: a second
//! build with nothing changed skips `wasm-opt` (minutes on two cores) and the wasm's brotli
//! (seconds). One entry per kind (a tool and a file's role) is kept, the latest.

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
        if input.len() > 256 * 1024 {
            eprintln!("xtask: {kind}: unchanged, reused");
        }
        return Ok(bytes);
    }
    let bytes = produce()?;
    fs::create_dir_all(&dir)?;
    for entry in fs::read_dir(&dir)? {
        let entry = entry?;
        // This kind's entry only: `wasm-opt-<key>`, not `wasm-opt-split_admin-<key>`.
        let name = entry.file_name().to_string_lossy().into_owned();
        let same_kind = name
            .strip_prefix(&format!("{kind}-"))
            .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()));
        if same_kind {
            let _ = fs::remove_file(entry.path());
        }
    }
    // Written whole, then renamed: an interrupted build never leaves half an entry.
    let partial = dir.join(format!("{kind}.partial"));
    fs::write(&partial, &bytes)?;
    fs::rename(&partial, &path)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_keeps_its_latest_entry_and_leaves_longer_kinds_alone() {
        let kind = format!("test-{}", uuid::Uuid::now_v7());
        let module = format!("{kind}-split_admin");
        let made = |bytes: &[u8]| {
            let bytes = bytes.to_vec();
            move || Ok(bytes)
        };
        assert_eq!(cached(&kind, "", b"one", made(b"1")).unwrap(), b"1");
        assert_eq!(cached(&module, "", b"admin", made(b"A")).unwrap(), b"A");
        assert_eq!(cached(&kind, "", b"two", made(b"2")).unwrap(), b"2");
        let fail = || -> Result<Vec<u8>> { anyhow::bail!("made again") };
        assert_eq!(cached(&module, "", b"admin", fail).unwrap(), b"A", "kept");
        assert_eq!(cached(&kind, "", b"two", fail).unwrap(), b"2", "kept");
        assert!(cached(&kind, "", b"one", fail).is_err(), "replaced by two");
        for entry in fs::read_dir(target_dir().join("dist-cache")).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().to_string_lossy().starts_with(&kind) {
                fs::remove_file(entry.path()).unwrap();
            }
        }
    }
}
