//! The frame codec, fuzzed: see `fuzz/bodies/frame.rs` for what must hold.

#![no_main]

#[path = "../bodies/frame.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::frame(data));
