//! The layers of the app, checked on its sources: the sync engine, the store, the record queries
//! and the directory state know no page (ARCHITECTURE.md, "app/"). A `use crate::pages::…` in
//! one of them fails here, before it becomes a cycle nobody can untangle.

use std::fs;
use std::path::{Path, PathBuf};

/// The modules below the pages, and what they must not name.
const BELOW_PAGES: &[&str] = &[
    "sync",
    "store",
    "records",
    "directory.rs",
    "api.rs",
    "session.rs",
    "vault.rs",
];

fn sources(path: &Path, found: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in fs::read_dir(path).expect("a readable source folder") {
            sources(&entry.expect("a folder entry").path(), found);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        found.push(path.to_path_buf());
    }
}

#[test]
fn nothing_below_the_pages_reaches_into_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for part in BELOW_PAGES {
        let path = src.join(part);
        assert!(
            path.exists(),
            "{} is gone: update this list",
            path.display()
        );
        sources(&path, &mut files);
    }
    assert!(files.len() >= BELOW_PAGES.len());
    let offenders: Vec<String> = files
        .iter()
        .filter(|file| {
            let text = fs::read_to_string(file).expect("a readable source");
            text.contains("pages::") || text.contains("crate::components")
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "these modules name a page or a component: {offenders:?}"
    );
}
