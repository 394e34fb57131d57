//! Markdown → sanitised HTML for draft-law bodies and comments.
//!
//! Rendering is two-stage: `pulldown-cmark` (CommonMark + tables +
//! strikethrough; footnotes, math, etc. stay off) turns markdown into HTML,
//! then `ammonia` (its default allow-list) sanitises the result. Raw HTML
//! written in the markdown is passed through `pulldown-cmark` untouched and is
//! therefore always cleaned by `ammonia` like everything else: no `<script>`,
//! no `on*` handlers, no `style`, no `javascript:`/`data:` URLs survive, and
//! every link gets `rel="noopener noreferrer"`.
//!
//! # Images from our own origin only
//!
//! An image loads when the page is read, so an image on another host would tell that host who
//! reads which draft. Only relative image URLs (no scheme, no `//host`) are kept. A markdown
//! image with any other address is rendered as its alt text; a raw HTML `<img>` with one loses
//! its `src` (the browser then shows its `alt`). Browsers treat `\` like `/` and ignore tabs
//! and line breaks inside URLs, so `/\host` and `/<tab>/host` count as other hosts too.
//!
//! # Hostile input
//!
//! Neither crate recurses on the call stack (pulldown-cmark keeps an explicit
//! tree, ammonia/html5ever walk and drop the DOM iteratively), so deep input
//! cannot overflow the stack. html5ever's tree builder is however quadratic
//! in the depth of the open-element stack (several insertion steps scan the
//! whole stack), so 50 000 nested `>` quotes took over a minute to sanitise.
//! Two caps bound that depth before HTML is produced:
//!
//! * [`MAX_NESTING_DEPTH`]: the pulldown-cmark event stream is filtered, and
//!   `Start`/`End` tags nested deeper than the cap are dropped while their
//!   text is kept (flattened into the deepest allowed element). Ordinary
//!   documents never come near the cap.
//! * [`MAX_RAW_HTML_TAGS`]: raw HTML in the markdown can nest elements too
//!   (`<div><div>…`). Each raw HTML fragment's opening tags are counted
//!   (conservatively: every `<letter…` that is not a void element), and once a
//!   document has used its budget, further raw HTML fragments are rendered as
//!   escaped text instead of markup.
//!
//! Size is not limited here: callers validate bodies against
//! [`MAX_BODY_BYTES`] before storing them.

use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Largest markdown body (in bytes) the platform accepts.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// Deepest markdown element nesting (block quotes, lists, emphasis, links…)
/// rendered as markup; deeper elements are flattened into their text.
pub const MAX_NESTING_DEPTH: usize = 32;

/// Number of opening tags raw HTML may contribute to one document before
/// further raw HTML is shown as escaped text.
pub const MAX_RAW_HTML_TAGS: usize = 2_000;

/// The markdown dialect used for rendering and for provision parsing.
pub(crate) fn parser_options() -> Options {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options
}

/// Renders markdown to sanitised HTML that is safe to embed in a page.
pub fn render_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, parser_options());
    let mut images = Vec::new();
    let events =
        NestingLimiter::new(parser).filter_map(move |e| drop_foreign_images(&mut images, e));
    let mut unsafe_html = String::with_capacity(markdown.len().saturating_mul(3) / 2);
    pulldown_cmark::html::push_html(&mut unsafe_html, events);
    SANITIZER.clean(&unsafe_html).to_string()
}

/// Built once: constructing an ammonia builder allocates its allow-lists.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    // `rel` is ammonia's default and the schemes are a subset of its default
    // list; both are spelled out so the guarantees in the module doc do not
    // depend on upstream defaults.
    builder
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") => local_image_url(value).map(Into::into),
            _ => Some(value.into()),
        });
    builder
});

/// An image address that stays on our origin, as the browser will read it (tabs and line
/// breaks removed), or `None` for anything that could reach another host.
fn local_image_url(url: &str) -> Option<String> {
    let url: String = url
        .trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control())
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let mut start = url.chars().take(2);
    let slash = |c: Option<char>| matches!(c, Some('/' | '\\'));
    if url.is_empty() || (slash(start.next()) && slash(start.next())) {
        return None;
    }
    // A scheme is letters, digits, `+`, `-` or `.` followed by `:` before any `/`, `?` or `#`.
    let head = url.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    if head.contains(':') {
        return None;
    }
    Some(url)
}

