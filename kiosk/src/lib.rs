//! The Guichet kiosk: the touchscreen UI a member of the public uses.
//!
//! It runs unprivileged and never touches a device, a printer, a scanner or the network:
//! every privileged act is a request to the agent (`agent_link`). It must never log what a
//! person types or the documents they bring.

pub mod agent_link;
pub mod asking_help;
pub mod checklist;
pub mod commands;
pub mod content;
pub mod controller;
pub mod find_procedure;
pub mod i18n;
pub mod idle;
pub mod on_screen;
pub mod phrases;
pub mod print_pages;
pub mod qr;
pub mod render;
pub mod scan_pages;
pub mod sheet;
pub mod site_guide;
pub mod speech;
pub mod ssip;
pub mod staff;
pub mod statistics;
pub mod texts;
pub mod ui;
pub mod view;
pub mod walk;

use std::path::{Path, PathBuf};

slint::include_modules!();

/// What the kiosk shows: procedures and translations, loaded from the content folder.
pub struct Assets {
    pub procedures: Vec<content::Procedure>,
    pub catalogs: Vec<i18n::Catalog>,
}

impl Assets {
    /// Loads `dir/procedures/*.toml` and `dir/po/*.po`. A refused procedure is logged
    /// with its file, line and field; the others still load.
    pub fn load(dir: &Path) -> Assets {
        let (procedures, errors) = content::load_dir(&dir.join("procedures"));
        for e in &errors {
            tracing::error!(error = %e, "procedure refused");
        }
        Assets { procedures, catalogs: i18n::load_catalogs(&dir.join("po")) }
    }
}

/// The content folder: the installed one on a device, else the source tree's.
pub fn default_content_dir() -> PathBuf {
    let installed = PathBuf::from("/usr/share/guichet/content");
    if installed.is_dir() { installed } else { PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../content")) }
}
