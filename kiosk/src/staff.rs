//! What IT staff send through the fleet and the agent passes on: a message for the attract
//! screen, and new content (procedures and translations), which is switched to only
//! between visits so that nobody's procedure changes under their eyes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::controller::{Controller, Screen};
use crate::i18n::{self, Catalog};

impl Controller {
    pub(crate) fn set_staff_message(&mut self, texts: BTreeMap<String, String>) {
        self.staff_message = texts;
    }

    /// The message in the attract screen's language, else in French: its text and
    /// whether it reads right to left.
    pub(crate) fn staff_message_shown(&self, lang: &str) -> Option<(String, bool)> {
        let (code, text) = self
            .staff_message
            .get_key_value(lang)
            .or_else(|| self.staff_message.get_key_value("fr"))
            .or_else(|| self.staff_message.iter().next())?;
        let rtl = i18n::language(code).is_some_and(|l| l.rtl);
        Some((text.clone(), rtl))
    }

    /// Each bundle has a folder of its own, so a new folder is new content.
    pub(crate) fn content_changed(&mut self, folder: PathBuf) {
        if self.content_folder.as_ref() != Some(&folder) {
            self.pending_content = Some(folder);
        }
    }

    /// The content folder to load now, if one is waiting and no visit is on.
    pub fn take_content_reload(&mut self) -> Option<PathBuf> {
        if matches!(self.screen, Screen::Attract | Screen::OutOfService) && !self.busy {
            let folder = self.pending_content.take()?;
            self.content_folder = Some(folder.clone());
            return Some(folder);
        }
        None
    }

    /// Shows new procedures and translations; French first again.
    pub fn replace_content(&mut self, procedures: Vec<crate::content::Procedure>, catalogs: Vec<Catalog>) {
        self.replace_procedures(procedures);
        self.catalogs = if catalogs.is_empty() { vec![Catalog::source()] } else { catalogs };
        self.lang = 0;
        self.attract_index = 0;
    }
}
