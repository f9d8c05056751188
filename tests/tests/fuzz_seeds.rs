//! The fuzz targets' properties on the normal build, in every run of the tests: each seed
//! (every golden message, and a whole conversation), anything a coverage-guided run left
//! in `fuzz/corpus/`, and 200 mutations of each seed (bytes flipped, cut, doubled, spliced
//! with another seed, length prefixes changed), from a fixed random seed so a failure
//! comes back the same. The coverage-guided fuzzing itself (`scripts/fuzz.sh`, libFuzzer
//! with sanitizers) needs an instrumented build of the agent and all its dependencies, a
//! quarter of an hour on a fresh machine: it runs when asked (`GUICHET_FUZZ_SECONDS`).

#[path = "../../fuzz/bodies/frame.rs"]
mod frame;
#[path = "../../fuzz/bodies/request.rs"]
mod request;

use std::path::{Path, PathBuf};

const MUTATIONS: usize = 200;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for folder in ["seeds", "corpus"] {
        for entry in std::fs::read_dir(root.join(folder).join(target)).into_iter().flatten().flatten() {
            if let Ok(bytes) = std::fs::read(entry.path()) {
                out.push((entry.path(), bytes));
            }
        }
    }
    out.sort();
    out
}

/// xorshift64*: small, fixed, and enough to vary bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    match rng.below(6) {
        0 if !b.is_empty() => {
            for _ in 0..=rng.below(8) {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
        }
        1 => b.truncate(rng.below(b.len() + 1)),
        2 => {
            let cut = rng.below(b.len() + 1);
            b.extend_from_within(cut..);
        }
        3 => {
            let (at, from) = (rng.below(b.len() + 1), rng.below(other.len() + 1));
            b.splice(at..at, other[from..].iter().copied());
        }
        // A length prefix changed: a frame's first four bytes are its length.
        4 if b.len() >= 4 => {
            let n = [0u32, 1, 3, 65_535, 65_536, 65_537, u32::MAX][rng.below(7)];
            b[..4].copy_from_slice(&n.to_le_bytes());
        }
        _ => {
            let at = rng.below(b.len() + 1);
            b.insert(at, [b'{', b'}', b'"', 0, 0xFF, b'\\'][rng.below(6)]);
        }
    }
    b
}

fn run(target: &str, property: fn(&[u8])) {
    let seeds = inputs(target);
    assert!(seeds.len() >= 10, "fuzz/seeds/{target} holds only {} seeds", seeds.len());
    for (path, bytes) in &seeds {
        // A failure names the input; the property's own assertion says what broke.
        eprintln!("{target}: {}", path.display());
        property(bytes);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..seeds.len() * MUTATIONS {
        let (_, input) = &seeds[i % seeds.len()];
        let (_, other) = &seeds[rng.below(seeds.len())];
        let mutated = mutate(&mut rng, input, other);
        property(&mutated);
    }
    println!("{target}: {} seeds and {} mutations held", seeds.len(), seeds.len() * MUTATIONS);
}

#[test]
fn the_frame_codec_holds_on_every_seed_and_their_mutations() {
    run("frame", frame::frame);
}

#[test]
fn the_request_handler_holds_on_every_seed_and_their_mutations() {
    run("request", request::request);
}
