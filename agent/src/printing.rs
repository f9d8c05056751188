//! The `print` request: a document of the open session goes to the printer, within the
//! session's page limit, and its job is followed until it is finished. Jobs still at the
//! printer when the session is wiped are cancelled there: a page must not come out for
//! the next person.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use guichet_protocol::{AgentMessage, ErrorCode, JobState};

use crate::printer::{Job, PrintError};
use crate::session::{Agent, Refusal, refuse};

/// How often a job's state is asked for while it runs.
const POLL: Duration = Duration::from_millis(250);
/// A job not finished after this long is left to the printer (and cancelled at the wipe).
const FOLLOW_AT_MOST: Duration = Duration::from_secs(600);

impl Agent {
    pub(crate) async fn print(&self, id: u64, file: String, copies: u32, mono: bool) -> Result<AgentMessage, Refusal> {
        let folder = self.open_folder().ok_or_else(|| refuse(ErrorCode::NotAllowedInState, "no session is open"))?;
        let path = inside(&folder, &file).ok_or_else(|| refuse(ErrorCode::BadDocument, "not a file of the session"))?;
        let copies = copies.clamp(1, 10);
        let read = path.clone();
        let (format, pages) = tokio::task::spawn_blocking(move || read_document(&read))
            .await
            .map_err(|e| refuse(ErrorCode::Internal, e.to_string()))?
            .map_err(|e| {
                // The reason only: never the file's name, which the person may have chosen.
                tracing::warn!(cause = %e, "refused a document to print");
                refuse(ErrorCode::BadDocument, e)
            })?;
        let wanted = pages * copies;
        let left = self.print_page_limit().saturating_sub(self.pages_printed());
        if wanted > left {
            return Err(refuse(ErrorCode::PageLimit, format!("{wanted} pages asked, {left} left for this visit")));
        }
        let status = self.devices().printer.status().await;
        match status.state.as_str() {
            "ready" => {}
            "unreachable" => return Err(refuse(ErrorCode::PrinterUnreachable, "the printer does not answer")),
            other => return Err(refuse(ErrorCode::PrinterProblem, other)),
        }
        let (path, format) = self.in_printer_format(&folder, path, format).await?;
        let job = self.devices().printer.submit(Job { path, format, copies, mono }).await.map_err(|e| {
            tracing::warn!(cause = %e, "print job refused");
            match e {
                PrintError::Unreachable { .. } => refuse(ErrorCode::PrinterUnreachable, "the printer does not answer"),
                PrintError::FormatNotSupported { .. } => refuse(ErrorCode::BadDocument, e.to_string()),
                PrintError::Refused { ref status } if status.contains("DocumentFormat") => {
                    refuse(ErrorCode::BadDocument, "the printer cannot take this format")
                }
                PrintError::Refused { .. } => refuse(ErrorCode::PrinterProblem, "refused"),
                PrintError::Read(_) => refuse(ErrorCode::BadDocument, "the document cannot be read"),
            }
        })?;
        self.job_sent(job, wanted);
        self.count(crate::store::Counter::Prints);
        if let Err(e) = self.store().add("pages_printed", u64::from(wanted)) {
            tracing::warn!(cause = %e, "cannot count");
        }
        tracing::info!(job, pages = wanted, "print job sent");
        if let Some(agent) = self.me() {
            tokio::spawn(async move { agent.follow(job).await });
        }
        Ok(AgentMessage::PrintQueued { id, job, pages: wanted, pages_left: left - wanted })
    }

    /// Every scanned page of the session, as one PDF, printed: a photocopy.
    pub(crate) async fn print_scans(&self, id: u64, copies: u32, mono: bool) -> Result<AgentMessage, Refusal> {
        let folder = self.open_folder().ok_or_else(|| refuse(ErrorCode::NotAllowedInState, "no session is open"))?;
        let made = tokio::task::spawn_blocking(move || {
            let pages = crate::scans_pdf::scanned_pages(&folder.join(crate::wipe::SCANS));
            crate::scans_pdf::jpegs_to_pdf(&pages, &folder.join(crate::wipe::PRINTS).join("copies.pdf"))
        })
        .await
        .map_err(|e| refuse(ErrorCode::Internal, e.to_string()))?;
        made.map_err(|e| {
            tracing::warn!(cause = %e, "cannot put the scanned pages together");
            refuse(ErrorCode::BadDocument, e)
        })?;
        self.print(id, format!("{}/copies.pdf", crate::wipe::PRINTS), copies, mono).await
    }

