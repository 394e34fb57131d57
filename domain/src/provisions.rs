//! Splits a draft-law markdown body into chapters and provisions with stable
//! ids, so comments and diffs can point at "มาตรา ๕/๑" across versions.
//!
//! The body is parsed with `pulldown-cmark` and only **top-level blocks** are
//! considered (their byte ranges slice the source), so text inside code
//! blocks, lists and block quotes never starts a provision.
//!
//! * A top-level heading or paragraph whose text *starts* with `มาตรา`, `ข้อ`,
//!   `Section` or `Article` (English words case-insensitive; leading
//!   `**`/`_`/`~` emphasis markers ignored) followed by a number starts a
//!   provision. Numbers may use Thai (๐–๙) or Arabic digits, any number of
//!   `/n` parts (`๕/๑/๒`; `.n` is accepted the same way, `1.2`), and a Latin
//!   ordinal suffix written in Thai (ทวิ, ตรี, จัตวา, เบญจ, ฉ, สัตต, อัฏฐ, นว,
//!   ทศ) or Latin (bis, ter, …). Ids: มาตรา/Section → `s…`, ข้อ → `c…`,
//!   Article → `a…`; parts are joined with `-` (`มาตรา ๒๐ ทวิ` → `s20-bis`).
//! * A top-level heading or paragraph starting with `หมวด <n>` or
//!   `Chapter <n>` (Arabic, Thai or Roman numerals) starts a chapter `ch<n>`.
//!   A bare `บทเฉพาะกาล` (transitional provisions) block is a chapter too,
//!   id `ch-transitional`. When a chapter line carries no title and the next
//!   block is a plain heading, that heading is taken as the chapter's title.
//! * `ส่วนที่ <n>` (a part inside a chapter) is not among the chapters: such a
//!   block only ends the preceding provision and belongs to no provision; it is
//!   not added to the chapter title. [`outline`] names it, for exports.
//! * End matter — blocks starting with `ผู้รับสนองพระบรมราชโองการ`,
//!   `ผู้รับสนองพระราชโองการ`, `ประกาศ ณ วันที่`, `หมายเหตุ`,
//!   `บันทึกหลักการและเหตุผล` — likewise ends the preceding provision, so
//!   signatures and the statement of reasons are not glued to the last
//!   section.
//! * A provision's text runs from its own block up to (not including) the
//!   next provision, chapter, part or end-matter block. Blocks before the
//!   first provision (title, preamble) belong to no provision; nothing is
//!   dropped from [`ParsedBody::html`], which renders the whole body.
//! * Repeated ids get `-dup2`, `-dup3`, … so every provision keeps its text.
//!
//! Provisions must be separate blocks: lines joined by a single newline form
//! one markdown paragraph, and only its first line can start a provision.
//! Link reference definitions are not copied into a provision's `text`, so a
//! reference-style link whose definition lives elsewhere renders as text in
//! [`Provision::html`] (it still works in [`ParsedBody::html`]).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};
use serde::{Deserialize, Serialize};

use crate::markdown::{parser_options, render_html};

mod warnings;
pub use warnings::{BodyWarning, warnings};

/// One numbered provision (มาตรา / ข้อ / Section / Article) of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision {
    /// Stable id derived from the number: `s5`, `s5-1`, `s20-bis`, `c3`, `a4`.
    pub id: String,
    /// The number as written (whitespace collapsed), e.g. `มาตรา ๕/๑`.
    pub label: String,
    /// Title of the chapter the provision sits in, e.g. `หมวด ๑ บทบัญญัติทั่วไป`.
    pub chapter: Option<String>,
    /// Heading text after the label when the provision is a markdown heading.
    pub heading: Option<String>,
    /// The provision's markdown source.
    pub text: String,
    /// `render_html(&text)`.
    pub html: String,
}

/// A หมวด / Chapter of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chapter {
    /// `ch1`, `ch3-1`, `ch-transitional`.
    pub id: String,
    /// The number as written, e.g. `หมวด ๑`.
    pub label: String,
    /// Full heading text, e.g. `หมวด ๑ บทบัญญัติทั่วไป`.
    pub title: String,
}

/// A body split into chapters and provisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedBody {
    /// The whole body rendered with [`render_html`].
    pub html: String,
    pub chapters: Vec<Chapter>,
    pub provisions: Vec<Provision>,
}

