//! The zip container: refusals, then bounded reads of the parts we use.

use std::io::{self, Cursor, ErrorKind, Read};

use quick_xml::Reader;
use quick_xml::events::Event;
use zip::read::ZipFile;
use zip::{ZipArchive, ZipReadOptions};

use super::{DocxError, DocxLimits};

const DOCUMENT: &str = "word/document.xml";
const STYLES: &str = "word/styles.xml";
const NUMBERING: &str = "word/numbering.xml";
const CONTENT_TYPES: &str = "[Content_Types].xml";

/// Below this many inflated bytes an entry's ratio is not checked: small XML parts can
/// compress very well and are harmless.
const RATIO_FLOOR: u64 = 1024 * 1024;

/// Read buffer; also how far past a limit a read can go before it is noticed.
const CHUNK: usize = 64 * 1024;

/// The parts of a package the conversion reads, as text.
pub(super) struct Package {
    pub document: String,
    pub styles: Option<String>,
    pub numbering: Option<String>,
}

struct Entry {
    name: String,
    size: u64,
    compressed: u64,
}

impl Package {
    pub fn open(bytes: &[u8], limits: &DocxLimits) -> Result<Package, DocxError> {
        if bytes.len() > limits.max_input_bytes {
            return Err(DocxError::TooLarge {
                size: bytes.len(),
                limit: limits.max_input_bytes,
            });
        }
        let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|_| DocxError::NotZip)?;

        let metadata = archive.metadata();
        let mut entries = Vec::with_capacity(metadata.len());
        for i in 0..metadata.len() {
            let entry = metadata.entry(i).map_err(DocxError::malformed)?;
            entries.push(Entry {
                name: String::from_utf8_lossy(entry.name_raw()).into_owned(),
                size: entry.size(),
                compressed: entry.compressed_size(),
            });
        }
        drop(metadata);

        // Declared sizes first: cheap, and enough to refuse a lazy bomb without inflating it.
        let mut declared: u64 = 0;
        for entry in &entries {
            declared = declared.saturating_add(entry.size);
            if declared > limits.max_uncompressed_bytes
                || too_compressed(entry.size, entry.compressed, limits)
            {
                return Err(DocxError::ZipBomb);
            }
        }
        if entries.iter().any(|e| is_vba(&e.name)) {
            return Err(DocxError::MacroEnabled);
        }
        let find = |wanted: &str| {
            entries.iter().position(|e| e.name == wanted).or_else(|| {
                entries
                    .iter()
                    .position(|e| e.name.eq_ignore_ascii_case(wanted))
            })
        };
        let document = find(DOCUMENT).ok_or(DocxError::NotWord)?;

        let mut budget = Budget {
            left: limits.max_uncompressed_bytes,
            limits,
        };
        if let Some(i) = find(CONTENT_TYPES) {
            let types = budget.read_text(&mut archive, i)?;
            if declares_macros(&types)? {
                return Err(DocxError::MacroEnabled);
            }
        }
        let document = budget.read_text(&mut archive, document)?;
        let styles = find(STYLES)
            .map(|i| budget.read_text(&mut archive, i))
            .transpose()?;
        let numbering = find(NUMBERING)
            .map(|i| budget.read_text(&mut archive, i))
            .transpose()?;
        Ok(Package {
            document,
            styles,
            numbering,
        })
    }
}

fn too_compressed(size: u64, compressed: u64, limits: &DocxLimits) -> bool {
    size > RATIO_FLOOR && size / compressed.max(1) > limits.max_compression_ratio
}

/// Word keeps a document's VBA project in `vbaProject.bin` (next to `document.xml`, or in an
/// embedded template); no plain `.docx` has one.
fn is_vba(name: &str) -> bool {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    file.eq_ignore_ascii_case("vbaProject.bin")
}

