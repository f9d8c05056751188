//! Device benchmarks, on the real components the tests use:
//! - 10 pages scanned from the document feeder of SANE's `test` backend through the agent
//!   (one `scan` request: each page moved into the session with its preview, and announced),
//!   then put into one PDF for printing: the time beyond what `scanimage` itself takes for
//!   the same pages;
//! - a 10-page PDF sent to `ippeveprinter`: from the `print` request to `print_queued`.
//!
//!   cargo build --release --workspace && target/release/bench-devices [ROUNDS]

use std::path::Path;
use std::time::{Duration, Instant};

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, ScanPreset};
use guichet_tests::{TestAgent, TestPrinter};

fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(5);
    let sane = tempfile::tempdir()?;
    // A colour page at 150 dpi, as the agent asks; 200×200 mm is the most the test backend draws.
    guichet_tests::sane_test_backend(sane.path(), "Default", "br_x 200.0\nbr_y 200.0\n");
    let printer = TestPrinter::start();
    let (uri, sane_dir) = (printer.uri(), sane.path().to_owned());
    let agent = TestAgent::start(move |c| {
        c.devices.printer = uri;
        c.devices.scanner = "test:0".into();
        c.devices.sane_config_dir = Some(sane_dir);
        c.print_page_limit = 1000;
    });
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;

    // The scanner's own time: scanimage alone, the feeder's 10 pages, same options.
    let mut own = Vec::new();
    for _ in 0..rounds {
        let out = tempfile::tempdir()?;
        let t0 = Instant::now();
        let status = std::process::Command::new("scanimage")
            .env("SANE_CONFIG_DIR", sane.path())
            .args(["-d", "test:0", "--source", "Automatic Document Feeder", "--mode", "Color"])
            .args(["--resolution", "150", "--format=jpeg", "--batch-count=10"])
            .arg(format!("--batch={}", out.path().join("%d.jpg").display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()?;
        anyhow::ensure!(status.success(), "scanimage failed");
        own.push(t0.elapsed());
    }

    let (mut through_agent, mut to_pdf, mut queued) = (Vec::new(), Vec::new(), Vec::new());
    rt.block_on(async {
        let mut c = Client::connect(&agent.socket(), "bench").await?;
        let mut id = 0;
        let mut ask = async |c: &mut Client, msg: &dyn Fn(u64) -> ClientMessage| {
            id += 1;
            c.request(&msg(id), |_| {}).await
        };
        for _ in 0..rounds {
            let AgentMessage::SessionStarted { folder, .. } =
                ask(&mut c, &|id| ClientMessage::StartSession { id }).await?
            else {
                anyhow::bail!("no session")
            };
            let t0 = Instant::now();
            let reply = ask(&mut c, &|id| ClientMessage::Scan { id, preset: ScanPreset::Document, redo: None }).await?;
            anyhow::ensure!(matches!(reply, AgentMessage::Scanned { pages: 10, .. }), "{reply:?}");
            through_agent.push(t0.elapsed());
            // The PDF the photocopy prints, made as the agent makes it.
            let folder = Path::new(&folder).to_owned();
            let t1 = Instant::now();
            let pages: Vec<Vec<u8>> = (1..=10)
                .map(|n| std::fs::read(folder.join(format!("scans/page-{n}.jpg"))))
                .collect::<Result<_, _>>()?;
            let (pdf, _) = guichet_agent::scans_pdf::jpegs_to_pdf(&pages).map_err(anyhow::Error::msg)?;
            std::fs::write(folder.join("prints/copies.pdf"), pdf)?;
            to_pdf.push(t1.elapsed());
            // That 10-page PDF to the printer: request → queued.
            let t2 = Instant::now();
            let reply =
                ask(&mut c, &|id| ClientMessage::Print { id, file: "prints/copies.pdf".into(), copies: 1 }).await?;
            queued.push(t2.elapsed());
            anyhow::ensure!(matches!(reply, AgentMessage::PrintQueued { pages: 10, .. }), "{reply:?}");
            ask(&mut c, &|id| ClientMessage::EndSession { id, reason: EndReason::Completed }).await?;
        }
        Ok(())
    })?;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (own, agent_scan, pdf, queue) =
        (median(&mut own), median(&mut through_agent), median(&mut to_pdf), median(&mut queued));
    println!("10 pages, {rounds} rounds, medians:");
    println!("  scanimage alone:                  {:.0} ms", ms(own));
    println!("  through the agent:                {:.0} ms (+{:.0} ms)", ms(agent_scan), ms(agent_scan) - ms(own));
    println!("  into one PDF:                     {:.1} ms", ms(pdf));
    println!("  beyond the scanner's own time:    {:.0} ms", ms(agent_scan) - ms(own) + ms(pdf));
    println!("  10-page PDF, print → print_queued: {:.1} ms", ms(queue));
    Ok(())
}
