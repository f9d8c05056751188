//! Finding a procedure, as the person does it: a few letters typed on the on-screen
//! keyboard. A sub-state of the controller (`Search`): it is given the procedures and the
//! translation on screen, and knows nothing else of the controller.
//!
//! People type the way they say it: without accents, with a letter missing or doubled,
//! "caf" for the CAF, "vital" for carte Vitale. So both the query and the procedures are
//! folded (lower case, no accents), each word typed must start a word of the procedure,
//! and a word of five letters or more may be one typo away. The procedure's words are
//! taken in French and in the language on screen: someone reading Arabic may still type
//! "ameli", the name on the letters they receive.

use unicode_normalization::UnicodeNormalization;

use crate::content::Procedure;
use crate::texts as t;

/// The longest query kept: enough for any procedure's name, short enough for one line.
const MAX_QUERY: usize = 40;

/// The keyboard that is open over the home screen, and what has been typed on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keyboard {
    pub text: String,
    /// The digits pad instead of the letters.
    pub digits: bool,
}

/// Lower case, accents and Arabic vowel marks removed, ı and ß and œ spelt out, and
/// anything that is not a letter or digit turned into a space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            'ı' | 'İ' => out.push('i'),
            'ß' => out.push_str("ss"),
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => out.push(' '),
        }
    }
    out
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
}

/// Whether the typed word `typed` finds the procedure word `word`.
fn word_matches(typed: &str, word: &str) -> bool {
    if word.starts_with(typed) {
        return true;
    }
    // One slip allowed in longer words, against the start of the word of the same length
    // (give or take the slip), so "vitalle" finds "vitale" and "alocation" "allocation".
    let n = typed.chars().count();
    if n < 5 {
        return false;
    }
    let head: String = word.chars().take(n).collect();
    let head_longer: String = word.chars().take(n + 1).collect();
    let head_shorter: String = word.chars().take(n - 1).collect();
    [head, head_longer, head_shorter].iter().any(|h| strsim::damerau_levenshtein(typed, h) <= 1)
}

/// Whether every word of `query` (already folded) finds a word of `haystack` (folded).
pub fn matches(query: &str, haystack: &str) -> bool {
    let mut typed = words(query).peekable();
    typed.peek().is_some() && typed.all(|t| words(haystack).any(|w| word_matches(t, w)))
}

/// Everything a person might search a procedure by, folded, in French and in `tr`'s language.
fn haystack(p: &Procedure, tr: &dyn Fn(&str) -> String) -> String {
    let french = [p.organisation.as_str(), p.title.as_str(), p.summary.as_str()];
    let mut all: Vec<String> = french.iter().map(|s| fold(s)).collect();
    all.extend(french.iter().map(|s| fold(&tr(s))));
    all.push(fold(&p.id));
    all.join(" ")
}

/// The keyboard overlay, translated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyboardView {
    pub title: String,
    pub text: String,
    /// "Démarches trouvées : 3", or that none was found.
    pub found: String,
    pub digits: bool,
    pub show: String,
    pub cancel: String,
    pub space: String,
    pub erase: String,
    /// Names spoken for the keys that show a sign rather than a word.
    pub to_digits: String,
    pub to_letters: String,
    pub apostrophe: String,
    pub dash: String,
}

/// The search: what the home screen is narrowed to, and the keyboard while it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// What the home screen's list is narrowed to ("" lists every procedure).
    query: String,
    keyboard: Option<Keyboard>,
}

impl Search {
    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn keyboard(&self) -> Option<&Keyboard> {
        self.keyboard.as_ref()
    }

    /// The procedures of `procedures` that `query` finds, in French and in `tr`'s language:
    /// all of them when nothing is typed.
    fn found(query: &str, procedures: &[Procedure], tr: &dyn Fn(&str) -> String) -> Vec<usize> {
        let query = fold(query);
        if query.trim().is_empty() {
            return (0..procedures.len()).collect();
        }
        (procedures.iter().enumerate()).filter(|(_, p)| matches(&query, &haystack(p, tr))).map(|(i, _)| i).collect()
    }

    /// The procedures the home screen lists: all of them, or those the search found.
    pub fn listed(&self, procedures: &[Procedure], tr: &dyn Fn(&str) -> String) -> Vec<usize> {
        Search::found(&self.query, procedures, tr)
    }

    /// How many procedures what is typed on the keyboard would list.
    pub fn keyboard_found(&self, procedures: &[Procedure], tr: &dyn Fn(&str) -> String) -> Option<usize> {
        self.keyboard.as_ref().map(|k| Search::found(&k.text, procedures, tr).len())
    }