/// True when `[Content_Types].xml` declares a macro-enabled part (`.docm`, `.dotm`, VBA).
fn declares_macros(xml: &str) -> Result<bool, DocxError> {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event().map_err(DocxError::malformed)? {
            Event::Start(e) | Event::Empty(e) => {
                for attr in e.attributes().flatten() {
                    if attr.key.local_name().as_ref() == b"ContentType" {
                        let value = attr.unescape_value().map_err(DocxError::malformed)?;
                        let value = value.to_ascii_lowercase();
                        if value.contains("macroenabled") || value.contains("vbaproject") {
                            return Ok(true);
                        }
                    }
                }
            }
            Event::DocType(_) => return Err(DocxError::malformed("a DTD in [Content_Types].xml")),
            Event::Eof => return Ok(false),
            _ => {}
        }
    }
}

/// What is left of [`DocxLimits::max_uncompressed_bytes`] across all entries read.
struct Budget<'a> {
    left: u64,
    limits: &'a DocxLimits,
}

impl Budget<'_> {
    fn read_text(
        &mut self,
        archive: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
    ) -> Result<String, DocxError> {
        let bytes = self.read(archive, index)?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        String::from_utf8(bytes.to_vec())
            .map_err(|_| DocxError::malformed("a part is not UTF-8 text"))
    }

    /// Inflates one entry, counting what really comes out; never trusts the declared sizes.
    fn read(
        &mut self,
        archive: &mut ZipArchive<Cursor<&[u8]>>,
        index: usize,
    ) -> Result<Vec<u8>, DocxError> {
        let failure = {
            let mut file = archive.by_index(index).map_err(DocxError::malformed)?;
            match self.inflate(&mut file) {
                Ok(out) => return Ok(out),
                Err(failure) => failure,
            }
        };
        match failure {
            Failure::Refused(e) => Err(e),
            // At its declared end the zip reader fails either because the checksum is wrong (a
            // damaged file) or because the entry goes on (sizes that lie, as bombs do). Read it
            // again up to there without the checksum to tell which.
            Failure::AtDeclaredEnd { error, declared } => {
                let options = ZipReadOptions::new().ignore_crc32(true);
                let mut file = archive
                    .by_index_with_options(index, options)
                    .map_err(DocxError::malformed)?;
                let read = io::copy(&mut (&mut file).take(declared), &mut io::sink());
                let mut one = [0u8; 1];
                match (read, file.read(&mut one)) {
                    (Ok(n), Ok(0)) if n == declared => Err(DocxError::malformed(error)),
                    (Ok(n), _) if n == declared => Err(DocxError::ZipBomb),
                    _ => Err(DocxError::malformed(error)),
                }
            }
        }
    }

    fn inflate(&mut self, file: &mut ZipFile<'_, Cursor<&[u8]>>) -> Result<Vec<u8>, Failure> {
        let declared = file.size();
        let compressed = file.compressed_size();
        let mut out = Vec::with_capacity(usize::try_from(declared.min(self.left)).unwrap_or(0));
        let mut chunk = vec![0u8; CHUNK];
        loop {
            // Up to the declared size, then one byte more, so that a failure at the declared
            // end can be told apart (see `read`).
            let want = match declared.saturating_sub(out.len() as u64) {
                0 => 1,
                left => usize::try_from(left).unwrap_or(CHUNK).min(CHUNK),
            };
            let n = match file.read(&mut chunk[..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(error) if out.len() as u64 == declared => {
                    return Err(Failure::AtDeclaredEnd { error, declared });
                }
                Err(e) => return Err(Failure::Refused(DocxError::malformed(e))),
            };
            let n64 = n as u64;
            if n64 > self.left {
                return Err(Failure::Refused(DocxError::ZipBomb));
            }
            self.left -= n64;
            out.extend_from_slice(&chunk[..n]);
            if out.len() as u64 > declared
                || too_compressed(out.len() as u64, compressed, self.limits)
            {
                return Err(Failure::Refused(DocxError::ZipBomb));
            }
        }
        Ok(out)
    }
}

enum Failure {
    Refused(DocxError),
    AtDeclaredEnd { error: io::Error, declared: u64 },
}
