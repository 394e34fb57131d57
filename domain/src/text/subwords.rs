//! Sub-words of Thai words, for finding a word inside a compound that charabia's longest-match
//! segmentation keeps whole (`บุคคล` inside `ส่วนบุคคล`): the dictionary sub-words the
//! Meilisearch backend indexes ([`grams`], explained in `search::meilisearch`), and the
//! character n-grams the embedded index indexes ([`thai_char_grams`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use charabia::Segment;
use charabia::segmenter::{Segmenter, ThaiSegmenter};

use super::{thai, words};

/// At most this many distinct sub-words per document.
const MAX_GRAMS: usize = 5_000;
/// Longer "words" are runs the dictionary did not know: not split further.
const MAX_WORD_CHARS: usize = 40;
/// Longest sub-word tried.
const MAX_SUBWORD_CHARS: usize = 24;
/// Sub-words shorter than this many letters (marks not counted) are too ambiguous to index:
/// `ข้อ` and `มูล` out of `ข้อมูล`, `กร` out of `กรรมการ`.
const MIN_SUBWORD_LETTERS: usize = 3;
/// Pieces of pieces are split again this many times at most.
const MAX_SPLIT_DEPTH: usize = 3;
/// Sub-words are cached per word; the cache is emptied when it grows past this.
const SUBWORD_CACHE_MAX: usize = 100_000;

static SUBWORD_CACHE: LazyLock<Mutex<HashMap<String, Arc<[String]>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The distinct dictionary sub-words of the Thai words of `texts`, and of the spans where
/// longest match cut a word apart ([`stray_letter_spans`]), in order of first appearance.
pub fn grams(texts: &[&str]) -> Vec<String> {
    let mut seen_words = HashSet::new();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for text in texts {
        for word in words::words(text)
            .into_iter()
            .chain(stray_letter_spans(text))
        {
            if !seen_words.insert(word.clone()) {
                continue;
            }
            for sub in thai_subwords(&word).iter() {
                if out.len() >= MAX_GRAMS {
                    return out;
                }
                if seen.insert(sub.clone()) {
                    out.push(sub.clone());
                }
            }
        }
    }
    out
}

/// Spans of Thai text where charabia's longest match cut a dictionary word apart. Longest
/// match is greedy: in `การคุ้มครอง` it takes `การคุ` (an entry), which leaves `้` and `ม` as
/// single characters, and `คุ้มครอง` is never seen; `การกำหนด` gives `การกำ | หน | ด`. Around
/// every single Thai character it leaves, the neighbouring Thai segments (two, else one, on each
/// side) are joined again; [`grams`] then splits that span into the fewest dictionary words
/// (`กับ | การ | คุ้มครอง`), like any other word.
fn stray_letter_spans(text: &str) -> Vec<String> {
    let normal = words::normalize(text);
    let segments: Vec<&str> = normal.as_str().segment_str().collect();
    let is_thai = |s: &str| s.chars().all(thai::is_thai);
    let mut spans = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        if segment.chars().count() != 1 || !is_thai(segment) {
            continue;
        }
        for reach in [2, 1] {
            let mut from = i;
            while from > 0 && i - from < reach && is_thai(segments[from - 1]) {
                from -= 1;
            }
            let mut to = i + 1;
            while to < segments.len() && to - i <= reach && is_thai(segments[to]) {
                to += 1;
            }
            let span = segments[from..to].concat();
            if !thai_subwords(&span).is_empty() {
                spans.push(span);
                break;
            }
        }
    }
    spans
}

/// [`compute_subwords`], cached.
fn thai_subwords(word: &str) -> Arc<[String]> {
    if let Some(hit) = SUBWORD_CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(word)
    {
        return hit.clone();
    }
    let subs: Arc<[String]> = compute_subwords(word).into();
    let mut cache = SUBWORD_CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= SUBWORD_CACHE_MAX {
        cache.clear();
    }
    cache.insert(word.to_string(), subs.clone());
    subs
}

