//! Paragraphs and tables → markdown text (the rules are in the module doc of `docx`).

use super::document::{Block, Cell, Paragraph, Run};
use super::styles::{HeadingLevel, ListKind};
use crate::provisions::{LineRole, line_role};

/// Longest one-line paragraph taken as the title of a bare `หมวด <n>` line before it.
const MAX_TITLE_CHARS: usize = 120;

pub(super) fn render(blocks: &[Block]) -> String {
    let mut w = Writer::default();
    for block in blocks {
        match block {
            Block::Paragraph(p) => w.paragraph(p),
            Block::Table(rows) => {
                if let Some(table) = table(rows) {
                    w.block(&table);
                }
            }
        }
    }
    if !w.out.is_empty() {
        w.out.push('\n');
    }
    w.out
}

#[derive(Default)]
struct Writer {
    out: String,
    /// Content widths of the markers of the open list items, by level.
    list: Vec<usize>,
    in_list: bool,
    /// The last block was a bare `หมวด <n>` / `ส่วนที่ <n>` heading of this level.
    bare_label: Option<usize>,
}

impl Writer {
    fn block(&mut self, markdown: &str) {
        if !self.out.is_empty() {
            self.out.push_str("\n\n");
        }
        self.out.push_str(markdown);
        self.in_list = false;
        self.list.clear();
        self.bare_label = None;
    }

    fn heading(&mut self, level: usize, text: &str, bare: bool) {
        let text = collapse(text);
        self.block(&format!("{} {}", "#".repeat(level), escape(&text)));
        self.bare_label = bare.then_some(level);
    }

    fn paragraph(&mut self, p: &Paragraph) {
        let lines = lines(&p.runs);
        if lines.iter().all(|l| plain(l).trim().is_empty()) {
            return;
        }
        if let Some(level) = p.heading {
            let text: Vec<String> = lines.iter().map(|l| plain(l)).collect();
            let text = text.join(" ");
            let bare = matches!(
                line_role(&text),
                LineRole::Chapter { bare: true } | LineRole::Part { bare: true }
            );
            let level = match level {
                HeadingLevel::Title => 1,
                HeadingLevel::Heading(n) => usize::from(n).saturating_add(1).min(6),
            };
            return self.heading(level, &text, bare);
        }
        // A numbered or bulleted paragraph whose own text starts a provision or chapter is a
        // provision that was given list formatting for its indent: the label wins.
        let first_line = lines
            .iter()
            .map(|l| plain(l))
            .find(|t| !t.trim().is_empty());
        if let Some((kind, level)) = p.list
            && first_line.is_some_and(|t| line_role(&t) == LineRole::Other)
        {
            return self.item(kind, usize::from(level), &lines);
        }
        for group in groups(lines) {
            let text: Vec<String> = group.iter().map(|l| plain(l)).collect();
            let text = text.join(" ");
            match line_role(&text) {
                LineRole::Chapter { bare } => self.heading(2, &text, bare),
                LineRole::Part { bare } => self.heading(3, &text, bare),
                LineRole::Other
                    if self.bare_label.is_some()
                        && group.len() == 1
                        && text.trim().chars().count() <= MAX_TITLE_CHARS =>
                {
                    let level = self.bare_label.unwrap_or(2) + 1;
                    self.heading(level.min(6), &text, false);
                }
                _ => {
                    let md: Vec<String> = group.iter().map(|l| line(l)).collect();
                    self.block(&md.join("\\\n"));
                }
            }
        }
    }

    fn item(&mut self, kind: ListKind, level: usize, lines: &[Vec<Run>]) {
        if self.in_list {
            self.out.push('\n');
        } else if !self.out.is_empty() {
            self.out.push_str("\n\n");
        }
        self.bare_label = None;
        let level = level.min(self.list.len());
        self.list.truncate(level);
        let indent = " ".repeat(self.list.iter().sum());
        let marker = match kind {
            ListKind::Bullet => "- ",
            ListKind::Ordered => "1. ",
        };
        let continuation = format!("\\\n{indent}{}", " ".repeat(marker.len()));
        let md: Vec<String> = lines
            .iter()
            .map(|l| line(l))
            .filter(|l| !l.is_empty())
            .collect();
        self.out.push_str(&indent);
        self.out.push_str(marker);
        self.out.push_str(&md.join(&continuation));
        self.list.push(marker.len());
        self.in_list = true;
    }
}

