//! `cfg(meilisearch)` when `TEST_MEILISEARCH_URL` is set: the tests that need a real Meilisearch
//! run then, and are listed as ignored (with the reason) otherwise, never passed silently.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(meilisearch)");
    println!("cargo::rerun-if-env-changed=TEST_MEILISEARCH_URL");
    if std::env::var("TEST_MEILISEARCH_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=meilisearch");
    }
}
