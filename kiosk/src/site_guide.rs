//! Following the person on the official site: while the site is open beside the guide,
//! each address the site reaches is matched against the pages the step knows
//! (`[[steps.pages]]` in the procedure), and the guide moves to that page's instruction.
//! On a page it does not know, the guide says so and keeps the last instruction it gave.
//!
//! A sub-state of the controller (`SiteGuide`). It holds no address: only which of the
//! step's pages was matched, since the address itself can carry what the person typed.

use crate::content::Step;

/// What the guide shows beside the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Following {
    /// The site has just opened: the step's own instruction.
    #[default]
    Start,
    /// On page `k` of the step: its instruction.
    Page(usize),
    /// On a page the step does not know; `last` is the page whose instruction stays.
    Unknown { last: Option<usize> },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteGuide {
    open: bool,
    following: Following,
}

impl SiteGuide {
    /// The site opens beside the guide, which starts from the step's instruction.
    pub fn open(&mut self) {
        *self = SiteGuide { open: true, following: Following::Start };
    }

    /// The site closes ("Revenir au guide", another step, the end of the visit).
    pub fn close(&mut self) {
        *self = SiteGuide::default();
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn following(&self) -> Following {
        self.following
    }

    /// The site reached `url`. True when what the guide shows changed, so that it is said;
    /// the same page again (a reload, a new fragment) says nothing new.
    pub fn reached(&mut self, step: &Step, url: &str) -> bool {
        if !self.open {
            return false;
        }
        let next = match step.page_at(url) {
            Some(k) => Following::Page(k),
            None => Following::Unknown { last: self.last_page() },
        };
        let changed = next != self.following;
        self.following = next;
        changed
    }

    /// The instruction the guide shows, in French (the view translates it): the page's,
    /// or the last known page's, or the step's own.
    pub fn instruction<'a>(&self, step: &'a Step) -> &'a str {
        match self.last_page().and_then(|k| step.pages.get(k)) {
            Some(page) => &page.text,
            None => &step.text,
        }
    }

    /// Whether the guide is on a page it does not know, to say so before the instruction.
    pub fn lost(&self) -> bool {
        matches!(self.following, Following::Unknown { .. })
    }

    fn last_page(&self) -> Option<usize> {
        match self.following {
            Following::Page(k) | Following::Unknown { last: Some(k) } => Some(k),
            Following::Start | Following::Unknown { last: None } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Page;

    fn step() -> Step {
        let text = r#"
id = "demo"
organisation = "CAF"
title = "Démo"
summary = "Démo."

[[steps]]
kind = "official_site"
title = "Connectez-vous"
text = "Touchez « Mon Compte »."
url = "https://www.caf.fr"

[[steps]]
kind = "done"
title = "Fini"
text = "Bravo."
"#;
        let mut p = crate::content::parse(text, std::path::Path::new("demo.toml")).unwrap();
        let mut step = p.steps.remove(0);
        step.pages = vec![
            Page { url: "https://connect.caf.fr/connexionappli/*".into(), text: "Connexion.".into() },
            Page { url: "https://wwwd.caf.fr/wps/myportal/caffr/moncompte/*".into(), text: "Compte.".into() },
        ];
        step
    }

    #[test]
    fn the_guide_follows_known_pages_and_keeps_the_last_on_unknown_ones() {
        let step = step();
        let mut g = SiteGuide::default();
        assert!(!g.reached(&step, "https://connect.caf.fr/connexionappli/dist/"), "closed: nothing follows");
        g.open();
        assert_eq!((g.following(), g.instruction(&step)), (Following::Start, "Touchez « Mon Compte »."));
        assert!(g.reached(&step, "https://connect.caf.fr/connexionappli/dist/#/login"));
        assert_eq!((g.following(), g.instruction(&step)), (Following::Page(0), "Connexion."));
        assert!(
            !g.reached(&step, "https://connect.caf.fr/connexionappli/dist/#/aide"),
            "the same page: not said again"
        );
        assert!(g.reached(&step, "https://www.caf.fr/actualites"));
        assert!(g.lost());
        assert_eq!(g.instruction(&step), "Connexion.", "the last instruction stays");
        assert!(!g.reached(&step, "https://www.caf.fr/autre"), "still lost: not said again");
        assert!(g.reached(&step, "https://wwwd.caf.fr/wps/myportal/caffr/moncompte/tableaudebord"));
        assert_eq!((g.following(), g.lost()), (Following::Page(1), false));
        g.close();
        assert_eq!(g, SiteGuide::default());
    }

    #[test]
    fn lost_from_the_start_the_step_instruction_stays() {
        let step = step();
        let mut g = SiteGuide::default();
        g.open();
        assert!(g.reached(&step, "https://www.caf.fr/"));
        assert_eq!(
            (g.following(), g.instruction(&step)),
            (Following::Unknown { last: None }, "Touchez « Mon Compte ».")
        );
        g.open();
        assert_eq!(g.following(), Following::Start, "opened again: from the start");
    }
}
