//! A published version's text as the draft page shows it, rendered once.
//!
//! A version never changes once published, so its table of contents and provisions (the bulk
//! of a draft page: 25 provisions are about 35 KB of HTML) depend only on the version, the
//! page's language and the consultation open on it (each provision links to comment on it).
//! They are rendered on the first request and kept, within a budget of bytes; the oldest
//! rendered text is forgotten first (and rendered again if asked for).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use super::i18n::Lang;

/// What a rendered text depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextKey {
    /// The `draft_versions` row.
    pub version_id: i64,
    pub lang: Lang,
    /// The consultation open on this version, whose comment form each provision links to.
    pub open_consultation: Option<i64>,
}

/// Rendered texts kept by one server, at most [`RenderedTexts::BUDGET_BYTES`] in all.
#[derive(Default)]
pub struct RenderedTexts {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    texts: HashMap<TextKey, Arc<str>>,
    /// Keys in the order they were kept, oldest first.
    order: VecDeque<TextKey>,
    bytes: usize,
}

impl RenderedTexts {
    /// How many bytes of rendered text are kept at most.
    pub const BUDGET_BYTES: usize = 32 * 1024 * 1024;

    pub fn get(&self, key: &TextKey) -> Option<Arc<str>> {
        self.lock().texts.get(key).cloned()
    }

    /// Keeps `text` for `key`, forgetting the oldest texts beyond the budget. A text larger
    /// than the whole budget is not kept.
    pub fn keep(&self, key: TextKey, text: Arc<str>) {
        if text.len() > Self::BUDGET_BYTES {
            return;
        }
        let mut kept = self.lock();
        let size = text.len();
        if let Some(old) = kept.texts.insert(key, text) {
            // Rendered twice at once: the same text, counted once.
            kept.bytes -= old.len();
        } else {
            kept.order.push_back(key);
        }
        kept.bytes += size;
        while kept.bytes > Self::BUDGET_BYTES {
            let Some(oldest) = kept.order.pop_front() else {
                break;
            };
            if let Some(gone) = kept.texts.remove(&oldest) {
                kept.bytes -= gone.len();
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // Nothing can be left half-done under the lock: a poisoned one is still consistent.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(version_id: i64) -> TextKey {
        TextKey {
            version_id,
            lang: Lang::Th,
            open_consultation: None,
        }
    }

    #[test]
    fn keeps_texts_within_the_budget_forgetting_the_oldest() {
        let texts = RenderedTexts::default();
        let third = RenderedTexts::BUDGET_BYTES / 3 + 1;
        for id in 1..=3 {
            texts.keep(key(id), "x".repeat(third).into());
        }
        assert!(texts.get(&key(1)).is_none(), "the oldest is forgotten");
        assert!(texts.get(&key(2)).is_some() && texts.get(&key(3)).is_some());
        assert!(texts.lock().bytes <= RenderedTexts::BUDGET_BYTES);
        texts.keep(key(3), "y".into());
        assert_eq!(texts.get(&key(3)).as_deref(), Some("y"));
        assert_eq!(texts.lock().bytes, third + 1);
        let english = TextKey {
            lang: Lang::En,
            ..key(2)
        };
        assert!(
            texts.get(&english).is_none(),
            "each language is its own text"
        );
    }
}
