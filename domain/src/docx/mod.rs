//! Word (`.docx`) → draft markdown, so an agency can upload the draft it wrote in Word instead
//! of retyping it. The output is the markdown [`crate::provisions`] splits into provisions.
//!
//! Three steps, one file each:
//!
//! 1. [`package`]: the upload is a zip. It is refused before anything is inflated when it is
//!    over [`DocxLimits::max_input_bytes`], not a zip, declares more than
//!    [`DocxLimits::max_uncompressed_bytes`] or a ratio over
//!    [`DocxLimits::max_compression_ratio`], carries macros (`word/vbaProject.bin`, a
//!    `macroEnabled` content type) or has no `word/document.xml`. The parts we need
//!    (`[Content_Types].xml`, `word/document.xml`, `word/styles.xml`, `word/numbering.xml`) are
//!    then read in bounded chunks, counting the bytes that really come out of the inflater
//!    against the same two limits, because declared sizes are written by the uploader.
//! 2. [`styles`] and [`document`]: the XML is read with quick-xml's streaming reader (no DTD,
//!    no entity expansion beyond the five XML ones; a `<!DOCTYPE` is refused) into paragraphs
//!    (style, list numbering, runs with bold/italic) and tables. Tracked deletions, field codes,
//!    drawings and text boxes are left out; tracked insertions are kept.
//! 3. [`render`]: paragraphs become markdown blocks, one per paragraph, so each provision is its
//!    own block. Word heading styles and paragraphs that start with `หมวด <n>`, `บทเฉพาะกาล`
//!    (`##`) or `ส่วนที่ <n>` (`###`) become headings; a one-line paragraph right after a bare
//!    `หมวด <n>` becomes a heading too, so the parser takes it as the chapter's title. A
//!    paragraph whose lines (Shift+Enter) start a new provision or chapter is split there.
//!    Word lists become markdown lists (`-`, or `1.` for any numbered format), except a list
//!    paragraph whose text itself starts with a label, which stays a provision; tables become
//!    GFM pipe tables (first row as header, cell paragraphs joined by `<br>`); bold and italic
//!    runs become `**`/`*` where the markdown rules let them close. Text is escaped, so `*`,
//!    `#`, `1.` or `<` typed in Word stay text. Numbers are kept exactly as typed.
//!
//! Not handled: Word's automatic numbering that itself produces "มาตรา ๑" (a list level whose
//! text is `มาตรา %1`) comes out as an ordered markdown list item without the label, so such
//! paragraphs start no provision: they read as list items of the provision or preamble before
//! them, and the officer sees the provisions missing in the preview. Likewise automatic `(๑)`
//! numbering becomes `1.` items (a typed `(๑)` is kept). Footnotes, comments, headers and
//! footers, images and text boxes are dropped; merged table cells become empty cells. The
//! markdown is not length-checked here: callers validate it like a typed body.

mod document;
mod error;
mod package;
mod render;
mod styles;

#[cfg(test)]
mod tests;

pub use error::DocxError;

/// Bounds on what an upload may make us read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocxLimits {
    /// Largest upload, in bytes (default 10 MiB).
    pub max_input_bytes: usize,
    /// Most bytes all entries may inflate to together, declared or actually read (default
    /// 64 MiB).
    pub max_uncompressed_bytes: u64,
    /// Highest inflated/compressed ratio of one entry once it is past 1 MiB (default 100; text
    /// XML is usually 5–20).
    pub max_compression_ratio: u64,
}

impl Default for DocxLimits {
    fn default() -> Self {
        DocxLimits {
            max_input_bytes: 10 * 1024 * 1024,
            max_uncompressed_bytes: 64 * 1024 * 1024,
            max_compression_ratio: 100,
        }
    }
}

/// Converts an uploaded `.docx` into draft markdown (see the module doc for what is kept).
///
/// CPU work (inflating and parsing up to the limits): call it from `spawn_blocking`. The result
/// is in canonical text ([`crate::text::canonical`]) but not yet a stored body: pass it through
/// the same checks as typed markdown (size, emptiness), e.g. `service::drafts::render_body`.
pub fn to_markdown(bytes: &[u8], limits: &DocxLimits) -> Result<String, DocxError> {
    let package = package::Package::open(bytes, limits)?;
    let styles = styles::Styles::parse(package.styles.as_deref(), package.numbering.as_deref())?;
    let blocks = document::parse(&package.document, &styles)?;
    // The same canonical text a typed body is stored in, so a preview and the lint of the
    // converted body see what will be saved.
    let markdown = render::render(&blocks);
    Ok(match crate::text::canonical(&markdown) {
        std::borrow::Cow::Borrowed(_) => markdown,
        std::borrow::Cow::Owned(canonical) => canonical,
    })
}
