//! The `scan` request: pages from the scanner into the open session's `scans/` folder as
//! `page-N.jpg`, each with a small `page-N.thumb.jpg` for the kiosk's preview, owned by the
//! kiosk's user so it can show them, and wiped with the session.
//!
//! The scanner writes into a fresh staging folder; each complete page is moved into place
//! and announced (`scan_page`) as soon as it lands, so a jam on page 7 of the feeder
//! keeps pages 1 to 6. A redone page replaces the old one only once it is good.

use std::path::{Path, PathBuf};

use guichet_protocol::{AgentMessage, ErrorCode, ScanPreset, ScannedPage};
use tokio::sync::mpsc;

use crate::scanner::{ScanError, ScanRequest, is_complete_jpeg};
use crate::scans_pdf::scanned_pages;
use crate::session::{Agent, Refusal, refuse};
use crate::system;
use crate::wipe::SCANS;

/// The preview's longest side, in pixels: a third of the kiosk's screen height.
const THUMB: u32 = 320;

impl Agent {
    pub(crate) async fn scan(&self, id: u64, preset: ScanPreset, redo: Option<u32>) -> Result<AgentMessage, Refusal> {
        let folder = self.open_folder().ok_or_else(|| refuse(ErrorCode::NotAllowedInState, "no session is open"))?;
        let scans = folder.join(SCANS);
        // The kiosk's user owns the session folder: never write through a link it planted.
        if !std::fs::symlink_metadata(&scans).is_ok_and(|m| m.is_dir()) {
            return Err(refuse(ErrorCode::SessionStorage, "the scans folder is not a plain folder"));
        }
        let taken = scanned_pages(&scans).len() as u32;
        let limit = self.scan_page_limit();
        if let Some(n) = redo.filter(|&n| n == 0 || n > taken) {
            return Err(refuse(ErrorCode::BadRequest, format!("there is no page {n} to scan again")));
        }
        if redo.is_none() && taken >= limit {
            return Err(refuse(ErrorCode::PageLimit, format!("{limit} pages are scanned already")));
        }
        let staging = scans.join(format!(".incoming-{id}-{}", std::process::id()));
        std::fs::create_dir(&staging).map_err(|e| refuse(ErrorCode::SessionStorage, e.to_string()))?;
        let request = ScanRequest {
            preset,
            folder: staging.clone(),
            max_pages: if redo.is_some() { 1 } else { limit - taken },
            feeder: redo.is_none(),
        };
        let (landed_tx, mut landed) = mpsc::unbounded_channel();
        let scanner = self.devices().scanner.clone();
        let mut scanning = std::pin::pin!(scanner.scan(request, landed_tx));
        let mut added = Vec::new();
        // A redone page is numbered as the one it replaces; new pages follow the last.
        let number = |n: u32| redo.unwrap_or(taken + n);
        let result = loop {
            tokio::select! {
                result = &mut scanning => break result,
                Some(n) = landed.recv() => {
                    if redo.is_none() {
                        added.push(self.place(id, &staging, n, number(n)).await);
                    }
                }
            }
        };
        // Pages only known to be complete now that scanimage has ended; a page to redo
        // is replaced only by a scan that went well.
        let keep_the_rest = redo.is_none() || result.is_ok();
        let mut n = added.len() as u32 + 1;
        while keep_the_rest && is_complete_jpeg(&staging.join(format!("{n}.jpg"))) {
            added.push(self.place(id, &staging, n, number(n)).await);
            n += 1;
        }
        let _ = std::fs::remove_dir_all(&staging);
        let added: Vec<ScannedPage> = added.into_iter().flatten().collect();
        if !added.is_empty()
            && let Err(e) = self.store().add("pages_scanned", added.len() as u64)
        {
            tracing::warn!(cause = %e, "cannot count");
        }
        if let Err(e) = result {
            tracing::warn!(cause = %e, pages_kept = added.len(), "scan failed");
            return Err(match e {
                ScanError::Missing { .. } => refuse(ErrorCode::ScannerMissing, "the scanner cannot be opened"),
                ScanError::Problem { code } => refuse(ErrorCode::ScannerProblem, code),
                ScanError::Timeout(_) => refuse(ErrorCode::ScannerProblem, "timeout"),
                ScanError::Run(_) => refuse(ErrorCode::ScannerMissing, "scanimage cannot be run"),
            });
        }
        let pages = scanned_pages(&scans).len() as u32;
        let Some(last) = added.last() else {
            return Err(refuse(ErrorCode::ScannerProblem, "io_error"));
        };
        tracing::info!(added = added.len(), pages, "pages scanned");
        Ok(AgentMessage::Scanned { id, file: last.file.clone(), pages, added })
    }

    /// Moves page `n` of the staging folder into the session as page `number`, with its
    /// thumbnail, and tells the kiosk. `None` (logged) when it cannot.
    async fn place(&self, id: u64, staging: &Path, n: u32, number: u32) -> Option<ScannedPage> {
        let scans = staging.parent()?.to_owned();
        let page = scans.join(format!("page-{number}.jpg"));
        let thumb = scans.join(format!("page-{number}.thumb.jpg"));
        let from = staging.join(format!("{n}.jpg"));
        let (page2, thumb2) = (page.clone(), thumb.clone());
        let placed = tokio::task::spawn_blocking(move || -> Result<(), String> {
            // The thumbnail first: a page that cannot be read is not placed at all.
            make_thumbnail(&from, &thumb2)?;
            std::fs::rename(&from, &page2).map_err(|e| e.to_string())
        })
        .await;
        if let Err(e) = placed.map_err(|e| e.to_string()).and_then(|r| r) {
            tracing::warn!(cause = %e, "a scanned page cannot be placed");
            return None;
        }
        for file in [&page, &thumb] {
            if let Err(e) = system::give_to(file, self.kiosk_uid()) {
                tracing::warn!(cause = %e, "cannot hand a scanned page to the kiosk");
            }
        }
        let page = ScannedPage {
            number,
            file: format!("{SCANS}/page-{number}.jpg"),
            thumb: format!("{SCANS}/page-{number}.thumb.jpg"),
        };
        let _ = self.events().send(AgentMessage::ScanPage { id, page: page.clone() });
        Some(page)
    }
}

/// A small JPEG of `page` for the preview, its longest side `THUMB` pixels.
fn make_thumbnail(page: &Path, out: &PathBuf) -> Result<(), String> {
    let picture = crate::convert::open_picture(page)?;
    let small = picture.thumbnail(THUMB, THUMB).to_rgb8();
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 80)
        .encode_image(&small)
        .map_err(|e| e.to_string())?;
    std::fs::write(out, bytes).map_err(|e| e.to_string())
}
