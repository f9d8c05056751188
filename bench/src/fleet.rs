//! Fleet benchmarks.
//!
//! `intake`: the real `fleet serve` process on loopback, over HTTPS (its self-signed
//! certificate) or plain HTTP, taking reports from N simulated kiosks as fast as C
//! connections send them, each report the size of a real five-minute one (one health
//! sample with printer supplies and five public sites, the day's counters). Prints the
//! sustained reports/s, latency percentiles, bytes per report, and the server's CPU and
//! memory. SQLite by default; `--postgres` on a private PostgreSQL server.
//!
//! `agent-idle`: the real `agent` (simulated devices) enrolled in a fleet and reporting
//! every five minutes, its CPU time and memory over a minute of doing nothing else.
//!
//!   cargo build --release --workspace
//!   target/release/bench-fleet intake [--kiosks 500] [--connections 64] [--seconds 15] [--postgres] [--plain]
//!   target/release/bench-fleet agent-idle [--seconds 60]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use guichet_fleet::storage::sqlite::SqliteStorage;
use guichet_fleet::storage::{CodeRow, Storage, postgres::PostgresStorage};
use guichet_protocol::fleet::{EnrolResponse, HealthSample, Report, UsageDay};

/// A binary beside this one (target/release).
fn bin(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent().expect("target dir").join(name)
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").map(|l| l.local_addr().map(|a| a.port()).unwrap_or(0)).unwrap_or(0)
}

