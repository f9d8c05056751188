//! The `print` and `print_scans` requests: a document of the open session goes to the
//! printer, within the session's page limit, and its job is followed until it is
//! finished. Jobs still at the printer when the session is wiped are cancelled there: a
//! page must not come out for the next person.
//!
//! The document is read once, by descriptor (`SessionFolder::read_document`), and from
//! then on only its bytes travel: counted, converted and sent as they were read, so no
//! file swapped in the meantime is ever seen. A photocopy is made in memory and never
//! written anywhere.

use std::time::Duration;

use guichet_protocol::{AgentMessage, ErrorCode, JobState};

use crate::devices::printer::{Job, PrintError};
use crate::error::{Refusal, refuse};
use crate::session::Agent;
use crate::session_folder::DocumentError;

/// How often a job's state is asked for while it runs.
const POLL: Duration = Duration::from_millis(250);
/// A job not finished after this long is left to the printer (and cancelled at the wipe).
const FOLLOW_AT_MOST: Duration = Duration::from_secs(600);

/// Where a document to print comes from: a file of the visit, or made by the agent in
/// memory (a photocopy), which the receipt counts as a print job of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    File,
    Memory,
}

impl Agent {
    pub(crate) async fn print(&self, id: u64, file: String, copies: u32, mono: bool) -> Result<AgentMessage, Refusal> {
        let folder = self.open_folder().ok_or_else(|| refuse(ErrorCode::NotAllowedInState, "no session is open"))?;
        let document = tokio::task::spawn_blocking(move || folder.read_document(&file))
            .await
            .map_err(|e| refuse(ErrorCode::Internal, e.to_string()))?
            .map_err(|e| {
                // The reason only: never the file's name, which the person may have chosen.
                tracing::warn!(cause = %e, "refused a document to print");
                refuse(ErrorCode::BadDocument, e.to_string())
            })?;
        self.print_document(id, document, copies, mono, Source::File).await
    }