/// Runs split at line breaks, tabs turned into spaces.
fn lines(runs: &[Run]) -> Vec<Vec<Run>> {
    let mut lines = vec![Vec::new()];
    for run in runs {
        for (i, piece) in run.text.split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            if !piece.is_empty()
                && let Some(line) = lines.last_mut()
            {
                line.push(Run {
                    text: piece.replace('\t', " "),
                    ..*run
                });
            }
        }
    }
    lines
}

/// Consecutive non-empty lines, a new group starting at each line that starts a provision,
/// chapter, part or end matter (an officer's Shift+Enter where Enter was meant).
fn groups(lines: Vec<Vec<Run>>) -> Vec<Vec<Vec<Run>>> {
    let mut groups: Vec<Vec<Vec<Run>>> = Vec::new();
    for line in lines {
        if plain(&line).trim().is_empty() {
            continue;
        }
        match groups.last_mut() {
            Some(group) if line_role(&plain(&line)) == LineRole::Other => group.push(line),
            _ => groups.push(vec![line]),
        }
    }
    groups
}

fn plain(runs: &[Run]) -> String {
    runs.iter().map(|r| r.text.as_str()).collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line of inline markdown: escaped text, bold/italic where the delimiters will work.
fn line(runs: &[Run]) -> String {
    // Merge runs that look the same (Word splits runs at every edit).
    let mut merged: Vec<Run> = Vec::new();
    for run in runs {
        match merged.last_mut() {
            Some(last) if last.bold == run.bold && last.italic == run.italic => {
                last.text.push_str(&run.text);
            }
            _ => merged.push(run.clone()),
        }
    }
    // Leading and trailing spaces of the line go (indentation would make a code block), so
    // that the first run really starts the line.
    merged.retain(|r| !r.text.is_empty());
    while merged.first().is_some_and(|r| r.text.trim().is_empty()) {
        merged.remove(0);
    }
    while merged.last().is_some_and(|r| r.text.trim().is_empty()) {
        merged.pop();
    }
    if let Some(first) = merged.first_mut() {
        first.text = first.text.trim_start().to_string();
    }
    if let Some(last) = merged.last_mut() {
        last.text = last.text.trim_end().to_string();
    }
    let mut escaped: Vec<String> = merged.iter().map(|r| escape(&r.text)).collect();
    escape_line_start(&mut escaped);

    let mut out = String::new();
    for (i, run) in merged.iter().enumerate() {
        let text = &escaped[i];
        let delimiter = match (run.bold, run.italic) {
            (true, true) => "***",
            (true, false) => "**",
            (false, true) => "*",
            (false, false) => "",
        };
        let content = text.trim();
        if delimiter.is_empty() || content.is_empty() {
            out.push_str(text);
            continue;
        }
        let lead = &text[..text.len() - text.trim_start().len()];
        let trail = &text[text.trim_end().len()..];
        let before = if lead.is_empty() {
            out.chars().next_back()
        } else {
            lead.chars().next_back()
        };
        let after = if trail.is_empty() {
            escaped.get(i + 1).and_then(|t| t.chars().next())
        } else {
            trail.chars().next()
        };
        if can_open(before, content) && can_close(content, after) {
            out.push_str(lead);
            out.push_str(delimiter);
            out.push_str(content);
            out.push_str(delimiter);
            out.push_str(trail);
        } else {
            out.push_str(text);
        }
    }
    out
}

/// CommonMark's left-flanking rule for a `*` run before `content`, decided conservatively:
/// when unsure, no emphasis (plain text never renders wrong).
fn can_open(before: Option<char>, content: &str) -> bool {
    let Some(first) = content.chars().next() else {
        return false;
    };
    if before == Some('*') {
        return false;
    }
    !maybe_punctuation(first) || before.is_none_or(|c| c.is_whitespace() || surely_punctuation(c))
}

fn can_close(content: &str, after: Option<char>) -> bool {
    let Some(last) = content.chars().next_back() else {
        return false;
    };
    if after == Some('*') {
        return false;
    }
    !maybe_punctuation(last) || after.is_none_or(|c| c.is_whitespace() || surely_punctuation(c))
}

fn surely_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || ('\u{2010}'..='\u{2027}').contains(&c)
        || ('\u{2030}'..='\u{205E}').contains(&c)
        || matches!(c, '\u{0E4F}' | '\u{0E5A}' | '\u{0E5B}')
}

