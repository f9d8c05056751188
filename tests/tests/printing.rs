//! Printing for real: the agent speaks IPP to Debian's `ippeveprinter` on loopback. A
//! document arrives byte-identical; the page limit holds; no paper, a jam, low toner and a
//! printer gone each come back as their own code; a wiped session's job is cancelled.

use std::path::{Path, PathBuf};

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, ErrorCode, JobState};
use guichet_tests::{BOUND, TestAgent, TestPrinter};

struct Kiosk {
    client: Client,
    folder: PathBuf,
    next_id: u64,
}

impl Kiosk {
    async fn open(agent: &TestAgent) -> Kiosk {
        let mut client = Client::connect(&agent.socket(), "test").await.unwrap();
        let reply = client.request(&ClientMessage::StartSession { id: 1 }, |_| {}).await.unwrap();
        let AgentMessage::SessionStarted { folder, .. } = reply else { panic!("{reply:?}") };
        Kiosk { client, folder: PathBuf::from(folder), next_id: 2 }
    }

    async fn ask(&mut self, msg: impl FnOnce(u64) -> ClientMessage) -> AgentMessage {
        self.next_id += 1;
        let msg = msg(self.next_id);
        tokio::time::timeout(BOUND, self.client.request(&msg, |_| {})).await.expect("no reply").unwrap()
    }

    async fn print(&mut self, file: &str, copies: u32) -> AgentMessage {
        let file = file.to_owned();
        self.ask(|id| ClientMessage::Print { id, file, copies }).await
    }

    /// Reads events until the job is finished; returns its last state and reason.
    async fn follow(&mut self, job: u32) -> (JobState, Option<String>) {
        loop {
            let msg = tokio::time::timeout(BOUND, self.client.recv()).await.expect("job never finished").unwrap();
            if let AgentMessage::PrintJob { job: j, state, reason } = msg
                && j == job
                && state.finished()
            {
                return (state, reason);
            }
        }
    }

    async fn printer_status(&mut self) -> guichet_protocol::DeviceStatus {
        let AgentMessage::Status { status, .. } = self.ask(|id| ClientMessage::GetStatus { id }).await else {
            panic!("no status")
        };
        status.devices.into_iter().find(|d| d.device == "printer").expect("a printer")
    }
}

fn agent_for(printer: &TestPrinter) -> TestAgent {
    let uri = printer.uri();
    TestAgent::start(move |c| c.devices.printer = uri)
}

/// A small PDF of `pages` pages, made with lopdf.
fn pdf(path: &Path, pages: usize) {
    std::fs::write(path, guichet_tests::pdf_of(pages)).unwrap();
}

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn documents_arrive_byte_identical_within_the_page_limit() {
    let printer = TestPrinter::start();
    let agent = agent_for(&printer);
    rt().block_on(async {
        let mut k = Kiosk::open(&agent).await;
        std::fs::write(k.folder.join("prints/summary.jpg"), JPEG).unwrap();
        pdf(&k.folder.join("prints/form.pdf"), 2);

        let AgentMessage::PrintQueued { job, pages, pages_left, .. } = k.print("prints/summary.jpg", 1).await else {
            panic!("the JPEG was not queued")
        };
        assert_eq!((pages, pages_left), (1, 19));
        assert_eq!(k.follow(job).await, (JobState::Completed, None));
        assert_eq!(guichet_tests::ippeve::same_bytes(&printer.spooled(), &k.folder.join("prints/summary.jpg")), 1);

        // Two pages, two copies: four pages counted against the visit.
        let AgentMessage::PrintQueued { job, pages, pages_left, .. } = k.print("prints/form.pdf", 2).await else {
            panic!("the PDF was not queued")
        };
        assert_eq!((pages, pages_left), (4, 15));
        assert_eq!(k.follow(job).await.0, JobState::Completed);
        assert_eq!(guichet_tests::ippeve::same_bytes(&printer.spooled(), &k.folder.join("prints/form.pdf")), 1);

        // Ten copies would be twenty pages: over the limit, and nothing is sent.
        let before = printer.spooled().len();
        let refused = k.print("prints/form.pdf", 10).await;
        assert!(matches!(refused, AgentMessage::Error { code: ErrorCode::PageLimit, .. }), "{refused:?}");
        // Outside the session folder, or not a document: refused by name of the problem.
        std::fs::write(k.folder.join("prints/notes.pdf"), b"just text").unwrap();
        for bad in ["../../etc/passwd", "/etc/passwd", "prints/notes.pdf", "prints/none.jpg"] {
            let refused = k.print(bad, 1).await;
            assert!(matches!(refused, AgentMessage::Error { code: ErrorCode::BadDocument, .. }), "{bad}: {refused:?}");
        }
        assert_eq!(printer.spooled().len(), before, "a refused document reached the printer");
    });
}