    /// The document as the printer can take it: as it is, or converted (`convert`).
    async fn in_printer_format(
        &self,
        folder: &Path,
        path: PathBuf,
        format: &'static str,
    ) -> Result<(PathBuf, &'static str), Refusal> {
        let supported = match self.devices().printer.capabilities().await {
            Ok(capabilities) => capabilities.formats,
            Err(PrintError::Unreachable { .. }) => {
                return Err(refuse(ErrorCode::PrinterUnreachable, "the printer does not answer"));
            }
            // A printer that will not say is sent the document as it is.
            Err(_) => Vec::new(),
        };
        let prints = folder.join(crate::wipe::PRINTS);
        let read = path.clone();
        let converted =
            tokio::task::spawn_blocking(move || crate::convert::for_printer(&read, format, &supported, &prints))
                .await
                .map_err(|e| refuse(ErrorCode::Internal, e.to_string()))?
                .map_err(|e| {
                    tracing::warn!(cause = %e, "cannot convert a document for the printer");
                    refuse(ErrorCode::BadDocument, e)
                })?;
        if let Some((_, to)) = &converted {
            tracing::info!(from = format, to, "document converted for the printer");
        }
        Ok(converted.unwrap_or((path, format)))
    }

    /// Tells every client how the job goes, until it is finished or no longer ours.
    async fn follow(&self, job: u32) {
        let mut last = None;
        let started = tokio::time::Instant::now();
        while started.elapsed() < FOLLOW_AT_MOST && self.job_is_current(job) {
            // A pause first: `print_queued` goes out before the job's first event.
            tokio::time::sleep(POLL).await;
            match self.devices().printer.job_state(job).await {
                Ok(now) if Some(&now) != last.as_ref() => {
                    let (state, reason) = now.clone();
                    if state == JobState::Aborted {
                        tracing::warn!(job, reason = reason.as_deref().unwrap_or("none"), "print job aborted");
                    }
                    let _ = self.events().send(AgentMessage::PrintJob { job, state, reason });
                    last = Some(now);
                    if state.finished() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(job, cause = %e, "cannot follow the print job"),
            }
        }
    }

    /// Cancels at the printer every job of the session that may still be there.
    pub(crate) async fn cancel_jobs(&self, jobs: &[u32]) {
        for &job in jobs {
            let cancelled = tokio::time::timeout(Duration::from_secs(5), self.devices().printer.cancel(job)).await;
            match cancelled {
                Ok(Ok(())) => tracing::info!(job, "print job cancelled with the session"),
                Ok(Err(e)) => tracing::warn!(job, cause = %e, "cannot cancel a print job of a wiped session"),
                Err(_) => tracing::warn!(job, "the printer did not answer the cancel in time"),
            }
        }
    }
}

/// `file` as a path inside `folder`, or `None` when it would leave it: absolute, `..`,
/// or a symbolic link anywhere on the way.
fn inside(folder: &Path, file: &str) -> Option<PathBuf> {
    let relative = Path::new(file);
    if file.is_empty() || !relative.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut path = folder.to_path_buf();
    for part in relative.components() {
        path.push(part);
        if std::fs::symlink_metadata(&path).map(|m| m.file_type().is_symlink()).unwrap_or(true) {
            return None;
        }
    }
    path.is_file().then_some(path)
}

/// The document's MIME type, from its first bytes, and its number of pages.
fn read_document(path: &Path) -> Result<(&'static str, u32), String> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).map_err(|e| format!("unreadable: {e}"))?;
    let head = &head[..n];
    if head.starts_with(b"%PDF-") {
        let doc = lopdf::Document::load(path).map_err(|e| format!("not a readable PDF: {e}"))?;
        let pages = doc.get_pages().len() as u32;
        if pages == 0 {
            return Err("a PDF with no page".into());
        }
        Ok(("application/pdf", pages))
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(("image/jpeg", 1))
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(("image/png", 1))
    } else {
        Err("not a PDF, JPEG or PNG document".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_files_inside_the_session_folder_can_be_printed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("s");
        std::fs::create_dir_all(folder.join("prints")).unwrap();
        std::fs::write(folder.join("prints/a.jpg"), b"\xFF\xD8\xFFjpeg").unwrap();
        std::fs::write(dir.path().join("secret.pdf"), b"%PDF-1.4").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.pdf"), folder.join("prints/link.pdf")).unwrap();
        std::os::unix::fs::symlink(dir.path(), folder.join("up")).unwrap();
        assert_eq!(inside(&folder, "prints/a.jpg"), Some(folder.join("prints/a.jpg")));
        for bad in [
            "",
            "/etc/passwd",
            "../secret.pdf",
            "prints/../../secret.pdf",
            "prints/link.pdf",
            "up/secret.pdf",
            "prints",
            "prints/none.jpg",
        ] {
            assert_eq!(inside(&folder, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn documents_are_known_by_their_first_bytes_and_pdf_pages_counted() {
        let dir = tempfile::tempdir().unwrap();
        let jpeg = dir.path().join("x");
        std::fs::write(&jpeg, b"\xFF\xD8\xFF\xE0rest").unwrap();
        assert_eq!(read_document(&jpeg), Ok(("image/jpeg", 1)));
        let text = dir.path().join("y.pdf");
        std::fs::write(&text, b"hello").unwrap();
        assert!(read_document(&text).unwrap_err().contains("not a PDF"), "the name does not make it a PDF");
        let broken = dir.path().join("z");
        std::fs::write(&broken, b"%PDF-1.7 then nothing").unwrap();
        assert!(read_document(&broken).unwrap_err().contains("not a readable PDF"));
    }
}