fn maybe_punctuation(c: char) -> bool {
    !(c.is_alphanumeric()
        || c.is_whitespace()
        || ('\u{0E01}'..='\u{0E4E}').contains(&c)
        || ('\u{0E50}'..='\u{0E59}').contains(&c))
}

/// Escapes every character that could start markdown syntax inside a line.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '&' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes what only means something at the start of a line: list markers (`-`, `+`, `1.`,
/// `1)`) and setext underlines (`=`, `-`). The line is the runs' texts in order; a number's
/// digits and its `.` may lie in different runs (a plain `1`, an italic `.`).
fn escape_line_start(runs: &mut [String]) {
    if let Some(first) = runs.first_mut()
        && first.starts_with(['-', '+', '='])
    {
        first.insert(0, '\\');
        return;
    }
    let mut digits = 0;
    for run in runs.iter_mut() {
        let run_digits = run.bytes().take_while(u8::is_ascii_digit).count();
        digits += run_digits;
        if run_digits < run.len() {
            if (1..=9).contains(&digits) && run[run_digits..].starts_with(['.', ')']) {
                run.insert(run_digits, '\\');
            }
            return;
        }
    }
}

/// A GFM pipe table, the first row as header; `None` when the table has no cells.
fn table(rows: &[Vec<Cell>]) -> Option<String> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = Vec::new();
            for cell in row {
                cells.push(cell_text(cell));
                cells.extend(std::iter::repeat_n(String::new(), cell.span - 1));
            }
            cells
        })
        .filter(|row| !row.is_empty())
        .collect();
    let columns = rows.iter().map(Vec::len).max()?;
    let line = |cells: &[String]| {
        let mut s = String::from("|");
        for i in 0..columns {
            s.push(' ');
            s.push_str(cells.get(i).map_or("", String::as_str));
            s.push_str(" |");
        }
        s
    };
    let mut out = vec![line(&rows[0])];
    out.push(format!("|{}", " --- |".repeat(columns)));
    out.extend(rows[1..].iter().map(|r| line(r)));
    Some(out.join("\n"))
}

