//! What IT staff send through the fleet and the agent passes on: a message for the attract
//! screen, and new content (procedures and translations), which is switched to only
//! between visits so that nobody's procedure changes under their eyes.
//!
//! A sub-state of the controller (`StaffNews`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::i18n;

#[derive(Debug, Default)]
pub struct StaffNews {
    /// IT staff's message for the attract screen, by language.
    message: BTreeMap<String, String>,
    /// Content pushed by the fleet: the folder in use, and one waiting for the next
    /// attract screen.
    content_folder: Option<PathBuf>,
    pending_content: Option<PathBuf>,
}

impl StaffNews {
    pub fn set_message(&mut self, texts: BTreeMap<String, String>) {
        self.message = texts;
    }

    /// The message in the attract screen's language, else in French: its text and
    /// whether it reads right to left.
    pub fn message_in(&self, lang: &str) -> Option<(String, bool)> {
        let (code, text) = self
            .message
            .get_key_value(lang)
            .or_else(|| self.message.get_key_value("fr"))
            .or_else(|| self.message.iter().next())?;
        let rtl = i18n::language(code).is_some_and(|l| l.rtl);
        Some((text.clone(), rtl))
    }

    /// Each bundle has a folder of its own, so a new folder is new content.
    pub fn content_changed(&mut self, folder: PathBuf) {
        if self.content_folder.as_ref() != Some(&folder) {
            self.pending_content = Some(folder);
        }
    }

    /// The content folder to load now, if one is waiting and `between_visits`.
    pub fn take_reload(&mut self, between_visits: bool) -> Option<PathBuf> {
        if between_visits {
            let folder = self.pending_content.take()?;
            self.content_folder = Some(folder.clone());
            return Some(folder);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_falls_back_to_french_and_content_waits_for_the_visit_to_end() {
        let mut n = StaffNews::default();
        assert_eq!(n.message_in("ar"), None);
        n.set_message([("fr".to_owned(), "Fermé jeudi".to_owned()), ("ar".to_owned(), "مغلق".to_owned())].into());
        assert_eq!(n.message_in("ar"), Some(("مغلق".to_owned(), true)));
        assert_eq!(n.message_in("tr"), Some(("Fermé jeudi".to_owned(), false)));
        n.content_changed(PathBuf::from("/c/1"));
        assert_eq!(n.take_reload(false), None, "not during a visit");
        assert_eq!(n.take_reload(true), Some(PathBuf::from("/c/1")));
        n.content_changed(PathBuf::from("/c/1"));
        assert_eq!(n.take_reload(true), None, "the same folder again is not new");
    }
}
