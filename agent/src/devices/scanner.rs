//! Scanners: the real one is any SANE device (USB, or eSCL and WSD network scanners
//! through `sane-airscan`), driven by `scanimage` in a child process with a time limit,
//! so a hung or crashing backend never takes the agent down. The simulated one writes
//! pages of its own.
//!
//! A scan writes its pages as `1.jpg`, `2.jpg`… into a staging folder given by the
//! caller, which moves each complete page into the session and tells the kiosk; pages
//! complete before a jam are kept.

use std::path::{Path, PathBuf};
use std::time::Duration;

use guichet_protocol::{DeviceStatus, ScanPreset};
use tokio::sync::{OnceCell, mpsc};

use crate::child::{ChildError, run};
use crate::devices::printer::Fut;
use crate::devices::scanner_options::{Options, read_options};

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

impl From<ChildError> for ScanError {
    fn from(e: ChildError) -> ScanError {
        match e {
            // A backend stuck after it said what stopped it: that is what the person hears.
            ChildError::Timeout(limit, said) => status_said(&said).unwrap_or(ScanError::Timeout(limit)),
            ChildError::Run(cause) => ScanError::Run(cause),
        }
    }
}

/// One scan: what, into which staging folder, how many pages at most, and whether the
/// document feeder may be used (not for redoing one page).
#[derive(Debug, Clone)]
pub struct ScanRequest {
    pub preset: ScanPreset,
    pub folder: PathBuf,
    pub max_pages: u32,
    pub feeder: bool,
}

pub trait Scanner: Send + Sync {
    fn status(&self) -> Fut<'_, DeviceStatus>;
    /// Scans into `request.folder` as `1.jpg`, `2.jpg`…, sending each page's number on
    /// `landed` once it is complete (the last ones may only be known at the end).
    fn scan(&self, request: ScanRequest, landed: mpsc::UnboundedSender<u32>) -> Fut<'_, Result<(), ScanError>>;
}

/// A SANE device by name (`test:0`, `airscan:e0:Office`, `genesys:libusb:001:004`).
pub struct SaneScanner {
    device: String,
    /// SANE's configuration folder, when not the system's (tests use their own).
    config_dir: Option<PathBuf>,
    /// A page on a flatbed takes seconds; a backend silent for this long is stuck.
    timeout: Duration,
    /// Its sources, modes and resolutions, read once it has answered.
    options: OnceCell<Options>,
}

impl SaneScanner {
    pub fn new(device: &str, config_dir: Option<PathBuf>, timeout: Duration) -> SaneScanner {
        SaneScanner { device: device.to_owned(), config_dir, timeout, options: OnceCell::new() }
    }

    fn command(&self) -> std::process::Command {
        let mut c = std::process::Command::new("scanimage");
        // SANE's status messages in English, as `status_said` reads them.
        c.env("LC_ALL", "C");
        if let Some(dir) = &self.config_dir {
            c.env("SANE_CONFIG_DIR", dir);
        }
        c
    }

    async fn listed(&self) -> Result<bool, ScanError> {
        let mut c = self.command();
        c.arg("-L");
        let out = run(c, LIST_TIMEOUT, None, || {}).await?;
        let wanted = format!("`{}'", self.device);
        Ok(String::from_utf8_lossy(&out.stdout).lines().any(|l| l.contains(&wanted)))
    }

    async fn options(&self) -> Result<&Options, ScanError> {
        self.options
            .get_or_try_init(|| async {
                let mut c = self.command();
                c.args(["-d", &self.device, "-A"]);
                let out = run(c, LIST_TIMEOUT, None, || {}).await?;
                if !out.status.success() {
                    return Err(error_of(out.status.code(), &String::from_utf8_lossy(&out.stderr), &self.device));
                }
                Ok(read_options(&String::from_utf8_lossy(&out.stdout)))
            })
            .await
    }

    /// One run of `scanimage` from `source`, `count` pages at most.
    async fn run_scan(
        &self,
        request: &ScanRequest,
        options: &Options,
        source: Option<&str>,
        count: u32,
        landed: &mpsc::UnboundedSender<u32>,
    ) -> Result<(), ScanError> {
        let mut c = self.command();
        c.args(["-d", &self.device]);
        c.args(options.arguments(request.preset, source));
        c.arg("--format=jpeg").arg(format!("--batch={}", request.folder.join("%d.jpg").display()));
        c.arg(format!("--batch-count={}", count.max(1)));
        // scanimage writes page n+1 only once page n is complete: that is the progress,
        // looked at each time a file lands in the folder.
        let mut told = 0;
        let (folder, landed) = (request.folder.clone(), landed.clone());
        let on_change = move || {
            while folder.join(format!("{}.jpg", told + 2)).exists() {
                told += 1;
                let _ = landed.send(told);
            }
        };
        let output = run(c, self.timeout, Some(&request.folder), on_change).await?;
        if output.status.success() {
            return Ok(());
        }
        Err(error_of(output.status.code(), &String::from_utf8_lossy(&output.stderr), &self.device))
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

    fn scan(&self, request: ScanRequest, landed: mpsc::UnboundedSender<u32>) -> Fut<'_, Result<(), ScanError>> {
        Box::pin(async move {
            let options = self.options().await?;
            let feeder = options.feeder().filter(|_| request.feeder && request.preset == ScanPreset::Document);
            if let Some(feeder) = feeder {
                match self.run_scan(&request, options, Some(feeder), request.max_pages, &landed).await {
                    // An empty feeder: the paper is on the glass.
                    Err(ScanError::Problem { code: "no_docs" }) if !is_complete_jpeg(&request.folder.join("1.jpg")) => {
                    }
                    other => return other,
                }
            }
            self.run_scan(&request, options, options.flatbed(), 1, &landed).await
        })
    }
}

