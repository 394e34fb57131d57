//! The `rabfang` program, built inside this package so that the black-box tests can run it as a
//! process (`CARGO_BIN_EXE_rabfang-under-test`): same code as `api/src/main.rs`.

fn main() {
    api::cli::main();
}
