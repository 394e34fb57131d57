//! Pages of fixed text (about, privacy notice, accessibility statement, open data), written in
//! Markdown per language in `web/content/<lang>/<page>.md`, embedded in the binary and rendered
//! once. The first heading is the page's title.

use std::{collections::HashMap, sync::LazyLock};

use askama::Template;
use poem::{Request, Response, handler, http::StatusCode};

use super::{Chrome, i18n::Lang, render};

/// The pages of fixed text: path (without language prefix) and the Thai and English sources.
pub const PAGES: [(&str, &str, &str); 4] = [
    (
        "/about",
        include_str!("../../../web/content/th/about.md"),
        include_str!("../../../web/content/en/about.md"),
    ),
    (
        "/privacy",
        include_str!("../../../web/content/th/privacy.md"),
        include_str!("../../../web/content/en/privacy.md"),
    ),
    (
        "/accessibility",
        include_str!("../../../web/content/th/accessibility.md"),
        include_str!("../../../web/content/en/accessibility.md"),
    ),
    (
        "/open-data",
        include_str!("../../../web/content/th/open-data.md"),
        include_str!("../../../web/content/en/open-data.md"),
    ),
];

/// A rendered page: its title and its HTML.
struct Rendered {
    title: String,
    html: String,
}

fn render_page(markdown: &str) -> Rendered {
    let title = markdown
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or_default()
        .trim()
        .to_string();
    Rendered {
        title,
        html: domain::markdown::render_html(markdown),
    }
}

static RENDERED: LazyLock<HashMap<(&'static str, &'static str), Rendered>> = LazyLock::new(|| {
    PAGES
        .iter()
        .flat_map(|(path, th, en)| {
            [
                ((*path, "th"), render_page(th)),
                ((*path, "en"), render_page(en)),
            ]
        })
        .collect()
});

#[derive(Template)]
#[template(path = "pages/content.html")]
struct ContentPage<'a> {
    chrome: Chrome,
    html: &'a str,
}

#[handler]
pub async fn show(req: &Request) -> Response {
    let (lang, path) = Lang::of_path(req.uri().path());
    let Some(page) = RENDERED.get(&(path, lang.tag())) else {
        return super::not_found(req);
    };
    let mut chrome = Chrome::new(req, "service-name");
    chrome.title = page.title.clone();
    render(
        req,
        StatusCode::OK,
        ContentPage {
            chrome,
            html: &page.html,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_a_title_in_both_languages() {
        for (path, th, en) in PAGES {
            for source in [th, en] {
                let page = render_page(source);
                assert!(!page.title.is_empty(), "{path}");
                assert!(page.html.contains("<h1>"), "{path}");
            }
        }
    }
}