/// A JPEG with its end marker: a page cut short by a jam or a kill has none.
pub fn is_complete_jpeg(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| b.starts_with(&[0xFF, 0xD8, 0xFF]) && b.ends_with(&[0xFF, 0xD9]))
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

/// The SANE status `scanimage` reported on stderr (`sane_strstatus`'s words), for a run
/// stopped at its limit after it said why.
fn status_said(stderr: &str) -> Option<ScanError> {
    let code = [
        ("Document feeder jammed", "jammed"),
        ("Document feeder out of documents", "no_docs"),
        ("Scanner cover is open", "cover_open"),
        ("Device busy", "busy"),
        ("Access to resource has been denied", "access_denied"),
        ("Error during device I/O", "io_error"),
    ]
    .into_iter()
    .find(|(words, _)| stderr.lines().any(|l| l.starts_with("scanimage: ") && l.ends_with(words)))?
    .1;
    Some(ScanError::Problem { code })
}

/// Always ready, glass only; each page is blank, at the preset's size and resolution.
#[derive(Default)]
pub struct SimulatedScanner;

/// A blank page with a grey frame as a JPEG that says its resolution, as a scanner would:
/// A4 at 150 dpi, or an identity card's area at 300 dpi.
fn blank_page(preset: ScanPreset) -> Result<Vec<u8>, String> {
    let (w, h, dpi) = match preset {
        ScanPreset::Document => (1240u32, 1754u32, 150u16),
        ScanPreset::Photo => (1800, 1200, 300),
        ScanPreset::IdCard => (1063, 709, 300),
    };
    let edge = w / 30;
    let page = image::RgbImage::from_fn(w, h, |x, y| {
        let on_edge = x < edge || y < edge || x >= w - edge || y >= h - edge;
        if on_edge { image::Rgb([200, 200, 200]) } else { image::Rgb([255, 255, 255]) }
    });
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    encoder.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(dpi));
    encoder.encode_image(&page).map_err(|e| e.to_string())?;
    Ok(out)
}

impl Scanner for SimulatedScanner {
    fn status(&self) -> Fut<'_, DeviceStatus> {
        Box::pin(async {
            DeviceStatus { device: "scanner".into(), state: "ready".into(), simulated: true, ..Default::default() }
        })
    }

    fn scan(&self, request: ScanRequest, landed: mpsc::UnboundedSender<u32>) -> Fut<'_, Result<(), ScanError>> {
        Box::pin(async move {
            let preset = request.preset;
            let page = tokio::task::spawn_blocking(move || blank_page(preset))
                .await
                .map_err(|e| ScanError::Run(e.to_string()))?;
            let out = request.folder.join("1.jpg");
            tokio::fs::write(&out, page.map_err(ScanError::Run)?).await.map_err(|e| ScanError::Run(e.to_string()))?;
            let _ = landed.send(1);
            Ok(())
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
        let stuck = ChildError::Timeout(
            Duration::from_secs(5),
            "Scanning page 1\nscanimage: sane_read: Scanner cover is open\n".into(),
        );
        assert_eq!(ScanError::from(stuck), ScanError::Problem { code: "cover_open" }, "stuck after saying why");
        let silent = ChildError::Timeout(Duration::from_secs(5), "Scanning page 1\n".into());
        assert_eq!(ScanError::from(silent), ScanError::Timeout(Duration::from_secs(5)));
    }

    #[test]
    fn only_pages_written_to_their_end_count() {
        let dir = tempfile::tempdir().unwrap();
        let page = blank_page(ScanPreset::IdCard).unwrap();
        std::fs::write(dir.path().join("1.jpg"), &page).unwrap();
        std::fs::write(dir.path().join("2.jpg"), &page[..page.len() / 2]).unwrap();
        assert!(is_complete_jpeg(&dir.path().join("1.jpg")));
        assert!(!is_complete_jpeg(&dir.path().join("2.jpg")), "page 2 was cut short by a jam");
        assert!(!is_complete_jpeg(&dir.path().join("3.jpg")), "page 3 was never written");
    }
}