    pub fn keyboard_view(&self, procedures: &[Procedure], tr: &dyn Fn(&str) -> String) -> Option<KeyboardView> {
        let k = self.keyboard.as_ref()?;
        let found = Search::found(&k.text, procedures, tr).len();
        Some(KeyboardView {
            title: tr(t::SEARCH_TITLE),
            text: k.text.clone(),
            found: if k.text.trim().is_empty() {
                String::new()
            } else if found == 0 {
                tr(t::SEARCH_NONE)
            } else {
                tr(t::SEARCH_FOUND).replace("{n}", &found.to_string())
            },
            digits: k.digits,
            show: tr(t::SEARCH_SHOW),
            cancel: tr(t::SEARCH_CANCEL),
            space: tr(t::KEY_SPACE),
            erase: tr(t::KEY_ERASE),
            to_digits: tr(t::KEY_DIGITS),
            to_letters: tr(t::KEY_LETTERS),
            apostrophe: tr(t::KEY_APOSTROPHE),
            dash: tr(t::KEY_DASH),
        })
    }

    /// "Search" on the home screen: the keyboard, holding the current search.
    pub fn open(&mut self) {
        self.keyboard = Some(Keyboard { text: self.query.clone(), digits: false });
    }

    pub fn key(&mut self, key: &str) {
        if let Some(k) = &mut self.keyboard {
            let wanted = if key == " " { key.to_owned() } else { key.trim().to_owned() };
            if wanted.chars().count() == 1 && k.text.chars().count() < MAX_QUERY {
                // Two spaces in a row, or one at the start, type nothing.
                if !(wanted == " " && (k.text.is_empty() || k.text.ends_with(' '))) {
                    k.text.push_str(&wanted);
                }
            }
        }
    }

    pub fn erase(&mut self) {
        if let Some(k) = &mut self.keyboard {
            k.text.pop();
        }
    }

    pub fn toggle_digits(&mut self) {
        if let Some(k) = &mut self.keyboard {
            k.digits = !k.digits;
        }
    }

    /// "See the procedures": the home screen lists what the search found.
    pub fn done(&mut self) {
        if let Some(k) = self.keyboard.take() {
            self.query = k.text.trim().to_owned();
        }
    }

    /// "Cancel" on the keyboard: the search is as it was.
    pub fn cancel(&mut self) {
        self.keyboard = None;
    }

    /// "All the procedures": the search is cleared.
    pub fn clear(&mut self) {
        self.query.clear();
    }

    /// The visit ended, or the procedures changed: nothing typed is kept.
    pub fn reset(&mut self) {
        *self = Search::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_case_and_punctuation() {
        assert_eq!(fold("Déclaration trimestrielle (RSA)"), "declaration trimestrielle  rsa ");
        assert_eq!(fold("Chèque énergie"), "cheque energie");
        assert_eq!(fold("KIMLIK KARTI ıİ"), "kimlik karti ii");
        assert_eq!(fold("Œuvre"), "oeuvre");
        // Arabic vowel marks go; the letters stay.
        assert_eq!(fold("بِطَاقَة"), "بطاقة");
    }

    #[test]
    fn every_typed_word_must_start_a_word_of_the_procedure() {
        let hay = fold("Ameli Carte Vitale perdue ou volée");
        assert!(matches("vitale", &hay));
        assert!(matches("vit", &hay));
        assert!(matches("carte vol", &hay));
        assert!(!matches("carte grise", &hay));
        assert!(!matches("tale", &hay), "inside a word is not a start");
        assert!(!matches("", &hay), "nothing typed finds nothing here; the list shows all");
    }

    #[test]
    fn one_slip_is_forgiven_in_longer_words_only() {
        let hay = fold("Demander une allocation logement à la CAF");
        assert!(matches("alocation", &hay), "a letter missing");
        assert!(matches("allocatoin", &hay), "two letters swapped");
        assert!(matches("logemant", &hay), "a wrong letter");
        assert!(!matches("cag", &hay), "short words must be typed right");
        assert!(!matches("alloktion", &hay), "two slips are too many");
    }

    #[test]
    fn the_keyboard_types_one_character_at_a_time_and_keeps_nothing_after_a_visit() {
        let mut s = Search::default();
        s.key("a");
        assert_eq!(s.keyboard(), None, "no keyboard, no typing");
        s.open();
        for k in [" ", "c", "a", "f", " ", " ", "ab", "\n"] {
            s.key(k);
        }
        assert_eq!(s.keyboard().unwrap().text, "caf ", "no leading or double space, one character a key");
        s.erase();
        s.done();
        assert_eq!(s.query(), "caf");
        s.open();
        s.key("x");
        s.cancel();
        assert_eq!(s.query(), "caf", "cancel keeps the search as it was");
        s.reset();
        assert_eq!(s, Search::default());
    }
}
