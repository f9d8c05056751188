//! What the public sees: procedures and translations, re-exported from `guichet-content`.
pub use guichet_content::*;