#[test]
fn no_paper_a_jam_and_low_toner_each_have_their_code() {
    let printer = TestPrinter::start();
    let agent = agent_for(&printer);
    rt().block_on(async {
        let mut k = Kiosk::open(&agent).await;
        std::fs::write(k.folder.join("prints/page.jpg"), JPEG).unwrap();
        let status = k.printer_status().await;
        assert_eq!(status.state, "ready");
        assert!(status.supplies.iter().any(|s| s.kind == "toner" && s.level > 50), "{status:?}");

        // Toner low: printing still works, and IT staff see the warning and the level.
        printer.web("supplies?supply0=25&supply1=3");
        let status = k.printer_status().await;
        assert_eq!(status.state, "ready");
        assert!(status.warnings.contains(&"toner_low".into()), "{status:?}");
        assert!(status.supplies.iter().any(|s| s.kind == "toner" && s.level == 3), "{status:?}");

        // No paper: refused before anything is sent, with the reason for the kiosk's screen.
        printer.paper(0);
        assert_eq!(k.printer_status().await.state, "media_empty");
        let refused = k.print("prints/page.jpg", 1).await;
        let AgentMessage::Error { code: ErrorCode::PrinterProblem, detail, .. } = refused else { panic!("{refused:?}") };
        assert_eq!(detail.as_deref(), Some("media_empty"));
        printer.paper(250);
        assert_eq!(k.printer_status().await.state, "ready", "paper back in");

        // A jam during the job: the job is aborted and the printer says why.
        std::fs::write(&printer.jam_flag, b"").unwrap();
        let AgentMessage::PrintQueued { job, .. } = k.print("prints/page.jpg", 1).await else { panic!("not queued") };
        let (state, _) = k.follow(job).await;
        assert_eq!(state, JobState::Aborted);
        assert_eq!(k.printer_status().await.state, "media_jam");
        let refused = k.print("prints/page.jpg", 1).await;
        assert!(
            matches!(&refused, AgentMessage::Error { code: ErrorCode::PrinterProblem, detail: Some(d), .. } if d == "media_jam"),
            "{refused:?}"
        );
    });
}

#[test]
fn a_printer_gone_is_a_clear_error_and_the_agent_keeps_serving() {
    let mut printer = TestPrinter::start();
    let agent = agent_for(&printer);
    rt().block_on(async {
        let mut k = Kiosk::open(&agent).await;
        std::fs::write(k.folder.join("prints/page.jpg"), JPEG).unwrap();
        printer.kill();
        assert_eq!(k.printer_status().await.state, "unreachable");
        let refused = k.print("prints/page.jpg", 1).await;
        assert!(matches!(refused, AgentMessage::Error { code: ErrorCode::PrinterUnreachable, .. }), "{refused:?}");
        assert!(matches!(k.ask(|id| ClientMessage::Ping { id }).await, AgentMessage::Pong { .. }));
        let ended = k.ask(|id| ClientMessage::EndSession { id, reason: EndReason::Completed }).await;
        assert!(matches!(ended, AgentMessage::Ack { .. }), "the wipe must not wait on a dead printer: {ended:?}");
    });
}

#[test]
fn a_wiped_sessions_job_is_cancelled_at_the_printer() {
    use guichet_agent::devices::printer::{IppPrinter, Printer};
    let printer = TestPrinter::start();
    let agent = agent_for(&printer);
    rt().block_on(async {
        let mut k = Kiosk::open(&agent).await;
        std::fs::write(k.folder.join("prints/page.jpg"), JPEG).unwrap();
        std::fs::write(&printer.slow_flag, b"").unwrap();
        let AgentMessage::PrintQueued { job, .. } = k.print("prints/page.jpg", 1).await else { panic!("not queued") };
        // The person leaves while the page is still at the printer.
        let ended = k.ask(|id| ClientMessage::EndSession { id, reason: EndReason::Abandoned }).await;
        assert!(matches!(ended, AgentMessage::Ack { .. }), "{ended:?}");
        let direct = IppPrinter::new(&printer.uri(), None).unwrap();
        // What it says it can do, as it was started.
        let can = direct.capabilities().await.unwrap();
        let takes = |f: &str| can.formats.iter().any(|g| g == f);
        assert!(takes("application/pdf") && takes("image/jpeg") && !takes("image/png"), "{:?}", can.formats);
        assert!(!can.duplex, "started one-sided");
        assert!(can.media.iter().any(|m| m.starts_with("iso_a4")), "{:?}", can.media);
        // Cancelled, or being stopped: the printer took the cancel while its page ran.
        let now = direct.job_state(job).await.unwrap();
        let stopping = now == (JobState::Processing, Some("processing_to_stop_point".into()));
        assert!(now.0 == JobState::Canceled || stopping, "the next person must not get this page: {now:?}");
    });
}

