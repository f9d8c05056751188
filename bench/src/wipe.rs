//! Wipe benchmark, with the agent's own `wipe_path`, on tmpfs (/dev/shm) like the
//! device's session folders, falling back to the temp folder:
//! - a visit's usual load: 20 scan-sized files, 50 MB in all;
//! - 100,000 small files in one folder of `imports/` (what a hostile kiosk can make);
//! - a tree deeper than PATH_MAX: 5,000 nested folders of 2-byte names (10,000 bytes of
//!   path), a file at every level.
//!
//!   cargo build --release --workspace && target/release/bench-wipe [RUNS]

use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::Instant;

use guichet_agent::session_folder::{IMPORTS, SCANS};
use guichet_agent::wipe::wipe_path;

fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(50);
    let base = if Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" };
    let root = tempfile::tempdir_in(base)?;
    let file = vec![0x5au8; 50 * 1000 * 1000 / 20];
    measure(&format!("20 files / 50 MB on {base}"), runs, root.path(), |session| {
        std::fs::create_dir_all(session.join(SCANS))?;
        for i in 0..20 {
            std::fs::write(session.join(SCANS).join(format!("page-{i}.jpg")), &file)?;
        }
        Ok(20)
    })?;
    measure("100,000 files in one folder", runs.min(5), root.path(), |session| {
        let dir = session.join(IMPORTS).join("many");
        std::fs::create_dir_all(&dir)?;
        for i in 0..100_000 {
            std::fs::write(dir.join(format!("f{i}")), b"x")?;
        }
        Ok(100_000)
    })?;
    measure("5,000 levels, deeper than PATH_MAX", runs.min(5), root.path(), |session| {
        std::fs::create_dir_all(session.join(IMPORTS))?;
        let mut here = std::fs::File::open(session.join(IMPORTS))?;
        for _ in 0..5000 {
            // Relative to the open folder: the full path is too long for the kernel.
            let at = format!("/proc/self/fd/{}", here.as_raw_fd());
            std::fs::write(format!("{at}/f"), b"x")?;
            std::fs::create_dir(format!("{at}/d"))?;
            here = std::fs::File::open(format!("{at}/d"))?;
        }
        Ok(5000)
    })?;
    Ok(())
}

/// Builds a session folder with `make` (which says how many files it made) `runs` times,
/// and times its wipe.
fn measure(what: &str, runs: usize, root: &Path, make: impl Fn(&Path) -> anyhow::Result<u32>) -> anyhow::Result<()> {
    let mut times = Vec::with_capacity(runs);
    for run in 0..runs {
        let session = root.join(format!("s{run}"));
        let files = make(&session)?;
        let start = Instant::now();
        let receipt = wipe_path(&session)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(receipt.files() == files && receipt.verified && !session.exists(), "wipe incomplete");
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "wipe of {what}: median {:.2} ms, min {:.2}, p90 {:.2}, max {:.2} ({runs} runs)",
        times[runs / 2],
        times[0],
        times[(runs - 1) * 9 / 10],
        times[runs - 1]
    );
    Ok(())
}
