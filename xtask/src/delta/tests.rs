use std::fs;
use std::path::{Path, PathBuf};

use super::*;

/// Bytes that look like a build: long runs shared between versions, a few bytes apart.
fn build(version: u8, size: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let mut bytes: Vec<u8> = (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect();
    for at in (0..size).step_by(4096) {
        bytes[at] = version;
    }
    bytes
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-delta-{}", uuid::Uuid::now_v7()));
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// What `dist` does for a release: read the past, replace `dist/`, write the delta files.
fn release(dist: &Path, files: &[(&str, &[u8])]) -> Update {
    let past = Past::read(dist).unwrap();
    let _ = fs::remove_dir_all(dist);
    fs::create_dir_all(dist).unwrap();
    for (stem, bytes) in files {
        let (stem, extension) = stem.split_once('.').unwrap();
        crate::dist::write_hashed(dist, stem, extension, bytes).unwrap();
    }
    past.write(dist).unwrap()
}

fn unpack(dictionary: &[u8], dcz: &[u8]) -> Vec<u8> {
    assert_eq!(dcz[..8], DCZ_MAGIC, "the dcz header");
    assert_eq!(
        dcz[8..40],
        Sha256::digest(dictionary)[..],
        "the dictionary's hash"
    );
    zstd::bulk::Decompressor::with_dictionary(dictionary)
        .unwrap()
        .decompress(&dcz[40..], 1 << 24)
        .unwrap()
}

fn name_of(dist: &Path, role_wanted: &str) -> String {
    hashed_files(dist)
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .find(|name| role(name) == role_wanted)
        .unwrap()
}

#[test]
fn a_delta_unpacks_to_the_new_file_and_is_a_fraction_of_it() {
    let (old, new) = (build(1, 300_000), build(2, 300_000));
    let dcz = compress(&old, &new).unwrap();
    assert_eq!(unpack(&old, &dcz), new);
    let alone = zstd::bulk::compress(&new, 19).unwrap();
    assert!(
        dcz.len() * 20 < alone.len(),
        "delta {} bytes, alone {} bytes",
        dcz.len(),
        alone.len()
    );
}

#[test]
fn roles_drop_the_content_hash() {
    assert_eq!(
        role("split_admin-0123456789abcdef.wasm"),
        "split_admin.wasm"
    );
    assert_eq!(role("app-0123456789abcdef.js"), "app.js");
    assert_eq!(role("app_bg-0123456789abcdef.wasm"), "app_bg.wasm");
}

#[test]
fn each_release_brings_deltas_against_the_ones_kept() {
    let dist = scratch();
    let css = b"body { color: black }".as_slice();
    let first = release(
        &dist,
        &[("app.wasm", &build(1, 200_000)), ("style.css", css)],
    );
    assert_eq!(first.changed, 2, "a first release is all new");
    let kept: Vec<Release> =
        serde_json::from_slice(&fs::read(dist.join("delta/releases.json")).unwrap()).unwrap();
    assert!(kept.is_empty(), "nothing earlier to keep");
    let first_wasm = fs::read(dist.join(name_of(&dist, "app.wasm"))).unwrap();

    let second = release(
        &dist,
        &[("app.wasm", &build(2, 200_000)), ("style.css", css)],
    );
    assert_eq!(second.changed, 1, "the CSS kept its name");
    assert!(second.delta * 20 < second.brotli.max(200_000));
    let wasm = name_of(&dist, "app.wasm");
    let dcz = fs::read(
        dist.join("delta")
            .join(&wasm)
            .join(format!("{}.dcz", sha256_hex(&first_wasm))),
    )
    .unwrap();
    assert_eq!(unpack(&first_wasm, &dcz), build(2, 200_000));

    // The same build again is the same release: it keeps its deltas and evicts nothing.
    let again = release(
        &dist,
        &[("app.wasm", &build(2, 200_000)), ("style.css", css)],
    );
    assert_eq!(again.changed, 1);
    assert_eq!(again.delta, second.delta);

    for version in 3..=6 {
        release(
            &dist,
            &[("app.wasm", &build(version, 200_000)), ("style.css", css)],
        );
    }
    let kept: Vec<Release> =
        serde_json::from_slice(&fs::read(dist.join("delta/releases.json")).unwrap()).unwrap();
    assert_eq!(kept.len(), KEEP);
    let wasm = name_of(&dist, "app.wasm");
    let deltas = fs::read_dir(dist.join("delta").join(&wasm))
        .unwrap()
        .count();
    assert_eq!(deltas, KEEP, "one delta per kept release of a changed file");
    assert_eq!(
        fs::read_dir(dist.join("delta/dict")).unwrap().count(),
        KEEP + 1,
        "the kept releases' wasm and the one CSS they share"
    );
    for kept in &kept {
        let hash = &kept["app.wasm"];
        let dictionary = fs::read(dist.join("delta/dict").join(hash)).unwrap();
        let dcz = fs::read(dist.join("delta").join(&wasm).join(format!("{hash}.dcz"))).unwrap();
        assert_eq!(unpack(&dictionary, &dcz), build(6, 200_000));
    }
    fs::remove_dir_all(&dist).unwrap();
}