/// The file of `files` written last (the job the printer received last).
fn newest(files: &[std::path::PathBuf]) -> std::path::PathBuf {
    let modified = |f: &&std::path::PathBuf| std::fs::metadata(f).and_then(|m| m.modified()).ok();
    files.iter().max_by_key(modified).expect("nothing at the printer").clone()
}

/// Whether poppler's `pdftoppm` draws the first page of `pdf`, as `<prefix>-1.png`.
fn renders(pdf: &Path, prefix: &Path) -> bool {
    let drawn = std::process::Command::new("pdftoppm").args(["-r", "20", "-png"]).arg(pdf).arg(prefix).status();
    let first = prefix.with_file_name(format!("{}-1.png", prefix.file_name().unwrap().to_string_lossy()));
    drawn.is_ok_and(|s| s.success()) && first.exists()
}

/// A photocopy of both sides of an identity card, for a printer that takes only PDF: the
/// two sides come out on one sheet, and a PNG the printer cannot take is sent as a PDF.
#[test]
fn a_card_photocopy_fits_one_sheet_and_pictures_are_converted() {
    let printer = TestPrinter::start_taking("application/pdf");
    let (agent, _sane) = guichet_tests::agent_with_printer_and_scanner(&printer);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut k = Kiosk::open(&agent).await;
        for _ in 0..2 {
            let reply =
                k.ask(|id| ClientMessage::Scan { id, preset: guichet_protocol::ScanPreset::IdCard, redo: None }).await;
            assert!(matches!(reply, AgentMessage::Scanned { .. }), "{reply:?}");
        }
        let reply = k.ask(|id| ClientMessage::PrintScans { id, copies: 1, mono: true }).await;
        let AgentMessage::PrintQueued { job, pages: 1, .. } = reply else { panic!("{reply:?}") };
        assert_eq!(k.follow(job).await.0, JobState::Completed);
        // Made in the agent's memory: nothing of it in the visit's folder, all of it at
        // the printer.
        assert!(!k.folder.join("prints/copies.pdf").exists(), "the photocopy is never written in the visit");
        let copy = newest(&printer.spooled());
        let copies = lopdf::Document::load(&copy).unwrap();
        assert_eq!(copies.get_pages().len(), 1, "both sides on one sheet");
        assert!(renders(&copy, &k.folder.join("imports/copies")), "poppler draws the copy");

        // A PNG, which this printer does not take, goes as a PDF that poppler can draw.
        let png = image::RgbImage::from_pixel(300, 200, image::Rgb([20, 90, 160]));
        png.save(k.folder.join("prints/picture.png")).unwrap();
        let reply = k.print("prints/picture.png", 1).await;
        let AgentMessage::PrintQueued { job, .. } = reply else { panic!("{reply:?}") };
        assert_eq!(k.follow(job).await.0, JobState::Completed);
        let converted = newest(&printer.spooled());
        assert!(std::fs::read(&converted).unwrap().starts_with(b"%PDF-"), "the PDF is what was printed");
        assert!(!k.folder.join("prints/converted.pdf").exists(), "converted in memory only");
        assert!(renders(&converted, &k.folder.join("imports/converted")), "poppler draws the converted page");
    });
}

/// A printer reached over TLS (`ipps://`): with its own certificate trusted, a job goes
/// through and arrives byte-identical; without, the agent refuses to talk to it.
#[test]
fn an_ipps_printer_is_trusted_by_its_certificate_only() {
    let printer = TestPrinter::start();
    let (uri, cert) = (printer.ipps_uri(), printer.certificate());
    let trusted = TestAgent::start(move |c| {
        c.devices.printer = uri;
        c.devices.printer_certificate = Some(cert);
    });
    let uri = printer.ipps_uri();
    let stranger = TestAgent::start(move |c| c.devices.printer = uri);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut k = Kiosk::open(&trusted).await;
        assert_eq!(k.printer_status().await.state, "ready");
        pdf(&k.folder.join("prints/letter.pdf"), 2);
        let reply = k.print("prints/letter.pdf", 1).await;
        let AgentMessage::PrintQueued { job, .. } = reply else { panic!("{reply:?}") };
        assert_eq!(k.follow(job).await.0, JobState::Completed);
        assert_eq!(guichet_tests::ippeve::same_bytes(&printer.spooled(), &k.folder.join("prints/letter.pdf")), 1);

        let mut k = Kiosk::open(&stranger).await;
        assert_eq!(k.printer_status().await.state, "unreachable", "an unknown certificate is not trusted");
    });
}
