//! Sets `RABFANG_SITE_BUILD`: a hash of everything a page is made from besides the database
//! (templates, messages, static assets and content in `web/`, the server's and the domain's
//! code, the locked dependency versions). Pages whose `ETag` is computed from their data
//! before rendering (see `site::drafts::show`) mix it in, so a new build never answers `304`
//! for a page it would render differently.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let inputs = [
        root.join("src"),
        root.join("../web"),
        root.join("../domain/src"),
        root.join("../Cargo.lock"),
    ];
    let mut files = Vec::new();
    for input in &inputs {
        println!("cargo:rerun-if-changed={}", input.display());
        collect(input, &mut files);
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in &files {
        file.strip_prefix(&root).unwrap_or(file).hash(&mut hasher);
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!(
        "cargo:rustc-env=RABFANG_SITE_BUILD={:016x}",
        hasher.finish()
    );
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    match std::fs::read_dir(path) {
        Ok(entries) => {
            for entry in entries.flatten() {
                collect(&entry.path(), out);
            }
        }
        Err(_) if path.is_file() => out.push(path.to_path_buf()),
        Err(_) => {}
    }
}
