//! Shared helpers for the end-to-end tests: an agent on a temporary socket (in this
//! process, or as the real binary), and raw frame I/O for hostile-client tests.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use guichet_agent::{Config, Devices, Setup, server, store::Store};
use guichet_protocol::{AgentMessage, decode_body, read_frame};
use tokio::net::UnixStream;

pub mod cups;
pub mod escl;
pub mod fleet;
pub mod ippeve;
pub mod postgres;
pub mod xvfb;
pub use ippeve::TestPrinter;

/// How long any test waits for anything before it fails.
pub const BOUND: Duration = Duration::from_secs(10);

/// A config whose every path is under `dir`, allowing only this process's uid.
pub fn test_config(dir: &Path) -> Config {
    Config {
        runtime_dir: dir.join("run"),
        socket: None,
        state_dir: dir.join("state"),
        kiosk_user: None,
        socket_group: None,
        allowed_uids: vec![nix_uid()],
        allow_root: false,
        // No public site is checked unless a test says which: this machine has no internet.
        health: guichet_agent::config::HealthConfig { sites: Vec::new(), ..Default::default() },
        fleet: guichet_agent::config::FleetConfig { content_dir: Some(dir.join("content")), ..Default::default() },
        ..Config::default()
    }
}

/// A private SANE configuration in `dir` with only the `test` backend: one colour device,
/// `test:0`, at 150 dpi, whose reads return `read_status` (`Default`, or a fault such as
/// `SANE_STATUS_JAMMED`; rewriting it injects the next fault). `extra` lines go at the end
/// of its `test.conf`.
pub fn sane_test_backend(dir: &Path, read_status: &str, extra: &str) {
    std::fs::write(dir.join("dll.conf"), "test\n").expect("dll.conf");
    let conf = format!("number_of_devices 1\nmode Color\nresolution 150\nread-status-code \"{read_status}\"\n{extra}");
    std::fs::write(dir.join("test.conf"), conf).expect("test.conf");
}

/// Points `config` at SANE's `test` backend configured in `sane` (see `sane_test_backend`),
/// with a short time limit: the backend may hang cancelling a failed scan.
pub fn use_test_scanner(config: &mut Config, sane: &Path) {
    config.devices.scanner = "test:0".into();
    config.devices.sane_config_dir = Some(sane.to_owned());
    config.devices.scan_timeout_s = 5;
}

/// An agent printing to `printer` and scanning from SANE's `test` backend. The backend's
/// configuration folder comes back with it and must live as long as the agent.
pub fn agent_with_printer_and_scanner(printer: &TestPrinter) -> (TestAgent, tempfile::TempDir) {
    let sane = tempfile::tempdir().expect("temp dir");
    sane_test_backend(sane.path(), "Default", "");
    let (uri, sane_dir) = (printer.uri(), sane.path().to_owned());
    let agent = TestAgent::start(move |c| {
        c.devices.printer = uri;
        use_test_scanner(c, &sane_dir);
    });
    (agent, sane)
}

/// A PDF of `pages` A4 pages, each with one line drawn.
pub fn pdf_of(pages: usize) -> Vec<u8> {
    pdf_drawing(pages, b"0 0 m 100 100 l S")
}

/// A PDF of `pages` A4 pages, each drawn by `content` (a content stream, uncompressed).
pub fn pdf_drawing(pages: usize, content: &[u8]) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let kids: Vec<Object> = (0..pages)
        .map(|_| {
            let content = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
            let page = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            });
            page.into()
        })
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Count" => pages as i64, "Kids" => kids }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("a PDF in memory");
    bytes
}

pub fn one_page_pdf() -> Vec<u8> {
    pdf_of(1)
}

/// Every file under `dir`, recursively, links not followed.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match entry.file_type() {
                Ok(t) if t.is_dir() => todo.push(entry.path()),
                Ok(t) if t.is_file() => out.push(entry.path()),
                _ => {}
            }
        }
    }
    out
}

/// Makes the system user `name` (no home, no shell) if it does not exist; returns its
/// uid and primary group. Needs root.
pub fn system_user(name: &str) -> (u32, u32) {
    let find = || nix::unistd::User::from_name(name).ok().flatten();
    if find().is_none() {
        let made = std::process::Command::new("useradd")
            .args(["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent"])
            .args(["--shell", "/usr/sbin/nologin", name])
            .status()
            .expect("useradd (Debian's passwd package) is missing");
        // Another test may have made it meanwhile.
        assert!(made.success() || find().is_some(), "useradd {name} failed");
    }
    let user = find().expect("the user exists now");
    (user.uid.as_raw(), user.gid.as_raw())
}

/// This process's uid (the owner of /proc/self).
pub fn nix_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid()).expect("/proc/self")
}

/// An agent served from a thread of this process, on a temporary socket.
pub struct TestAgent {
    pub dir: tempfile::TempDir,
    pub config: Config,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestAgent {
    pub fn start(tweak: impl FnOnce(&mut Config)) -> TestAgent {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(dir.path());
        tweak(&mut config);
        TestAgent::start_in(dir, config)
    }

    pub fn start_in(dir: tempfile::TempDir, config: Config) -> TestAgent {
        // The agent's warnings (why a scan or a print was refused) go to the test's own
        // output, which is shown when it fails.
        let filter = tracing_subscriber::EnvFilter::new("guichet_agent=warn");
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter(filter).try_init();
        std::fs::create_dir_all(&config.state_dir).unwrap();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = mpsc::channel();
        let thread_config = config.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let store = Store::open(&thread_config.store_path()).unwrap();
                let listener = server::bind(&thread_config).unwrap();
                ready_tx.send(()).unwrap();
                let setup = Setup { config: thread_config, store };
                let devices = Devices::from_config(&setup.config.devices).unwrap();
                guichet_agent::run(listener, devices, setup, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
            });
        });
        ready_rx.recv_timeout(BOUND).expect("agent did not bind in time");
        TestAgent { dir, config, stop: Some(stop_tx), thread: Some(thread) }
    }

    pub fn socket(&self) -> PathBuf {
        self.config.socket_path()
    }

    pub fn sessions_dir(&self) -> PathBuf {
        self.config.sessions_dir()
    }

    /// Stops the agent cleanly and returns its folder.
    pub fn stop(mut self) -> tempfile::TempDir {
        self.shutdown();
        let dir = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self.dir, dir)
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for TestAgent {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A built binary of the workspace, next to this test's own executable.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join(name);
    assert!(path.exists(), "{} is not built: run `cargo build --release --workspace` first", path.display());
    path
}