/// The sub-words of the Thai word `word`: the pieces of its splits into the fewest dictionary
/// words ("maximal matching", the usual way to choose among Thai segmentations), then the pieces
/// of those pieces, down to [`MAX_SPLIT_DEPTH`] levels; only pieces of at least
/// [`MIN_SUBWORD_LETTERS`] letters are kept.
pub fn compute_subwords(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut level = vec![word.to_string()];
    for _ in 0..MAX_SPLIT_DEPTH {
        let mut next = Vec::new();
        for w in &level {
            for piece in fewest_pieces(w) {
                if piece == word || out.contains(&piece) || next.contains(&piece) {
                    continue;
                }
                next.push(piece);
            }
        }
        if next.is_empty() {
            break;
        }
        out.extend(
            next.iter()
                .filter(|p| letters(p) >= MIN_SUBWORD_LETTERS)
                .cloned(),
        );
        level = next;
    }
    out
}

/// Letters of a Thai word, not counting combining marks (`ข้อ` has 2).
fn letters(word: &str) -> usize {
    word.chars().filter(|&c| !thai::is_mark(c)).count()
}

/// The distinct pieces of every split of `word` into two or more dictionary words that uses as
/// few pieces as possible (empty when there is no such split).
fn fewest_pieces(word: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let n = chars.len();
    if !(4..=MAX_WORD_CHARS).contains(&n) || !word.chars().all(thai::is_thai) {
        return Vec::new();
    }
    let byte_at = |i: usize| chars.get(i).map_or(word.len(), |&(b, _)| b);
    let can_split = |i: usize| i == 0 || i == n || split_allowed(chars[i - 1].1, chars[i].1);

    // is_word[i][j]: chars i..j form a dictionary word (of 2 characters or more).
    let mut is_word = vec![vec![false; n + 1]; n + 1];
    for i in (0..n).filter(|&i| can_split(i)) {
        for j in (i + 2..=n.min(i + MAX_SUBWORD_CHARS)).filter(|&j| can_split(j)) {
            is_word[i][j] = is_dictionary_word(&word[byte_at(i)..byte_at(j)]);
        }
    }
    // to_end[i]: fewest dictionary words covering chars i..n.
    let mut to_end: Vec<Option<usize>> = vec![None; n + 1];
    to_end[n] = Some(0);
    for i in (0..n).rev() {
        to_end[i] = (i + 2..=n)
            .filter(|&j| is_word[i][j])
            .filter_map(|j| to_end[j].map(|k| k + 1))
            .min();
    }
    // The whole word as one piece is not a split.
    let is_piece = |i: usize, j: usize| is_word[i][j] && (i, j) != (0, n);
    let Some(best) = (2..n)
        .filter(|&j| is_piece(0, j))
        .filter_map(|j| to_end[j].map(|k| k + 1))
        .min()
    else {
        return Vec::new();
    };
    // Walk every optimal split: from a position on one, a piece (i, j) is on one when the
    // fewest pieces after j are exactly one less than what remains at i.
    let mut on_path = vec![false; n + 1];
    on_path[0] = true;
    let mut pieces: Vec<String> = Vec::new();
    for i in 0..n {
        if !on_path[i] {
            continue;
        }
        let remaining = if i == 0 { Some(best) } else { to_end[i] };
        for j in i + 2..=n {
            if is_piece(i, j) && to_end[j].map(|k| k + 1) == remaining {
                on_path[j] = true;
                let piece = &word[byte_at(i)..byte_at(j)];
                if !pieces.iter().any(|p| p == piece) {
                    pieces.push(piece.to_string());
                }
            }
        }
    }
    pieces
}

