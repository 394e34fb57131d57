//! Where each word of a stored text is, kept beside the text in the embedded index, so that a
//! snippet never segments its text again: charabia's segmentation (script detection, the Thai
//! dictionary's FST) is most of what a search costs when every hit's text is segmented to be
//! highlighted. A word is stored as the gap from the end of the word before and its length, in
//! bytes of the original text (LEB128 varints, two or three bytes a word; about a fifth of a
//! Thai text's size). Its normalised form is the original bytes folded ([`words::fold_char`]),
//! which is what the analysis gives for nearly every word; where it is not, the normalised form
//! is stored after the length.

use std::ops::Range;

use crate::text::words;

/// A word of a text: its normalised form and its byte range in the original text.
pub struct Word<'a> {
    pub text: &'a str,
    pub from: usize,
    pub to: usize,
}

fn fold(original: &str) -> String {
    let mut out = String::with_capacity(original.len());
    for c in original.chars() {
        words::fold_char(c, &mut out);
    }
    out
}

fn put(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn take(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let mut n = 0usize;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        n |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// The stored form of `text`'s words (in order, not overlapping).
pub fn encode(text: &str, words: &[Word<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(words.len() * 3);
    let mut end = 0;
    for w in words {
        debug_assert!(w.from >= end && w.to <= text.len());
        let explicit = fold(&text[w.from..w.to]) != w.text;
        put(&mut out, w.from - end);
        put(&mut out, ((w.to - w.from) << 1) | usize::from(explicit));
        if explicit {
            put(&mut out, w.text.len());
            out.extend_from_slice(w.text.as_bytes());
        }
        end = w.to;
    }
    out
}

/// A stored word inside a range: its byte range relative to the range's start, and its
/// normalised form when folding the original does not give it.
pub struct StoredWord<'a> {
    pub from: usize,
    pub to: usize,
    pub normal: Option<&'a str>,
}

/// The words of `text` that lie inside `range`, offsets relative to `range.start`. Words are
/// decoded up to the end of the range only. `None` when the stored form does not fit the text
/// (an index written by another version): the caller segments the text instead.
pub fn words_in<'a>(
    stored: &'a [u8],
    text: &str,
    range: Range<usize>,
) -> Option<Vec<StoredWord<'a>>> {
    let mut words = Vec::new();
    let (mut at, mut end) = (0, 0);
    while at < stored.len() {
        let from = end + take(stored, &mut at)?;
        let packed = take(stored, &mut at)?;
        let to = from + (packed >> 1);
        let normal = if packed & 1 == 1 {
            let len = take(stored, &mut at)?;
            let bytes = stored.get(at..at + len)?;
            at += len;
            Some(std::str::from_utf8(bytes).ok()?)
        } else {
            None
        };
        if to > text.len() || !text.is_char_boundary(from) || !text.is_char_boundary(to) {
            return None;
        }
        if from >= range.end {
            break;
        }
        if from >= range.start && to <= range.end {
            words.push(StoredWord {
                from: from - range.start,
                to: to - range.start,
                normal,
            });
        }
        end = to;
    }
    Some(words)
}

/// The normalised form of a stored word of `text` (offsets relative to `text`).
pub fn normal_form(word: &StoredWord<'_>, text: &str) -> String {
    match word.normal {
        Some(n) => n.to_string(),
        None => fold(&text[word.from..word.to]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(text: &str) -> Vec<(String, usize, usize)> {
        vec![
            ("ร่าง".to_string(), 0, "ร่าง".len()),
            ("file".to_string(), text.find('ﬁ').unwrap(), text.len()),
        ]
    }

    #[test]
    fn words_come_back_with_their_places_and_normal_forms() {
        let text = "ร่าง ﬁle";
        let owned = words_of(text);
        let words: Vec<Word<'_>> = owned
            .iter()
            .map(|(t, from, to)| Word {
                text: t,
                from: *from,
                to: *to,
            })
            .collect();
        let stored = encode(text, &words);
        let decoded = words_in(&stored, text, 0..text.len()).unwrap();
        let got: Vec<(String, usize, usize)> = decoded
            .iter()
            .map(|w| (normal_form(w, text), w.from, w.to))
            .collect();
        // The analysis made `file` of `ﬁle`, which folding alone does not: stored explicitly.
        assert_eq!(
            got,
            vec![
                ("ร่าง".to_string(), 0, "ร่าง".len()),
                ("file".to_string(), text.find('ﬁ').unwrap(), text.len())
            ]
        );
        // A range keeps only the words inside it, offsets relative to it.
        let from = text.find('ﬁ').unwrap();
        let tail = words_in(&stored, text, from..text.len()).unwrap();
        assert_eq!(tail.len(), 1);
        assert_eq!((tail[0].from, tail[0].normal), (0, Some("file")));
        // Stored words that do not fit the text are refused, not trusted.
        assert!(words_in(&stored, "ร่าง", 0.."ร่าง".len()).is_none());
    }
}
