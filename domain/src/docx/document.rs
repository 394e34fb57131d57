//! `word/document.xml` → paragraphs and tables, streamed with quick-xml.
//!
//! Only `w:t` text is taken (not `w:delText`, `w:instrText`), plus tabs and line breaks inside
//! runs. Whole subtrees that are not body text are skipped: tracked deletions and moves away,
//! drawings, VML pictures, embedded objects, alternate content and text boxes (whose paragraphs
//! would otherwise land in the middle of the paragraph that anchors them), and section
//! properties. A table nested in a table cell is flattened into that cell.

use quick_xml::events::Event;

use super::DocxError;
use super::styles::{HeadingLevel, ListKind, Styles, attr, reader};

/// Elements whose whole content is left out.
const SKIPPED: [&[u8]; 10] = [
    b"del",
    b"moveFrom",
    b"instrText",
    b"delInstrText",
    b"drawing",
    b"pict",
    b"object",
    b"AlternateContent",
    b"txbxContent",
    b"sectPr",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    Paragraph(Paragraph),
    Table(Vec<Vec<Cell>>),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Paragraph {
    pub heading: Option<HeadingLevel>,
    /// List kind and level (0-based).
    pub list: Option<(ListKind, u8)>,
    pub runs: Vec<Run>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Run {
    /// Text with `\t` for tabs and `\n` for line breaks.
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Cell {
    pub paragraphs: Vec<Paragraph>,
    /// Grid columns the cell spans (`w:gridSpan`), at least 1.
    pub span: usize,
}

/// Paragraph properties as read, resolved against the styles when the paragraph ends.
#[derive(Default)]
struct RawParagraph {
    style: Option<String>,
    outline: Option<u8>,
    num_id: Option<String>,
    level: Option<u8>,
    runs: Vec<Run>,
}

#[derive(Default)]
struct State {
    blocks: Vec<Block>,
    /// Depth inside a skipped subtree (0: not skipping).
    skip: usize,
    paragraph: Option<RawParagraph>,
    in_ppr: bool,
    run: Option<Run>,
    in_rpr: bool,
    in_text: bool,
    /// Nesting of `w:tbl`; only the outermost table makes rows and cells.
    table_depth: usize,
    rows: Vec<Vec<Cell>>,
    cell: Option<Cell>,
}

pub(super) fn parse(xml: &str, styles: &Styles) -> Result<Vec<Block>, DocxError> {
    let mut reader = reader(xml);
    let mut s = State::default();
    loop {
        let event = reader.read_event().map_err(DocxError::malformed)?;
        if s.skip > 0 {
            match event {
                Event::Start(_) => s.skip += 1,
                Event::End(_) => s.skip -= 1,
                Event::Eof => break,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if SKIPPED.contains(&name) {
                    s.skip = 1;
                    continue;
                }
                match name {
                    b"p" => s.paragraph = Some(RawParagraph::default()),
                    b"pPr" => s.in_ppr = true,
                    b"pStyle" if s.in_ppr => {
                        if let Some(p) = s.paragraph.as_mut() {
                            p.style = attr(&e, b"val")?;
                        }
                    }
                    b"outlineLvl" if s.in_ppr => {
                        if let Some(p) = s.paragraph.as_mut() {
                            p.outline = attr(&e, b"val")?.and_then(|v| v.parse().ok());
                        }
                    }
                    b"ilvl" if s.in_ppr => {
                        if let Some(p) = s.paragraph.as_mut() {
                            p.level = attr(&e, b"val")?.and_then(|v| v.parse().ok());
                        }
                    }
                    b"numId" if s.in_ppr => {
                        if let Some(p) = s.paragraph.as_mut() {
                            p.num_id = attr(&e, b"val")?;
                        }
                    }
                    b"r" if !s.in_ppr => s.run = Some(Run::default()),
                    b"rPr" if s.run.is_some() => s.in_rpr = true,
                    b"b" | b"bCs" if s.in_rpr => {
                        if let Some(r) = s.run.as_mut() {
                            r.bold |= on(&e)?;
                        }
                    }
                    b"i" | b"iCs" if s.in_rpr => {
                        if let Some(r) = s.run.as_mut() {
                            r.italic |= on(&e)?;
                        }
                    }
                    b"t" if s.run.is_some() && !s.in_rpr => s.in_text = true,
                    b"tab" if s.run.is_some() && !s.in_rpr => push_text(&mut s, "\t"),
                    b"br" | b"cr" if s.run.is_some() && !s.in_rpr => {
                        // Page and column breaks do not break the text.
                        let kind = attr(&e, b"type")?;
                        if kind.is_none_or(|k| k == "textWrapping") {
                            push_text(&mut s, "\n");
                        }
                    }
                    b"noBreakHyphen" if s.run.is_some() => push_text(&mut s, "-"),
                    b"tbl" => s.table_depth += 1,
                    b"tr" if s.table_depth == 1 => s.rows.push(Vec::new()),
                    b"tc" if s.table_depth == 1 => {
                        s.cell = Some(Cell {
                            paragraphs: Vec::new(),
                            span: 1,
                        });
                    }
                    b"gridSpan" if s.table_depth == 1 => {
                        if let Some(c) = s.cell.as_mut() {
                            let span: usize =
                                attr(&e, b"val")?.and_then(|v| v.parse().ok()).unwrap_or(1);
                            // Word allows 63 columns; more is not a real table.
                            c.span = span.clamp(1, 63);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"p" => {
                    if let Some(raw) = s.paragraph.take() {
                        let paragraph = resolve(raw, styles);
                        match s.cell.as_mut() {
                            Some(cell) => cell.paragraphs.push(paragraph),
                            None if s.table_depth == 0 => {
                                s.blocks.push(Block::Paragraph(paragraph));
                            }
                            // Outside a cell but inside a table: not valid WordprocessingML.
                            None => {}
                        }
                    }
                }
                b"pPr" => s.in_ppr = false,
                b"r" => {
                    if let (Some(run), Some(p)) = (s.run.take(), s.paragraph.as_mut())
                        && !run.text.is_empty()
                    {
                        p.runs.push(run);
                    }
                }
                b"rPr" => s.in_rpr = false,
                b"t" => s.in_text = false,
                b"tc" if s.table_depth == 1 => {
                    if let (Some(cell), Some(row)) = (s.cell.take(), s.rows.last_mut()) {
                        row.push(cell);
                    }
                }
                b"tbl" => {
                    s.table_depth = s.table_depth.saturating_sub(1);
                    if s.table_depth == 0 {
                        let rows = std::mem::take(&mut s.rows);
                        s.blocks.push(Block::Table(rows));
                    }
                }
                _ => {}
            },
            Event::Text(t) if s.in_text => {
                let text = t.unescape().map_err(DocxError::malformed)?;
                push_text(&mut s, &text);
            }
            Event::CData(t) if s.in_text => {
                let text = std::str::from_utf8(&t).map_err(DocxError::malformed)?;
                push_text(&mut s, text);
            }
            Event::DocType(_) => return Err(DocxError::malformed("a DTD in document.xml")),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(s.blocks)
}

fn push_text(s: &mut State, text: &str) {
    if let Some(run) = s.run.as_mut() {
        run.text.push_str(text);
    }
}

/// A toggle property (`<w:b/>`, `<w:b w:val="0"/>`) is on unless its value says off.
fn on(e: &quick_xml::events::BytesStart<'_>) -> Result<bool, DocxError> {
    Ok(attr(e, b"val")?.is_none_or(|v| !matches!(v.as_str(), "0" | "false" | "off")))
}

fn resolve(raw: RawParagraph, styles: &Styles) -> Paragraph {
    let heading = styles.heading(raw.style.as_deref(), raw.outline);
    let list = if heading.is_some() {
        None
    } else {
        let level = raw
            .level
            .or_else(|| styles.list_depth(raw.style.as_deref()))
            .unwrap_or(0)
            .min(8);
        styles
            .list(raw.style.as_deref(), raw.num_id.as_deref(), level)
            .map(|kind| (kind, level))
    };
    Paragraph {
        heading,
        list,
        runs: raw.runs,
    }
}