    /// Every scanned page of the session, as one PDF made in memory, printed: a photocopy.
    pub(crate) async fn print_scans(&self, id: u64, copies: u32, mono: bool) -> Result<AgentMessage, Refusal> {
        let folder = self.open_folder().ok_or_else(|| refuse(ErrorCode::NotAllowedInState, "no session is open"))?;
        let made = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
            let pages: Vec<Vec<u8>> = (folder.page_numbers().into_iter())
                .map(|n| folder.read_page(n).map_err(|e: DocumentError| format!("page {n}: {e}")))
                .collect::<Result<_, _>>()?;
            crate::scans_pdf::jpegs_to_pdf(&pages).map(|(pdf, _sheets)| pdf)
        })
        .await
        .map_err(|e| refuse(ErrorCode::Internal, e.to_string()))?;
        let pdf = made.map_err(|e| {
            tracing::warn!(cause = %e, "cannot put the scanned pages together");
            refuse(ErrorCode::BadDocument, e)
        })?;
        self.print_document(id, pdf, copies, mono, Source::Memory).await
    }

    async fn print_document(
        &self,
        id: u64,
        document: Vec<u8>,
        copies: u32,
        mono: bool,
        source: Source,
    ) -> Result<AgentMessage, Refusal> {
        let copies = copies.clamp(1, 10);
        let (format, pages, document) = tokio::task::spawn_blocking(move || {
            read_document(&document).map(|(format, pages)| (format, pages, document))
        })
        .await
        .map_err(|e| refuse(ErrorCode::Internal, e.to_string()))?
        .map_err(|e| {
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
        let (document, format) = self.in_printer_format(document, format).await?;
        let job = self.devices().printer.submit(Job { document, format, copies, mono }).await.map_err(|e| {
            tracing::warn!(cause = %e, "print job refused");
            match e {
                PrintError::Unreachable { .. } => refuse(ErrorCode::PrinterUnreachable, "the printer does not answer"),
                PrintError::FormatNotSupported { .. } => refuse(ErrorCode::BadDocument, e.to_string()),
                PrintError::Refused { ref status } if status.contains("DocumentFormat") => {
                    refuse(ErrorCode::BadDocument, "the printer cannot take this format")
                }
                PrintError::Refused { .. } => refuse(ErrorCode::PrinterProblem, "refused"),
            }
        })?;
        self.job_sent(job, wanted, source == Source::Memory);
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

    /// The document as the printer can take it: as it is, or converted (`convert`).
    async fn in_printer_format(
        &self,
        document: Vec<u8>,
        format: &'static str,
    ) -> Result<(Vec<u8>, &'static str), Refusal> {
        let supported = match self.devices().printer.capabilities().await {
            Ok(capabilities) => capabilities.formats,
            Err(PrintError::Unreachable { .. }) => {
                return Err(refuse(ErrorCode::PrinterUnreachable, "the printer does not answer"));
            }
            // A printer that will not say is sent the document as it is.
            Err(_) => Vec::new(),
        };
        let converted = tokio::task::spawn_blocking(move || {
            crate::convert::for_printer(&document, format, &supported).map(|c| c.ok_or(document))
        })
        .await
        .map_err(|e| refuse(ErrorCode::Internal, e.to_string()))?
        .map_err(|e| {
            tracing::warn!(cause = %e, "cannot convert a document for the printer");
            refuse(ErrorCode::BadDocument, e)
        })?;
        match converted {
            Ok((bytes, to)) => {
                tracing::info!(from = format, to, "document converted for the printer");
                Ok((bytes, to))
            }
            Err(unchanged) => Ok((unchanged, format)),
        }
    }

    /// Tells every client how the job goes, until it is finished or no longer ours.
    async fn follow(&self, job: u32) {
        let mut last = None;
        let mut gone = 0;
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
                Ok(_) => gone = 0,
                // A queue that forgot the job (a CUPS keeping no job history): how it ended
                // cannot be known, and is not made up.
                Err(PrintError::Refused { ref status }) if status.contains("NotFound") => {
                    gone += 1;
                    if gone >= 3 {
                        tracing::warn!(job, "the printer forgot the job before saying how it ended");
                        return;
                    }
                }
                Err(e) => tracing::warn!(job, cause = %e, "cannot follow the print job"),
            }
        }
    }

    /// Cancels at the printer every job of the session that may still be there, and has
    /// a CUPS queue forget it (its files and its history), printed or not.
    pub(crate) async fn cancel_jobs(&self, jobs: &[u32]) {
        for &job in jobs {
            let cancelled = tokio::time::timeout(Duration::from_secs(5), self.devices().printer.cancel(job)).await;
            match cancelled {
                Ok(Ok(())) => tracing::info!(job, "print job cancelled and purged with the session"),
                Ok(Err(e)) => tracing::warn!(job, cause = %e, "cannot cancel a print job of a wiped session"),
                Err(_) => tracing::warn!(job, "the printer did not answer the cancel in time"),
            }
        }
    }
}

/// The document's MIME type, from its first bytes, and its number of pages.
fn read_document(bytes: &[u8]) -> Result<(&'static str, u32), String> {
    if bytes.starts_with(b"%PDF-") {
        let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("not a readable PDF: {e}"))?;
        let pages = doc.get_pages().len() as u32;
        if pages == 0 {
            return Err("a PDF with no page".into());
        }
        Ok(("application/pdf", pages))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(("image/jpeg", 1))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(("image/png", 1))
    } else {
        Err("not a PDF, JPEG or PNG document".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_known_by_their_first_bytes_and_pdf_pages_counted() {
        assert_eq!(read_document(b"\xFF\xD8\xFF\xE0rest"), Ok(("image/jpeg", 1)));
        assert!(read_document(b"hello").unwrap_err().contains("not a PDF"), "the name does not make it a PDF");
        assert!(read_document(b"%PDF-1.7 then nothing").unwrap_err().contains("not a readable PDF"));
    }
}
