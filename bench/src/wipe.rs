//! Wipe benchmark: a session folder holding 20 scan-sized files, 50 MB in all, wiped and
//! checked by the agent's own `wipe_folder`. On tmpfs (/dev/shm) like the device's
//! /run, falling back to the temp folder.
//!
//!   cargo build --release --workspace && target/release/bench-wipe [RUNS]

use std::time::Instant;

use guichet_agent::wipe::{SCANS, wipe_folder};

fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(50);
    let base = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" };
    let root = tempfile::tempdir_in(base)?;
    let file = vec![0x5au8; 50 * 1000 * 1000 / 20];
    let mut times = Vec::with_capacity(runs);
    for run in 0..runs {
        let session = root.path().join(format!("s{run}"));
        std::fs::create_dir_all(session.join(SCANS))?;
        for i in 0..20 {
            std::fs::write(session.join(SCANS).join(format!("page-{i}.jpg")), &file)?;
        }
        let start = Instant::now();
        let receipt = wipe_folder(&session)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(receipt.scans == 20 && receipt.verified && !session.exists(), "wipe incomplete");
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "wipe of 20 files / 50 MB on {base}: median {:.2} ms, min {:.2}, p90 {:.2}, max {:.2} ({runs} runs)",
        times[runs / 2],
        times[0],
        times[(runs - 1) * 9 / 10],
        times[runs - 1]
    );
    Ok(())
}
