//! The controller's vocabulary with the world outside it: the `Command`s its actions
//! return (requests for the agent, and the one thing the UI does itself, drawing the
//! summary sheet) and the `Event`s it is told (from the agent link, or from the UI when a
//! sheet could not be drawn). Plain data: this file depends on nothing of the kiosk but
//! the sheet's own data.

use std::path::PathBuf;

use guichet_protocol::{AgentMessage, EndReason, ScanPreset, SiteInfo, UsageEvent};

use crate::sheet::Sheet;

/// What an action asks for.
#[derive(Clone, PartialEq, Eq)]
pub enum Command {
    StartSession,
    EndSession(EndReason),
    CallMediator,
    /// The digits a mediator typed; passed to the agent and dropped.
    MediatorUnlock(String),
    /// Print a document of the session folder (a path inside it).
    Print {
        file: String,
        copies: u32,
    },
    /// Scan into the session folder: new pages, or page `redo` again.
    Scan {
        preset: ScanPreset,
        redo: Option<u32>,
    },
    /// Print every page scanned in this visit.
    PrintScans {
        copies: u32,
        mono: bool,
    },
    /// The heartbeat: the screen shown and the seconds since the last touch.
    Alive {
        screen: &'static str,
        idle_s: u32,
    },
    /// A touch on the dark screen.
    Wake,
    /// An anonymous usage fact for the needs statistics (ids only).
    Usage(UsageEvent),
    /// For the UI, not the agent: draw `sheet` into the session folder (`render::summary`),
    /// then send `Print` for it.
    PrintSummary {
        folder: PathBuf,
        sheet: Box<Sheet>,
    },
}

impl Command {
    /// Whether it goes to the agent as it is (all but `PrintSummary`).
    pub fn for_agent(&self) -> bool {
        !matches!(self, Command::PrintSummary { .. })
    }
}

// Written by hand so that a PIN can never end up in a log line.
impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::StartSession => f.write_str("StartSession"),
            Command::EndSession(reason) => write!(f, "EndSession({reason:?})"),
            Command::CallMediator => f.write_str("CallMediator"),
            Command::MediatorUnlock(_) => f.write_str("MediatorUnlock(…)"),
            // Nor what the person did, nor a file's name.
            Command::Print { copies, .. } => write!(f, "Print(…, {copies})"),
            Command::PrintSummary { .. } => f.write_str("PrintSummary(…)"),
            Command::Scan { preset, redo } => write!(f, "Scan({preset:?}, redo {redo:?})"),
            Command::PrintScans { copies, mono } => write!(f, "PrintScans({copies}, mono {mono})"),
            Command::Alive { screen, idle_s } => write!(f, "Alive({screen}, {idle_s})"),
            Command::Wake => f.write_str("Wake"),
            Command::Usage(u) => write!(f, "Usage({u:?})"),
        }
    }
}

/// What the controller is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The reception's details, sent by the agent on each connection (before `Connected`).
    Site(SiteInfo),
    Connected,
    /// The summary sheet could not be drawn, so nothing was sent to print.
    PrintFailed,
    /// The agent is unreachable or went away; the link is retrying.
    Disconnected,
    Agent(AgentMessage),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_never_reaches_a_log_line() {
        let logged = format!("{:?}", Command::MediatorUnlock("2468".into()));
        assert!(!logged.contains("2468"), "{logged}");
        let logged = format!("{:?}", Command::Print { file: "prints/dupont-impots.pdf".into(), copies: 1 });
        assert!(!logged.contains("dupont"), "{logged}");
    }
}
