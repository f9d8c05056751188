//! Start-up benchmark: process start → first frame rendered (1920×1080, headless
//! software renderer) and peak memory, for the kiosk and, in the same run, for headless
//! Chromium showing the same attract screen as static HTML.
//!
//!   cargo build --release --workspace && target/release/bench-startup [RUNS]
//!
//! Each run is timed from spawn to exit (the process writes its first frame to a PNG and
//! exits), so it includes loading the binary, the content and the fonts. Memory is the
//! peak of the summed proportional set size (PSS) of the process and all its children
//! (Chromium runs several processes), sampled every 2 ms.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

struct Sample {
    time: Duration,
    peak_rss_kib: u64,
}

fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(20);
    let target = std::env::current_exe()?.parent().context("target dir")?.to_owned();
    let out = tempfile::tempdir()?;
    let kiosk = target.join("kiosk");
    let html = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/attract.html"));

    let kiosk_png = out.path().join("kiosk.png");
    let kiosk_runs = measure(runs, || {
        let mut c = Command::new(&kiosk);
        c.arg("--first-frame").arg(&kiosk_png).args(["--size", "1920x1080", "--speech", "off"]);
        c
    })?;
    let chromium_png = out.path().join("chromium.png");
    let chromium_runs = measure(runs, || {
        let profile = out.path().join(format!("profile-{}", rand_suffix()));
        let mut c = Command::new("chromium");
        c.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1920,1080",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", chromium_png.display()))
        .arg(format!("file://{}", html.display()));
        c
    })?;
    for png in [&kiosk_png, &chromium_png] {
        if !png.exists() {
            bail!("{} was not written", png.display());
        }
    }
    report("kiosk (Slint, software renderer)", &kiosk_runs);
    report("headless Chromium, same screen as HTML", &chromium_runs);
    let (k, c) = (median(&kiosk_runs, |s| s.time.as_secs_f64()), median(&chromium_runs, |s| s.time.as_secs_f64()));
    let (km, cm) = (median(&kiosk_runs, |s| s.peak_rss_kib as f64), median(&chromium_runs, |s| s.peak_rss_kib as f64));
    println!("ratio: Chromium takes {:.1}× the time and {:.1}× the memory", c / k, cm / km);
    Ok(())
}

fn measure(runs: usize, command: impl Fn() -> Command) -> anyhow::Result<Vec<Sample>> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut cmd = command();
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        let start = Instant::now();
        let mut child = cmd.spawn().with_context(|| format!("cannot start {cmd:?}"))?;
        let group = child.id();
        let mut peak = 0;
        let status = loop {
            peak = peak.max(group_rss_kib(group));
            if let Some(status) = child.try_wait()? {
                break status;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let time = start.elapsed();
        if !status.success() {
            bail!("{cmd:?} failed: {status}");
        }
        samples.push(Sample { time, peak_rss_kib: peak });
    }
    Ok(samples)
}

/// Summed PSS of every process in the process group `group`.
fn group_rss_kib(group: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else { return 0 };
    let mut total = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())) {
            continue;
        }
        if process_group(&path) == Some(group) {
            total += vm_rss_kib(&path).unwrap_or(0);
        }
    }
    total
}

fn process_group(proc_dir: &Path) -> Option<u32> {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(2)?.parse().ok()
}

/// Proportional set size: shared pages split between the processes sharing them, so
/// summing over Chromium's processes does not count its shared libraries five times.
fn vm_rss_kib(proc_dir: &Path) -> Option<u64> {
    let status = std::fs::read_to_string(proc_dir.join("smaps_rollup")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Pss:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median(samples: &[Sample], key: impl Fn(&Sample) -> f64) -> f64 {
    let mut v: Vec<f64> = samples.iter().map(key).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn report(name: &str, samples: &[Sample]) {
    let ms = |q: f64| {
        let mut v: Vec<f64> = samples.iter().map(|s| s.time.as_secs_f64() * 1000.0).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f64 * q).round() as usize]
    };
    println!(
        "{name}: start → first frame median {:.0} ms (min {:.0}, p90 {:.0}), peak memory (PSS) median {:.1} MiB, {} runs",
        ms(0.5),
        ms(0.0),
        ms(0.9),
        median(samples, |s| s.peak_rss_kib as f64) / 1024.0,
        samples.len()
    );
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}
