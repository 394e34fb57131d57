//! A published version's text as the draft page shows it, rendered once.
//!
//! A version never changes once published, so its table of contents and provisions (the bulk
//! of a draft page: 25 provisions are about 35 KB of HTML) depend only on the version, the
//! page's language and the consultation open on it (each provision links to comment on it).
//! They are rendered on the first request and kept, within a budget of bytes; the oldest
//! rendered text is forgotten first (and rendered again if asked for).

use std::sync::Arc;

use super::i18n::Lang;
use crate::kept::Kept;

/// What a rendered text depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextKey {
    /// The `draft_versions` row.
    pub version_id: i64,
    pub lang: Lang,
    /// The consultation open on this version, whose comment form each provision links to.
    pub open_consultation: Option<i64>,
}

/// Rendered texts kept by one server, at most [`BUDGET_BYTES`] in all.
pub type RenderedTexts = Kept<TextKey, Arc<str>>;

/// How many bytes of rendered text are kept at most.
pub const BUDGET_BYTES: usize = 32 * 1024 * 1024;

/// An empty store of rendered texts.
pub fn rendered_texts() -> RenderedTexts {
    Kept::new(BUDGET_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_and_open_consultation_is_its_own_text() {
        let texts = rendered_texts();
        let key = TextKey {
            version_id: 1,
            lang: Lang::Th,
            open_consultation: None,
        };
        texts.keep(key, "ไทย".into());
        assert_eq!(texts.get(&key).as_deref(), Some("ไทย"));
        let english = TextKey {
            lang: Lang::En,
            ..key
        };
        assert!(texts.get(&english).is_none());
        let open = TextKey {
            open_consultation: Some(3),
            ..key
        };
        assert!(texts.get(&open).is_none());
    }
}
