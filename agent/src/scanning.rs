//! The `scan` request: one page from the scanner into the open session's `scans/` folder,
//! owned by the kiosk's user so it can show it, and wiped with the session.

use guichet_protocol::{AgentMessage, ErrorCode};

use crate::scanner::ScanError;
use crate::session::{Agent, Refusal, refuse};
use crate::system;
use crate::wipe::SCANS;

impl Agent {
    pub(crate) async fn scan(&self, id: u64) -> Result<AgentMessage, Refusal> {
        let folder = self.open_folder().ok_or_else(|| refuse(ErrorCode::NotAllowedInState, "no session is open"))?;
        let scans = folder.join(SCANS);
        let taken = std::fs::read_dir(&scans).map(|d| d.count() as u32).unwrap_or(0);
        // The agent names the page: nothing the person chose.
        let name = format!("page-{}.jpg", taken + 1);
        let out = scans.join(&name);
        if let Err(e) = self.devices().scanner.scan(out.clone()).await {
            tracing::warn!(cause = %e, "scan failed");
            return Err(match e {
                ScanError::Missing { .. } => refuse(ErrorCode::ScannerMissing, "the scanner cannot be opened"),
                ScanError::Problem { code } => refuse(ErrorCode::ScannerProblem, code),
                ScanError::Timeout(_) => refuse(ErrorCode::ScannerProblem, "timeout"),
                ScanError::Run(_) => refuse(ErrorCode::ScannerMissing, "scanimage cannot be run"),
            });
        }
        if let Err(e) = system::give_to(&out, self.kiosk_uid()) {
            tracing::warn!(cause = %e, "cannot hand the scanned page to the kiosk");
        }
        tracing::info!(pages = taken + 1, "page scanned");
        Ok(AgentMessage::Scanned { id, file: format!("{SCANS}/{name}"), pages: taken + 1 })
    }
}
