//! Provision-by-provision comparison of two versions of a draft, with
//! word-level changes inside changed provisions.
//!
//! Provisions are matched by [`Provision::id`] and compared on their markdown
//! `text` (a change of chapter alone with identical text is `Unchanged`).
//! The result follows the new version's order; a removed provision is placed
//! after the provision that preceded it in the old version (runs of removed
//! provisions keep their old order; removed ones at the very start come
//! first).
//!
//! Thai is written without spaces between words, so texts are split with
//! charabia's dictionary segmenter ([`segment_words`]) and the token
//! sequences are diffed with `similar` (Myers, with a deadline so a
//! pathological pair cannot stall a request; past the deadline `similar`
//! returns a coarser but still correct diff). Adjacent ops of one kind are
//! merged, and changes separated only by whitespace or punctuation are joined
//! into a single delete + insert so a rewritten phrase reads as one change.
//! Concatenating the `Equal` and `Delete` texts always gives the old text;
//! `Equal` and `Insert` give the new one.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use charabia::Segment;
use serde::Serialize;
use similar::{Algorithm, DiffTag};

use crate::provisions::Provision;

/// How long the word diff of one provision may take before `similar` falls
/// back to a coarser result.
const WORD_DIFF_BUDGET: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WordOp {
    Equal,
    Insert,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordChange {
    pub op: WordOp,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvisionDiff {
    pub id: String,
    /// The new version's label, or the old one for removed provisions.
    pub label: String,
    pub change: ChangeKind,
    /// Word-level changes; empty unless `change` is `Changed`.
    pub words: Vec<WordChange>,
}

/// Compares two versions of a body's provisions (see the module doc).
pub fn diff_provisions(old: &[Provision], new: &[Provision]) -> Vec<ProvisionDiff> {
    let mut old_by_id: HashMap<&str, usize> = HashMap::new();
    for (i, p) in old.iter().enumerate() {
        old_by_id.entry(p.id.as_str()).or_insert(i);
    }

    // Pair each new provision with an old one (each old one used once).
    let mut matched_old = vec![false; old.len()];
    let mut pairs: Vec<(Option<usize>, &Provision)> = Vec::with_capacity(new.len());
    for p in new {
        let partner = old_by_id
            .get(p.id.as_str())
            .copied()
            .filter(|&i| !matched_old[i]);
        if let Some(i) = partner {
            matched_old[i] = true;
        }
        pairs.push((partner, p));
    }

    // Removed provisions, grouped under the nearest kept old predecessor.
    let mut leading_removed: Vec<usize> = Vec::new();
    let mut removed_after: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut anchor: Option<usize> = None;
    for (i, &kept) in matched_old.iter().enumerate() {
        if kept {
            anchor = Some(i);
        } else {
            match anchor {
                Some(a) => removed_after.entry(a).or_default().push(i),
                None => leading_removed.push(i),
            }
        }
    }

    let removed = |i: usize| ProvisionDiff {
        id: old[i].id.clone(),
        label: old[i].label.clone(),
        change: ChangeKind::Removed,
        words: Vec::new(),
    };
    let mut out: Vec<ProvisionDiff> = Vec::with_capacity(new.len() + old.len());
    out.extend(leading_removed.iter().map(|&i| removed(i)));
    let mut emitted_anchors = HashSet::new();
    for (partner, p) in pairs {
        let (change, words) = match partner {
            None => (ChangeKind::Added, Vec::new()),
            Some(i) if old[i].text == p.text => (ChangeKind::Unchanged, Vec::new()),
            Some(i) => (ChangeKind::Changed, diff_words(&old[i].text, &p.text)),
        };
        out.push(ProvisionDiff {
            id: p.id.clone(),
            label: p.label.clone(),
            change,
            words,
        });
        if let Some(i) = partner
            && emitted_anchors.insert(i)
            && let Some(run) = removed_after.get(&i)
        {
            out.extend(run.iter().map(|&r| removed(r)));
        }
    }
    out
}

/// Splits text into word and separator tokens that concatenate back to
/// exactly `text` (charabia's segmentation, or single characters if that
/// ever fails to cover the input).
pub fn segment_words(text: &str) -> Vec<&str> {
    let segments: Vec<&str> = text.segment_str().filter(|s| !s.is_empty()).collect();
    if covers_exactly(text, &segments) {
        segments
    } else {
        text.char_indices()
            .map(|(i, c)| &text[i..i + c.len_utf8()])
            .collect()
    }
}

fn covers_exactly(text: &str, segments: &[&str]) -> bool {
    let mut pos = 0;
    for s in segments {
        let end = pos + s.len();
        if text.get(pos..end) != Some(*s) {
            return false;
        }
        pos = end;
    }
    pos == text.len()
}

/// A run of the merged diff: either unchanged text or one change.
enum Run {
    Equal(String),
    Change { deleted: String, inserted: String },
}

fn diff_words(old: &str, new: &str) -> Vec<WordChange> {
    let old_tokens = segment_words(old);
    let new_tokens = segment_words(new);
    let deadline = Instant::now().checked_add(WORD_DIFF_BUDGET);
    let ops =
        similar::capture_diff_slices_deadline(Algorithm::Myers, &old_tokens, &new_tokens, deadline);

    let mut runs: Vec<Run> = Vec::new();
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_text = old_tokens.get(old_range).unwrap_or_default().concat();
        let new_text = new_tokens.get(new_range).unwrap_or_default().concat();
        match tag {
            DiffTag::Equal => push_equal(&mut runs, old_text),
            DiffTag::Delete => push_change(&mut runs, &old_text, ""),
            DiffTag::Insert => push_change(&mut runs, "", &new_text),
            DiffTag::Replace => push_change(&mut runs, &old_text, &new_text),
        }
    }
    bridge_trivial_equals(runs)
        .into_iter()
        .flat_map(|run| match run {
            Run::Equal(text) => vec![WordChange {
                op: WordOp::Equal,
                text,
            }],
            Run::Change { deleted, inserted } => {
                [(WordOp::Delete, deleted), (WordOp::Insert, inserted)]
                    .into_iter()
                    .filter(|(_, text)| !text.is_empty())
                    .map(|(op, text)| WordChange { op, text })
                    .collect()
            }
        })
        .collect()
}

fn push_equal(runs: &mut Vec<Run>, text: String) {
    if text.is_empty() {
        return;
    }
    if let Some(Run::Equal(last)) = runs.last_mut() {
        last.push_str(&text);
    } else {
        runs.push(Run::Equal(text));
    }
}

fn push_change(runs: &mut Vec<Run>, del: &str, ins: &str) {
    if del.is_empty() && ins.is_empty() {
        return;
    }
    if let Some(Run::Change { deleted, inserted }) = runs.last_mut() {
        deleted.push_str(del);
        inserted.push_str(ins);
    } else {
        runs.push(Run::Change {
            deleted: del.to_string(),
            inserted: ins.to_string(),
        });
    }
}

/// Joins `change, equal, change` into one change when the equal part is only
/// whitespace/punctuation (e.g. the space between two replaced words).
fn bridge_trivial_equals(runs: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    let mut iter = runs.into_iter().peekable();
    while let Some(run) = iter.next() {
        match run {
            Run::Equal(text)
                if matches!(out.last(), Some(Run::Change { .. }))
                    && matches!(iter.peek(), Some(Run::Change { .. }))
                    && text
                        .chars()
                        .all(|c| c.is_whitespace() || c.is_ascii_punctuation()) =>
            {
                if let Some(Run::Change { deleted, inserted }) = out.last_mut() {
                    deleted.push_str(&text);
                    inserted.push_str(&text);
                }
                // The following change is merged by the next iteration.
            }
            Run::Change {
                deleted: del,
                inserted: ins,
            } => push_change(&mut out, &del, &ins),
            Run::Equal(text) => push_equal(&mut out, text),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provision(id: &str, text: &str) -> Provision {
        Provision {
            id: id.to_string(),
            label: format!("label {id}"),
            chapter: None,
            heading: None,
            text: text.to_string(),
            html: String::new(),
        }
    }

    fn ops(words: &[WordChange]) -> Vec<(WordOp, &str)> {
        words
            .iter()
            .map(|w| (w.op.clone(), w.text.as_str()))
            .collect()
    }

    fn rebuild(words: &[WordChange], skip: WordOp) -> String {
        words
            .iter()
            .filter(|w| w.op != skip)
            .map(|w| w.text.as_str())
            .collect()
    }

    #[test]
    fn segments_thai_words() {
        assert_eq!(
            segment_words("ไม่เกินหนึ่งแสนบาท"),
            ["ไม่", "เกิน", "หนึ่ง", "แสน", "บาท"]
        );
        assert!(segment_words("").is_empty());
    }

    #[test]
    fn segments_concatenate_to_input() {
        for text in [
            "มาตรา ๕ ผู้ใดฝ่าฝืน ต้องระวางโทษปรับไม่เกินหนึ่งแสนบาท",
            "**มาตรา ๒๐ ทวิ** (๑) \"ข้อมูล\" หมายความว่า\n\n- x\n",
            "The quick (\"brown\") fox can't jump 32.3 feet",
            "  leading and trailing  ",
            "混合 text ภาษา 123 🙂 e\u{301}",
            "\u{200B}ซ่อน\u{FEFF}",
        ] {
            assert_eq!(segment_words(text).concat(), text);
        }
    }

    #[test]
    fn thai_word_change_is_isolated() {
        let old = [provision("s5", "ไม่เกินหนึ่งแสนบาท")];
        let new = [provision("s5", "ไม่เกินห้าแสนบาท")];
        let diff = diff_provisions(&old, &new);
        assert_eq!(diff.len(), 1);
        assert_eq!(diff[0].change, ChangeKind::Changed);
        assert_eq!(
            ops(&diff[0].words),
            [
                (WordOp::Equal, "ไม่เกิน"),
                (WordOp::Delete, "หนึ่ง"),
                (WordOp::Insert, "ห้า"),
                (WordOp::Equal, "แสนบาท"),
            ]
        );
    }

    #[test]
    fn thai_provision_change_in_context() {
        let old = "มาตรา ๑๕/๑ ผู้ใดฝ่าฝืนมาตรา ๑๕ ต้องระวางโทษปรับไม่เกินหนึ่งแสนบาท";
        let new = "มาตรา ๑๕/๑ ผู้ใดฝ่าฝืนมาตรา ๑๕ ต้องระวางโทษจำคุกไม่เกินหนึ่งปี หรือปรับไม่เกินหนึ่งแสนบาท";
        let words = diff_words(old, new);
        assert_eq!(
            ops(&words),
            [
                (WordOp::Equal, "มาตรา ๑๕/๑ ผู้ใดฝ่าฝืนมาตรา ๑๕ ต้องระวางโทษ"),
                (WordOp::Insert, "จำคุกไม่เกินหนึ่งปี หรือ"),
                (WordOp::Equal, "ปรับไม่เกินหนึ่งแสนบาท"),
            ]
        );
    }

    #[test]
    fn english_word_diff() {
        let words = diff_words(
            "The Minister shall publish the notice within 30 days.",
            "The Minister must publish the notice within 60 days.",
        );
        assert_eq!(
            ops(&words),
            [
                (WordOp::Equal, "The Minister "),
                (WordOp::Delete, "shall"),
                (WordOp::Insert, "must"),
                (WordOp::Equal, " publish the notice within "),
                (WordOp::Delete, "30"),
                (WordOp::Insert, "60"),
                (WordOp::Equal, " days."),
            ]
        );
    }

    #[test]
    fn rewritten_phrase_is_one_change() {
        let words = diff_words(
            "pay a fine of one hundred baht",
            "pay a penalty, two thousand baht",
        );
        assert_eq!(
            ops(&words),
            [
                (WordOp::Equal, "pay a "),
                (WordOp::Delete, "fine of one hundred"),
                (WordOp::Insert, "penalty, two thousand"),
                (WordOp::Equal, " baht"),
            ]
        );
    }

    #[test]
    fn word_changes_rebuild_both_versions() {
        let cases = [
            ("ไม่เกินหนึ่งแสนบาท", "ไม่เกินห้าแสนบาท"),
            ("", "มาตรา ๕ ข้อความใหม่"),
            ("มาตรา ๕ ข้อความเดิม", ""),
            ("a b c d e", "e d c b a"),
            ("same", "same"),
            (
                "มาตรา ๓ ในพระราชบัญญัตินี้\n\n(๑) \"ข้อมูล\" หมายความว่า สิ่งที่สื่อความหมาย\n",
                "### มาตรา ๓ นิยาม\n\nในพระราชบัญญัตินี้\n\n(๑) \"ข้อมูลส่วนบุคคล\" หมายความว่า ข้อมูลเกี่ยวกับบุคคล\n(๒) ใหม่",
            ),
            (
                "Section 12. Fines up to 1,000 baht",
                "Section 12 bis. Fines up to 5,000 baht!",
            ),
            ("🙂 x", "🙃 x y"),
        ];
        for (old, new) in cases {
            let words = diff_words(old, new);
            assert_eq!(rebuild(&words, WordOp::Insert), old, "old side of {old:?}");
            assert_eq!(rebuild(&words, WordOp::Delete), new, "new side of {new:?}");
            for pair in words.windows(2) {
                assert_ne!(pair[0].op, pair[1].op, "unmerged ops in {words:?}");
            }
            assert!(words.iter().all(|w| !w.text.is_empty()));
        }
    }

    #[test]
    fn classifies_added_removed_changed_unchanged() {
        let old = [
            provision("s1", "มาตรา ๑ เดิม"),
            provision("s2", "มาตรา ๒ ถูกยกเลิก"),
            provision("s3", "มาตรา ๓ แก้ไขจาก"),
            provision("s4", "มาตรา ๔ คงเดิม"),
        ];
        let new = [
            provision("s1", "มาตรา ๑ เดิม"),
            provision("s3", "มาตรา ๓ แก้ไขเป็น"),
            provision("s3-1", "มาตรา ๓/๑ เพิ่มใหม่"),
            provision("s4", "มาตรา ๔ คงเดิม"),
        ];
        let diff = diff_provisions(&old, &new);
        let summary: Vec<(&str, ChangeKind)> = diff
            .iter()
            .map(|d| (d.id.as_str(), d.change.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("s1", ChangeKind::Unchanged),
                ("s2", ChangeKind::Removed),
                ("s3", ChangeKind::Changed),
                ("s3-1", ChangeKind::Added),
                ("s4", ChangeKind::Unchanged),
            ]
        );
        assert!(
            diff.iter()
                .filter(|d| d.change != ChangeKind::Changed)
                .all(|d| d.words.is_empty())
        );
        assert_eq!(diff[1].label, "label s2");
        assert!(!diff[2].words.is_empty());
    }

    #[test]
    fn removed_provisions_follow_their_old_predecessor() {
        let old = [
            provision("s1", "1"),
            provision("s2", "2"),
            provision("s3", "3"),
            provision("s4", "4"),
            provision("s5", "5"),
            provision("s6", "6"),
        ];
        // s1 and s3/s4 (a run) and s6 (last) removed; s5 moved first.
        let new = [
            provision("s5", "5"),
            provision("s2", "2"),
            provision("s7", "7"),
        ];
        let ids: Vec<(String, ChangeKind)> = diff_provisions(&old, &new)
            .into_iter()
            .map(|d| (d.id, d.change))
            .collect();
        let expected = [
            ("s1", ChangeKind::Removed),
            ("s5", ChangeKind::Unchanged),
            ("s6", ChangeKind::Removed),
            ("s2", ChangeKind::Unchanged),
            ("s3", ChangeKind::Removed),
            ("s4", ChangeKind::Removed),
            ("s7", ChangeKind::Added),
        ];
        let expected: Vec<(String, ChangeKind)> = expected
            .into_iter()
            .map(|(i, c)| (i.to_string(), c))
            .collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn empty_sides_and_duplicate_ids() {
        assert!(diff_provisions(&[], &[]).is_empty());
        let only_old = diff_provisions(&[provision("s1", "x")], &[]);
        assert_eq!(only_old[0].change, ChangeKind::Removed);
        let dup_new = diff_provisions(
            &[provision("s1", "x")],
            &[provision("s1", "x"), provision("s1", "y")],
        );
        let kinds: Vec<ChangeKind> = dup_new.into_iter().map(|d| d.change).collect();
        assert_eq!(kinds, [ChangeKind::Unchanged, ChangeKind::Added]);
    }

    #[test]
    fn works_on_parsed_bodies() {
        let old = crate::provisions::parse_body(
            "## หมวด ๑\n\nมาตรา ๑ ชื่อ\n\nมาตรา ๒ ปรับไม่เกินหนึ่งแสนบาท\n\nมาตรา ๓ ยกเลิก\n",
        );
        let new = crate::provisions::parse_body(
            "## หมวด ๑\n\nมาตรา ๑ ชื่อ\n\nมาตรา ๒ ปรับไม่เกินห้าแสนบาท\n\nมาตรา ๒/๑ ใหม่\n",
        );
        let diff = diff_provisions(&old.provisions, &new.provisions);
        let summary: Vec<(&str, &str, ChangeKind)> = diff
            .iter()
            .map(|d| (d.id.as_str(), d.label.as_str(), d.change.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("s1", "มาตรา ๑", ChangeKind::Unchanged),
                ("s2", "มาตรา ๒", ChangeKind::Changed),
                ("s3", "มาตรา ๓", ChangeKind::Removed),
                ("s2-1", "มาตรา ๒/๑", ChangeKind::Added),
            ]
        );
        assert!(diff[1].words.contains(&WordChange {
            op: WordOp::Insert,
            text: "ห้า".to_string()
        }));
    }

    #[test]
    fn serialises_snake_case() {
        let diff = ProvisionDiff {
            id: "s1".into(),
            label: "มาตรา ๑".into(),
            change: ChangeKind::Changed,
            words: vec![WordChange {
                op: WordOp::Insert,
                text: "x".into(),
            }],
        };
        let json = serde_json::to_string(&diff).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"id":"s1","label":"มาตรา ๑","change":"changed","words":[{"op":"insert","text":"x"}]}"#
        );
    }

    #[test]
    fn large_rewrite_finishes() {
        let old: String = (0..20_000).map(|i| format!("คำ{i} ")).collect();
        let new: String = (0..20_000).map(|i| format!("ข้อ{} ", i * 7)).collect();
        let words = diff_words(&old, &new);
        assert_eq!(rebuild(&words, WordOp::Insert), old);
        assert_eq!(rebuild(&words, WordOp::Delete), new);
    }
}