/// A cell's paragraphs and line breaks as one line joined by `<br>`.
fn cell_text(cell: &Cell) -> String {
    cell.paragraphs
        .iter()
        .flat_map(|p| lines(&p.runs))
        .map(|l| line(&l))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("<br>")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use pulldown_cmark::{Event, Parser, Tag};

    use super::*;
    use crate::markdown::parser_options;

    /// Characters that mean something in markdown, Thai letters, digits and marks, spaces.
    const ALPHABET: &[char] = &[
        '*', '_', '#', '>', '-', '+', '=', '.', ')', '(', '[', ']', '<', '|', '`', '~', '&', '!',
        '\\', '“', '”', ':', '/', ' ', ' ', 'ก', 'ม', 'า', '้', 'ี', '่', '๑', '1', '9', 'a', ';',
    ];

    fn arb_runs() -> impl Strategy<Value = Vec<Run>> {
        let text = prop::collection::vec(prop::sample::select(ALPHABET), 0..8)
            .prop_map(|chars| chars.into_iter().collect::<String>());
        prop::collection::vec((text, any::<bool>(), any::<bool>()), 1..6).prop_map(|runs| {
            runs.into_iter()
                .map(|(text, bold, italic)| Run { text, bold, italic })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever was typed in Word reads back as the same text: one paragraph, nothing
        /// taken as syntax, no delimiter left over.
        #[test]
        fn any_typed_text_reads_back_unchanged(runs in arb_runs()) {
            let md = line(&runs);
            let mut text = String::new();
            let mut blocks = Vec::new();
            let mut depth = 0usize;
            for event in Parser::new_ext(&md, parser_options()) {
                match event {
                    Event::Start(tag) => {
                        if depth == 0 {
                            blocks.push(tag.clone());
                        }
                        depth += 1;
                        prop_assert!(
                            matches!(tag, Tag::Paragraph | Tag::Strong | Tag::Emphasis),
                            "{md:?}: {tag:?}"
                        );
                    }
                    Event::End(_) => depth -= 1,
                    Event::Text(t) => text.push_str(&t),
                    other => prop_assert!(false, "{md:?}: {other:?}"),
                }
            }
            prop_assert!(blocks.len() <= 1, "{md:?}: {blocks:?}");
            let typed = plain(&runs);
            prop_assert_eq!(text.as_str(), typed.trim(), "{:?}", md);
        }
    }

    fn run(text: &str, bold: bool, italic: bool) -> Run {
        Run {
            text: text.into(),
            bold,
            italic,
        }
    }

    #[test]
    fn text_that_looks_like_markdown_stays_text() {
        let cases = [
            ("1. ไม่ใช่รายการ", "1\\. ไม่ใช่รายการ"),
            ("- ขีด", "\\- ขีด"),
            ("# ไม่ใช่หัวข้อ", "\\# ไม่ใช่หัวข้อ"),
            (
                "a*b*c_d_ <script> [x](y) |",
                "a\\*b\\*c\\_d\\_ \\<script\\> \\[x\\](y) \\|",
            ),
            ("    เยื้อง", "เยื้อง"),
            ("(๑) ข้อ", "(๑) ข้อ"),
            ("&amp;", "\\&amp;"),
        ];
        let md = line(&[
            run("  ", true, false),
            run("    1. ไม่ใช่รายการ ", false, false),
            run(" ", true, false),
        ]);
        assert_eq!(md, "1\\. ไม่ใช่รายการ");
        // A number's digits and its dot in runs of different formatting still start a list.
        let md = line(&[run("1", false, false), run(".", false, true)]);
        assert_eq!(md, "1\\.");
        let md = line(&[
            run("1", false, false),
            run("2", true, false),
            run(") ข้อ", false, false),
        ]);
        assert_eq!(md, "1**2**\\) ข้อ");
        for (input, expected) in cases {
            assert_eq!(line(&[run(input, false, false)]), expected, "{input:?}");
        }
    }

    #[test]
    fn emphasis_only_where_it_closes() {
        let md = line(&[run("มาตรา ๑", true, false), run(" ข้อความ", false, false)]);
        assert_eq!(md, "**มาตรา ๑** ข้อความ");
        let md = line(&[
            run("ก", false, false),
            run("ข ", false, true),
            run("ค", false, false),
        ]);
        assert_eq!(md, "ก*ข* ค");
        // `“` is punctuation after a letter: a delimiter there could not open.
        let md = line(&[
            run("ก", false, false),
            run("“ข”", true, false),
            run("ค", false, false),
        ]);
        assert_eq!(md, "ก“ข”ค");
        let md = line(&[run("ก", true, false), run("ข", false, true)]);
        assert_eq!(md, "**ก**ข");
        let md = line(&[run("ก", true, true)]);
        assert_eq!(md, "***ก***");
        for (md, html) in [
            ("**มาตรา ๑** ข้อความ", "<strong>มาตรา ๑</strong>"),
            ("ก*ข* ค", "<em>ข</em>"),
        ] {
            assert!(crate::markdown::render_html(md).contains(html), "{md}");
        }
    }

    #[test]
    fn tables_pad_spans_and_escape_pipes() {
        let cell = |t: &str, span| Cell {
            paragraphs: vec![Paragraph {
                runs: vec![run(t, false, false)],
                ..Paragraph::default()
            }],
            span,
        };
        let md = table(&[
            vec![cell("ก", 2)],
            vec![cell("a|b", 1), cell("ค", 1), cell("ง", 1)],
        ]);
        assert_eq!(
            md.as_deref(),
            Some("| ก |  |  |\n| --- | --- | --- |\n| a\\|b | ค | ง |")
        );
        assert_eq!(table(&[]), None);
    }
}