/// Parses a markdown body into chapters and provisions.
pub fn parse_body(markdown: &str) -> ParsedBody {
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut provisions: Vec<Provision> = Vec::new();
    for segment in outline(markdown) {
        match segment {
            Segment::Chapter { chapter, .. } => chapters.push(chapter),
            Segment::Provision(p) => provisions.push(p),
            Segment::Loose(_) | Segment::Part { .. } | Segment::EndMatter(_) => {}
        }
    }
    ParsedBody {
        html: render_html(markdown),
        chapters,
        provisions,
    }
}

/// One or more top-level blocks of a body and the role they play by the rules above.
/// [`outline`] answers every block of the body exactly once, in order, so an export that must
/// keep every word (the Akoma Ntoso document) can walk it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A block that belongs to no provision: the title and preamble before the first
    /// provision, or text after a part heading or end matter. Its byte range in the body.
    Loose(Range<usize>),
    /// A chapter heading (with the plain heading that gave it its title, when it had none).
    Chapter {
        chapter: Chapter,
        source: Range<usize>,
    },
    /// A `ส่วนที่ <n>` heading: `number` is normalised like an id (`1`, `2-1`), `label` is the
    /// number as written and `title` the whole heading, whitespace collapsed.
    Part {
        number: String,
        label: String,
        title: String,
        source: Range<usize>,
    },
    /// The first block of end matter (a signature, a note, the statement of reasons).
    EndMatter(Range<usize>),
    /// A provision with all the blocks it runs over.
    Provision(Provision),
}

/// The body's top-level blocks in order, by role (see [`Segment`]).
pub fn outline(markdown: &str) -> Vec<Segment> {
    let blocks = top_level_blocks(markdown);
    let mut out: Vec<Segment> = Vec::new();
    let mut chapter_ids = IdAllocator::default();
    let mut provision_ids = IdAllocator::default();
    let mut current_chapter: Option<String> = None;
    let mut open: Option<OpenProvision> = None;

    let mut i = 0;
    while i < blocks.len() {
        let block = &blocks[i];
        i += 1;
        match classify(block) {
            BlockRole::Body => match open.as_mut() {
                Some(p) => p.end = block.range.end,
                None => out.push(Segment::Loose(block.range.clone())),
            },
            BlockRole::Part {
                number,
                label,
                title,
            } => {
                close(markdown, open.take(), &mut out);
                out.push(Segment::Part {
                    number,
                    label,
                    title,
                    source: block.range.clone(),
                });
            }
            BlockRole::EndMatter => {
                close(markdown, open.take(), &mut out);
                out.push(Segment::EndMatter(block.range.clone()));
            }
            BlockRole::Chapter {
                id,
                label,
                mut title,
            } => {
                close(markdown, open.take(), &mut out);
                let mut source = block.range.clone();
                if title == label
                    && let Some(next) = blocks.get(i)
                    && next.kind == BlockKind::Heading
                    && matches!(classify(next), BlockRole::Body)
                {
                    title = format!("{title} {}", collapse_ws(&next.text));
                    source.end = next.range.end;
                    i += 1;
                }
                let id = chapter_ids.allocate(id);
                current_chapter = Some(title.clone());
                out.push(Segment::Chapter {
                    chapter: Chapter { id, label, title },
                    source,
                });
            }
            BlockRole::Provision { id, label, heading } => {
                close(markdown, open.take(), &mut out);
                open = Some(OpenProvision {
                    id: provision_ids.allocate(id),
                    label,
                    heading,
                    chapter: current_chapter.clone(),
                    start: block.range.start,
                    end: block.range.end,
                });
            }
        }
    }
    close(markdown, open.take(), &mut out);
    out
}

/// The id for a provision label such as `มาตรา ๕/๑` (→ `s5-1`). Leading
/// emphasis markers and text after the number are ignored; `None` when the
/// label does not start with a provision keyword and a number.
pub fn provision_id(label: &str) -> Option<String> {
    match_provision(strip_leading_markers(label)).map(|m| m.id)
}

/// What a line of text starts, by the rules above. The `.docx` import uses it to decide which
/// Word paragraphs become headings and where a paragraph joined by line breaks must be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineRole {
    /// `หมวด <n>` / `Chapter <n>` / `บทเฉพาะกาล`; `bare` when nothing follows the number.
    Chapter {
        bare: bool,
    },
    /// `ส่วนที่ <n>`; `bare` when nothing follows the number.
    Part {
        bare: bool,
    },
    Provision,
    EndMatter,
    Other,
}

