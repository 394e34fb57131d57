//! The site's two languages and their messages (Fluent files in `web/locales`, embedded in the
//! binary). Thai is served at `/...`, English at `/en/...`, with the same paths after that.

use std::sync::LazyLock;

use poem::i18n::{I18NBundle, I18NResources, unic_langid::LanguageIdentifier};

/// The messages of each language, as Fluent source.
pub const LOCALES: [(Lang, &str); 2] = [
    (Lang::Th, include_str!("../../../web/locales/th/main.ftl")),
    (Lang::En, include_str!("../../../web/locales/en/main.ftl")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Th,
    En,
}

impl Lang {
    /// The BCP 47 tag, for `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Th => Lang::En,
            Lang::En => Lang::Th,
        }
    }

    /// The path prefix of the language's pages: none for Thai, `/en` for English.
    pub fn prefix(self) -> &'static str {
        match self {
            Lang::Th => "",
            Lang::En => "/en",
        }
    }

    /// The language of a request path, and the path without the language's prefix.
    pub fn of_path(path: &str) -> (Lang, &str) {
        match path.strip_prefix("/en") {
            Some("") => (Lang::En, "/"),
            Some(rest) if rest.starts_with('/') => (Lang::En, rest),
            _ => (Lang::Th, path),
        }
    }

    /// A site path (starting with `/`) in this language.
    pub fn href(self, path: &str) -> String {
        match (self, path) {
            (Lang::En, "/") => "/en".to_string(),
            _ => format!("{}{path}", self.prefix()),
        }
    }

    pub fn messages(self) -> Messages {
        static RESOURCES: LazyLock<I18NResources> = LazyLock::new(|| {
            LOCALES
                .iter()
                .fold(I18NResources::builder(), |b, (lang, ftl)| {
                    b.add_ftl(lang.tag(), *ftl)
                })
                .default_language(Lang::Th.id())
                .build()
                .expect("the embedded Fluent files parse (a test checks)")
        });
        Messages {
            bundle: RESOURCES.negotiate_languages(&[self.id()]),
        }
    }

    fn id(self) -> LanguageIdentifier {
        self.tag().parse().expect("a valid language tag")
    }
}

/// Fluent wraps each argument in Unicode isolation marks (U+2068, U+2069) for right-to-left
/// scripts. Thai and English are both left-to-right, and the marks would only get in the way
/// of copying, searching and screen readers, so they are dropped.
fn plain(text: String) -> String {
    if text.contains(['\u{2068}', '\u{2069}']) {
        text.replace(['\u{2068}', '\u{2069}'], "")
    } else {
        text
    }
}

/// The messages of one language, for templates: `{{ t.get("key") }}`.
pub struct Messages {
    bundle: I18NBundle,
}

impl Messages {
    /// The message `key`; the key itself if it is missing (a test keeps both files complete).
    pub fn get(&self, key: &str) -> String {
        self.bundle.text(key).unwrap_or_else(|_| key.to_string())
    }

    /// The message `key` with one argument.
    pub fn with(&self, key: &str, name: &str, value: impl ToString) -> String {
        self.bundle
            .text_with_args(key, ((name.to_string(), value.to_string()),))
            .map(plain)
            .unwrap_or_else(|_| key.to_string())
    }

    /// The message `key` with one number argument (for plural forms).
    pub fn count(&self, key: &str, name: &str, value: impl super::Number) -> String {
        self.bundle
            .text_with_args(key, ((name.to_string(), value.get()),))
            .map(plain)
            .unwrap_or_else(|_| key.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ftl: &str) -> std::collections::BTreeSet<String> {
        ftl.lines()
            .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next())
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect()
    }

    #[test]
    fn no_message_is_defined_twice() {
        for (lang, ftl) in LOCALES {
            let mut seen = std::collections::BTreeSet::new();
            for line in ftl
                .lines()
                .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
            {
                let key = line.split(" =").next().unwrap_or_default().trim();
                assert!(seen.insert(key), "{key} is defined twice in {}", lang.tag());
            }
        }
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        let th = keys(LOCALES[0].1);
        let en = keys(LOCALES[1].1);
        assert!(th.len() > 50, "keys were read: {th:?}");
        let only_th: Vec<_> = th.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&th).collect();
        assert!(
            only_th.is_empty() && only_en.is_empty(),
            "missing in English: {only_th:?}; missing in Thai: {only_en:?}"
        );
    }

    #[test]
    fn both_files_parse_and_plurals_work() {
        let en = Lang::En.messages();
        assert_eq!(en.get("nav-search"), "Search");
        assert!(en.count("days-left", "days", 1).contains("1 day left"));
        assert_eq!(en.count("days-left", "days", 3), "3 days left");
        assert_eq!(
            en.with("closes-on", "date", "1 May 2026"),
            "Closes 1 May 2026"
        );
        let th = Lang::Th.messages();
        assert_eq!(th.get("nav-search"), "ค้นหา");
        assert!(th.count("days-left", "days", 3).contains("เหลืออีก"));
        assert!(th.count("days-left", "days", 0).contains("ปิดรับวันนี้"));
    }

    #[test]
    fn paths_carry_the_language() {
        assert_eq!(Lang::of_path("/en"), (Lang::En, "/"));
        assert_eq!(Lang::of_path("/en/drafts/3"), (Lang::En, "/drafts/3"));
        assert_eq!(Lang::of_path("/drafts/3"), (Lang::Th, "/drafts/3"));
        assert_eq!(Lang::of_path("/english"), (Lang::Th, "/english"));
        assert_eq!(Lang::En.href("/"), "/en");
        assert_eq!(Lang::Th.href("/drafts/3"), "/drafts/3");
        assert_eq!(Lang::En.href("/drafts/3"), "/en/drafts/3");
    }
}
