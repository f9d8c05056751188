//! Printing a summary: the sheet is drawn into the visit's `prints/` by the kiosk program
//! in a child of its own (`render::summary`), on a thread so that the screen keeps
//! answering, and only then is the agent asked to print it. A sheet that could not be
//! drawn is reported as `Event::PrintFailed`, and nothing is printed.

use std::path::PathBuf;

use crate::agent_link::Link;
use crate::commands::{Command, Event};
use crate::render::summary::render_in_child;
use crate::sheet::{SHEET_FILE, Sheet};

/// How the UI prints a summary sheet.
#[derive(Debug, Clone)]
pub enum SheetPrinting {
    /// Drawn by `kiosk --render-summary` (this program, or the one given), then printed.
    Drawn { kiosk: PathBuf },
    /// Handed to the link as it is, for a walk that answers every command itself.
    Handed,
}

impl Default for SheetPrinting {
    fn default() -> Self {
        SheetPrinting::Drawn { kiosk: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("kiosk")) }
    }
}

impl SheetPrinting {
    pub(super) fn print(&self, link: &Link, folder: PathBuf, sheet: Box<Sheet>) {
        let kiosk = match self {
            SheetPrinting::Handed => return link.send(Command::PrintSummary { folder, sheet }),
            SheetPrinting::Drawn { kiosk } => kiosk.clone(),
        };
        let to_agent = link.clone();
        let spawned = std::thread::Builder::new().name("summary-sheet".into()).spawn(move || {
            let link = to_agent;
            match render_in_child(&kiosk, &sheet, &folder.join(SHEET_FILE)) {
                Ok(()) => link.send(Command::Print { file: SHEET_FILE.into(), copies: 1 }),
                Err(e) => {
                    tracing::error!(error = %e, "the summary sheet was not drawn; nothing printed");
                    link.report(Event::PrintFailed);
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(cause = %e, "cannot start drawing the summary sheet");
            link.report(Event::PrintFailed);
        }
    }
}