pub(crate) fn line_role(text: &str) -> LineRole {
    let text = strip_leading_markers(text);
    let bare = |end: usize| {
        text[end..]
            .trim_matches(|c: char| is_space(c) || c == '*' || c == '_')
            .is_empty()
    };
    if let Some(m) = match_keyword_number(text, &["หมวด", "chapter"], true) {
        return LineRole::Chapter { bare: bare(m.end) };
    }
    if match_chapter(text).is_some() {
        return LineRole::Chapter { bare: false };
    }
    if match_provision(text).is_some() {
        return LineRole::Provision;
    }
    if let Some(m) = match_keyword_number(text, &["ส่วนที่"], false) {
        return LineRole::Part { bare: bare(m.end) };
    }
    if END_MATTER.iter().any(|w| text.starts_with(w)) {
        return LineRole::EndMatter;
    }
    LineRole::Other
}

// ---------------------------------------------------------------------------
// Blocks

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Heading,
    Paragraph,
    Other,
}

struct Block {
    kind: BlockKind,
    range: Range<usize>,
    /// Plain inline text (headings and paragraphs only).
    text: String,
}

fn top_level_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<Block> = None;
    for (event, range) in Parser::new_ext(markdown, parser_options()).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    let kind = match tag {
                        Tag::Heading { .. } => BlockKind::Heading,
                        Tag::Paragraph => BlockKind::Paragraph,
                        _ => BlockKind::Other,
                    };
                    current = Some(Block {
                        kind,
                        range,
                        text: String::new(),
                    });
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && let Some(block) = current.take()
                {
                    blocks.push(block);
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(block) = current.as_mut()
                    && block.kind != BlockKind::Other
                {
                    block.text.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(block) = current.as_mut()
                    && block.kind != BlockKind::Other
                {
                    block.text.push('\n');
                }
            }
            _ if depth == 0 => blocks.push(Block {
                kind: BlockKind::Other,
                range,
                text: String::new(),
            }),
            _ => {}
        }
    }
    blocks
}

enum BlockRole {
    Body,
    /// `ส่วนที่ <n>`: ends the open provision without starting one.
    Part {
        number: String,
        label: String,
        title: String,
    },
    /// Signatures, notes, the statement of reasons: ends the open provision.
    EndMatter,
    Chapter {
        id: String,
        label: String,
        title: String,
    },
    Provision {
        id: String,
        label: String,
        heading: Option<String>,
    },
}

const END_MATTER: [&str; 5] = [
    "ผู้รับสนองพระบรมราชโองการ",
    "ผู้รับสนองพระราชโองการ",
    "ประกาศ ณ วันที่",
    "หมายเหตุ",
    "บันทึกหลักการและเหตุผล",
];

fn classify(block: &Block) -> BlockRole {
    if block.kind == BlockKind::Other {
        return BlockRole::Body;
    }
    let text = strip_leading_markers(&block.text);
    if let Some(m) = match_chapter(text) {
        return BlockRole::Chapter {
            id: m.id,
            label: collapse_ws(&text[..m.end]),
            title: collapse_ws(text),
        };
    }
    if let Some(m) = match_provision(text) {
        let heading = (block.kind == BlockKind::Heading)
            .then(|| {
                text[m.end..]
                    .trim_start_matches(|c: char| is_space(c) || ".:;,-–—)]".contains(c))
                    .trim_end()
            })
            .filter(|h| !h.is_empty())
            .map(collapse_ws);
        return BlockRole::Provision {
            id: m.id,
            label: collapse_ws(&text[..m.end]),
            heading,
        };
    }
    if let Some(m) = match_keyword_number(text, &["ส่วนที่"], false) {
        return BlockRole::Part {
            number: m.id,
            label: collapse_ws(&text[..m.end]),
            title: collapse_ws(text),
        };
    }
    if END_MATTER.iter().any(|w| text.starts_with(w)) {
        return BlockRole::EndMatter;
    }
    BlockRole::Body
}

struct OpenProvision {
    id: String,
    label: String,
    heading: Option<String>,
    chapter: Option<String>,
    start: usize,
    end: usize,
}

fn close(markdown: &str, open: Option<OpenProvision>, out: &mut Vec<Segment>) {
    let Some(p) = open else { return };
    let text = markdown
        .get(p.start..p.end)
        .unwrap_or_default()
        .trim_end()
        .to_string();
    out.push(Segment::Provision(Provision {
        id: p.id,
        label: p.label,
        chapter: p.chapter,
        heading: p.heading,
        html: render_html(&text),
        text,
    }));
}

/// Hands out ids, suffixing repeats with `-dup2`, `-dup3`, …
#[derive(Default)]
struct IdAllocator {
    taken: HashSet<String>,
    /// Next duplicate number to try per base id (keeps many repeats linear).
    next_dup: HashMap<String, usize>,
}

