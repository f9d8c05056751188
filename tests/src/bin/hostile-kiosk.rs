//! A hostile kiosk process for `tests/tests/hostile_kiosk.rs`. Run as an unprivileged
//! user (the kiosk's, as the agent's config names it), it opens visits through the
//! documented protocol and tries on the root agent every trick a compromised kiosk
//! process could: links, FIFOs, hard links, a file swapped during a print, paths out of
//! the folder, a tree deeper than PATH_MAX, folders of mode 000, entries added during the
//! wipe, a visit filled to its bound. It prints one line of JSON per attack:
//! `{"attack": NAME, "fs": WHAT THE FILE SYSTEM SAID, "reply": THE AGENT'S ANSWER}`;
//! the test, as root, then checks that nothing outside the visit moved.
//!
//!   hostile-kiosk SOCKET TARGET...     (TARGETs: root's files to aim links at)

use std::os::fd::AsRawFd;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use guichet_protocol::client::Client;
use guichet_protocol::{AgentMessage, ClientMessage, EndReason, ScanPreset};

/// How long an answer may take: past it, the request "hung".
const BOUND: Duration = Duration::from_secs(15);

struct Kiosk {
    client: Client,
    next: u64,
    folder: PathBuf,
}

fn report(attack: &str, fs: &str, reply: &str) {
    println!("{}", serde_json::json!({ "attack": attack, "fs": fs, "reply": reply }));
}

/// What an answer is, in a word: `error:CODE`, the message's type, or `no_reply`.
fn word(reply: Option<AgentMessage>) -> String {
    match reply {
        None => "no_reply".into(),
        Some(AgentMessage::Error { code, .. }) => {
            format!("error:{}", serde_json::to_value(code).unwrap().as_str().unwrap_or("?"))
        }
        Some(AgentMessage::SessionWiped { receipt, .. }) => format!("wiped:verified={}", receipt.verified),
        Some(other) => serde_json::to_value(&other).unwrap()["type"].as_str().unwrap_or("?").to_owned(),
    }
}

fn fs_word(result: std::io::Result<()>) -> String {
    match result {
        Ok(()) => "done".into(),
        Err(e) => format!("refused:{:?}", e.kind()),
    }
}

impl Kiosk {
    async fn ask(&mut self, msg: impl FnOnce(u64) -> ClientMessage) -> Option<AgentMessage> {
        self.next += 1;
        let msg = msg(self.next);
        let mut wiped = None;
        let reply = tokio::time::timeout(
            BOUND,
            self.client.request(&msg, |e| {
                if matches!(e, AgentMessage::SessionWiped { .. }) {
                    wiped = Some(e);
                }
            }),
        )
        .await
        .ok()?
        .ok()?;
        // For `end_session`, what matters is the wipe's receipt, told before the ack.
        Some(wiped.unwrap_or(reply))
    }

    async fn start(socket: &Path) -> Kiosk {
        let client = Client::connect(socket, "hostile").await.expect("the agent refused its own kiosk user");
        let mut k = Kiosk { client, next: 0, folder: PathBuf::new() };
        match k.ask(|id| ClientMessage::StartSession { id }).await {
            Some(AgentMessage::SessionStarted { folder, .. }) => k.folder = PathBuf::from(folder),
            other => panic!("no visit: {other:?}"),
        }
        k
    }

    async fn print(&mut self, file: &str) -> String {
        let file = file.to_owned();
        word(self.ask(|id| ClientMessage::Print { id, file, copies: 1 }).await)
    }

    async fn scan(&mut self) -> String {
        word(self.ask(|id| ClientMessage::Scan { id, preset: ScanPreset::Photo, redo: None }).await)
    }

