//! Words: the normal form both search backends, the statistics and campaign detection work
//! on, and charabia's segmentation of it (Thai by dictionary), with the stop words and the
//! key terms of a text.

use std::collections::HashMap;

use charabia::Segment;

/// The form both backends index and search: [`crate::text::canonical`] (NFC, Thai sara am
/// composed, as every text is stored), then Thai digits become ASCII digits (`มาตรา ๕` matches
/// `มาตรา 5`) and letters are lower-cased; Thai tone and vowel marks are kept (`เสือ` tiger and
/// `เสื้อ` shirt stay different words).
pub fn normalize(text: &str) -> String {
    fold(&crate::text::canonical(text))
}

/// The digit and case folding of [`normalize`], for text already in canonical form (it works
/// character by character, so it can keep track of where each character came from).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// [`fold`] of one character, appended to `out`. ASCII and Thai characters (most of every
/// text) take a short path: Thai has no letter case, so only its digits change.
#[inline]
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if super::thai::is_thai(c) {
        out.push(super::thai::ascii_digit(c).unwrap_or(c));
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Words of a text as charabia segments them (Thai by dictionary, longest match), normalised,
/// without spaces and punctuation.
pub fn words(text: &str) -> Vec<String> {
    let normal = normalize(text);
    normal
        .as_str()
        .segment_str()
        .map(str::trim)
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

/// Words too common in draft laws or comments to say what a text is about: legal structure
/// words, then common Thai and English function words. Used for related drafts and for the
/// term counts of the statistics.
pub const STOP_WORDS: &[&str] = &[
    "มาตรา",
    "ข้อ",
    "หมวด",
    "และ",
    "หรือ",
    "ที่",
    "ให้",
    "ของ",
    "ใน",
    "การ",
    "ความ",
    "เป็น",
    "ได้",
    "โดย",
    "ตาม",
    "แห่ง",
    "ซึ่ง",
    "ร่าง",
    "พ.ศ",
    "ฉบับที่",
    "นี้",
    "ไม่",
    "ต้อง",
    "กับ",
    "แก่",
    "จาก",
    "ว่า",
    "มี",
    "เมื่อ",
    "ผู้",
    "เพื่อ",
    "ดังกล่าว",
    "พระราชบัญญัติ",
    "the",
    "draft",
    "act",
    "b.e",
    "of",
    "and",
    "or",
    "to",
    "a",
    "an",
    "in",
    "on",
    "for",
    "by",
    "with",
    "is",
    "be",
    "this",
    "that",
    "shall",
    // Comments.
    "ร่างพระราชบัญญัติ",
    "ควร",
    "จะ",
    "ก็",
    "แต่",
    "ด้วย",
    "ต่อ",
    "ขอ",
    "เพราะ",
    "อย่าง",
    "นั้น",
    "คือ",
    "อยู่",
    "แล้ว",
    "ยัง",
    "ไป",
    "มา",
    "it",
    "are",
    "as",
    "at",
    "we",
    "should",
    "must",
    "not",
    "will",
    "would",
    "can",
    "from",
];

/// The `n` most frequent content words of a text, for finding related documents.
pub fn key_terms(text: &str, n: usize) -> Vec<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for w in words(text) {
        if w.chars().count() < 2
            || STOP_WORDS.contains(&w.as_str())
            || w.chars().all(|c| c.is_ascii_digit())
        {
            continue;
        }
        *counts.entry(w).or_default() += 1;
    }
    let mut terms: Vec<(String, usize)> = counts.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.into_iter().take(n).map(|(w, _)| w).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_char_takes_short_paths_to_the_same_result() {
        // Every ASCII and Thai character, and some with interesting lower cases.
        let others = "ÉΣǅİﬁẞ".chars();
        for c in ('\0'..='\u{7F}')
            .chain('\u{0E00}'..='\u{0E7F}')
            .chain(others)
        {
            let mut short = String::new();
            fold_char(c, &mut short);
            let general: String = std::iter::once(crate::text::thai::ascii_digit(c).unwrap_or(c))
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(short, general, "{c:?}");
        }
        assert_eq!(fold("มาตรา ๕/๑ ÉCOLE İ"), "มาตรา 5/1 école i\u{307}");
    }

    #[test]
    fn digits_are_normalised_and_marks_kept() {
        assert_eq!(normalize("มาตรา ๕/๑ Section"), "มาตรา 5/1 section");
        assert_ne!(normalize("เสือ"), normalize("เสื้อ"));
    }

    #[test]
    fn decomposed_and_composed_spellings_give_the_same_words() {
        assert_eq!(words("Cafe\u{301} กําหนด"), words("Café กำหนด"));
        assert_eq!(normalize("CAFE\u{301}"), "café");
    }

    #[test]
    fn words_and_key_terms() {
        let w = words("ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล");
        assert!(w.contains(&"คุ้มครอง".to_string()), "{w:?}");
        let terms = key_terms("ข้อมูลส่วนบุคคล ข้อมูลส่วนบุคคล การคุ้มครอง ข้อมูลส่วนบุคคล และ มาตรา", 2);
        assert_eq!(terms[0], "ข้อมูล");
    }
}
