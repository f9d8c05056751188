//! Languages and translations. French is the source: every string the public sees is
//! written in French and looked up, by its French text, in `content/po/<lang>.po`.
//! The same translated text is shown and spoken, so the two can never disagree.

use std::collections::HashMap;
use std::path::Path;

/// A language the kiosk can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    /// ISO 639-1 code, also the .po file's name.
    pub code: &'static str,
    /// The language's name in itself.
    pub name: &'static str,
    pub rtl: bool,
    /// The speech voice's language tag, as espeak-ng names it through speech-dispatcher.
    pub voice: &'static str,
}

pub const LANGUAGES: &[Language] = &[
    Language { code: "fr", name: "Français", rtl: false, voice: "fr-FR" },
    Language { code: "ar", name: "العربية", rtl: true, voice: "ar" },
    Language { code: "en", name: "English", rtl: false, voice: "en-GB" },
    Language { code: "es", name: "Español", rtl: false, voice: "es" },
    Language { code: "pt", name: "Português", rtl: false, voice: "pt" },
    Language { code: "tr", name: "Türkçe", rtl: false, voice: "tr" },
];

pub fn language(code: &str) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.code == code)
}

/// One language's translations.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub language: &'static Language,
    entries: HashMap<String, String>,
}

impl Catalog {
    /// French: the identity catalog.
    pub fn source() -> Catalog {
        Catalog { language: &LANGUAGES[0], entries: HashMap::new() }
    }

    pub fn load(language: &'static Language, po: &Path) -> Result<Catalog, String> {
        let catalog = polib::po_file::parse(po).map_err(|e| format!("{}: {e}", po.display()))?;
        let entries = catalog
            .messages()
            .filter(|m| m.is_translated() && !m.is_fuzzy() && m.is_singular())
            .filter_map(|m| Some((m.msgid().to_owned(), m.msgstr().ok()?.to_owned())))
            .filter(|(_, s)| !s.is_empty())
            .collect();
        Ok(Catalog { language, entries })
    }

    /// The translation of a French text, or the French itself when there is none (a
    /// test makes sure there always is one before content ships).
    pub fn tr(&self, french: &str) -> String {
        self.entries.get(french).cloned().unwrap_or_else(|| french.to_owned())
    }

    pub fn has(&self, french: &str) -> bool {
        self.language.code == "fr" || self.entries.contains_key(french)
    }

    pub fn msgids(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}

/// Every catalog found under `po_dir`, French first. A language whose file is missing is
/// not offered; one whose file is broken is logged and not offered.
pub fn load_catalogs(po_dir: &Path) -> Vec<Catalog> {
    let mut out = vec![Catalog::source()];
    for lang in &LANGUAGES[1..] {
        let path = po_dir.join(format!("{}.po", lang.code));
        if !path.exists() {
            continue;
        }
        match Catalog::load(lang, &path) {
            Ok(c) => out.push(c),
            Err(e) => tracing::error!(cause = %e, lang = lang.code, "translation file refused"),
        }
    }
    out
}
