//! A published draft version as an Akoma Ntoso 3.0 document (OASIS LegalDocML), so that
//! legal-informatics tools can read our drafts without scraping them.
//!
//! A draft law is a `bill`. Its body is walked with [`provisions::outline`], the same parse that
//! gives provisions their ids, so every top-level block lands somewhere and nothing is dropped:
//!
//! * blocks before the first chapter, part or provision: the first heading becomes the
//!   `preface`'s `docTitle` (the draft's Thai title when the body has no heading), the rest the
//!   `preamble`;
//! * `หมวด` → `chapter` (`chp_1`, `chp_transitional`), `ส่วนที่` → `part` inside it
//!   (`chp_1__part_1`), each provision → `section` with `num`, an optional `heading` and
//!   `content`. Section eIds are the provision id with the AKN prefix: `s5` → `sec_5`,
//!   `s5-1` → `sec_5-1`, and ids of other kinds keep their letter (`c3` → `sec_c3`,
//!   `a4` → `sec_a4`), prefixed by their chapter and part as the naming convention builds
//!   eIds (`chp_1__sec_5`). Text between structures (a chapter's introduction) is an
//!   `hcontainer name="text"`;
//! * end matter after the last provision (signatures, notes) is the `conclusions`.
//!
//! Inside a provision the Markdown becomes `p` (paragraphs, headings, code), `blockList`/`item`
//! (lists), `table`, `b`/`i`/`span`/`a` and `br`; a raw HTML block is kept as text, raw inline
//! HTML tags are dropped (the text between them stays). The number as written is the `num` and is
//! taken off the front of the first paragraph; when that fails (the text does not start with
//! it) the paragraph is kept whole. Text is escaped by `quick-xml` when written; characters
//! XML 1.0 cannot carry (most C0 controls) become U+FFFD. Nesting of lists and inline markup is
//! capped, deeper markup is flattened into its text, as [`crate::markdown`] does for HTML.
//!
//! FRBR identifiers follow the AKN naming convention with the Rabfang draft id as the number:
//! work `/akn/th/bill/{law-type}/{first publication date}/{draft id}`, expression
//! `…/tha@v{version}`, manifestation `…/tha@v{version}.akn`.

use std::collections::HashMap;
use std::ops::Range;

use chrono::NaiveDate;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event as XmlEvent};

use crate::markdown::parser_options;
use crate::provisions::{self, Provision, Segment};
use crate::types::LawType;

/// The Akoma Ntoso 3.0 namespace.
pub const NAMESPACE: &str = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0";

/// The media type of an Akoma Ntoso document.
pub const MEDIA_TYPE: &str = "application/akn+xml";

/// Deepest nesting of lists, and of inline markup, written as elements.
const MAX_LIST_DEPTH: usize = 8;
const MAX_INLINE_DEPTH: usize = 8;

/// What the document is made of: one published version of a draft and its draft.
#[derive(Debug, Clone)]
pub struct BillVersion<'a> {
    pub draft_id: i64,
    pub title_th: &'a str,
    pub law_type: LawType,
    pub agency_slug: &'a str,
    pub agency_name_th: &'a str,
    /// The day (in Bangkok) the draft was first published: the work's date.
    pub first_published: NaiveDate,
    pub version: i32,
    /// The day (in Bangkok) this version was published: the expression's date.
    pub version_published: NaiveDate,
    pub body_markdown: &'a str,
}

/// The FRBR work URI of a draft (`/akn/th/bill/act/2026-11-21/42`).
pub fn work_uri(v: &BillVersion<'_>) -> String {
    format!(
        "/akn/th/bill/{}/{}/{}",
        v.law_type.as_str().replace('_', "-"),
        v.first_published.format("%Y-%m-%d"),
        v.draft_id
    )
}

/// The FRBR expression URI of a version (`…/tha@v2`).
pub fn expression_uri(v: &BillVersion<'_>) -> String {
    format!("{}/tha@v{}", work_uri(v), v.version)
}

/// The AKN eId of a section for a provision id (`s5-1` → `sec_5-1`, `c3` → `sec_c3`), without
/// the chapter and part prefix.
pub fn section_eid(provision_id: &str) -> String {
    match provision_id.strip_prefix('s') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => format!("sec_{rest}"),
        _ => format!("sec_{provision_id}"),
    }
}

