//! Procedures and steps by their titles, for the statistics: the counters hold ids
//! (`caf-prime-activite`, `revenus`, `etape-2`), the newest content bundle holds what they
//! are called. Without a bundle the ids are shown.

use std::collections::BTreeMap;

use crate::Fleet;
use crate::bundle::Bundle;

#[derive(Default)]
pub struct Names {
    /// Procedure id → its title and, by the kiosk's step name, each step's title.
    procedures: BTreeMap<String, (String, BTreeMap<String, String>)>,
}

impl Names {
    pub async fn load(fleet: &Fleet) -> Names {
        let Ok(bundles) = fleet.storage.bundles().await else { return Names::default() };
        let Some(newest) = bundles.first() else { return Names::default() };
        let Ok(Some(tar)) = fleet.storage.bundle_tar(newest.id).await else { return Names::default() };
        tokio::task::spawn_blocking(move || Names::from_tar(&tar)).await.unwrap_or_default()
    }

    fn from_tar(tar: &[u8]) -> Names {
        let Ok(bundle) = Bundle::from_tar(tar) else { return Names::default() };
        let mut procedures = BTreeMap::new();
        for (path, data) in &bundle.files {
            let Ok(text) = std::str::from_utf8(data) else { continue };
            let Ok(p) = guichet_content::parse(text, std::path::Path::new(path)) else { continue };
            // The kiosk names a step by its id, else "etape-N" (usage.rs in the kiosk).
            let steps = p
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    (s.id.clone().unwrap_or_else(|| format!("etape-{}", i + 1)), format!("{}. {}", i + 1, s.title))
                })
                .collect();
            procedures.insert(p.id.clone(), (p.title.clone(), steps));
        }
        Names { procedures }
    }

    pub fn procedure(&self, id: &str) -> String {
        self.procedures.get(id).map_or_else(|| id.to_owned(), |(title, _)| title.clone())
    }

    pub fn step(&self, procedure: &str, step: &str) -> String {
        let named = self.procedures.get(procedure).and_then(|(_, steps)| steps.get(step));
        named.cloned().unwrap_or_else(|| if step == "start" { "au tout début".into() } else { step.to_owned() })
    }
}