/// Markdown images whose address is not local are replaced by their alt text: the text events
/// between the image's start and end are kept, the image itself is dropped. `open` records, for
/// each image being rendered, whether it was dropped (an image's alt text can hold another).
fn drop_foreign_images<'a>(open: &mut Vec<bool>, event: Event<'a>) -> Option<Event<'a>> {
    match &event {
        Event::Start(Tag::Image { dest_url, .. }) => {
            let dropped = local_image_url(dest_url).is_none();
            open.push(dropped);
            (!dropped).then_some(event)
        }
        Event::End(TagEnd::Image) => (!open.pop().unwrap_or(false)).then_some(event),
        _ => Some(event),
    }
}

/// Event filter enforcing [`MAX_NESTING_DEPTH`] and [`MAX_RAW_HTML_TAGS`].
struct NestingLimiter<'a, I: Iterator<Item = Event<'a>>> {
    inner: I,
    depth: usize,
    raw_tags_left: usize,
}

impl<'a, I: Iterator<Item = Event<'a>>> NestingLimiter<'a, I> {
    fn new(inner: I) -> Self {
        Self {
            inner,
            depth: 0,
            raw_tags_left: MAX_RAW_HTML_TAGS,
        }
    }

    fn admit_raw_html(&mut self, html: &str) -> bool {
        let tags = count_opening_tags(html);
        match self.raw_tags_left.checked_sub(tags) {
            Some(left) => {
                self.raw_tags_left = left;
                true
            }
            None => {
                self.raw_tags_left = 0;
                false
            }
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for NestingLimiter<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let event = self.inner.next()?;
            match event {
                // pulldown-cmark's events are balanced, so an element and its
                // end tag are always seen at the same depth.
                Event::Start(_) => {
                    self.depth += 1;
                    if self.depth <= MAX_NESTING_DEPTH {
                        return Some(event);
                    }
                }
                Event::End(_) => {
                    let keep = self.depth <= MAX_NESTING_DEPTH;
                    self.depth = self.depth.saturating_sub(1);
                    if keep {
                        return Some(event);
                    }
                }
                Event::Html(html) => {
                    return Some(if self.admit_raw_html(&html) {
                        Event::Html(html)
                    } else {
                        Event::Text(html)
                    });
                }
                Event::InlineHtml(html) => {
                    return Some(if self.admit_raw_html(&html) {
                        Event::InlineHtml(html)
                    } else {
                        Event::Text(html)
                    });
                }
                other => return Some(other),
            }
        }
    }
}