    fn at(&self, relative: &str) -> PathBuf {
        self.folder.join(relative)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let socket = PathBuf::from(&args[1]);
    let targets: Vec<PathBuf> = args[2..].iter().map(PathBuf::from).collect();
    let mut k = Kiosk::start(&socket).await;
    report("scan", "-", &k.scan().await);

    // Links, in place of the photocopy the agent once wrote and of documents to print.
    for (i, target) in targets.iter().enumerate() {
        let _ = std::fs::remove_file(k.at("prints/copies.pdf"));
        report("link_copies", &fs_word(symlink(target, k.at("prints/copies.pdf"))), "-");
        let name = format!("imports/link-{i}.pdf");
        let made = fs_word(symlink(target, k.at(&name)));
        report("print_link", &made, &k.print(&name).await);
        let name = format!("prints/dir-{i}");
        let made = fs_word(symlink(target.parent().unwrap(), k.at(&name)));
        let through = format!("{name}/{}", target.file_name().unwrap().to_string_lossy());
        report("print_through_linked_folder", &made, &k.print(&through).await);
    }
    let reply = word(k.ask(|id| ClientMessage::PrintScans { id, copies: 1, mono: false }).await);
    report("print_scans_with_link", "-", &reply);

    // scans/ is the agent's: nothing can be planted there, not even a preview's name.
    let planted = fs_word(symlink(&targets[0], k.at("scans/page-2.thumb.jpg")));
    report("plant_in_scans", &planted, &k.scan().await);
    report("replace_scans", &fs_word(std::fs::rename(k.at("scans"), k.at("prints/scans"))), "-");
    report("write_top", &fs_word(std::fs::write(k.at("top.pdf"), b"x")), "-");

    // A FIFO never hangs a request.
    let fifo = rustix::fs::mkfifoat(rustix::fs::CWD, k.at("prints/fifo.pdf"), rustix::fs::Mode::from_raw_mode(0o600));
    report("print_fifo", &fs_word(fifo.map_err(Into::into)), &k.print("prints/fifo.pdf").await);

    // A hard link to root's file (the kernel's protected_hardlinks refuses it first).
    let linked = fs_word(std::fs::hard_link(&targets[0], k.at("prints/hard.pdf")));
    report("print_hard_link", &linked, &k.print("prints/hard.pdf").await);

    for path in ["../../etc/shadow", "/etc/shadow", "prints/../../../etc/shadow", "", "prints"] {
        report("print_outside", "-", &k.print(path).await);
    }

    // A file swapped for a link while the agent prints it, again and again.
    swap_race(&mut k, &targets[0]).await;

    // A tree deeper than PATH_MAX, closed folders, FIFOs and sockets, and a writer that
    // keeps adding files through a descriptor it holds while the visit is wiped.
    let deep = build_deep_tree(&k.at("imports"));
    report(
        "deep_tree",
        &fs_word(deep.as_ref().map(|_| ()).map_err(|e| std::io::Error::new(e.kind(), e.to_string()))),
        "-",
    );
    let stop = Arc::new(AtomicBool::new(false));
    let writer = deep.ok().map(|fd| {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let at = format!("/proc/self/fd/{}/w{n}", fd.as_raw_fd());
                if std::fs::write(&at, b"more").is_err() && std::fs::create_dir(&at).is_err() {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        })
    });
    let ended = word(k.ask(|id| ClientMessage::EndSession { id, reason: EndReason::Abandoned }).await);
    stop.store(true, Ordering::Relaxed);
    if let Some(w) = writer {
        let _ = w.join();
    }
    report("end_with_deep_tree", "-", &ended);

    // The next person can start, and fill the visit to its bound.
    let mut k = Kiosk::start(&socket).await;
    report("next_visit", "-", "session_started");
    let mut filled = Ok(());
    let chunk = vec![0x42u8; 256 * 1024];
    for i in 0..100_000 {
        if let Err(e) = std::fs::write(k.at(&format!("imports/fill-{i}")), &chunk) {
            filled = Err(e);
            break;
        }
    }
    report("fill", &fs_word(filled), &k.scan().await);
    let ended = word(k.ask(|id| ClientMessage::EndSession { id, reason: EndReason::Completed }).await);
    report("end_full", "-", &ended);
}

/// Flips `prints/swap.pdf` between a real PDF and a link to `target` while asking the
/// agent to print it, 200 times; reports the answers seen.
async fn swap_race(k: &mut Kiosk, target: &Path) {
    let pdf = k.at("imports/real.pdf");
    std::fs::write(&pdf, guichet_tests::one_page_pdf()).unwrap();
    let (swap, link, real) = (k.at("prints/swap.pdf"), k.at("prints/swap.link"), k.at("prints/swap.real"));
    let stop = Arc::new(AtomicBool::new(false));
    let flipper = {
        let (stop, target, pdf) = (stop.clone(), target.to_owned(), pdf.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let _ = std::fs::copy(&pdf, &real);
                let _ = symlink(&target, &link);
                let _ = std::fs::rename(&real, &swap);
                let _ = std::fs::rename(&link, &swap);
            }
        })
    };
    let mut seen = std::collections::BTreeMap::<String, u32>::new();
    for _ in 0..200 {
        *seen.entry(k.print("prints/swap.pdf").await).or_default() += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let _ = flipper.join();
    report("swap_race", "-", &serde_json::to_string(&seen).unwrap());
}

/// 3,000 nested folders under `under` (6,000 bytes of path, past PATH_MAX), a FIFO and a
/// socket every 500 levels, a folder of mode 000 at the bottom; returns a descriptor of
/// the deepest folder.
fn build_deep_tree(under: &Path) -> std::io::Result<std::fs::File> {
    let mut here = std::fs::File::open(under)?;
    for level in 0..3000 {
        let at = format!("/proc/self/fd/{}", here.as_raw_fd());
        std::fs::create_dir(format!("{at}/d"))?;
        if level % 500 == 0 {
            rustix::fs::mkfifoat(&here, "fifo", rustix::fs::Mode::from_raw_mode(0o600))?;
            drop(std::os::unix::net::UnixListener::bind(format!("{at}/sock"))?);
            std::fs::write(format!("{at}/page.pdf"), b"%PDF-1.4 canary")?;
        }
        here = std::fs::File::open(format!("{at}/d"))?;
    }
    let at = format!("/proc/self/fd/{}", here.as_raw_fd());
    std::fs::create_dir(format!("{at}/closed"))?;
    std::fs::write(format!("{at}/closed/inside"), b"x")?;
    std::fs::set_permissions(format!("{at}/closed"), std::os::unix::fs::PermissionsExt::from_mode(0o000))?;
    Ok(here)
}
