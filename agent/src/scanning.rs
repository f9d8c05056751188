//! The `scan` request: one page from the scanner into the open session's `scans/` folder,
//! owned by the kiosk's user so it can show it, and wiped with the session.

use guichet_protocol::{AgentMessage, ErrorCode};

use crate::scanner::ScanError;
use crate::session::Agent;
use crate::system;
use crate::wipe::SCANS;

type Refusal = (ErrorCode, String);

impl Agent {
    pub(crate) async fn scan(&self, id: u64) -> Result<AgentMessage, Refusal> {
        let folder = self.open_folder().ok_or((ErrorCode::NotAllowedInState, "no session is open".to_owned()))?;
        let scans = folder.join(SCANS);
        let taken = std::fs::read_dir(&scans).map(|d| d.count() as u32).unwrap_or(0);
        // The agent names the page: nothing the person chose.
        let name = format!("page-{}.jpg", taken + 1);
        let out = scans.join(&name);
        if let Err(e) = self.devices().scanner.scan(out.clone()).await {
            tracing::warn!(cause = %e, "scan failed");
            return Err(match e {
                ScanError::Missing { .. } => (ErrorCode::ScannerMissing, "the scanner cannot be opened".into()),
                ScanError::Problem { code } => (ErrorCode::ScannerProblem, code.into()),
                ScanError::Timeout(_) => (ErrorCode::ScannerProblem, "timeout".into()),
                ScanError::Run(_) => (ErrorCode::ScannerMissing, "scanimage cannot be run".into()),
            });
        }
        if let Err(e) = system::give_to(&out, self.kiosk_uid()) {
            tracing::warn!(cause = %e, "cannot hand the scanned page to the kiosk");
        }
        tracing::info!(pages = taken + 1, "page scanned");
        Ok(AgentMessage::Scanned { id, file: format!("{SCANS}/{name}"), pages: taken + 1 })
    }
}
