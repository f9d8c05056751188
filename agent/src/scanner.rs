//! Scanners: the real one is any SANE device (USB, or eSCL and WSD network scanners
//! through `sane-airscan`), driven by `scanimage` in a child process with a time limit,
//! so a hung or crashing backend never takes the agent down. The simulated one writes a
//! small page of its own.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::process::{Command, Output, Stdio};
use std::time::Instant;

use guichet_protocol::DeviceStatus;

use crate::printer::Fut;

/// Listing devices (`scanimage -L`) may probe the network for a while.
const LIST_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// The device is not there, or cannot be opened.
    #[error("the scanner {device} cannot be opened")]
    Missing { device: String },
    /// It is there but cannot scan now: `jammed`, `no_docs`, `cover_open`, `busy`,
    /// `io_error`, as a code for the kiosk.
    #[error("the scanner reports {code}")]
    Problem { code: &'static str },
    #[error("the scanner did not finish within {0:?}")]
    Timeout(Duration),
    #[error("cannot run scanimage: {0}")]
    Run(String),
}

pub trait Scanner: Send + Sync {
    fn status(&self) -> Fut<'_, DeviceStatus>;
    /// Scans one page into `out` (JPEG).
    fn scan(&self, out: PathBuf) -> Fut<'_, Result<(), ScanError>>;
}

/// A SANE device by name (`test:0`, `airscan:e0:Office`, `genesys:libusb:001:004`).
pub struct SaneScanner {
    device: String,
    /// SANE's configuration folder, when not the system's (tests use their own).
    config_dir: Option<PathBuf>,
    /// A page on a flatbed takes seconds; a backend silent for this long is stuck.
    timeout: Duration,
}

impl SaneScanner {
    pub fn new(device: &str, config_dir: Option<PathBuf>, timeout: Duration) -> SaneScanner {
        SaneScanner { device: device.to_owned(), config_dir, timeout }
    }

    fn command(&self) -> Command {
        let mut c = Command::new("scanimage");
        if let Some(dir) = &self.config_dir {
            c.env("SANE_CONFIG_DIR", dir);
        }
        c
    }

    async fn listed(&self) -> Result<bool, ScanError> {
        let mut c = self.command();
        c.arg("-L");
        let out = run(c, LIST_TIMEOUT).await?;
        let wanted = format!("`{}'", self.device);
        Ok(String::from_utf8_lossy(&out.stdout).lines().any(|l| l.contains(&wanted)))
    }
}

impl Scanner for SaneScanner {
    fn status(&self) -> Fut<'_, DeviceStatus> {
        Box::pin(async move {
            let state = match self.listed().await {
                Ok(true) => "ready",
                Ok(false) => "missing",
                Err(e) => {
                    tracing::warn!(cause = %e, "cannot list scanners");
                    "missing"
                }
            };
            DeviceStatus { device: "scanner".into(), state: state.into(), ..Default::default() }
        })
    }

    fn scan(&self, out: PathBuf) -> Fut<'_, Result<(), ScanError>> {
        Box::pin(async move {
            let mut c = self.command();
            // Colour at 150 dpi: enough for any form or payslip, small enough to send.
            c.args(["-d", &self.device, "--mode", "Color", "--resolution", "150", "--format=jpeg", "-o"]).arg(&out);
            let output = match run(c, self.timeout).await {
                Ok(output) => output,
                Err(e) => {
                    // Nothing half-written is kept.
                    let _ = tokio::fs::remove_file(&out).await;
                    return Err(e);
                }
            };
            if output.status.success() && is_jpeg(&out).await {
                return Ok(());
            }
            let _ = tokio::fs::remove_file(&out).await;
            let stderr = String::from_utf8_lossy(&output.stderr);
            Err(error_of(output.status.code(), &stderr, &self.device))
        })
    }
}

/// Runs `command` to its end on a blocking thread, killing it after `limit`. Plain std
/// processes, waited for by polling: no dependence on a runtime's SIGCHLD handling, which
/// left a finished `scanimage` unnoticed now and then when several runtimes share the
/// process (the tests).
async fn run(mut command: Command, limit: Duration) -> Result<Output, ScanError> {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().map_err(|e| ScanError::Run(e.to_string()))?;
        // Drained on their own threads so a chatty child never blocks on a full pipe.
        let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
        let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
        let started = Instant::now();
        let status = loop {
            match child.try_wait().map_err(|e| ScanError::Run(e.to_string()))? {
                Some(status) => break status,
                None if started.elapsed() > limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(ScanError::Timeout(limit));
                }
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        };
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        Ok(Output { status, stdout, stderr })
    })
    .await
    .map_err(|e| ScanError::Run(e.to_string()))?
}

async fn is_jpeg(path: &Path) -> bool {
    tokio::fs::read(path).await.is_ok_and(|b| b.starts_with(&[0xFF, 0xD8, 0xFF]))
}

/// scanimage exits with the SANE status that stopped it.
fn error_of(code: Option<i32>, stderr: &str, device: &str) -> ScanError {
    if stderr.contains("open of device") {
        return ScanError::Missing { device: device.to_owned() };
    }
    let code = match code {
        Some(3) => "busy",
        Some(6) => "jammed",
        Some(7) => "no_docs",
        Some(8) => "cover_open",
        Some(11) => "access_denied",
        _ => "io_error",
    };
    ScanError::Problem { code }
}

/// Always ready; each scan is a blank page.
#[derive(Default)]
pub struct SimulatedScanner;

/// A blank A4 page at 150 dpi with a grey frame, as a JPEG: what the simulated scanner
/// "sees".
fn blank_page() -> Result<Vec<u8>, String> {
    let (w, h) = (1240u32, 1754u32);
    let page = image::RgbImage::from_fn(w, h, |x, y| {
        let edge = x < 40 || y < 40 || x >= w - 40 || y >= h - 40;
        if edge { image::Rgb([200, 200, 200]) } else { image::Rgb([255, 255, 255]) }
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&page).map_err(|e| e.to_string())?;
    Ok(out)
}

impl Scanner for SimulatedScanner {
    fn status(&self) -> Fut<'_, DeviceStatus> {
        Box::pin(async {
            DeviceStatus { device: "scanner".into(), state: "ready".into(), simulated: true, ..Default::default() }
        })
    }

    fn scan(&self, out: PathBuf) -> Fut<'_, Result<(), ScanError>> {
        Box::pin(async move {
            let page = tokio::task::spawn_blocking(blank_page).await.map_err(|e| ScanError::Run(e.to_string()))?;
            tokio::fs::write(&out, page.map_err(ScanError::Run)?).await.map_err(|e| ScanError::Run(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanimage_statuses_become_codes() {
        assert_eq!(
            error_of(Some(6), "scanimage: sane_read: Document feeder jammed", "d"),
            ScanError::Problem { code: "jammed" }
        );
        assert_eq!(error_of(Some(7), "", "d"), ScanError::Problem { code: "no_docs" });
        assert_eq!(error_of(Some(8), "", "d"), ScanError::Problem { code: "cover_open" });
        assert_eq!(
            error_of(Some(1), "scanimage: open of device nosuch:0 failed: Invalid argument", "nosuch:0"),
            ScanError::Missing { device: "nosuch:0".into() }
        );
        assert_eq!(error_of(None, "", "d"), ScanError::Problem { code: "io_error" }, "killed by a signal");
    }
}
