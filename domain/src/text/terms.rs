//! Term extraction: the distinct content words of a text, as the statistics count them and
//! comments keep them. The words are those of [`super::words::words`] (charabia's
//! segmentation of the normalised text: Thai digits to ASCII, lower case); a content word has
//! at least two characters, at least one letter (so numbers like `2567` or `12.5` are left
//! out) and is not a stop word. The extraction reuses one buffer per pass and allocates only
//! when a word is seen for the first time; charabia's segmentation is nearly all of its cost.

use std::sync::LazyLock;

use charabia::Script;
use charabia::Segment;
use charabia::segmenter::{Segmenter, ThaiSegmenter};
use charabia::separators::DEFAULT_SEPARATORS;

use super::thai;

fn is_stop_word(w: &str) -> bool {
    super::words::STOP_WORDS.contains(&w)
}

/// Extracts the distinct content words of comment bodies, reusing its buffers between calls.
#[derive(Debug, Default)]
pub struct TermExtractor {
    normal: String,
    spans: Vec<(u32, u32)>,
}

impl TermExtractor {
    pub fn new() -> TermExtractor {
        TermExtractor::default()
    }

    /// Calls `f` once for each distinct content word of `body` (see the module documentation),
    /// in no particular order.
    pub fn distinct_terms(&mut self, body: &str, mut f: impl FnMut(&str)) {
        normalize_into(body, &mut self.normal);
        let normal = self.normal.as_str();
        let spans = &mut self.spans;
        spans.clear();
        let base = normal.as_ptr() as usize;
        for_each_word(normal, |w| {
            if !is_content_word(w) {
                return;
            }
            // `w` is a slice of `normal`: keep its position instead of a copy.
            let Some(start) = (w.as_ptr() as usize).checked_sub(base) else {
                return;
            };
            if let (Ok(s), Ok(e)) = (u32::try_from(start), u32::try_from(start + w.len())) {
                spans.push((s, e));
            }
        });
        let text = |&(s, e): &(u32, u32)| normal.get(s as usize..e as usize).unwrap_or("");
        spans.sort_unstable_by(|a, b| text(a).cmp(text(b)));
        spans.dedup_by(|a, b| text(a) == text(b));
        for span in spans.iter() {
            f(text(span));
        }
    }
}

/// Calls `f` with each word of an already normalised text, exactly the words
/// [`super::words::words`] gives for it (charabia's segmentation, then trimmed, without tokens
/// that have no letter or digit), in order.
///
/// charabia first splits a text into runs of one script (characters of no script join the
/// run they are in), then splits each run at separators (spaces, punctuation, maths symbols),
/// then hands each piece to the run's segmenter: the Thai dictionary segmenter for Thai, the
/// identity for Latin and for runs of no script, pieces made only of digits and ASCII
/// punctuation staying whole. This function does the first two steps itself with table
/// look-ups for ASCII and Thai characters and calls charabia's Thai segmenter directly; runs of
/// any other script go through charabia's full `segment_str`. The result is the same, at about
/// half the cost (charabia classifies every character through a chain of script tests, detects
/// each run's script again and finds separators with an automaton).
pub fn for_each_word(normal: &str, mut f: impl FnMut(&str)) {
    let mut emit = |w: &str| {
        let w = w.trim();
        if w.chars().any(is_alphanumeric) {
            f(w);
        }
    };
    let mut current = Script::Other;
    let mut run_start = 0;
    for (i, c) in normal.char_indices() {
        let script = script_of(c);
        if script != Script::Other && script != current {
            if current != Script::Other {
                segment_run(&normal[run_start..i], current, &mut emit);
                run_start = i;
            }
            current = script;
        }
    }
    segment_run(&normal[run_start..], current, &mut emit);
}

/// charabia's script of a character, without its chain of tests for ASCII and Thai.
fn script_of(c: char) -> Script {
    if c.is_ascii() {
        if c.is_ascii_alphabetic() {
            Script::Latin
        } else {
            Script::Other
        }
    } else if ('\u{0E00}'..='\u{0E7F}').contains(&c) {
        Script::Thai
    } else {
        Script::from(c)
    }
}

