//! A real CUPS scheduler for the tests: Debian's `cupsd`, run in the foreground on
//! loopback with the image's own `cupsd.conf` (its Listen lines moved to a free port and a
//! private socket) and every folder of its own in a temporary one, with a queue made by
//! `lpadmin -m everywhere` in front of an `ippeveprinter`, as on a kiosk whose printer
//! goes through CUPS.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::{BOUND, TestPrinter};

/// The image's configuration, the one under test.
const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../images/overlay/usr/lib/guichet/cupsd.conf");

pub struct TestCups {
    pub port: u16,
    /// Its RequestRoot: job files (`d*`) and job records (`c*`).
    pub spool: PathBuf,
    pub dir: tempfile::TempDir,
    socket: PathBuf,
    cupsd: Child,
    /// The printer behind the queue, kept alive as long as CUPS.
    pub printer: TestPrinter,
}

impl TestCups {
    /// cupsd with a queue `guichet` printing to a fresh `ippeveprinter`. Needs root (cupsd
    /// runs its filters as `lp`) and the system user `guichet` that the image has
    /// (`systemd/sysusers.d/guichet.conf`), made here when missing: Debian's cupsd crashes
    /// on a Cancel-Job from a user name it cannot find.
    pub fn start() -> TestCups {
        assert!(nix_is_root(), "a CUPS test runs cupsd, which needs root: run the tests as root (CI does)");
        crate::system_user("guichet");
        let printer = TestPrinter::start();
        let dir = tempfile::tempdir().unwrap();
        // cupsd runs its filters as `lp`, which must reach the spool.
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let d = |sub: &str| {
            let p = dir.path().join(sub);
            std::fs::create_dir_all(&p).unwrap();
            p
        };
        let (etc, spool, cache, state, log) = (d("etc"), d("spool"), d("cache"), d("state"), d("log"));
        d("spool/tmp");
        let port = crate::ippeve::free_port();
        let socket = dir.path().join("cups.sock");
        let shipped = std::fs::read_to_string(SHIPPED).expect("images/overlay/usr/lib/guichet/cupsd.conf");
        assert!(shipped.contains("Listen localhost:631") && shipped.contains("Listen /run/cups/cups.sock"));
        let conf = shipped
            .replace("Listen localhost:631", &format!("Listen 127.0.0.1:{port}"))
            .replace("Listen /run/cups/cups.sock", &format!("Listen {}", socket.display()))
            // For as long as the test, idle or not (0 would mean: exit at once when idle).
            .replace("IdleExitTimeout 60", "IdleExitTimeout 86400")
            .replace("LogLevel warn", "LogLevel debug");
        std::fs::write(etc.join("cupsd.conf"), conf).unwrap();
        let files = format!(
            "ServerRoot {etc}\nRequestRoot {spool}\nTempDir {spool}/tmp\nCacheDir {cache}\nStateDir {state}\n\
             AccessLog {log}/access_log\nErrorLog {log}/error_log\nPageLog {log}/page_log\n\
             User lp\nGroup lp\nSystemGroup root\nPeerCred on\nServerBin /usr/lib/cups\nDataDir /usr/share/cups\n",
            etc = etc.display(),
            spool = spool.display(),
            cache = cache.display(),
            state = state.display(),
            log = log.display(),
        );
        std::fs::write(etc.join("cups-files.conf"), files).unwrap();
        // As on the device, its sockets are made first and handed to it (systemd's
        // cups.socket there, `systemd-socket-activate` here), in on-demand mode (`-l`):
        // clients can connect at once, with nothing to wait for.
        let mut cupsd = Command::new("systemd-socket-activate")
            .arg("-l")
            .arg(format!("127.0.0.1:{port}"))
            .arg("-l")
            .arg(&socket)
            .arg("--")
            .args(["cupsd", "-l", "-c"])
            .arg(etc.join("cupsd.conf"))
            .arg("-s")
            .arg(etc.join("cups-files.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("systemd-socket-activate is not installed (scripts/setup.sh installs systemd)");
        // It says "Listening on ADDRESS as FD." for each socket once bound.
        let (tx, said) = std::sync::mpsc::channel();
        let stderr = cupsd.stderr.take().unwrap();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let cups = TestCups { port, spool, dir, socket, cupsd, printer };
        let mut bound = 0;
        while bound < 2 {
            let line = said.recv_timeout(BOUND).expect("systemd-socket-activate did not bind its sockets");
            bound += usize::from(line.starts_with("Listening on"));
        }
        // The queue, as IT staff make one: IPP Everywhere, its PPD made from what the
        // printer says of itself. Over the private socket, as root (PeerCred: @SYSTEM).
        let made = cups
            .admin("lpadmin")
            .args(["-p", "guichet", "-E", "-m", "everywhere", "-v", &cups.printer.uri()])
            .status()
            .expect("lpadmin is not installed (scripts/setup.sh installs cups-client)");
        assert!(made.success(), "lpadmin could not make the queue: see {}", log_path(&cups.dir).display());
        cups
    }

    /// The queue's URI, for the agent's config.
    pub fn uri(&self) -> String {
        format!("ipp://127.0.0.1:{}/printers/guichet", self.port)
    }

    /// A CUPS client command talking to this scheduler over its private socket.
    pub fn admin(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("CUPS_SERVER", &self.socket).stdout(Stdio::null()).stderr(Stdio::null());
        c
    }

    /// Every job CUPS still knows, in any state (`lpstat -W all`), one line each.
    pub fn jobs(&self) -> Vec<String> {
        let out = self.admin("lpstat").args(["-W", "all", "-o"]).stdout(Stdio::piped()).output().unwrap();
        if !out.status.success() {
            let log = std::fs::read_to_string(log_path(&self.dir)).unwrap_or_default();
            panic!("lpstat failed ({}): is cupsd still running? Its log:\n{log}", String::from_utf8_lossy(&out.stderr));
        }
        String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
    }

    /// The job files (`d*`, documents) and job records (`c*`) in its spool.
    pub fn job_files(&self) -> Vec<String> {
        let names = std::fs::read_dir(&self.spool).into_iter().flatten().flatten();
        let names = names.map(|e| e.file_name().to_string_lossy().into_owned());
        names.filter(|n| n.starts_with('c') || n.starts_with('d')).collect()
    }

    /// Every file under its folders (spool, cache, state, logs), for canary searches.
    pub fn files(&self) -> Vec<PathBuf> {
        crate::files_under(self.dir.path())
    }
}

fn nix_is_root() -> bool {
    crate::nix_uid() == 0
}

fn log_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("log/error_log")
}

impl Drop for TestCups {
    fn drop(&mut self) {
        let _ = self.cupsd.kill();
        let _ = self.cupsd.wait();
    }
}

/// Whether any file in `files` holds `needle`.
pub fn holding<'a>(files: &'a [PathBuf], needle: &[u8]) -> Vec<&'a Path> {
    files
        .iter()
        .filter(|f| std::fs::read(f).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)))
        .map(PathBuf::as_path)
        .collect()
}
