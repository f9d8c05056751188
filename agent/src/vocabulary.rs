//! The names a kiosk may use in anonymous counts and heartbeats: the procedures and steps
//! of the content in use, the languages it is translated into, and the kiosk's screens.
//! Anything else is refused and never counted. A name is an id only if it is one of
//! these: otherwise a compromised kiosk could pass a word someone typed ("dupont1970")
//! through the counters into the store and the fleet's statistics.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use guichet_protocol::UsageEvent;

use guichet_protocol::KIOSK_SCREENS;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    /// Each procedure's id, with its steps' names (their `id`, else `etape-N`).
    procedures: BTreeMap<String, BTreeSet<String>>,
    languages: BTreeSet<String>,
}

impl Vocabulary {
    /// What the content folder `dir` holds (`procedures/*.toml`, `po/*.po`); French is the
    /// source language and always there.
    pub fn load(dir: &Path) -> Vocabulary {
        let (procedures, _errors) = guichet_content::load_dir(&dir.join("procedures"));
        let procedures = (procedures.into_iter())
            .map(|p| {
                let steps = (p.steps.iter().enumerate())
                    .map(|(i, s)| s.id.clone().unwrap_or_else(|| format!("etape-{}", i + 1)))
                    .collect();
                (p.id, steps)
            })
            .collect();
        let mut languages: BTreeSet<String> = std::fs::read_dir(dir.join("po"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.strip_suffix(".po").map(str::to_owned))
            .collect();
        languages.insert("fr".into());
        Vocabulary { procedures, languages }
    }

    /// Whether every name `event` carries is one of the content's.
    pub fn allows(&self, event: &UsageEvent) -> bool {
        match event {
            UsageEvent::ProcedureStarted { procedure } | UsageEvent::ProcedureCompleted { procedure } => {
                self.procedures.contains_key(procedure)
            }
            UsageEvent::StepReached { procedure, step } => {
                self.procedures.get(procedure).is_some_and(|s| s.contains(step))
            }
            UsageEvent::Language { language } => self.languages.contains(language),
        }
    }

    pub fn procedures(&self) -> usize {
        self.procedures.len()
    }
}

/// A screen's name as the kiosk sent it, if it is one the kiosk has.
pub fn screen(name: &str) -> &'static str {
    KIOSK_SCREENS.iter().find(|s| **s == name).copied().unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Vocabulary {
        Vocabulary::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"))
    }

    #[test]
    fn only_the_contents_own_names_are_counted() {
        let v = shipped();
        assert!(v.procedures() >= 12, "the shipped procedures are known");
        let (id, step) = v
            .procedures
            .iter()
            .find(|(_, s)| !s.is_empty())
            .map(|(p, s)| (p.clone(), s.first().cloned().unwrap()))
            .unwrap();
        assert!(v.allows(&UsageEvent::ProcedureStarted { procedure: id.clone() }));
        assert!(v.allows(&UsageEvent::StepReached { procedure: id.clone(), step }));
        assert!(v.allows(&UsageEvent::Language { language: "ar".into() }));
        assert!(v.allows(&UsageEvent::Language { language: "fr".into() }));
        // What a person might have typed, in the shape of an id.
        for smuggled in ["dupont1970", "jean-dupont", "1850775123456"] {
            assert!(!v.allows(&UsageEvent::ProcedureStarted { procedure: smuggled.into() }));
            assert!(!v.allows(&UsageEvent::StepReached { procedure: id.clone(), step: smuggled.into() }));
            assert!(!v.allows(&UsageEvent::Language { language: smuggled.into() }));
        }
        assert_eq!(screen("home"), "home");
        assert_eq!(screen("dupont1970"), "unknown");
    }
}