/// Reads the next agent frame, with the test bound.
pub async fn next_msg(stream: &mut UnixStream) -> AgentMessage {
    let body = tokio::time::timeout(BOUND, read_frame(stream)).await.expect("agent silent").expect("frame");
    decode_body(&body, AgentMessage::TYPES).expect("agent sent a bad frame")
}

/// A real `agent` process on a temporary runtime folder, started and waited for through
/// its "ready" log line. Every line it logs is kept, for tests that search the logs.
pub struct AgentProcess {
    pub child: std::process::Child,
    lines: mpsc::Receiver<String>,
    seen: std::cell::RefCell<Vec<String>>,
}

impl AgentProcess {
    pub fn spawn(dir: &Path) -> AgentProcess {
        AgentProcess::spawn_with(dir, "[lockdown]\nterminals = false\nkeyboards = false\n")
    }

    /// With `extra` at the end of its config file (sections such as `[lockdown]`).
    pub fn spawn_with(dir: &Path, extra: &str) -> AgentProcess {
        // A real config file, as on a device, with every path in the test's folder.
        let config = dir.join("agent.toml");
        let text = format!(
            "runtime_dir = {:?}\nstate_dir = {:?}\nallowed_uids = [{}]\nallow_root = false\n{extra}",
            dir.join("run"),
            dir.join("state"),
            nix_uid()
        );
        std::fs::write(&config, text).expect("write config");
        AgentProcess::start(&config, &["--simulated", "--socket-group", "-"])
    }

    /// The agent with the config file `config` (written by the test) and `args`.
    pub fn start(config: &Path, args: &[&str]) -> AgentProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(bin("agent"))
            .arg("--config")
            .arg(config)
            .args(args)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn agent");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        AgentProcess { child, lines, seen: Default::default() }
    }

    /// Waits for the log line containing `needle`, at most `BOUND`.
    pub fn wait_log(&self, needle: &str) -> String {
        let deadline = Instant::now() + BOUND;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.borrow_mut().push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!("the agent never logged {needle:?}"),
            }
        }
    }

    /// Every line logged so far (the process stopped or not).
    pub fn log(&self) -> Vec<String> {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.borrow_mut().push(line);
        }
        self.seen.borrow().clone()
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    /// SIGTERM, as systemd stops it, and waits for it to end.
    pub fn stop(&mut self) {
        let _ = std::process::Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Speech as on the device but private to a folder: speech-dispatcher's config (ALSA
/// output) and ALSA's (a file, `dir/sound.raw`, since there is no sound card) in a
/// private HOME, and a private runtime folder where libspeechd autospawns the daemon.
pub fn private_speech_env(dir: &Path) {
    let home = dir.join("home");
    let config = home.join(".config/speech-dispatcher");
    let runtime = dir.join("xdg");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let system = std::fs::read_to_string("/etc/speech-dispatcher/speechd.conf")
        .expect("speech-dispatcher is not installed (scripts/setup.sh installs it)");
    let conf: String = system
        .lines()
        .filter(|l| !l.trim_start().starts_with("AudioOutputMethod") && !l.contains("AudioOutputMethod \""))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + "AudioOutputMethod \"alsa\"\n"
        // Only espeak-ng's own module, as on the device: with none named, every module is
        // loaded and a generic one (a process per utterance) may answer, a second later.
        + "AddModule \"espeak-ng\" \"sd_espeak-ng\" \"espeak-ng.conf\"\n"
        + "DefaultModule espeak-ng\n";
    std::fs::write(config.join("speechd.conf"), conf).unwrap();
    for sub in ["modules", "clients"] {
        let from = Path::new("/etc/speech-dispatcher").join(sub);
        if from.is_dir() {
            std::os::unix::fs::symlink(&from, config.join(sub)).unwrap();
        }
    }
    let sound = dir.join("sound.raw");
    std::fs::write(
        home.join(".asoundrc"),
        format!("pcm.!default {{ type file; slave.pcm \"null\"; file \"{}\"; format \"raw\" }}\n", sound.display()),
    )
    .unwrap();
    // SAFETY: callers run this before starting any thread that reads the environment
    // (one test per binary, or a benchmark's main).
    unsafe {
        std::env::set_var("HOME", &home);
        std::env::set_var("XDG_RUNTIME_DIR", &runtime);
        std::env::set_var("XDG_CONFIG_HOME", home.join(".config"));
        std::env::remove_var("SPEECHD_ADDRESS");
    }
}

/// Stops the speech-dispatcher that `private_speech_env` let libspeechd start.
pub fn stop_speech_daemon(dir: &Path) {
    let pid_file = dir.join("xdg/speech-dispatcher/pid/speech-dispatcher.pid");
    if let Ok(pid) = std::fs::read_to_string(pid_file) {
        let _ = std::process::Command::new("kill").arg(pid.trim()).status();
    }
}