fn segment_run(run: &str, script: Script, emit: &mut impl FnMut(&str)) {
    if run.is_empty() {
        return;
    }
    match script {
        Script::Thai | Script::Latin | Script::Other => {
            for piece in run.split(is_separator).filter(|p| !p.is_empty()) {
                if script == Script::Thai && !maybe_number(piece) {
                    for w in ThaiSegmenter.segment_str(piece) {
                        emit(w);
                    }
                } else {
                    emit(piece);
                }
            }
        }
        _ => {
            for w in run.segment_str() {
                emit(w);
            }
        }
    }
}

/// charabia's test for a piece that is a number and is never segmented.
fn maybe_number(piece: &str) -> bool {
    piece
        .chars()
        .all(|c| c.is_numeric() || c.is_ascii_punctuation())
}

/// charabia's separators as a character set (its few multi-character separators are made of
/// separator characters, or of a script other than Latin and Thai).
struct Separators {
    ascii: [bool; 128],
    thai: [bool; 128],
    other: Vec<char>,
}

static SEPARATORS: LazyLock<Separators> = LazyLock::new(|| {
    let mut set = Separators {
        ascii: [false; 128],
        thai: [false; 128],
        other: Vec::new(),
    };
    for sep in DEFAULT_SEPARATORS {
        let mut chars = sep.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            let code = c as usize;
            if code < 128 {
                set.ascii[code] = true;
            } else if (0x0E00..0x0E80).contains(&code) {
                set.thai[code - 0x0E00] = true;
            } else {
                set.other.push(c);
            }
        }
    }
    set.other.sort_unstable();
    set.other.dedup();
    set
});

fn is_separator(c: char) -> bool {
    let code = c as usize;
    let set = &*SEPARATORS;
    if code < 128 {
        set.ascii[code]
    } else if (0x0E00..0x0E80).contains(&code) {
        set.thai[code - 0x0E00]
    } else {
        set.other.binary_search(&c).is_ok()
    }
}

fn is_content_word(w: &str) -> bool {
    let mut chars = w.chars();
    let (Some(first), Some(_)) = (chars.next(), chars.next()) else {
        return false; // fewer than two characters
    };
    (is_letter(first) || w.chars().skip(1).any(is_letter)) && !is_stop_word(w)
}

/// `char::is_alphabetic` and `char::is_alphanumeric` of the Thai block, looked up once (the
/// general look-up is slow for Thai letters and was most of the cost of filtering words).
static THAI_CLASSES: LazyLock<[(bool, bool); 128]> = LazyLock::new(|| {
    let mut table = [(false, false); 128];
    for (i, entry) in table.iter_mut().enumerate() {
        if let Some(c) = char::from_u32(0x0E00 + i as u32) {
            *entry = (c.is_alphabetic(), c.is_alphanumeric());
        }
    }
    table
});

/// `char::is_alphabetic`, fast for ASCII and Thai.
fn is_letter(c: char) -> bool {
    let code = c as usize;
    if code < 128 {
        c.is_ascii_alphabetic()
    } else if (0x0E00..0x0E80).contains(&code) {
        THAI_CLASSES[code - 0x0E00].0
    } else {
        c.is_alphabetic()
    }
}

/// `char::is_alphanumeric`, fast for ASCII and Thai.
fn is_alphanumeric(c: char) -> bool {
    let code = c as usize;
    if code < 128 {
        c.is_ascii_alphanumeric()
    } else if (0x0E00..0x0E80).contains(&code) {
        THAI_CLASSES[code - 0x0E00].1
    } else {
        c.is_alphanumeric()
    }
}

/// [`super::words::normalize`] for canonical text, into a reused buffer.
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(d) = thai::ascii_digit(c) {
            out.push(d);
        } else if thai::is_thai(c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
}
