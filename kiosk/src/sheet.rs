//! The printed summary of a visit, as data: everything printed, already translated. The
//! controller fills it (`Controller::summary_sheet`), `render::summary` draws it.

use serde::{Deserialize, Serialize};

/// Where the sheet goes in the session folder, and what the agent is asked to print.
pub const SHEET_FILE: &str = "prints/resume.jpg";

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