impl IdAllocator {
    fn allocate(&mut self, base: String) -> String {
        if !self.taken.contains(&base) {
            self.taken.insert(base.clone());
            return base;
        }
        let mut n = self.next_dup.get(&base).copied().unwrap_or(2);
        loop {
            let candidate = format!("{base}-dup{n}");
            n += 1;
            if self.taken.insert(candidate.clone()) {
                self.next_dup.insert(base, n);
                return candidate;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Labels

struct LabelMatch {
    id: String,
    /// Byte offset just after the number (and suffix) in the matched text.
    end: usize,
}

const PROVISION_KEYWORDS: [(&str, &str); 4] = [
    ("มาตรา", "s"),
    ("ข้อ", "c"),
    ("section", "s"),
    ("article", "a"),
];

/// Thai and Latin spellings of Latin ordinal suffixes, longest first within
/// each family so that prefixes cannot shadow longer words.
const SUFFIXES: [(&str, &str); 18] = [
    ("จัตวา", "quater"),
    ("เบญจ", "quinquies"),
    ("สัตต", "septies"),
    ("อัฏฐ", "octies"),
    ("ทวิ", "bis"),
    ("ตรี", "ter"),
    ("นว", "novies"),
    ("ทศ", "decies"),
    ("ฉ", "sexies"),
    ("quinquies", "quinquies"),
    ("quater", "quater"),
    ("septies", "septies"),
    ("octies", "octies"),
    ("novies", "novies"),
    ("decies", "decies"),
    ("sexies", "sexies"),
    ("bis", "bis"),
    ("ter", "ter"),
];

fn match_provision(text: &str) -> Option<LabelMatch> {
    PROVISION_KEYWORDS.iter().find_map(|(keyword, prefix)| {
        let m = match_keyword_number(text, &[keyword], false)?;
        Some(LabelMatch {
            id: format!("{prefix}{}", m.id),
            end: m.end,
        })
    })
}

fn match_chapter(text: &str) -> Option<LabelMatch> {
    if let Some(m) = match_keyword_number(text, &["หมวด", "chapter"], true) {
        return Some(LabelMatch {
            id: format!("ch{}", m.id),
            end: m.end,
        });
    }
    let trimmed = text.trim_end_matches(|c: char| is_space(c) || c == '*' || c == '_');
    (trimmed == "บทเฉพาะกาล").then(|| LabelMatch {
        id: "ch-transitional".to_string(),
        end: trimmed.len(),
    })
}

/// Matches `<keyword><spaces?><number>` at the start of `text`, returning the
/// number part of the id (`5-1-bis`) and where the match ends.
fn match_keyword_number(text: &str, keywords: &[&str], roman: bool) -> Option<LabelMatch> {
    let rest = keywords
        .iter()
        .find_map(|k| strip_prefix_ignore_ascii_case(text, k))?;
    let after_keyword = text.len() - rest.len();
    let spaces = rest.len() - rest.trim_start_matches(is_space).len();
    let number_start = after_keyword + spaces;
    let tail = &text[number_start..];
    let (id, len) = parse_number(tail).or_else(|| roman.then(|| parse_roman(tail)).flatten())?;
    Some(LabelMatch {
        id,
        end: number_start + len,
    })
}

/// Parses `๕`, `5/1/2`, `1.2`, `๒๐ ทวิ`, `20bis`; returns the id tail and the
/// number of bytes consumed.
fn parse_number(s: &str) -> Option<(String, usize)> {
    let (first, mut pos) = take_digits(s)?;
    let mut id = first;
    // `/n` parts (spaces allowed around the slash) and `.n` parts.
    loop {
        let rest = &s[pos..];
        let after_ws = rest.trim_start_matches(is_space);
        let candidate = if let Some(r) = after_ws.strip_prefix('/') {
            Some(r.trim_start_matches(is_space))
        } else {
            rest.strip_prefix('.')
        };
        let Some(candidate) = candidate else { break };
        let Some((part, len)) = take_digits(candidate) else {
            break;
        };
        id.push('-');
        id.push_str(&part);
        pos = s.len() - candidate.len() + len;
    }
    // Optional ordinal suffix, which must end at a word boundary.
    let rest = &s[pos..];
    let after_ws = rest.trim_start_matches(is_space);
    for (word, latin) in SUFFIXES {
        if let Some(after) = strip_prefix_ignore_ascii_case(after_ws, word)
            && after.chars().next().is_none_or(is_boundary)
        {
            id.push('-');
            id.push_str(latin);
            pos = s.len() - after.len();
            break;
        }
    }
    Some((id, pos))
}

/// Leading run of Thai or ASCII digits, normalised to ASCII without leading
/// zeros (kept as a string: no overflow on absurdly long numbers).
fn take_digits(s: &str) -> Option<(String, usize)> {
    let mut digits = String::new();
    let mut len = 0;
    for c in s.chars() {
        let Some(d) = crate::text::thai::ascii_digit(c).or(c.is_ascii_digit().then_some(c)) else {
            break;
        };
        digits.push(d);
        len += c.len_utf8();
    }
    if digits.is_empty() {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    let normalised = if trimmed.is_empty() { "0" } else { trimmed };
    Some((normalised.to_string(), len))
}

/// Upper-case Roman numerals (`IV`, `XII`) for English chapter headings.
fn parse_roman(s: &str) -> Option<(String, usize)> {
    let len = s.bytes().take_while(|b| b"IVXLCDM".contains(b)).count();
    if len == 0 || len > 15 || s[len..].chars().next().is_some_and(|c| !is_boundary(c)) {
        return None;
    }
    let value = |b: u8| match b {
        b'I' => 1,
        b'V' => 5,
        b'X' => 10,
        b'L' => 50,
        b'C' => 100,
        b'D' => 500,
        _ => 1000,
    };
    let bytes = &s.as_bytes()[..len];
    // At most 15 numerals of at most 1000 each: no overflow in i64.
    let mut total: i64 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let v = value(b);
        if bytes.get(i + 1).is_some_and(|&next| value(next) > v) {
            total -= v;
        } else {
            total += v;
        }
    }
    (total > 0).then(|| (total.to_string(), len))
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// True when `c` cannot continue a word (Thai letters and marks continue it).
fn is_boundary(c: char) -> bool {
    !(c.is_alphanumeric() || ('\u{0E00}'..='\u{0E7F}').contains(&c))
}

fn strip_leading_markers(s: &str) -> &str {
    s.trim_start_matches(|c: char| is_space(c) || matches!(c, '*' | '_' | '~'))
}

fn strip_prefix_ignore_ascii_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn collapse_ws(s: &str) -> String {
    s.split(is_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provision_ids_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("มาตรา ๕", Some("s5")),
            ("มาตรา 5", Some("s5")),
            ("มาตรา ๕/๑", Some("s5-1")),
            ("มาตรา 5/1", Some("s5-1")),
            ("มาตรา ๕/๑/๒", Some("s5-1-2")),
            ("มาตรา ๕ / ๑", Some("s5-1")),
            ("มาตรา ๑๕/๑", Some("s15-1")),
            ("มาตรา ๒๐ ทวิ", Some("s20-bis")),
            ("มาตรา ๒๐ทวิ", Some("s20-bis")),
            ("มาตรา ๒๐ ตรี", Some("s20-ter")),
            ("มาตรา ๒๐ จัตวา", Some("s20-quater")),
            ("มาตรา ๒๐ เบญจ", Some("s20-quinquies")),
            ("มาตรา ๒๐ ฉ", Some("s20-sexies")),
            ("มาตรา ๒๐ สัตต", Some("s20-septies")),
            ("มาตรา ๒๐ อัฏฐ", Some("s20-octies")),
            ("มาตรา ๒๐ นว", Some("s20-novies")),
            ("มาตรา ๒๐ ทศ", Some("s20-decies")),
            ("มาตรา ๕/๑ ทวิ", Some("s5-1-bis")),
            ("มาตรา  ๕", Some("s5")),
            ("มาตรา\t๕", Some("s5")),
            ("มาตรา\u{a0}๕", Some("s5")),
            ("มาตรา๕", Some("s5")),
            ("มาตรา ๐๕", Some("s5")),
            ("มาตรา ๑๐", Some("s10")),
            ("**มาตรา ๕**", Some("s5")),
            ("มาตรา ๕ ผู้ใด", Some("s5")),
            ("มาตรา ๕ ฉบับนี้", Some("s5")), // ฉ only as a whole word
            ("มาตรา ๕ ทศวรรษ", Some("s5")),
            ("ข้อ ๓", Some("c3")),
            ("ข้อ 3", Some("c3")),
            ("ข้อ๓", Some("c3")),
            ("ข้อ ๓/๒", Some("c3-2")),
            ("Section 12", Some("s12")),
            ("section 12", Some("s12")),
            ("SECTION 12", Some("s12")),
            ("Section 20 bis", Some("s20-bis")),
            ("Section 20bis", Some("s20-bis")),
            ("Section 5 terminates", Some("s5")),
            ("Section 1.2", Some("s1-2")),
            ("Section 3. Definitions", Some("s3")),
            ("Article 4", Some("a4")),
            ("article 4 quater", Some("a4-quater")),
            ("ARTICLE 7/2", Some("a7-2")),
            ("มาตรา", None),
            ("มาตรา ห้า", None),
            ("ข้อมูล ๕ ประเภท", None),
            ("ข้อความ", None),
            ("Sections 5 and 6", None),
            ("Articles 4", None),
            ("ตามมาตรา ๕", None),
            ("หมวด ๑", None),
            ("", None),
            ("๕", None),
        ];
        for (label, expected) in cases {
            assert_eq!(
                provision_id(label).as_deref(),
                *expected,
                "provision_id({label:?})"
            );
        }
    }

    #[test]
    fn chapter_matching() {
        let id = |s: &str| match_chapter(s).map(|m| m.id);
        assert_eq!(id("หมวด ๑ บทบัญญัติทั่วไป").as_deref(), Some("ch1"));
        assert_eq!(id("หมวด 2").as_deref(), Some("ch2"));
        assert_eq!(id("หมวด๓/๑").as_deref(), Some("ch3-1"));
        assert_eq!(id("Chapter 4 General").as_deref(), Some("ch4"));
        assert_eq!(id("CHAPTER IV General").as_deref(), Some("ch4"));
        assert_eq!(id("Chapter XII").as_deref(), Some("ch12"));
        assert_eq!(id("Chapter Index").as_deref(), None);
        assert_eq!(id("บทเฉพาะกาล").as_deref(), Some("ch-transitional"));
        assert_eq!(id("หมวดหมู่"), None);
    }

    const BODY: &str = "\
# ร่างพระราชบัญญัติคุ้มครองข้อมูลตัวอย่าง พ.ศ. ....

โดยที่เป็นการสมควรมีกฎหมายว่าด้วยการคุ้มครองข้อมูลตัวอย่าง

## หมวด ๑ บทบัญญัติทั่วไป

**มาตรา ๑** พระราชบัญญัตินี้เรียกว่า \"พระราชบัญญัติคุ้มครองข้อมูลตัวอย่าง พ.ศ. ....\"

มาตรา ๒ พระราชบัญญัตินี้ให้ใช้บังคับตั้งแต่วันถัดจากวันประกาศในราชกิจจานุเบกษาเป็นต้นไป

### มาตรา ๓ นิยาม

ในพระราชบัญญัตินี้

(๑) \"ข้อมูล\" หมายความว่า สิ่งที่สื่อความหมาย

(๒) \"ผู้ควบคุม\" หมายความว่า บุคคลซึ่งมีอำนาจตัดสินใจ

ทั้งนี้ ให้เป็นไปตามมาตรา ๕

## หมวด ๒
## การเก็บข้อมูล

มาตรา ๑๕ ผู้ควบคุมต้องแจ้ง

- วัตถุประสงค์
- ระยะเวลา

```
มาตรา ๙๙ ในโค้ด ไม่ใช่บทบัญญัติ
```

มาตรา ๑๕/๑ ผู้ใดฝ่าฝืนมาตรา ๑๕ ต้องระวางโทษปรับไม่เกินหนึ่งแสนบาท

> มาตรา ๙๘ ในคำพูด

บทเฉพาะกาล

มาตรา ๒๐ ทวิ ให้ผู้ควบคุมปฏิบัติภายในหนึ่งปี

มาตรา ๒๐ ทวิ ซ้ำ

ผู้รับสนองพระบรมราชโองการ

นายกรัฐมนตรี
";

    #[test]
    fn parses_realistic_thai_body() {
        let parsed = parse_body(BODY);
        let ids: Vec<&str> = parsed.provisions.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            ["s1", "s2", "s3", "s15", "s15-1", "s20-bis", "s20-bis-dup2"]
        );
        let chapters: Vec<(&str, &str, &str)> = parsed
            .chapters
            .iter()
            .map(|c| (c.id.as_str(), c.label.as_str(), c.title.as_str()))
            .collect();
        assert_eq!(
            chapters,
            [
                ("ch1", "หมวด ๑", "หมวด ๑ บทบัญญัติทั่วไป"),
                ("ch2", "หมวด ๒", "หมวด ๒ การเก็บข้อมูล"),
                ("ch-transitional", "บทเฉพาะกาล", "บทเฉพาะกาล"),
            ]
        );

        let p = |id: &str| {
            parsed
                .provisions
                .iter()
                .find(|p| p.id == id)
                .unwrap_or_else(|| panic!("no {id}"))
        };
        let s1 = p("s1");
        assert_eq!(s1.label, "มาตรา ๑");
        assert_eq!(s1.heading, None);
        assert_eq!(s1.chapter.as_deref(), Some("หมวด ๑ บทบัญญัติทั่วไป"));
        assert!(s1.text.starts_with("**มาตรา ๑**"));
        assert!(s1.html.contains("<strong>มาตรา ๑</strong>"), "{}", s1.html);

        let s3 = p("s3");
        assert_eq!(s3.heading.as_deref(), Some("นิยาม"));
        assert!(s3.text.starts_with("### มาตรา ๓ นิยาม\n\nในพระราชบัญญัตินี้"));
        assert!(s3.text.contains("(๑) \"ข้อมูล\""));
        assert!(s3.text.contains("(๒) \"ผู้ควบคุม\""));
        assert!(s3.text.ends_with("ทั้งนี้ ให้เป็นไปตามมาตรา ๕"), "{:?}", s3.text);
        assert!(!s3.text.contains("หมวด ๒"));

        let s15 = p("s15");
        assert_eq!(s15.chapter.as_deref(), Some("หมวด ๒ การเก็บข้อมูล"));
        assert!(s15.text.contains("- ระยะเวลา"));
        assert!(
            s15.text.contains("มาตรา ๙๙ ในโค้ด"),
            "code block stays in s15"
        );
        assert!(s15.html.contains("<li>วัตถุประสงค์</li>"));

        let s15_1 = p("s15-1");
        assert_eq!(s15_1.label, "มาตรา ๑๕/๑");
        assert!(
            s15_1.text.contains("> มาตรา ๙๘ ในคำพูด"),
            "quote stays in s15/1"
        );
        assert!(!s15_1.text.contains("บทเฉพาะกาล"));

        let bis = p("s20-bis");
        assert_eq!(bis.label, "มาตรา ๒๐ ทวิ");
        assert_eq!(bis.chapter.as_deref(), Some("บทเฉพาะกาล"));
        let dup = p("s20-bis-dup2");
        assert_eq!(dup.text, "มาตรา ๒๐ ทวิ ซ้ำ", "end matter is not glued on");

        assert!(parsed.html.contains("<h1>ร่างพระราชบัญญัติ"));
        assert!(parsed.html.contains("นายกรัฐมนตรี"));
        assert!(
            parsed.provisions.iter().all(|p| !p.text.contains("โดยที่")),
            "preamble belongs to no provision"
        );
    }

    #[test]
    fn provision_texts_are_source_slices_in_order() {
        let parsed = parse_body(BODY);
        let mut from = 0;
        for p in &parsed.provisions {
            let at = BODY[from..].find(&p.text).map(|i| i + from);
            assert!(at.is_some(), "{} is not a slice in order", p.id);
            from = at.unwrap_or(from) + p.text.len();
        }
    }

    #[test]
    fn the_outline_covers_every_block_once_in_order() {
        let segments = outline(BODY);
        let mut covered = 0;
        let mut kinds = String::new();
        for s in &segments {
            let range = match s {
                Segment::Loose(r) | Segment::EndMatter(r) => r.clone(),
                Segment::Chapter { source, .. } | Segment::Part { source, .. } => source.clone(),
                Segment::Provision(p) => {
                    let at = BODY[covered..].find(&p.text).map(|i| i + covered);
                    let at = at.unwrap_or_else(|| panic!("{} out of order", p.id));
                    at..at + p.text.len()
                }
            };
            assert!(
                BODY[covered..range.start].trim().is_empty(),
                "a gap before {s:?}: {:?}",
                &BODY[covered..range.start]
            );
            covered = range.end;
            kinds.push(match s {
                Segment::Loose(_) => 'l',
                Segment::Chapter { .. } => 'c',
                Segment::Part { .. } => 'p',
                Segment::EndMatter(_) => 'e',
                Segment::Provision(_) => 's',
            });
        }
        assert!(BODY[covered..].trim().is_empty());
        assert_eq!(kinds, "llcssscsscssel");
        let parsed = parse_body(BODY);
        let ids: Vec<&str> = segments
            .iter()
            .filter_map(|s| match s {
                Segment::Provision(p) => Some(p.id.as_str()),
                _ => None,
            })
            .collect();
        let parsed_ids: Vec<&str> = parsed.provisions.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, parsed_ids);

        let parts = outline("หมวด ๑\n\nส่วนที่ ๒/๑ การขออนุญาต\n\nมาตรา ๑ ก\n");
        assert!(matches!(
            &parts[1],
            Segment::Part { number, label, title, .. }
                if number == "2-1" && label == "ส่วนที่ ๒/๑" && title == "ส่วนที่ ๒/๑ การขออนุญาต"
        ));
    }

    #[test]
    fn english_and_article_bodies() {
        let md = "Preamble.\n\n# Chapter I General\n\n## Section 1. Short title\n\nText.\n\n\
                  Section 2 This Act applies.\n\n# Chapter II\n\nArticle 4 quater Scope.\n\n\
                  Article 5\n\nsection 6 lower case\n";
        let parsed = parse_body(md);
        let summary: Vec<(&str, Option<&str>, Option<&str>)> = parsed
            .provisions
            .iter()
            .map(|p| (p.id.as_str(), p.heading.as_deref(), p.chapter.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("s1", Some("Short title"), Some("Chapter I General")),
                ("s2", None, Some("Chapter I General")),
                ("a4-quater", None, Some("Chapter II")),
                ("a5", None, Some("Chapter II")),
                ("s6", None, Some("Chapter II")),
            ]
        );
        assert_eq!(
            parsed.provisions[0].text,
            "## Section 1. Short title\n\nText."
        );
        assert_eq!(parsed.chapters[0].id, "ch1");
        assert_eq!(parsed.chapters[1].id, "ch2");
    }

    #[test]
    fn mid_paragraph_mentions_do_not_start_provisions() {
        let md = "ข้อ ๑ ให้ใช้ตามมาตรา ๕\nมาตรา ๖ ต่อบรรทัด\n\nผู้ใดฝ่าฝืนข้อ ๒ ต้องรับโทษ\n";
        let parsed = parse_body(md);
        assert_eq!(parsed.provisions.len(), 1);
        assert_eq!(parsed.provisions[0].id, "c1");
        assert_eq!(parsed.provisions[0].text, md.trim_end());
    }

    #[test]
    fn parts_and_setext_headings() {
        let md = "หมวด ๑\nบททั่วไป\n\nส่วนที่ ๑\n\nมาตรา ๑ ก\n\nส่วนที่ ๒ อื่น\n\nมาตรา ๒\n=======\n\nข\n";
        let parsed = parse_body(md);
        assert_eq!(parsed.chapters.len(), 1);
        assert_eq!(parsed.chapters[0].title, "หมวด ๑ บททั่วไป");
        assert_eq!(parsed.provisions[0].text, "มาตรา ๑ ก");
        assert_eq!(parsed.provisions[1].id, "s2");
        assert_eq!(parsed.provisions[1].text, "มาตรา ๒\n=======\n\nข");
        assert_eq!(parsed.provisions[1].heading, None);
    }

    #[test]
    fn duplicates_never_drop_text() {
        let md = "มาตรา ๕ ก\n\nมาตรา 5 ข\n\nมาตรา ๕ ค\n\n## หมวด ๑\n\n## หมวด ๑\n";
        let parsed = parse_body(md);
        let ids: Vec<&str> = parsed.provisions.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["s5", "s5-dup2", "s5-dup3"]);
        assert_eq!(parsed.provisions[2].text, "มาตรา ๕ ค");
        assert_eq!(parsed.chapters[1].id, "ch1-dup2");
    }

    #[test]
    fn empty_and_hostile_bodies() {
        let parsed = parse_body("");
        assert!(parsed.provisions.is_empty() && parsed.chapters.is_empty());
        let parsed = parse_body(&"มาตรา ๕\n\n".repeat(5_000));
        assert_eq!(parsed.provisions.len(), 5_000);
        assert_eq!(parsed.provisions[4_999].id, "s5-dup5000");
        let long = format!("มาตรา {}", "๙".repeat(10_000));
        assert_eq!(provision_id(&long).map(|s| s.len()), Some(10_001));
        let deep = format!("มาตรา ๑\n\n{}x", ">".repeat(50_000));
        assert_eq!(parse_body(&deep).provisions.len(), 1);
    }

    #[test]
    fn serde_round_trip() {
        let parsed = parse_body("## หมวด ๑ ทั่วไป\n\nมาตรา ๑ ก\n");
        let json = serde_json::to_string(&parsed).unwrap_or_default();
        assert!(json.contains(r#""id":"s1""#), "{json}");
        let back: ParsedBody = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, parsed);
    }
}
