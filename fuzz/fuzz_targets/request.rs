//! The request handler, fuzzed: see `fuzz/bodies/request.rs` for what must hold.

#![no_main]

#[path = "../bodies/request.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::request(data));