/// True when charabia's Thai dictionary holds exactly `s`. Its segmenter takes the longest
/// dictionary match and emits unknown characters one by one, so a segment of two characters or
/// more covering the whole of `s` is a dictionary entry.
fn is_dictionary_word(s: &str) -> bool {
    let mut segments = ThaiSegmenter.segment_str(s);
    matches!((segments.next(), segments.next()), (Some(first), None) if first == s)
}

/// Whether a word boundary may fall between `before` and `after`: not before a combining mark
/// or a following vowel/sign (ะ า ำ ๅ ๆ ฯ), not after a leading vowel (เ แ โ ใ ไ).
fn split_allowed(before: char, after: char) -> bool {
    !(thai::is_mark(after)
        || matches!(
            after,
            '\u{0E30}' | '\u{0E32}' | '\u{0E33}' | '\u{0E45}' | '\u{0E46}' | '\u{0E2F}'
        )
        || matches!(before, '\u{0E40}'..='\u{0E44}'))
}

/// A character n-gram of a Thai run: its byte range and its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gram {
    pub from: usize,
    pub to: usize,
    pub position: usize,
}

/// Character bigrams and trigrams of each run of Thai characters of `text`, at the position of
/// their first character; positions of consecutive runs are `run_gap` apart, so that a phrase
/// never spans two runs. For an index that finds Thai words inside compounds whatever the
/// dictionary says (the embedded index's `grams` field).
pub fn thai_char_grams(text: &str, run_gap: usize) -> Vec<Gram> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut grams = Vec::new();
    let mut position = 0;
    let mut i = 0;
    while i < chars.len() {
        if !thai::is_thai(chars[i].1) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && thai::is_thai(chars[i].1) {
            i += 1;
        }
        for k in start..i {
            for n in [2, 3] {
                if k + n <= i {
                    grams.push(Gram {
                        from: byte_at(k),
                        to: byte_at(k + n),
                        position: position + (k - start),
                    });
                }
            }
        }
        position += (i - start) + run_gap;
    }
    grams
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn grams_hold_the_dictionary_words_inside_compounds() {
        let g = grams(&[
            "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคลฉบับแก้ไขเพิ่มเติม",
            "มาตรา ๕ Personal Data",
        ]);
        for expected in ["พระราชบัญญัติ", "ร่าง", "บุคคล", "ส่วน"]
        {
            assert!(
                g.iter().any(|w| w == expected),
                "{expected} missing from {g:?}"
            );
        }
        // Whole words are already indexed; nothing outside a complete split; no Latin.
        for unexpected in [
            "ร่างพระราชบัญญัติ",
            "ส่วนบุคคล",
            "วน",
            "ข้อ",
            "มูล",
            "personal",
            "5",
        ] {
            assert!(!g.iter().any(|w| w == unexpected), "{unexpected} in {g:?}");
        }
        // Each gram is one dictionary entry, so Meilisearch's segmenter keeps it whole.
        for w in &g {
            assert_eq!(
                ThaiSegmenter.segment_str(w).collect::<Vec<_>>(),
                vec![w.as_str()]
            );
        }
        let mut unique = g.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), g.len());
        assert!(grams(&["Personal Data Protection Act"]).is_empty());
        assert!(compute_subwords("ข้อมูล").is_empty());
        let committee = compute_subwords("คณะกรรมการ");
        assert_eq!(committee, ["คณะ", "กรรมการ", "กรรม", "การ"]);
    }

    #[test]
    fn grams_are_fast_enough() {
        let text = "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคลฉบับแก้ไขเพิ่มเติม ผู้ควบคุมข้อมูลส่วนบุคคลต้องแจ้งวัตถุประสงค์ของการเก็บรวบรวม \
                    ใช้ หรือเปิดเผยข้อมูลส่วนบุคคลแก่เจ้าของข้อมูลส่วนบุคคล คณะกรรมการกำกับสำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล "
            .repeat(200);
        let started = Instant::now();
        let g = grams(&[&text]);
        assert!(!g.is_empty());
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}
