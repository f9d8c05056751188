//! The printed summary of a visit: what the person did, what comes next, the official
//! address with its QR code, and the reception's details, in their language.
//!
//! The sheet is drawn by Slint's software renderer, the same as the screens, so Arabic is
//! shaped and laid out right to left without a PDF text engine. A Slint platform can be
//! installed once per process and the kiosk's own is a real display, so the sheet is drawn
//! by a child process (`kiosk --render-summary FILE`, the sheet as JSON on its stdin) and
//! written as a JPEG into the session folder, where the agent prints it and wipes it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::controller::Controller;
use crate::texts as t;
use crate::{SheetLine, SummarySheet};

/// The sheet's size: A4 at 150 dots per inch.
pub const SHEET: (u32, u32) = (1240, 1754);
/// Where the sheet goes in the session folder, and what the agent is asked to print.
pub const SHEET_FILE: &str = "prints/resume.jpg";
/// The child has this long to draw the sheet.
const RENDER_TIMEOUT: Duration = Duration::from_secs(20);

/// Everything printed, already translated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheet {
    pub rtl: bool,
    pub heading: String,
    pub organisation: String,
    pub procedure: String,
    pub done_label: String,
    pub done: Vec<String>,
    pub next_label: String,
    pub next: String,
    pub url: String,
    pub site: Vec<String>,
    pub erased: String,
}

impl Controller {
    /// The summary of the open procedure, along the person's own path.
    pub fn summary_sheet(&self) -> Sheet {
        let cat = &self.catalogs[self.lang];
        let tr = |s: &str| cat.tr(s);
        let proc = &self.procedures[self.procedure];
        let path: Vec<usize> = self.history.iter().copied().chain([self.step]).collect();
        let steps = path.iter().map(|&i| &proc.steps[i]);
        // The last address the person was sent to is the one to go back to at home.
        let url =
            steps.clone().filter_map(|s| s.url.as_ref()).next_back().map(|u| u.get_ref().clone()).unwrap_or_default();
        let last = &proc.steps[self.step];
        Sheet {
            rtl: cat.language.rtl,
            heading: tr(t::SUMMARY_TITLE),
            organisation: tr(&proc.organisation),
            procedure: tr(&proc.title),
            done_label: tr(t::SUMMARY_DONE),
            done: steps.take(path.len().saturating_sub(1)).map(|s| tr(&s.title)).collect(),
            next_label: tr(t::SUMMARY_NEXT),
            next: crate::view::join([tr(&last.title), tr(&last.text)]),
            url,
            site: (self.site.iter())
                .flat_map(|s| std::iter::once(s.name.clone()).chain(crate::view::site_lines(s, &tr)))
                .collect(),
            erased: tr(t::SUMMARY_ERASED),
        }
    }
}

/// Draws `sheet` into `out` as a JPEG, in this process. Installs the headless platform:
/// only for a process of its own (`kiosk --render-summary`).
pub fn render_here(sheet: &Sheet, out: &Path) -> Result<(), String> {
    let window = crate::headless::HeadlessPlatform::install(SHEET.0, SHEET.1)?;
    let ui = SummarySheet::new().map_err(|e| e.to_string())?;
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
    ui.show().map_err(|e| e.to_string())?;
    let pixels = crate::headless::render(&window);
    let file = std::fs::File::create(out).map_err(|e| format!("cannot write the sheet: {e}"))?;
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), 90);
    encoder
        .encode(pixels.as_bytes(), pixels.width(), pixels.height(), image::ExtendedColorType::Rgb8)
        .map_err(|e| format!("cannot encode the sheet: {e}"))
}

/// Draws `sheet` into `out` through a child `kiosk --render-summary`, at most 20 s.
pub fn render_in_child(kiosk: &Path, sheet: &Sheet, out: &Path) -> Result<(), String> {
    let json = serde_json::to_vec(sheet).map_err(|e| e.to_string())?;
    let mut child = Command::new(kiosk)
        .arg("--render-summary")
        .arg(out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the sheet renderer: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(&json).map_err(|e| format!("cannot hand the sheet over: {e}"))?;
    }
    let started = Instant::now();
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) if status.success() => return Ok(()),
            Some(status) => return Err(format!("the sheet renderer failed: {status}")),
            None if started.elapsed() > RENDER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("the sheet renderer took too long".into());
            }
            // Off the UI thread (the agent link's blocking pool): a short nap is fine.
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// `kiosk --render-summary FILE`: reads the sheet as JSON on stdin and draws it.
pub fn render_from_stdin(out: &Path) -> Result<(), String> {
    let sheet: Sheet = serde_json::from_reader(std::io::stdin().lock()).map_err(|e| format!("bad sheet: {e}"))?;
    render_here(&sheet, out)
}
