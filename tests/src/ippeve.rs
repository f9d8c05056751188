//! A real IPP Everywhere printer for the tests: Debian's `ippeveprinter`, on loopback,
//! with a private D-Bus (it will not start without one) and a spool folder that keeps
//! every job's bytes. Its job hook can jam the paper; its web pages set supplies and media.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use crate::BOUND;

pub struct TestPrinter {
    pub port: u16,
    pub spool: PathBuf,
    /// While this file exists, the job hook reports a paper jam and fails the job.
    pub jam_flag: PathBuf,
    /// While this file exists, the job hook takes five seconds, like a slow printer.
    pub slow_flag: PathBuf,
    dbus: Child,
    printer: Option<Child>,
    dir: tempfile::TempDir,
}

impl TestPrinter {
    pub fn start() -> TestPrinter {
        TestPrinter::start_taking("application/pdf,image/jpeg")
    }

    /// A printer that takes only `formats` (comma-separated MIME types).
    pub fn start_taking(formats: &str) -> TestPrinter {
        let dir = tempfile::tempdir().unwrap();
        let spool = dir.path().join("spool");
        std::fs::create_dir(&spool).unwrap();
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        let jam_flag = dir.path().join("jam");
        let slow_flag = dir.path().join("slow");
        // The hook sees each job file; exiting 0 completes the job. A jam is reported
        // the way printers report it: a state reason on stderr.
        let hook = dir.path().join("hook.sh");
        let script = format!(
            "#!/bin/sh\nif [ -e '{}' ]; then echo 'STATE: +media-jam' >&2; exit 1; fi\n\
             if [ -e '{}' ]; then sleep 5; fi\nexit 0\n",
            jam_flag.display(),
            slow_flag.display()
        );
        std::fs::write(&hook, script).unwrap();
        std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();

        let bus = dir.path().join("dbus.sock");
        let mut dbus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address"])
            .arg(format!("--address=unix:path={}", bus.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is not installed (scripts/setup.sh installs it)");
        // It prints its address once it listens.
        let out = dbus.stdout.take().unwrap();
        wait_for_line(out, "unix:path=", "dbus-daemon");

        let port = free_port();
        let mut printer = Command::new("ippeveprinter")
            .args(["-n", "localhost", "-p", &port.to_string(), "-k", "-v", "-r", "off"])
            .arg("-d")
            .arg(&spool)
            .arg("-c")
            .arg(&hook)
            // Its TLS keys: made on the first ipps:// connection, for "localhost".
            .arg("-K")
            .arg(dir.path().join("keys"))
            .args(["-f", formats, "TestPrinter"])
            .env("DBUS_SYSTEM_BUS_ADDRESS", format!("unix:path={}", bus.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ippeveprinter is not installed (scripts/setup.sh installs cups-ipp-utils)");
        let err = printer.stderr.take().unwrap();
        // With -v it logs its URIs once set up, then serves.
        wait_for_line(err, "printer-uri-supported", "ippeveprinter");
        let p = TestPrinter { port, spool, jam_flag, slow_flag, dbus, printer: Some(printer), dir };
        p.wait_listening();
        p
    }

    /// The same printer over TLS.
    pub fn ipps_uri(&self) -> String {
        format!("ipps://localhost:{}/ipp/print", self.port)
    }

    /// The printer's self-signed certificate (PEM), as IT staff would fetch it from a
    /// real one. ippeveprinter makes it on its first TLS connection, so `ipptool` (which
    /// does not check certificates) makes one first.
    pub fn certificate(&self) -> PathBuf {
        let cert = self.dir.path().join("keys/localhost.crt");
        if !cert.exists() {
            let asked = Command::new("ipptool")
                .args(["-t", &self.ipps_uri(), "get-printer-attributes.test"])
                .stdout(Stdio::null())
                .status()
                .expect("ipptool is not installed (scripts/setup.sh installs cups-ipp-utils)");
            assert!(asked.success(), "ipptool could not reach the printer over TLS");
        }
        assert!(cert.exists(), "ippeveprinter made no certificate");
        cert
    }

    pub fn uri(&self) -> String {
        format!("ipp://localhost:{}/ipp/print", self.port)
    }

    /// Sets supply levels or media through the printer's own web pages, as a person at
    /// the printer would by refilling it.
    pub fn web(&self, page_and_query: &str) {
        use std::io::Write;
        let mut http = std::net::TcpStream::connect(("localhost", self.port)).expect("printer's web pages");
        http.set_read_timeout(Some(BOUND)).unwrap();
        write!(http, "GET /{page_and_query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        // The status line is all that matters; the page itself is not read.
        let mut reply = String::new();
        BufReader::new(http).read_line(&mut reply).unwrap();
        assert!(
            reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200"),
            "{page_and_query}: {reply:.80}"
        );
    }

    /// Fills the main tray with `sheets` (one of 250, 125, 50, 25, 5, 0: the printer's own
    /// choices); the by-pass tray is left empty and not counted.
    pub fn paper(&self, sheets: u32) {
        self.web(&format!("media?size1=iso_a4_210x297mm&type1=stationery&level1={sheets}&size3=&type3=&level3=-2"));
    }

    /// The document of every job the printer received (not the `.prn` files its
    /// processing leaves beside them).
    pub fn spooled(&self) -> Vec<PathBuf> {
        let document = |p: &PathBuf| p.is_file() && p.extension().is_none_or(|e| e != "prn");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.spool)
            .map(|d| d.flatten().map(|e| e.path()).filter(document).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// Kills the printer, as a power cut would.
    pub fn kill(&mut self) {
        if let Some(mut p) = self.printer.take() {
            let _ = p.kill();
            let _ = p.wait();
        }
    }

    fn wait_listening(&self) {
        // ippeveprinter binds its listeners before it logs its URIs: one try is enough.
        if let Err(e) = std::net::TcpStream::connect(("localhost", self.port)) {
            panic!("ippeveprinter logged its URIs but does not listen on port {}: {e}", self.port);
        }
    }
}

impl Drop for TestPrinter {
    fn drop(&mut self) {
        self.kill();
        let _ = self.dbus.kill();
        let _ = self.dbus.wait();
    }
}

/// Reads `from` on a thread until a line contains `marker`, at most `BOUND`; the rest of
/// the output keeps being drained so the child never blocks on a full pipe.
fn wait_for_line(from: impl std::io::Read + Send + 'static, marker: &'static str, what: &str) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if line.contains(marker)
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(BOUND).unwrap_or_else(|_| panic!("{what} did not start in time"));
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// The job files in `spool` whose bytes equal `expected`.
pub fn same_bytes(files: &[PathBuf], expected: &Path) -> usize {
    let want = std::fs::read(expected).unwrap();
    files.iter().filter(|f| std::fs::read(f).is_ok_and(|b| b == want)).count()
}
