//! The `scan` request: pages from the scanner into the open session's `scans/` folder as
//! `page-N.jpg`, each with a small `page-N.thumb.jpg` for the kiosk's preview, readable by
//! the kiosk's group in a folder only the agent writes, and wiped with the session.
//!
//! The scanner writes into a fresh staging folder; each complete page is moved into place
//! and announced (`scan_page`) as soon as it lands, so a jam on page 7 of the feeder
//! keeps pages 1 to 6. A redone page replaces the old one only once it is good. When the
//! visit's storage is full, the pages that fit are kept and the kiosk is told
//! `session_full`: the visit goes on.

use guichet_protocol::{AgentMessage, ErrorCode, ScanPreset, ScannedPage};
use tokio::sync::mpsc;

use crate::devices::scanner::{ScanError, ScanRequest};
use crate::error::{Refusal, refuse};
use crate::session::Agent;
use crate::session_folder::{SCANS, SessionFolder, Staging};

/// The preview's longest side, in pixels: a third of the kiosk's screen height.
const THUMB: u32 = 320;

impl Agent {
    pub(crate) async fn scan(&self, id: u64, preset: ScanPreset, redo: Option<u32>) -> Result<AgentMessage, Refusal> {
        let folder = self.open_folder().ok_or_else(|| refuse(ErrorCode::NotAllowedInState, "no session is open"))?;
        let taken = folder.page_numbers().len() as u32;
        let limit = self.scan_page_limit();
        if let Some(n) = redo.filter(|&n| n == 0 || n > taken) {
            return Err(refuse(ErrorCode::BadRequest, format!("there is no page {n} to scan again")));
        }
        if redo.is_none() && taken >= limit {
            return Err(refuse(ErrorCode::PageLimit, format!("{limit} pages are scanned already")));
        }
        if folder.is_full() {
            return Err(refuse(ErrorCode::SessionFull, "the visit's storage is full"));
        }
        let staging = (folder.staging(&format!(".incoming-{}", crate::system::random_id())))
            .map_err(|e| self.storage_refusal(&folder, &e))?;
        let request = ScanRequest {
            preset,
            folder: staging.path().to_owned(),
            max_pages: if redo.is_some() { 1 } else { limit - taken },
            feeder: redo.is_none(),
        };
        let (landed_tx, mut landed) = mpsc::unbounded_channel();
        let scanner = self.devices().scanner.clone();
        let mut scanning = std::pin::pin!(scanner.scan(request, landed_tx));
        let staging = std::sync::Arc::new(staging);
        let mut added = Vec::new();
        // A redone page is numbered as the one it replaces; new pages follow the last.
        let number = |n: u32| redo.unwrap_or(taken + n);
        let result = loop {
            tokio::select! {
                result = &mut scanning => break result,
                Some(n) = landed.recv() => {
                    if redo.is_none() {
                        added.push(self.place(id, &folder, &staging, n, number(n)).await);
                    }
                }
            }
        };
        // Pages only known to be complete now that scanimage has ended; a page to redo
        // is replaced only by a scan that went well.
        let keep_the_rest = redo.is_none() || result.is_ok();
        let mut n = added.len() as u32 + 1;
        while keep_the_rest && staging.is_complete_jpeg(&format!("{n}.jpg")) {
            added.push(self.place(id, &folder, &staging, n, number(n)).await);
            n += 1;
        }
        drop(staging);
        let full = added.iter().any(|p| matches!(p, Err(Placing::Full)));
        let added: Vec<ScannedPage> = added.into_iter().flatten().collect();
        if !added.is_empty()
            && let Err(e) = self.store().add("pages_scanned", added.len() as u64)
        {
            tracing::warn!(cause = %e, "cannot count");
        }
        if full || (result.is_err() && folder.is_full()) {
            tracing::warn!(pages_kept = added.len(), "the visit's storage is full");
            return Err(refuse(ErrorCode::SessionFull, "the visit's storage is full"));
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
        let pages = folder.page_numbers().len() as u32;
        let Some(last) = added.last() else {
            return Err(refuse(ErrorCode::ScannerProblem, "io_error"));
        };
        tracing::info!(added = added.len(), pages, "pages scanned");
        Ok(AgentMessage::Scanned { id, file: last.file.clone(), pages, added })
    }

    /// A failure to write in the visit's folder: its storage is full, or something else.
    fn storage_refusal(&self, folder: &SessionFolder, e: &std::io::Error) -> Refusal {
        if folder.is_full() || matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT)) {
            refuse(ErrorCode::SessionFull, "the visit's storage is full")
        } else {
            tracing::error!(cause = %e, "cannot write in the session folder");
            refuse(ErrorCode::SessionStorage, "the session folder cannot be written")
        }
    }

    /// Moves page `n` of the staging folder into the session as page `number`, with its
    /// preview, and tells the kiosk.
    async fn place(
        &self,
        id: u64,
        folder: &std::sync::Arc<SessionFolder>,
        staging: &std::sync::Arc<Staging>,
        n: u32,
        number: u32,
    ) -> Result<ScannedPage, Placing> {
        let (folder, staging) = (folder.clone(), staging.clone());
        let placed = tokio::task::spawn_blocking(move || -> Result<(), Placing> {
            let from = format!("{n}.jpg");
            // The preview first: a page that cannot be read is not placed at all.
            let page = staging.read(&from).map_err(|e| Placing::Other(e.to_string()))?;
            let preview = make_thumbnail(&page).map_err(Placing::Other)?;
            folder.place_page(&staging, &from, number, &preview).map_err(|e| {
                if folder.is_full() || matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT)) {
                    Placing::Full
                } else {
                    Placing::Other(e.to_string())
                }
            })
        })
        .await
        .map_err(|e| Placing::Other(e.to_string()))
        .and_then(|r| r);
        match &placed {
            Err(Placing::Other(why)) => tracing::warn!(cause = %why, "a scanned page cannot be placed"),
            Err(Placing::Full) => tracing::warn!("a scanned page does not fit in the visit's storage"),
            Ok(()) => {}
        }
        placed?;
        let page = ScannedPage {
            number,
            file: format!("{SCANS}/page-{number}.jpg"),
            thumb: format!("{SCANS}/page-{number}.thumb.jpg"),
        };
        let _ = self.events().send(AgentMessage::ScanPage { id, page: page.clone() });
        Ok(page)
    }
}

/// Why a scanned page was not placed.
#[derive(Debug)]
enum Placing {
    /// The visit's storage has no room for it.
    Full,
    Other(String),
}

/// A small JPEG of `page` for the preview, its longest side `THUMB` pixels.
fn make_thumbnail(page: &[u8]) -> Result<Vec<u8>, String> {
    let picture = crate::convert::open_picture(page)?;
    let small = picture.thumbnail(THUMB, THUMB).to_rgb8();
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 80)
        .encode_image(&small)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}
