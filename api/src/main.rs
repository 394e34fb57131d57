//! The `rabfang` binary; everything it does lives in `api::cli`.

fn main() {
    api::cli::main();
}
