//! `word/styles.xml` and `word/numbering.xml`: which paragraph styles are headings or lists,
//! and whether a numbering level is a bullet.
//!
//! Style ids are localised by Word (a Thai Word may save "Heading 1" under another id), so a
//! style is recognised by its `w:name` (`heading 1`, `Title`, `List Bullet`), its outline level,
//! or a list numbering in its paragraph properties, following `w:basedOn` a few steps.

use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::DocxError;

/// How deep a `basedOn` chain is followed (Word's own are 2–3 long; cycles stop here too).
const MAX_BASED_ON: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ListKind {
    Bullet,
    Ordered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HeadingLevel {
    Title,
    /// Word's heading 1–9 (outline levels 0–8 plus one).
    Heading(u8),
}

#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline_level: Option<u8>,
    num_id: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct Styles {
    styles: HashMap<String, Style>,
    /// numId → abstractNumId.
    nums: HashMap<String, String>,
    /// (abstractNumId, ilvl) → numFmt.
    formats: HashMap<(String, u8), String>,
}

impl Styles {
    pub fn parse(styles: Option<&str>, numbering: Option<&str>) -> Result<Styles, DocxError> {
        let mut out = Styles::default();
        if let Some(xml) = styles {
            out.read_styles(xml)?;
        }
        if let Some(xml) = numbering {
            out.read_numbering(xml)?;
        }
        Ok(out)
    }

    /// The heading level of a paragraph with this style and (direct) outline level.
    pub fn heading(&self, style_id: Option<&str>, outline: Option<u8>) -> Option<HeadingLevel> {
        if let Some(level) = outline.filter(|l| *l < 9) {
            return Some(HeadingLevel::Heading(level + 1));
        }
        let id = style_id?;
        for style in self.chain(id) {
            let name = style.name.to_ascii_lowercase();
            if name == "title" {
                return Some(HeadingLevel::Title);
            }
            if let Some(n) = name
                .strip_prefix("heading ")
                .and_then(|n| n.parse::<u8>().ok())
            {
                return Some(HeadingLevel::Heading(n.clamp(1, 9)));
            }
            if let Some(level) = style.outline_level.filter(|l| *l < 9) {
                return Some(HeadingLevel::Heading(level + 1));
            }
        }
        // No styles part: Word's English ids.
        if self.styles.is_empty() {
            if id.eq_ignore_ascii_case("Title") {
                return Some(HeadingLevel::Title);
            }
            if let Some(n) = id
                .strip_prefix("Heading")
                .and_then(|n| n.parse::<u8>().ok())
            {
                return Some(HeadingLevel::Heading(n.clamp(1, 9)));
            }
        }
        None
    }

    /// The list kind of a paragraph: its own `numPr`, else its style's; `None` when not a list.
    pub fn list(
        &self,
        style_id: Option<&str>,
        num_id: Option<&str>,
        level: u8,
    ) -> Option<ListKind> {
        if let Some(num_id) = num_id {
            // numId 0 removes numbering that a style would add.
            return (num_id != "0")
                .then(|| self.num_kind(num_id, level))
                .flatten();
        }
        let id = style_id?;
        for style in self.chain(id) {
            if let Some(num_id) = &style.num_id {
                return (num_id != "0")
                    .then(|| self.num_kind(num_id, level))
                    .flatten();
            }
            let name = style.name.to_ascii_lowercase();
            if name.starts_with("list bullet") {
                return Some(ListKind::Bullet);
            }
            if name.starts_with("list number") {
                return Some(ListKind::Ordered);
            }
        }
        let id = id.to_ascii_lowercase();
        if self.styles.is_empty() && id.starts_with("listbullet") {
            return Some(ListKind::Bullet);
        }
        if self.styles.is_empty() && id.starts_with("listnumber") {
            return Some(ListKind::Ordered);
        }
        None
    }

    /// The nesting Word's "List Bullet 2", "List Number 3"… styles stand for (0-based).
    pub fn list_depth(&self, style_id: Option<&str>) -> Option<u8> {
        self.chain(style_id?).find_map(|style| {
            let name = style.name.to_ascii_lowercase();
            let n = ["list bullet ", "list number ", "list "]
                .iter()
                .find_map(|prefix| name.strip_prefix(prefix))?;
            n.parse::<u8>()
                .ok()
                .filter(|n| (2..=9).contains(n))
                .map(|n| n - 1)
        })
    }

    fn num_kind(&self, num_id: &str, level: u8) -> Option<ListKind> {
        let Some(format) = self
            .nums
            .get(num_id)
            .and_then(|abs| self.formats.get(&(abs.clone(), level)))
        else {
            // A list without a definition still reads best as a list.
            return Some(ListKind::Ordered);
        };
        match format.as_str() {
            "none" => None,
            "bullet" => Some(ListKind::Bullet),
            _ => Some(ListKind::Ordered),
        }
    }

    fn chain<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Style> + 'a {
        let mut next = Some(id);
        std::iter::from_fn(move || {
            let style = self.styles.get(next?)?;
            next = style.based_on.as_deref();
            Some(style)
        })
        .take(MAX_BASED_ON)
    }

    fn read_styles(&mut self, xml: &str) -> Result<(), DocxError> {
        let mut reader = reader(xml);
        let mut current: Option<(String, Style)> = None;
        loop {
            match reader.read_event().map_err(DocxError::malformed)? {
                Event::Start(e) => match e.local_name().as_ref() {
                    b"style" => {
                        let paragraph = attr(&e, b"type")?.is_none_or(|t| t == "paragraph");
                        current = match attr(&e, b"styleId")? {
                            Some(id) if paragraph => Some((id, Style::default())),
                            _ => None,
                        };
                    }
                    name => {
                        if let Some((_, style)) = current.as_mut() {
                            match name {
                                b"name" => style.name = attr(&e, b"val")?.unwrap_or_default(),
                                b"basedOn" => style.based_on = attr(&e, b"val")?,
                                b"outlineLvl" => {
                                    style.outline_level =
                                        attr(&e, b"val")?.and_then(|v| v.parse().ok());
                                }
                                b"numId" => style.num_id = attr(&e, b"val")?,
                                _ => {}
                            }
                        }
                    }
                },
                Event::End(e) if e.local_name().as_ref() == b"style" => {
                    if let Some((id, style)) = current.take() {
                        self.styles.insert(id, style);
                    }
                }
                Event::DocType(_) => return Err(DocxError::malformed("a DTD in styles.xml")),
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    fn read_numbering(&mut self, xml: &str) -> Result<(), DocxError> {
        let mut reader = reader(xml);
        let mut abstract_id: Option<String> = None;
        let mut level: Option<u8> = None;
        let mut num_id: Option<String> = None;
        loop {
            match reader.read_event().map_err(DocxError::malformed)? {
                Event::Start(e) => match e.local_name().as_ref() {
                    b"abstractNum" => abstract_id = attr(&e, b"abstractNumId")?,
                    b"lvl" => level = attr(&e, b"ilvl")?.and_then(|v| v.parse().ok()),
                    b"numFmt" => {
                        if let (Some(abs), Some(lvl), Some(fmt)) =
                            (&abstract_id, level, attr(&e, b"val")?)
                        {
                            self.formats.entry((abs.clone(), lvl)).or_insert(fmt);
                        }
                    }
                    b"num" => num_id = attr(&e, b"numId")?,
                    b"abstractNumId" => {
                        if let (Some(num), Some(abs)) = (num_id.take(), attr(&e, b"val")?) {
                            self.nums.insert(num, abs);
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    b"abstractNum" => abstract_id = None,
                    b"lvl" => level = None,
                    b"num" => num_id = None,
                    _ => {}
                },
                Event::DocType(_) => return Err(DocxError::malformed("a DTD in numbering.xml")),
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }
}

/// A reader that reports `<a/>` as a start and an end, so every element closes.
pub(super) fn reader(xml: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().expand_empty_elements = true;
    reader
}

/// An attribute's unescaped value, matched by local name (`w:val` and `val` alike).
pub(super) fn attr(e: &BytesStart<'_>, local: &[u8]) -> Result<Option<String>, DocxError> {
    for a in e.attributes() {
        let a = a.map_err(DocxError::malformed)?;
        if a.key.local_name().as_ref() == local {
            return Ok(Some(
                a.unescape_value()
                    .map_err(DocxError::malformed)?
                    .into_owned(),
            ));
        }
    }
    Ok(None)
}
