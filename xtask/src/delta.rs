//! Updates sent as deltas against the release a device already holds.
//!
//! A release that changes one page gives every wasm module a new name: the modules share one
//! memory layout, so a few bytes more in one page move addresses in all of them. Most of their
//! bytes stay the same, though. The browser keeps each file it fetched as a compression
//! dictionary (the server marks them with `Use-As-Dictionary`) and, when it asks for the next
//! version of that file, names the one it holds (`Available-Dictionary`, a SHA-256). So `dist`
//! keeps the files of the last [`KEEP`] releases under `dist/delta/` and writes every new file
//! compressed with each of them as its dictionary (`dcz`: Zstandard, RFC 9842), which the server
//! sends instead of the brotli file.
//!
//! `dist/delta/` holds:
//! - `releases.json`: the earlier releases, newest first, each a map from a file's role
//!   (`split_admin.wasm`) to the SHA-256 (hex) of its content then;
//! - `dict/<sha256>`: those files' bytes, the dictionaries;
//! - `<file name>/<sha256>.dcz`: the file compressed against that dictionary, what the server
//!   sends (see `server/src/static_files/delta.rs`).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// How many earlier releases a device may skip and still get deltas.
pub const KEEP: usize = 3;
/// The kinds of content-hashed files sent as deltas.
const KINDS: [&str; 3] = ["wasm", "js", "css"];
/// The `dcz` header: a Zstandard skippable frame of 32 bytes, which carry the dictionary's hash.
const DCZ_MAGIC: [u8; 8] = [0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00];

/// One release: a file's role → the hex SHA-256 of its content.
type Release = BTreeMap<String, String>;

/// What the previous `dist/` knew, read before it is replaced.
#[derive(Default)]
pub struct Past {
    /// The earlier releases, newest first (the replaced `dist/` itself included).
    releases: Vec<Release>,
    /// The dictionaries those releases name, by hex SHA-256.
    dictionaries: BTreeMap<String, Vec<u8>>,
    /// Deltas already made, by (file name, dictionary hash): a rebuild does not redo them.
    made: BTreeMap<(String, String), Vec<u8>>,
}

/// What this release's update costs a device that holds the previous one.
pub struct Update {
    /// Files with a new name.
    pub changed: usize,
    /// Their brotli bytes: what the update costs without deltas.
    pub brotli: u64,
    /// The same files as deltas against the previous release where one was made.
    pub delta: u64,
}

impl Past {
    /// Reads the releases kept in `dist` and the release `dist` itself holds.
    pub fn read(dist: &Path) -> Result<Past> {
        let mut past = Past::default();
        let delta = dist.join("delta");
        let kept: Vec<Release> = fs::read(delta.join("releases.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        for release in &kept {
            for hash in release.values() {
                if let Ok(bytes) = fs::read(delta.join("dict").join(hash)) {
                    past.dictionaries.insert(hash.clone(), bytes);
                }
            }
        }
        let mut newest = Release::new();
        for (name, bytes) in hashed_files(dist)? {
            let hash = sha256_hex(&bytes);
            newest.insert(role(&name), hash.clone());
            past.dictionaries.insert(hash, bytes);
        }
        if !newest.is_empty() {
            past.releases.push(newest);
        }
        past.releases.extend(kept);
        if let Ok(entries) = fs::read_dir(&delta) {
            for entry in entries.flatten().filter(|e| e.path().is_dir()) {
                let name = entry.file_name().to_string_lossy().into_owned();
                for made in fs::read_dir(entry.path())?.flatten() {
                    let file = made.file_name().to_string_lossy().into_owned();
                    if let Some(hash) = file.strip_suffix(".dcz") {
                        past.made
                            .insert((name.clone(), hash.to_string()), fs::read(made.path())?);
                    }
                }
            }
        }
        Ok(past)
    }

    /// Writes `dist/delta/` for the release now in `dist`: the deltas of its files against
    /// each kept release, and what the next build needs to do the same.
    pub fn write(mut self, dist: &Path) -> Result<Update> {
        let current = hashed_files(dist)?;
        let release: Release = current
            .iter()
            .map(|(name, bytes)| (role(name), sha256_hex(bytes)))
            .collect();
        // A rebuild with nothing changed is the same release, not an earlier one.
        self.releases.retain(|kept| *kept != release);
        self.releases.truncate(KEEP);
        let delta = dist.join("delta");
        fs::create_dir_all(delta.join("dict"))?;
        let mut update = Update {
            changed: 0,
            brotli: 0,
            delta: 0,
        };
        for (name, bytes) in &current {
            let brotli = fs::metadata(dist.join(format!("{name}.br")))
                .map(|m| m.len())
                .unwrap_or(bytes.len() as u64);
            let hash = &release[&role(name)];
            let mut previous_cost = None;
            for (age, kept) in self.releases.iter().enumerate() {
                let Some(old) = kept.get(&role(name)) else {
                    continue;
                };
                if old == hash {
                    if age == 0 {
                        previous_cost = Some(0);
                    }
                    continue;
                }
                let Some(dictionary) = self.dictionaries.get(old) else {
                    continue;
                };
                let made = match self.made.remove(&(name.clone(), old.clone())) {
                    Some(made) => made,
                    None => compress(dictionary, bytes)
                        .with_context(|| format!("the delta of {name} against {old}"))?,
                };
                if (made.len() as u64) < brotli {
                    fs::create_dir_all(delta.join(name))?;
                    fs::write(delta.join(name).join(format!("{old}.dcz")), &made)?;
                    if age == 0 {
                        previous_cost = Some(made.len() as u64);
                    }
                }
            }
            if previous_cost != Some(0) {
                update.changed += 1;
                update.brotli += brotli;
                update.delta += previous_cost.unwrap_or(brotli);
            }
        }
        for kept in &self.releases {
            for hash in kept.values() {
                if let Some(bytes) = self.dictionaries.get(hash) {
                    fs::write(delta.join("dict").join(hash), bytes)?;
                }
            }
        }
        fs::write(
            delta.join("releases.json"),
            serde_json::to_vec_pretty(&self.releases)?,
        )?;
        Ok(update)
    }
}

/// `content` as `dcz`: the header naming the dictionary, then a Zstandard frame that uses the
/// dictionary's bytes as its raw-content dictionary.
pub fn compress(dictionary: &[u8], content: &[u8]) -> Result<Vec<u8>> {
    let mut compressor = zstd::bulk::Compressor::with_dictionary(19, dictionary)?;
    // A window that spans the dictionary and the content (Chromium accepts up to 128 MB).
    compressor.set_parameter(zstd::zstd_safe::CParameter::WindowLog(23))?;
    compressor.include_checksum(true)?;
    let frame = compressor.compress(content)?;
    let mut out = Vec::with_capacity(40 + frame.len());
    out.extend_from_slice(&DCZ_MAGIC);
    out.extend_from_slice(&Sha256::digest(dictionary));
    out.extend_from_slice(&frame);
    Ok(out)
}

/// A file's role across releases: its name without the content hash (`split_admin.wasm`).
pub(crate) fn role(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, extension)) => {
            let stem = stem.rsplit_once('-').map_or(stem, |(role, _)| role);
            format!("{stem}.{extension}")
        }
        None => name.to_string(),
    }
}

/// The content-hashed files at the top of `dist` that deltas are made for, with their bytes.
fn hashed_files(dist: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dist) else {
        return Ok(found);
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = name.rsplit('.').next().unwrap_or("");
        if entry.path().is_file() && KINDS.contains(&kind) && name.contains('-') {
            found.push((name, fs::read(entry.path())?));
        }
    }
    found.sort();
    Ok(found)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests;