/// Counts `<name` sequences that could open an element in an HTML parser.
/// Over-counts (e.g. inside attribute values), never under-counts.
fn count_opening_tags(html: &str) -> usize {
    const VOID: [&str; 14] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    let bytes = html.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() {
        let opens = bytes[i] == b'<' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
        if !opens {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            end += 1;
        }
        let name = &bytes[start..end];
        if !VOID.iter().any(|v| v.as_bytes().eq_ignore_ascii_case(name)) {
            count += 1;
        }
        i = end;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks every tag in sanitised output (text is escaped by ammonia, so
    /// words like "javascript:" may legitimately appear as text).
    fn assert_safe(html: &str) {
        let lower = html.to_ascii_lowercase();
        let mut rest = lower.as_str();
        while let Some(open) = rest.find('<') {
            let tag_end = rest[open..].find('>').map_or(rest.len(), |e| open + e);
            let tag = &rest[open..tag_end];
            for bad in [
                "<script", "<iframe", "<svg", "<math", "<object", "<embed", "<style", "<form",
            ] {
                assert!(!tag.starts_with(bad), "{bad:?} survived in {html:?}");
            }
            for bad in ["javascript:", "data:", "style="] {
                assert!(!tag.contains(bad), "{bad:?} survived in {html:?}");
            }
            for attr in tag.split(|c: char| c.is_ascii_whitespace()).skip(1) {
                assert!(
                    !attr.starts_with("on"),
                    "handler {attr:?} survived in {html:?}"
                );
            }
            rest = &rest[tag_end..];
        }
    }

    #[test]
    fn renders_basic_markdown() {
        let html = render_html("# หัวข้อ\n\n**มาตรา ๕** ผู้ใด _ฝ่าฝืน_ ~~เดิม~~\n\n- ๑\n- ๒\n");
        assert!(html.contains("<h1>หัวข้อ</h1>"), "{html}");
        assert!(html.contains("<strong>มาตรา ๕</strong>"), "{html}");
        assert!(html.contains("<em>ฝ่าฝืน</em>"), "{html}");
        assert!(html.contains("<del>เดิม</del>"), "{html}");
        assert!(html.contains("<li>๑</li>"), "{html}");
    }

    #[test]
    fn renders_tables_without_style() {
        let html = render_html("| a | b |\n|:--|--:|\n| 1 | 2 |\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<td>1</td>"), "{html}");
        assert_safe(&html);
    }

    #[test]
    fn footnotes_are_off() {
        let html = render_html("text[^1]\n\n[^1]: note\n");
        assert!(!html.contains("footnote"), "{html}");
    }

    #[test]
    fn strips_script_tags() {
        let html = render_html("hi <script>alert(1)</script>\n\n<script>\nalert(2)\n</script>\n");
        assert_safe(&html);
        assert!(html.contains("hi"), "{html}");
    }

    #[test]
    fn strips_event_handlers_on_img() {
        let html = render_html("<img src=x onerror=alert(1)>");
        assert_safe(&html);
        assert!(!html.contains("onerror"), "{html}");
        assert!(html.contains("<img src=\"x\">"), "{html}");
    }

    #[test]
    fn keeps_images_of_our_own_origin() {
        for md in [
            "![map](/static/map.png)",
            "![map](static/map.png)",
            "![map](../map.png?x=1#y)",
            "<img src=\"/static/map.png\" alt=\"map\">",
        ] {
            let html = render_html(md);
            assert_safe(&html);
            assert!(html.contains("src=\""), "{md} -> {html}");
            assert!(html.contains("map.png"), "{md} -> {html}");
        }
    }

    #[test]
    fn markdown_images_of_other_hosts_become_their_alt_text() {
        for md in [
            "![แผนที่ map](https://tracker.example/pixel.png)",
            "![แผนที่ map](http://tracker.example/pixel.png \"t\")",
            "![แผนที่ map](//tracker.example/pixel.png)",
            "![แผนที่ map](/\\tracker.example/pixel.png)",
            "![แผนที่ map](ftp://tracker.example/pixel.png)",
        ] {
            let html = render_html(md);
            assert_safe(&html);
            assert!(!html.contains("<img"), "{md} -> {html}");
            assert!(!html.contains("tracker"), "{md} -> {html}");
            assert!(html.contains("แผนที่ map"), "{md} -> {html}");
        }
        // A local image inside the alt text of a foreign one, and the reverse.
        let html = render_html(
            "![a ![b](/b.png) c](https://x.example/a.png) ![d ![e](https://y.example/e.png)](/d.png)",
        );
        assert!(!html.contains("example"), "{html}");
        assert!(html.contains("src=\"/d.png\""), "{html}");
    }

    #[test]
    fn raw_html_images_of_other_hosts_lose_their_source() {
        for md in [
            "<img src=\"https://tracker.example/p.png\" alt=\"logo\">",
            "<img src=\"//tracker.example/p.png\" alt=\"logo\">",
            "<img src=\"/\\tracker.example/p.png\" alt=\"logo\">",
            "<img src=\"/&#9;/tracker.example/p.png\" alt=\"logo\">",
            "<img src=\" https://tracker.example/p.png\" alt=\"logo\">",
            "<img src=\"HTTPS://tracker.example/p.png\" alt=\"logo\">",
        ] {
            let html = render_html(md);
            assert_safe(&html);
            assert!(!html.contains("tracker"), "{md} -> {html}");
            assert!(html.contains("alt=\"logo\""), "{md} -> {html}");
        }
    }

    #[test]
    fn strips_javascript_markdown_links() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](JAVASCRIPT:alert(1))",
            "[x](jav&#x09;ascript:alert(1))",
            "[x](  javascript:alert(1) )",
            "<javascript:alert(1)>",
            "![x](javascript:alert(1))",
            "[x][r]\n\n[r]: javascript:alert(1)",
        ] {
            let html = render_html(md);
            assert_safe(&html);
            for attr in ["href=\"", "src=\""] {
                for value in html.split(attr).skip(1) {
                    let value: String = value
                        .chars()
                        .take_while(|c| *c != '"')
                        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    // "jav%09ascript:" is a harmless relative URL for browsers.
                    assert!(!value.starts_with("javascript:"), "{md}: {html}");
                }
            }
        }
    }

    #[test]
    fn strips_mixed_case_javascript_in_raw_links() {
        let html = render_html("<a href=\"JaVaScRiPt:alert(1)\">x</a>");
        assert_safe(&html);
        assert!(html.contains(">x</a>"), "{html}");
    }

    #[test]
    fn strips_data_urls() {
        let html = render_html(
            "[x](data:text/html;base64,PHNjcmlwdD4=)\n\n<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
        );
        assert_safe(&html);
    }

    #[test]
    fn strips_iframes_svg_and_styles() {
        for md in [
            "<iframe src=\"https://evil.example\"></iframe>",
            "<svg onload=alert(1)><circle r=1 /></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<span style=color:red>x</span>",
            "<style>body{display:none}</style>",
            "<div onclick=\"alert(1)\" onmouseover='x'>x</div>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        ] {
            assert_safe(&render_html(md));
        }
    }

    #[test]
    fn links_get_noopener() {
        let html = render_html("[ราชกิจจา](https://example.org/a)");
        assert!(
            html.contains(r#"<a href="https://example.org/a" rel="noopener noreferrer">"#),
            "{html}"
        );
        let raw =
            render_html(r#"<a href="https://example.org" target="_blank" rel="opener">x</a>"#);
        assert!(raw.contains(r#"rel="noopener noreferrer""#), "{raw}");
        assert!(!raw.contains(r#"rel="opener""#), "{raw}");
    }

    #[test]
    fn escapes_text_in_code() {
        let html = render_html("`<script>`\n\n```\n<img src=x onerror=alert(1)>\n```\n");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert_safe(&html);
    }

    #[test]
    fn counts_opening_tags_conservatively() {
        assert_eq!(count_opening_tags("<div><b>x</b><br><IMG src=x></div>"), 2);
        assert_eq!(count_opening_tags("a < b <3 </p> <!-- c -->"), 0);
        assert_eq!(count_opening_tags("<DIV/><svg"), 2);
    }

    // Hostile inputs: they must finish (in a normal 2 MiB test thread) and
    // stay safe. The timings were minutes before the caps were added.

    #[test]
    fn hostile_nested_blockquotes() {
        let md = format!("{} deep", ">".repeat(50_000));
        let html = render_html(&md);
        assert!(html.contains("deep"));
        assert!(html.matches("<blockquote>").count() <= MAX_NESTING_DEPTH);
    }

    #[test]
    fn hostile_nested_blockquotes_with_spaces_and_lines() {
        let md = "> ".repeat(20_000) + "a\n" + &"> ".repeat(20_000) + "b\n";
        let html = render_html(&md);
        assert!(html.contains('a') && html.contains('b'));
    }

    #[test]
    fn hostile_open_brackets() {
        let html = render_html(&"[".repeat(100_000));
        assert_eq!(html.matches('[').count(), 100_000);
    }

    #[test]
    fn hostile_star_a_pairs() {
        let html = render_html(&"*a".repeat(100_000));
        assert_eq!(html.matches('a').count(), 100_000);
    }

    #[test]
    fn hostile_deep_emphasis() {
        let md = "*".repeat(100_000) + "a" + &"*".repeat(100_000);
        let html = render_html(&md);
        assert!(html.contains('a'));
    }

    #[test]
    fn hostile_deeply_nested_list() {
        // One line of nested bullets, and an indentation staircase.
        let one_line = "- ".repeat(50_000) + "x";
        assert!(render_html(&one_line).contains('x'));
        let staircase: String = (0..600)
            .map(|i| format!("{}- item{i}\n", " ".repeat(i * 2)))
            .collect();
        let html = render_html(&staircase);
        assert!(html.contains("item599"), "last item lost");
        let ordered = "1. ".repeat(30_000) + "y";
        assert!(render_html(&ordered).contains('y'));
    }

    #[test]
    fn hostile_backtick_line() {
        let html = render_html(&"`".repeat(500 * 1024));
        assert!(
            html.contains("<pre><code>"),
            "{}",
            &html[..html.len().min(200)]
        );
    }

    #[test]
    fn hostile_backticks_inline() {
        let md = "a ".to_string() + &"`".repeat(100_000) + " b " + &"``x".repeat(50_000);
        assert!(render_html(&md).contains('b'));
    }

    #[test]
    fn hostile_raw_html_nesting() {
        let html = render_html(&"<div>".repeat(50_000));
        assert_safe(&html);
        let html = render_html(&"x <span>".repeat(50_000));
        assert!(html.contains("&lt;span&gt;"), "budget not applied");
        let html = render_html(&"<table><td>".repeat(20_000));
        assert_safe(&html);
    }

    #[test]
    fn hostile_mixed_containers() {
        let md = "> - ".repeat(20_000) + "z";
        assert!(render_html(&md).contains('z'));
        let links = "[a](".repeat(50_000);
        assert!(render_html(&links).contains("[a]("));
        let images = "![".repeat(50_000) + &"](x)".repeat(50_000);
        assert_safe(&render_html(&images));
    }

    #[test]
    fn deep_but_reasonable_nesting_is_kept() {
        let md = "> ".repeat(10) + "**_quoted_**";
        let html = render_html(&md);
        assert_eq!(html.matches("<blockquote>").count(), 10);
        assert!(html.contains("<strong><em>quoted</em></strong>"), "{html}");
    }
}