/// Waits for a port to accept, within 20 seconds.
async fn listening(port: u16) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > deadline {
            bail!("the fleet never listened on {port}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Utime + stime in seconds, and resident memory in MiB, of a process.
fn usage_of(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    (ticks / 100.0, rss_kb / 1024.0)
}

/// A five-minute report's sample: what a real kiosk sends.
fn sample(t: u64) -> HealthSample {
    let golden = include_str!("../../protocol/golden/fleet/report.json");
    let report: Report = serde_json::from_str(golden).expect("golden report");
    let mut s = report.samples[0].clone();
    s.taken_at = t;
    for url in ["https://www.ameli.fr", "https://www.impots.gouv.fr", "https://www.francetravail.fr"] {
        s.sites.push(guichet_protocol::fleet::SiteReach {
            url: url.into(),
            reachable: true,
            latency_ms: Some(40),
            error: None,
        });
    }
    s
}

fn day_counters() -> UsageDay {
    let names = [
        "sessions_started",
        "sessions_completed",
        "sessions_abandoned",
        "sessions_wiped",
        "language/fr",
        "language/ar",
        "procedure_started/caf-prime-activite",
        "procedure_completed/caf-prime-activite",
        "abandoned/ameli-attestation-droits/etape-2",
        "mediator_calls",
        "prints",
        "pages_printed",
    ];
    UsageDay {
        day: "2026-12-02".into(),
        counters: names.iter().enumerate().map(|(i, n)| ((*n).to_owned(), i as u64 + 1)).collect(),
    }
}

async fn intake(args: &[String]) -> anyhow::Result<()> {
    let kiosks: usize = arg(args, "--kiosks", 500);
    let connections: usize = arg(args, "--connections", 64);
    let seconds: u64 = arg(args, "--seconds", 15);
    let plain = args.iter().any(|a| a == "--plain");
    let pg = args.iter().any(|a| a == "--postgres").then(guichet_tests::postgres::TestPostgres::start);

    let data = tempfile::tempdir()?;
    let storage: Arc<dyn Storage> = match &pg {
        Some(pg) => Arc::new(PostgresStorage::connect(&pg.url).await?),
        None => Arc::new(SqliteStorage::open(&data.path().join("fleet.db"))?),
    };
    let codes: Vec<String> = (0..kiosks).map(|i| format!("BENCH{i:07}")).collect();
    for code in &codes {
        storage
            .add_code(CodeRow {
                code_hash: guichet_fleet::auth::code_hash(code),
                hint: code[..4].into(),
                site: format!("Site {}", code.len() % 7),
                created_by: "bench".into(),
                created_at: 0,
                expires_at: i64::MAX,
                used_by: None,
            })
            .await?;
    }
    drop(storage);

    let port = free_port();
    let mut cmd = Command::new(bin("fleet"));
    cmd.arg("--data").arg(data.path());
    if let Some(pg) = &pg {
        cmd.arg("--database").arg(&pg.url);
    }
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    cmd.args(if plain { vec!["--plain-http"] } else { vec!["--self-signed", "127.0.0.1"] });
    let server =
        Killed(cmd.env("RUST_LOG", "warn").stdout(Stdio::null()).stderr(Stdio::null()).spawn().context("fleet")?);
    listening(port).await?;
    let (scheme, ca) =
        if plain { ("http", None) } else { ("https", Some(std::fs::read(data.path().join("self-signed.pem"))?)) };
    let url = format!("{scheme}://127.0.0.1:{port}");
    let http = guichet_agent::fleet::link::https_client(ca.as_deref(), Duration::from_secs(30))?;

    let mut tokens = Vec::with_capacity(kiosks);
    for code in &codes {
        let r = http.post(format!("{url}/api/v1/enrol")).json(&serde_json::json!({ "code": code })).send().await?;
        let e: EnrolResponse = r.error_for_status()?.json().await?;
        tokens.push(e.token);
    }
    let body = |seq: u64| Report {
        seq,
        agent_version: "0.1.0".into(),
        samples: vec![sample(1_796_212_800 + seq * 300)],
        usage: vec![day_counters()],
        ..Default::default()
    };
    // Made once: the load generator shares the two cores with the server, and serialising
    // a report per request would measure the generator. Each report's sample gets its own
    // time (the fleet keeps one copy of a sample sent twice).
    const TAKEN: u64 = 4_242_424_242;
    let template = serde_json::to_string(&Report { samples: vec![sample(TAKEN)], ..body(0) })?;
    let rest = template.strip_prefix("{\"seq\":0").context("seq first")?;
    let (a, b) = rest.split_once(&TAKEN.to_string()).context("taken_at")?;
    let parts = Arc::new((a.to_owned(), b.to_owned()));
    let bytes = template.len();

    // Each connection sends for its own kiosks in turn, each report waiting for the last.
    let tokens = Arc::new(tokens);
    let measuring = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = Instant::now() + Duration::from_secs(2 + seconds);
    let mut workers = Vec::new();
    for w in 0..connections {
        let (http, url, tokens, measuring, parts) =
            (http.clone(), url.clone(), Arc::clone(&tokens), Arc::clone(&measuring), Arc::clone(&parts));
        workers.push(tokio::spawn(async move {
            let mine: Vec<usize> = (w..tokens.len()).step_by(connections).collect();
            let mut seqs = vec![0u64; mine.len()];
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut accepted = 0u64;
            let mut i = 0;
            while Instant::now() < stop && !mine.is_empty() {
                let k = i % mine.len();
                seqs[k] += 1;
                let (seq, (a, b)) = (seqs[k], &*parts);
                let report = format!("{{\"seq\":{seq}{a}{}{b}", 1_796_212_800 + seq * 300);
                let start = Instant::now();
                let ok = http
                    .post(format!("{url}/api/v1/report"))
                    .bearer_auth(&tokens[mine[k]])
                    .header("content-type", "application/json")
                    .body(report)
                    .send()
                    .await;
                let good = matches!(&ok, Ok(r) if r.status().is_success());
                accepted += u64::from(good);
                if measuring.load(std::sync::atomic::Ordering::Relaxed) {
                    if good { latencies.push(start.elapsed().as_secs_f64() * 1000.0) } else { errors += 1 }
                }
                i += 1;
            }
            (latencies, errors, accepted)
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await; // warm-up: connections, caches
    let (cpu0, _) = usage_of(server.0.id());
    let started = Instant::now();
    measuring.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut accepted = 0;
    for w in workers {
        let (l, e, a) = w.await?;
        latencies.extend(l);
        errors += e;
        accepted += a;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (cpu1, rss) = usage_of(server.0.id());
    latencies.sort_by(|a, b| a.total_cmp(b));
    let n = latencies.len();
    anyhow::ensure!(n > 0, "no report went through");
    let pct = |p: f64| latencies[((n as f64 - 1.0) * p) as usize];
    println!(
        "{} on {}, {kiosks} kiosks, {connections} connections, {seconds} s: {:.0} reports/s, latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {errors} errors; {bytes} bytes per report; server CPU {:.0} %, RSS {:.0} MiB",
        if pg.is_some() { "PostgreSQL" } else { "SQLite" },
        if plain { "HTTP" } else { "HTTPS" },
        n as f64 / elapsed,
        pct(0.5),
        pct(0.99),
        latencies[n - 1],
        100.0 * (cpu1 - cpu0) / elapsed,
        rss
    );
    drop(server);
    // Every accepted report is in the database: "accepted" meant "stored".
    let storage: Arc<dyn Storage> = match &pg {
        Some(pg) => Arc::new(PostgresStorage::connect(&pg.url).await?),
        None => Arc::new(SqliteStorage::open(&data.path().join("fleet.db"))?),
    };
    let mut stored = 0;
    for k in storage.kiosks().await? {
        stored += storage.sample_count(&k.id).await?;
    }
    anyhow::ensure!(stored as u64 == accepted, "{accepted} reports accepted but {stored} samples stored");
    println!("checked: all {accepted} accepted reports (warm-up included) are stored");
    Ok(())
}

async fn agent_idle(args: &[String]) -> anyhow::Result<()> {
    let seconds: u64 = arg(args, "--seconds", 60);
    let data = tempfile::tempdir()?;
    let storage = SqliteStorage::open(&data.path().join("fleet.db"))?;
    let code = "IDLE0000BENCH";
    storage
        .add_code(CodeRow {
            code_hash: guichet_fleet::auth::code_hash(code),
            hint: "IDLE".into(),
            site: "Bench".into(),
            created_by: "bench".into(),
            created_at: 0,
            expires_at: i64::MAX,
            used_by: None,
        })
        .await?;
    let port = free_port();
    let _fleet = Killed(
        Command::new(bin("fleet"))
            .arg("--data")
            .arg(data.path())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--plain-http"])
            .stderr(Stdio::null())
            .spawn()?,
    );
    listening(port).await?;
    let dir = data.path().join("agent");
    std::fs::create_dir_all(&dir)?;
    let config = format!(
        "runtime_dir = {:?}\nstate_dir = {:?}\nallowed_uids = [{}]\nallow_root = false\n\
         [lockdown]\nterminals = false\nkeyboards = false\n\
         [health]\nsites = []\n\
         [fleet]\nurl = \"http://127.0.0.1:{port}\"\nenrolment_code = \"{code}\"\ncontent_dir = {:?}\n",
        dir.join("run"),
        dir.join("state"),
        guichet_tests::nix_uid(),
        dir.join("content")
    );
    std::fs::write(dir.join("agent.toml"), config)?;
    let agent = Killed(
        Command::new(bin("agent"))
            .arg("--config")
            .arg(dir.join("agent.toml"))
            .args(["--simulated", "--socket-group", "-"])
            .stderr(Stdio::null())
            .spawn()?,
    );
    // Enrolled and reported once: the fleet holds its first sample.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let kiosks = storage.kiosks().await?;
        if let Some(k) = kiosks.first()
            && storage.sample_count(&k.id).await? > 0
        {
            break;
        }
        if Instant::now() > deadline {
            bail!("the agent never reported");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (cpu0, _) = usage_of(agent.0.id());
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let (cpu1, rss) = usage_of(agent.0.id());
    println!(
        "agent idle (simulated devices, reporting every 5 min) over {seconds} s: CPU {:.3} % of one core ({:.2} s), RSS {:.1} MiB",
        100.0 * (cpu1 - cpu0) / seconds as f64,
        cpu1 - cpu0,
        rss
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match args.get(1).map(String::as_str) {
        Some("intake") => runtime.block_on(intake(&args)),
        Some("agent-idle") => runtime.block_on(agent_idle(&args)),
        _ => bail!(
            "usage: bench-fleet intake [--kiosks N] [--connections C] [--seconds S] [--postgres] [--plain] | agent-idle [--seconds S]"
        ),
    }
}