/// The whole document, UTF-8, with an XML declaration.
pub fn bill_xml(v: &BillVersion<'_>) -> String {
    let root = document(v);
    let mut writer = Writer::new(Vec::with_capacity(v.body_markdown.len() * 2 + 4096));
    // Writing into a Vec cannot fail.
    let _ = writer.write_event(XmlEvent::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = writer.write_event(XmlEvent::Text(BytesText::from_escaped("\n")));
    write_node(&mut writer, &Node::El(root), 0);
    let _ = writer.write_event(XmlEvent::Text(BytesText::from_escaped("\n")));
    String::from_utf8(writer.into_inner()).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// The document

fn document(v: &BillVersion<'_>) -> El {
    let segments = provisions::outline(v.body_markdown);
    let md = v.body_markdown;
    let structural = |s: &Segment| {
        matches!(
            s,
            Segment::Chapter { .. } | Segment::Part { .. } | Segment::Provision(_)
        )
    };
    let first = segments.iter().position(structural);
    let last = segments.iter().rposition(structural);

    // Preface and preamble: everything before the first structure (all of it when there is
    // none, except that the body then keeps what follows the title).
    let lead_end = first.unwrap_or(segments.len());
    let mut lead: Vec<Range<usize>> = segments[..lead_end].iter().map(source_of).collect();
    let title = match lead.first() {
        Some(r) if is_heading(&md[r.clone()]) => {
            let r = lead.remove(0);
            inline_children(blocks(&md[r]))
        }
        _ => vec![text(v.title_th)],
    };
    let preface = El::new("preface")
        .child(El::new("longTitle").child(El::new("p").child(El::new("docTitle").children(title))));

    // Conclusions: from the first end matter after the last structure.
    let tail_start = last.and_then(|l| {
        segments[l + 1..]
            .iter()
            .position(|s| matches!(s, Segment::EndMatter(_)))
            .map(|i| l + 1 + i)
    });

    let mut body = BodyBuilder::default();
    let mut preamble_blocks = Vec::new();
    if first.is_some() {
        for r in lead {
            preamble_blocks.extend(blocks(&md[r]));
        }
        let end = tail_start.unwrap_or(segments.len());
        for segment in &segments[lead_end..end] {
            body.push(md, segment);
        }
    } else {
        // No structure at all: the text is the body.
        let all: Vec<Node> = lead.into_iter().flat_map(|r| blocks(&md[r])).collect();
        body.loose(all);
    }
    let conclusions: Vec<Node> = tail_start
        .map(|t| {
            segments[t..]
                .iter()
                .flat_map(|s| blocks(&md[source_of(s)]))
                .collect()
        })
        .unwrap_or_default();

    let mut bill = El::new("bill")
        .attr("name", v.law_type.as_str().replace('_', "-"))
        .attr(
            "contains",
            if v.version == 1 {
                "originalVersion"
            } else {
                "singleVersion"
            },
        )
        .child(meta(v))
        .child(preface);
    if !preamble_blocks.is_empty() {
        bill = bill.child(El::new("preamble").children(preamble_blocks));
    }
    bill = bill.child(El::new("body").children(body.finish()));
    if !conclusions.is_empty() {
        bill = bill.child(El::new("conclusions").children(conclusions));
    }
    El::new("akomaNtoso").attr("xmlns", NAMESPACE).child(bill)
}

fn source_of(s: &Segment) -> Range<usize> {
    match s {
        Segment::Loose(r) | Segment::EndMatter(r) => r.clone(),
        Segment::Chapter { source, .. } | Segment::Part { source, .. } => source.clone(),
        // Provisions are never asked for their range (they carry their text).
        Segment::Provision(_) => 0..0,
    }
}

fn is_heading(markdown: &str) -> bool {
    matches!(
        Parser::new_ext(markdown, parser_options()).next(),
        Some(Event::Start(Tag::Heading { .. }))
    )
}

fn meta(v: &BillVersion<'_>) -> El {
    let work = work_uri(v);
    let expression = expression_uri(v);
    let agency = format!("#{}", agency_eid(v.agency_slug));
    let date = |d: NaiveDate, name: &str| {
        El::new("FRBRdate")
            .attr("date", d.format("%Y-%m-%d").to_string())
            .attr("name", name)
    };
    let value = |name: &'static str, value: &str| El::new(name).attr("value", value);
    let author = |href: &str| El::new("FRBRauthor").attr("href", href);
    let identification = El::new("identification")
        .attr("source", "#rabfang")
        .child(
            El::new("FRBRWork")
                .child(value("FRBRthis", &format!("{work}/!main")))
                .child(value("FRBRuri", &work))
                .child(date(v.first_published, "publication"))
                .child(author(&agency))
                .child(value("FRBRcountry", "th"))
                .child(value("FRBRsubtype", &v.law_type.as_str().replace('_', "-")))
                .child(value("FRBRnumber", &v.draft_id.to_string()))
                .child(value("FRBRname", v.title_th)),
        )
        .child(
            El::new("FRBRExpression")
                .child(value("FRBRthis", &format!("{expression}/!main")))
                .child(value("FRBRuri", &expression))
                .child(date(v.version_published, "publication"))
                .child(author(&agency))
                .child(value("FRBRversionNumber", &v.version.to_string()))
                .child(El::new("FRBRlanguage").attr("language", "tha")),
        )
        .child(
            El::new("FRBRManifestation")
                .child(value("FRBRthis", &format!("{expression}/!main.xml")))
                .child(value("FRBRuri", &format!("{expression}.akn")))
                .child(date(v.version_published, "transform"))
                .child(author("#rabfang"))
                .child(value("FRBRformat", MEDIA_TYPE)),
        );
    let references = El::new("references")
        .attr("source", "#rabfang")
        .child(
            El::new("TLCOrganization")
                .attr("eId", "rabfang")
                .attr("href", "/ontology/organization/th/rabfang")
                .attr("showAs", "Rabfang"),
        )
        .child(
            El::new("TLCOrganization")
                .attr("eId", agency_eid(v.agency_slug))
                .attr(
                    "href",
                    format!("/ontology/organization/th/{}", v.agency_slug),
                )
                .attr("showAs", v.agency_name_th),
        );
    El::new("meta").child(identification).child(references)
}

fn agency_eid(slug: &str) -> String {
    format!("agency-{slug}")
}

// ---------------------------------------------------------------------------
// The body's hierarchy

/// An open chapter or part, with the counters its children's eIds need.
struct Container {
    el: El,
    eid: String,
    loose: usize,
    parts: HashMap<String, usize>,
}

impl Container {
    fn new(el: El, eid: String) -> Self {
        Container {
            el: el.attr("eId", eid.clone()),
            eid,
            loose: 0,
            parts: HashMap::new(),
        }
    }
}

#[derive(Default)]
struct BodyBuilder {
    out: Vec<Node>,
    chapter: Option<Container>,
    part: Option<Container>,
    loose: usize,
    parts: HashMap<String, usize>,
}

impl BodyBuilder {
    fn push(&mut self, md: &str, segment: &Segment) {
        match segment {
            Segment::Chapter { chapter, .. } => {
                self.close_chapter();
                let n = chapter.id.trim_start_matches("ch").trim_start_matches('-');
                let mut el = El::new("chapter");
                let heading = chapter.title.strip_prefix(&chapter.label).map(str::trim);
                match heading {
                    Some(h) if chapter.id != "ch-transitional" => {
                        el = el.child(El::new("num").child(text(&chapter.label)));
                        if !h.is_empty() {
                            el = el.child(El::new("heading").child(text(h)));
                        }
                    }
                    _ => el = el.child(El::new("heading").child(text(&chapter.title))),
                }
                self.chapter = Some(Container::new(el, format!("chp_{n}")));
            }
            Segment::Part {
                number,
                label,
                title,
                ..
            } => {
                self.close_part();
                let (prefix, counters) = match self.chapter.as_mut() {
                    Some(c) => (format!("{}__", c.eid), &mut c.parts),
                    None => (String::new(), &mut self.parts),
                };
                let seen = counters.entry(number.clone()).or_insert(0);
                *seen += 1;
                let n = if *seen == 1 {
                    number.clone()
                } else {
                    format!("{number}-dup{seen}")
                };
                let mut el = El::new("part").child(El::new("num").child(text(label)));
                if let Some(h) = title.strip_prefix(label.as_str()).map(str::trim)
                    && !h.is_empty()
                {
                    el = el.child(El::new("heading").child(text(h)));
                }
                self.part = Some(Container::new(el, format!("{prefix}part_{n}")));
            }
            Segment::Provision(p) => {
                let eid = format!("{}{}", self.prefix(), section_eid(&p.id));
                self.add(Node::El(section(p, eid)));
            }
            Segment::Loose(r) | Segment::EndMatter(r) => self.loose(blocks(&md[r.clone()])),
        }
    }

    /// Text outside any provision, as an `hcontainer` in the innermost open container.
    fn loose(&mut self, content: Vec<Node>) {
        let prefix = self.prefix();
        let counter = match (self.part.as_mut(), self.chapter.as_mut()) {
            (Some(p), _) => &mut p.loose,
            (None, Some(c)) => &mut c.loose,
            (None, None) => &mut self.loose,
        };
        *counter += 1;
        let el = El::new("hcontainer")
            .attr("eId", format!("{prefix}hcontainer_{counter}"))
            .attr("name", "text")
            .child(El::new("content").children(content));
        self.add(Node::El(el));
    }

    fn prefix(&self) -> String {
        match (&self.part, &self.chapter) {
            (Some(p), _) => format!("{}__", p.eid),
            (None, Some(c)) => format!("{}__", c.eid),
            (None, None) => String::new(),
        }
    }

    fn add(&mut self, node: Node) {
        match (self.part.as_mut(), self.chapter.as_mut()) {
            (Some(p), _) => p.el.children.push(node),
            (None, Some(c)) => c.el.children.push(node),
            (None, None) => self.out.push(node),
        }
    }

    fn close_part(&mut self) {
        if let Some(part) = self.part.take() {
            match self.chapter.as_mut() {
                Some(c) => c.el.children.push(Node::El(part.el)),
                None => self.out.push(Node::El(part.el)),
            }
        }
    }

    fn close_chapter(&mut self) {
        self.close_part();
        if let Some(chapter) = self.chapter.take() {
            self.out.push(Node::El(chapter.el));
        }
    }

    fn finish(mut self) -> Vec<Node> {
        self.close_chapter();
        if self.out.is_empty() {
            // A body needs one element; an empty text gets an empty one.
            self.loose(Vec::new());
        }
        self.out
    }
}

/// A provision as a `section`: its number, its heading when it is a Markdown heading, and
/// the rest of its text.
fn section(p: &Provision, eid: String) -> El {
    let mut content = blocks(&p.text);
    let mut num = p.label.clone();
    let mut heading = None;
    if let Some(Node::El(first)) = content.first()
        && first.name == "p"
        && let Some((rest, separators)) = strip_label(first, &p.label)
    {
        num.push_str(&separators);
        let empty = rest.children.is_empty();
        if p.heading.is_some() {
            heading = (!empty).then_some(rest.children);
            content.remove(0);
        } else if empty {
            content.remove(0);
        } else {
            content[0] = Node::El(rest);
        }
    }
    let mut el = El::new("section")
        .attr("eId", eid)
        .child(El::new("num").child(text(&num)));
    if let Some(h) = heading {
        el = el.child(El::new("heading").children(h));
    }
    el.child(El::new("content").children(content))
}

/// `p` without the provision's label (and the separators after it) at its start, and the
/// non-space separators taken off; `None` when `p` does not start with the label.
fn strip_label(p: &El, label: &str) -> Option<(El, String)> {
    let mut p = p.clone();
    let mut state = Strip {
        label: label.chars().collect(),
        at: 0,
        phase: Phase::Lead,
        separators: String::new(),
    };
    strip_children(&mut p.children, &mut state);
    let matched = match state.phase {
        Phase::Separators | Phase::Done => true,
        Phase::Label => state.at >= state.label.len(),
        Phase::Lead | Phase::Failed => false,
    };
    if !matched {
        return None;
    }
    drop_empty_inlines(&mut p.children);
    Some((p, state.separators))
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Phase {
    Lead,
    Label,
    Separators,
    Done,
    Failed,
}

struct Strip {
    label: Vec<char>,
    at: usize,
    phase: Phase,
    separators: String,
}

impl Strip {
    /// Takes `c` off the front (true) or stops (false).
    fn take(&mut self, c: char) -> bool {
        loop {
            match self.phase {
                Phase::Lead => {
                    if is_space(c) || matches!(c, '*' | '_' | '~') {
                        return true;
                    }
                    self.phase = Phase::Label;
                }
                Phase::Label => {
                    let Some(&want) = self.label.get(self.at) else {
                        self.phase = Phase::Separators;
                        continue;
                    };
                    if is_space(want) {
                        // A space of the label matches a run of spaces in the text.
                        if is_space(c) {
                            return true;
                        }
                        self.at += 1;
                        continue;
                    }
                    if c == want {
                        self.at += 1;
                        return true;
                    }
                    self.phase = Phase::Failed;
                    return false;
                }
                Phase::Separators => {
                    if is_space(c) {
                        return true;
                    }
                    if ".:;,-–—)]".contains(c) {
                        self.separators.push(c);
                        return true;
                    }
                    self.phase = Phase::Done;
                    return false;
                }
                Phase::Done | Phase::Failed => return false,
            }
        }
    }
}

fn strip_children(children: &mut [Node], state: &mut Strip) {
    for child in children.iter_mut() {
        if matches!(state.phase, Phase::Done | Phase::Failed) {
            return;
        }
        match child {
            Node::Text(t) => {
                let mut cut = t.len();
                for (i, c) in t.char_indices() {
                    if !state.take(c) {
                        cut = i;
                        break;
                    }
                }
                t.replace_range(..cut, "");
            }
            Node::El(el) if el.name == "br" => {
                if !state.take('\n') {
                    return;
                }
                el.name = "";
            }
            Node::El(el) => strip_children(&mut el.children, state),
        }
    }
}

/// Spaces as the provision parser counts them (it collapses these into the label's spaces).
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// Removes inline elements and text left empty by [`strip_label`].
fn drop_empty_inlines(children: &mut Vec<Node>) {
    for child in children.iter_mut() {
        if let Node::El(el) = child {
            drop_empty_inlines(&mut el.children);
        }
    }
    children.retain(|c| match c {
        Node::Text(t) => !t.is_empty(),
        Node::El(el) => !el.name.is_empty() && (el.name == "br" || !el.children.is_empty()),
    });
}

// ---------------------------------------------------------------------------
// Markdown → AKN blocks

/// Markdown rendered as AKN block elements (`p`, `blockList`, `table`).
fn blocks(markdown: &str) -> Vec<Node> {
    let mut r = BlockRenderer {
        stack: vec![Open {
            el: El::new("root"),
            implicit: false,
        }],
        skipped: Vec::new(),
        list_numbers: Vec::new(),
        in_head: false,
    };
    for event in Parser::new_ext(markdown, parser_options()) {
        r.event(event);
    }
    while r.stack.len() > 1 {
        r.close();
    }
    r.stack.pop().map(|o| o.el.children).unwrap_or_default()
}

/// The inline children of the first `p` among `nodes` (for a title).
fn inline_children(nodes: Vec<Node>) -> Vec<Node> {
    nodes
        .into_iter()
        .find_map(|n| match n {
            Node::El(el) if el.name == "p" => Some(el.children),
            _ => None,
        })
        .unwrap_or_default()
}

struct Open {
    el: El,
    /// A `p` opened for text that arrived directly in a block container (a tight list item,
    /// a table cell); closed by the next block or the container's end.
    implicit: bool,
}

struct BlockRenderer {
    stack: Vec<Open>,
    /// For each Markdown start tag still open: whether it opened an element.
    skipped: Vec<bool>,
    /// The next number of each open ordered list (`None` for bullet lists).
    list_numbers: Vec<Option<u64>>,
    in_head: bool,
}

const INLINE: [&str; 6] = ["p", "b", "i", "span", "a", "num"];

impl BlockRenderer {
    fn top(&self) -> &'static str {
        self.stack.last().map(|o| o.el.name).unwrap_or("root")
    }

    fn open(&mut self, el: El) {
        self.stack.push(Open {
            el,
            implicit: false,
        });
    }

    fn close(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        if let Some(mut done) = self.stack.pop() {
            // An item must hold a block; an empty one gets an empty paragraph.
            if done.el.name == "item"
                && done
                    .el
                    .children
                    .iter()
                    .all(|c| matches!(c, Node::El(e) if e.name == "num"))
            {
                done.el.children.push(Node::El(El::new("p")));
            }
            if let Some(parent) = self.stack.last_mut() {
                parent.el.children.push(Node::El(done.el));
            }
        }
    }

    fn close_implicit(&mut self) {
        if self.stack.last().is_some_and(|o| o.implicit) {
            self.close();
        }
    }

    /// Makes the top an element that takes text, opening an implicit `p` when needed.
    fn inline_context(&mut self) {
        if !INLINE.contains(&self.top()) {
            self.stack.push(Open {
                el: El::new("p"),
                implicit: true,
            });
        }
    }

    fn inline_depth(&self) -> usize {
        self.stack
            .iter()
            .filter(|o| matches!(o.el.name, "b" | "i" | "span" | "a"))
            .count()
    }

    /// Opens a block element when the top can hold it; answers whether it did.
    fn open_block(&mut self, el: El) -> bool {
        self.close_implicit();
        let fits = match el.name {
            "tr" => self.top() == "table",
            "th" | "td" => self.top() == "tr",
            _ => {
                !INLINE.contains(&self.top()) && !matches!(self.top(), "table" | "tr" | "blockList")
            }
        };
        if fits {
            self.open(el);
        }
        fits
    }

    fn push_text(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        self.inline_context();
        if let Some(top) = self.stack.last_mut() {
            match top.el.children.last_mut() {
                Some(Node::Text(prev)) => prev.push_str(&xml_safe(t)),
                _ => top.el.children.push(text(t)),
            }
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => {
                let opened = self.start(tag);
                self.skipped.push(!opened);
            }
            Event::End(tag) => {
                let skipped = self.skipped.pop().unwrap_or(true);
                let inline = matches!(
                    tag,
                    TagEnd::Emphasis
                        | TagEnd::Strong
                        | TagEnd::Strikethrough
                        | TagEnd::Link
                        | TagEnd::Image
                );
                match tag {
                    TagEnd::List(_) => {
                        self.list_numbers.pop();
                    }
                    TagEnd::TableHead => self.in_head = false,
                    _ => {}
                }
                if !skipped {
                    self.close_implicit();
                    self.close();
                } else if !inline {
                    // The text of a flattened block does not run into the next one.
                    self.close_implicit();
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) => self.push_text(&t),
            Event::SoftBreak => self.push_text("\n"),
            Event::HardBreak => {
                self.inline_context();
                if let Some(top) = self.stack.last_mut() {
                    top.el.children.push(Node::El(El::new("br")));
                }
            }
            // Inline HTML tags are markup, not text; the text between them comes as text.
            Event::InlineHtml(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::FootnoteReference(_)
            | Event::Rule
            | Event::TaskListMarker(_) => {}
        }
    }

    /// Opens what `tag` becomes; answers whether an element was opened.
    fn start(&mut self, tag: Tag<'_>) -> bool {
        match tag {
            Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::HtmlBlock => {
                self.open_block(El::new("p"))
            }
            Tag::List(start) => {
                self.list_numbers.push(start);
                let depth = self
                    .stack
                    .iter()
                    .filter(|o| o.el.name == "blockList")
                    .count();
                depth < MAX_LIST_DEPTH && self.open_block(El::new("blockList"))
            }
            Tag::Item => {
                self.close_implicit();
                if self.top() != "blockList" {
                    return false;
                }
                let mut item = El::new("item");
                if let Some(Some(n)) = self.list_numbers.last_mut() {
                    item = item.child(El::new("num").child(text(&format!("{n}."))));
                    *n += 1;
                }
                self.open(item);
                true
            }
            Tag::Table(_) => self.open_block(El::new("table")),
            Tag::TableHead => {
                self.in_head = true;
                self.open_block(El::new("tr"))
            }
            Tag::TableRow => self.open_block(El::new("tr")),
            Tag::TableCell => self.open_block(El::new(if self.in_head { "th" } else { "td" })),
            Tag::Emphasis => self.open_inline(El::new("i")),
            Tag::Strong => self.open_inline(El::new("b")),
            Tag::Strikethrough => self.open_inline(El::new("span").attr("class", "strikethrough")),
            Tag::Link { dest_url, .. } if is_plain_uri(&dest_url) => {
                self.open_inline(El::new("a").attr("href", dest_url.to_string()))
            }
            // Block quotes, images (their alt text stays), links to odd addresses and the
            // extensions we do not enable add no element of their own.
            _ => false,
        }
    }

    fn open_inline(&mut self, el: El) -> bool {
        if self.inline_depth() >= MAX_INLINE_DEPTH {
            return false;
        }
        self.inline_context();
        self.open(el);
        true
    }
}

/// An address `href` (an `xsd:anyURI`) can carry as it is.
fn is_plain_uri(url: &str) -> bool {
    !url.is_empty()
        && url.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
}

/// `t` with the characters XML 1.0 cannot carry replaced by U+FFFD.
fn xml_safe(t: &str) -> String {
    t.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// A small tree, written with quick-xml

#[derive(Debug, Clone)]
enum Node {
    El(El),
    Text(String),
}

#[derive(Debug, Clone)]
struct El {
    name: &'static str,
    attrs: Vec<(&'static str, String)>,
    children: Vec<Node>,
}

impl El {
    fn new(name: &'static str) -> Self {
        El {
            name,
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    fn attr(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.attrs.push((name, xml_safe(&value.into())));
        self
    }

    fn child(mut self, child: impl Into<Node>) -> Self {
        self.children.push(child.into());
        self
    }

    fn children(mut self, children: Vec<Node>) -> Self {
        self.children.extend(children);
        self
    }
}

impl From<El> for Node {
    fn from(el: El) -> Self {
        Node::El(el)
    }
}

fn text(t: &str) -> Node {
    Node::Text(xml_safe(t))
}

/// Elements whose content is text (mixed content): written on one line, since indentation
/// inside them would be text.
const MIXED: [&str; 9] = [
    "p", "num", "heading", "docTitle", "b", "i", "span", "a", "br",
];

fn write_node(w: &mut Writer<Vec<u8>>, node: &Node, depth: usize) {
    match node {
        Node::Text(t) => {
            let _ = w.write_event(XmlEvent::Text(BytesText::new(t)));
        }
        Node::El(el) => {
            let mut start = BytesStart::new(el.name);
            for (k, v) in &el.attrs {
                start.push_attribute((*k, v.as_str()));
            }
            if el.children.is_empty() {
                let _ = w.write_event(XmlEvent::Empty(start));
                return;
            }
            let _ = w.write_event(XmlEvent::Start(start));
            let pretty = !MIXED.contains(&el.name);
            for child in &el.children {
                if pretty {
                    indent(w, depth + 1);
                }
                write_node(w, child, depth + 1);
            }
            if pretty {
                indent(w, depth);
            }
            let _ = w.write_event(XmlEvent::End(BytesEnd::new(el.name)));
        }
    }
}

fn indent(w: &mut Writer<Vec<u8>>, depth: usize) {
    let mut s = String::with_capacity(1 + depth * 2);
    s.push('\n');
    s.extend(std::iter::repeat_n(' ', depth * 2));
    let _ = w.write_event(XmlEvent::Text(BytesText::from_escaped(s)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(body: &str) -> BillVersion<'_> {
        BillVersion {
            draft_id: 42,
            title_th: "ร่างพระราชบัญญัติทดสอบ พ.ศ. ....",
            law_type: LawType::RoyalDecree,
            agency_slug: "test-office",
            agency_name_th: "สำนักงานทดสอบ",
            first_published: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap_or_default(),
            version: 2,
            version_published: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default(),
            body_markdown: body,
        }
    }

    #[test]
    fn section_eids_keep_the_provision_id() {
        assert_eq!(section_eid("s5"), "sec_5");
        assert_eq!(section_eid("s5-1"), "sec_5-1");
        assert_eq!(section_eid("s20-bis-dup2"), "sec_20-bis-dup2");
        assert_eq!(section_eid("c3"), "sec_c3");
        assert_eq!(section_eid("a4-quater"), "sec_a4-quater");
    }

    #[test]
    fn uris_name_the_draft_and_version() {
        let v = version("");
        assert_eq!(work_uri(&v), "/akn/th/bill/royal-decree/2026-11-21/42");
        assert_eq!(
            expression_uri(&v),
            "/akn/th/bill/royal-decree/2026-11-21/42/tha@v2"
        );
    }

    #[test]
    fn structure_numbers_and_text() {
        let body = "# ร่างพระราชบัญญัติ\n\nโดยที่เป็นการสมควร\n\n## หมวด ๑ บททั่วไป\n\n\
                    คำนำหมวด\n\nส่วนที่ ๑ ทั่วไป\n\n**มาตรา ๑** ถ้า a < b & c ให้ใช้\n\n\
                    ### มาตรา ๒. นิยาม\n\n- หนึ่ง\n- สอง\n\nบทเฉพาะกาล\n\nมาตรา ๓\n\n\
                    ผู้รับสนองพระราชโองการ  \nนายกรัฐมนตรี\n";
        let xml = bill_xml(&version(body));
        for want in [
            "<docTitle>ร่างพระราชบัญญัติ</docTitle>",
            "<preamble>",
            "<p>โดยที่เป็นการสมควร</p>",
            r#"<chapter eId="chp_1">"#,
            "<num>หมวด ๑</num>",
            "<heading>บททั่วไป</heading>",
            r#"<hcontainer eId="chp_1__hcontainer_1" name="text">"#,
            r#"<part eId="chp_1__part_1">"#,
            r#"<section eId="chp_1__part_1__sec_1">"#,
            "<num>มาตรา ๑</num>",
            "<p>ถ้า a &lt; b &amp; c ให้ใช้</p>",
            r#"<section eId="chp_1__part_1__sec_2">"#,
            "<num>มาตรา ๒.</num>",
            "<heading>นิยาม</heading>",
            "<item>",
            "<p>หนึ่ง</p>",
            r#"<chapter eId="chp_transitional">"#,
            "<heading>บทเฉพาะกาล</heading>",
            r#"<section eId="chp_transitional__sec_3">"#,
            "<conclusions>",
            "<p>ผู้รับสนองพระราชโองการ<br/>นายกรัฐมนตรี</p>",
            r#"<FRBRthis value="/akn/th/bill/royal-decree/2026-11-21/42/tha@v2/!main"/>"#,
            r#"<FRBRlanguage language="tha"/>"#,
            r#"<TLCOrganization eId="agency-test-office""#,
        ] {
            assert!(xml.contains(want), "{want} missing from\n{xml}");
        }
        // The bold label left nothing empty behind.
        assert!(!xml.contains("<b/>") && !xml.contains("<b></b>"), "{xml}");
    }

    #[test]
    fn a_body_without_structure_is_one_text_container() {
        let xml = bill_xml(&version("ข้อความเฉย ๆ\n\n| ก | ข |\n|---|---|\n| 1 | 2 |\n"));
        assert!(
            xml.contains(r#"<hcontainer eId="hcontainer_1" name="text">"#),
            "{xml}"
        );
        assert!(xml.contains("<th>"), "{xml}");
        assert!(xml.contains("<td>"), "{xml}");
        // The metadata title stands in for a missing heading.
        assert!(xml.contains("<docTitle>ร่างพระราชบัญญัติทดสอบ พ.ศ. ....</docTitle>"));
        let empty = bill_xml(&version(""));
        assert!(empty.contains(r#"<hcontainer eId="hcontainer_1" name="text">"#));
    }

    #[test]
    fn a_label_that_does_not_start_the_text_keeps_the_text_whole() {
        let p = El::new("p").children(vec![text("มาตรา ๕ ก")]);
        assert!(strip_label(&p, "มาตรา ๖").is_none());
        let (rest, _) = strip_label(&p, "มาตรา ๕").unwrap_or((El::new("x"), String::new()));
        assert!(matches!(&rest.children[..], [Node::Text(t)] if t == "ก"));
    }

    #[test]
    fn control_characters_and_deep_nesting_stay_valid() {
        let deep = format!("มาตรา ๑ {}x\n\n{}y\n", "*".repeat(40), "- ".repeat(40));
        let xml = bill_xml(&version(&format!("มาตรา ๒ a\u{1}b\u{c}\n\n{deep}")));
        assert!(xml.contains("a\u{FFFD}b"), "{xml}");
        assert!(
            !xml.chars()
                .any(|c| (c as u32) < 0x20 && !"\n\r\t".contains(c))
        );
        let many = bill_xml(&version(&format!(
            "{}{}x\n",
            "มาตรา ๕\n\n".repeat(5_000),
            ">".repeat(50_000)
        )));
        assert!(many.contains(r#"<section eId="sec_5-dup5000">"#));
    }
}
