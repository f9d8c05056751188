//! Drawing the printed summary of a visit (`sheet::Sheet`): what the person did, what
//! comes next, the official address with its QR code, and the reception's details, in
//! their language.
//!
//! The sheet is drawn by Slint's software renderer, the same as the screens, so Arabic is
//! shaped and laid out right to left without a PDF text engine. A Slint platform can be
//! installed once per process and the kiosk's own is a real display, so the sheet is drawn
//! by a child process (`kiosk --render-summary FILE`, the sheet as JSON on its stdin) and
//! written as a JPEG into the session folder, where the agent prints it and wipes it.

use std::io::Write;
use std::os::fd::AsFd;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::process::{Pid, PidfdFlags, pidfd_open};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::sheet::Sheet;
use crate::{SheetLine, SummarySheet};

/// The sheet's size: A4 at 150 dots per inch.
pub const SHEET: (u32, u32) = (1240, 1754);
/// The child has this long to draw the sheet.
const RENDER_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a sheet was not drawn. Never says what is on it.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot draw the sheet: {0}")]
    Draw(String),
    #[error("cannot write the sheet: {0}")]
    Write(#[source] std::io::Error),
    #[error("the sheet renderer cannot be run: {0}")]
    Child(#[source] std::io::Error),
    #[error("the sheet renderer failed: {0}")]
    Failed(std::process::ExitStatus),
    #[error("the sheet renderer took longer than {0:?}")]
    Timeout(Duration),
    #[error("bad sheet: {0}")]
    BadSheet(#[from] serde_json::Error),
}

/// Draws `sheet` into `out` as a JPEG, in this process. Installs the headless platform:
/// only for a process of its own (`kiosk --render-summary`).
pub fn render_here(sheet: &Sheet, out: &Path) -> Result<(), RenderError> {
    let window = super::HeadlessPlatform::install(SHEET.0, SHEET.1).map_err(RenderError::Draw)?;
    let ui = SummarySheet::new().map_err(|e| RenderError::Draw(e.to_string()))?;
    let s = |t: &str| SharedString::from(t);
    let lines =
        |v: &[String]| ModelRc::new(VecModel::from(v.iter().map(|l| SheetLine { text: s(l) }).collect::<Vec<_>>()));
    ui.set_rtl(sheet.rtl);
    ui.set_heading(s(&sheet.heading));
    ui.set_organisation(s(&sheet.organisation));
    ui.set_procedure(s(&sheet.procedure));
    ui.set_done_label(s(&sheet.done_label));
    ui.set_done(lines(&sheet.done));
    ui.set_next_label(s(&sheet.next_label));
    ui.set_next(s(&sheet.next));
    ui.set_url(s(&sheet.url));
    if !sheet.url.is_empty()
        && let Some(qr) = crate::qr::image(&sheet.url, 260)
    {
        ui.set_qr(qr);
    }
    ui.set_site(lines(&sheet.site));
    ui.set_erased(s(&sheet.erased));
    ui.show().map_err(|e| RenderError::Draw(e.to_string()))?;
    let pixels = super::render(&window);
    let file = std::fs::File::create(out).map_err(RenderError::Write)?;
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), 90);
    encoder
        .encode(pixels.as_bytes(), pixels.width(), pixels.height(), image::ExtendedColorType::Rgb8)
        .map_err(|e| RenderError::Draw(e.to_string()))
}

/// Draws `sheet` into `out` through a child `kiosk --render-summary`, at most 20 s. The
/// child's end is waited for on its pidfd: no polling.
pub fn render_in_child(kiosk: &Path, sheet: &Sheet, out: &Path) -> Result<(), RenderError> {
    let json = serde_json::to_vec(sheet)?;
    let mut child = Command::new(kiosk)
        .arg("--render-summary")
        .arg(out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(RenderError::Child)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&json).map_err(RenderError::Child)?;
    }
    let pidfd = pidfd_open(Pid::from_child(&child), PidfdFlags::empty()).map_err(|e| RenderError::Child(e.into()))?;
    let limit = Timespec::try_from(RENDER_TIMEOUT).unwrap_or(Timespec { tv_sec: 20, tv_nsec: 0 });
    let ready = poll(&mut [PollFd::new(&pidfd.as_fd(), PollFlags::IN)], Some(&limit));
    if !matches!(ready, Ok(n) if n > 0) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(RenderError::Timeout(RENDER_TIMEOUT));
    }
    match child.wait().map_err(RenderError::Child)? {
        status if status.success() => Ok(()),
        status => Err(RenderError::Failed(status)),
    }
}

/// `kiosk --render-summary FILE`: reads the sheet as JSON on stdin and draws it.
pub fn render_from_stdin(out: &Path) -> Result<(), RenderError> {
    let sheet: Sheet = serde_json::from_reader(std::io::stdin().lock())?;
    render_here(&sheet, out)
}
