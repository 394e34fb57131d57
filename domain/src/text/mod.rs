//! Text as the platform keeps it: one spelling for what looks the same.
//!
//! Every text a person writes is brought to [`canonical`] form when it enters (see
//! `service::validate::Checks::text`), and both search backends apply the same form to what
//! they index and to every query, so a text is found however its characters were typed:
//!
//! - Unicode NFC: `e` + U+0301 (as macOS and some keyboards send it) becomes `é`, and Thai
//!   marks above and below a consonant come in one order.
//! - Thai sara am: Thai keyboards and old fonts also write `ำ` (U+0E33) as nikhahit + sara aa
//!   (U+0E4D U+0E32), with a tone mark sometimes typed between them (`น` U+0E4D U+0E49 U+0E32
//!   for `น้ำ`). Both become U+0E33, after the tone mark. NFC leaves this alone (U+0E33 has only a
//!   compatibility decomposition, and NFKC would go the other way and split every `ำ`).
//!
//! Also here: which characters are invisible (a required text must contain something else), and
//! the bidirectional controls refused in titles. The submodules hold the rest of what the
//! platform does with text: Thai characters and digits ([`thai`]), the normal form and words
//! that search, statistics and campaign detection share ([`words`]), the content words of a
//! comment ([`terms`]) and the sub-words of Thai compounds ([`subwords`]).

pub mod subwords;
pub mod terms;
pub mod thai;
pub mod words;

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

const NIKHAHIT: char = '\u{0E4D}';
const SARA_AA: char = '\u{0E32}';
const SARA_AM: char = '\u{0E33}';

/// `text` in NFC with Thai sara am composed; borrowed when it already is (the usual case).
pub fn canonical(text: &str) -> Cow<'_, str> {
    if text.is_ascii()
        || (is_nfc_quick(text.chars()) == IsNormalized::Yes && !text.contains(NIKHAHIT))
    {
        return Cow::Borrowed(text);
    }
    let nfc: String = text.nfc().collect();
    if !nfc.contains(NIKHAHIT) {
        return Cow::Owned(nfc);
    }
    let chars: Vec<char> = nfc.chars().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == NIKHAHIT {
            if chars.get(i + 1) == Some(&SARA_AA) {
                out.push(SARA_AM);
                i += 2;
                continue;
            }
            if let (Some(&tone), Some(&SARA_AA)) = (chars.get(i + 1), chars.get(i + 2))
                && is_thai_tone_mark(tone)
            {
                out.push(tone);
                out.push(SARA_AM);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    Cow::Owned(out)
}

/// Mai ek, mai tho, mai tri and mai chattawa.
fn is_thai_tone_mark(c: char) -> bool {
    ('\u{0E48}'..='\u{0E4B}').contains(&c)
}

/// True for characters that show nothing by themselves: white space, format characters
/// (general category Cf: zero-width space and joiners, bidirectional controls, the byte order
/// mark, tags…), other default-ignorable code points (variation selectors, Hangul fillers, the
/// combining grapheme joiner) and the blank Braille pattern.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            // Cf
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
                // Other default-ignorable code points, and the blank Braille pattern.
                | '\u{034F}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// True when `text` has at least one character that shows (not invisible, not a control).
pub fn has_visible(text: &str) -> bool {
    text.chars().any(|c| !is_invisible(c) && !c.is_control())
}

/// The bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069): they can make a title read differently from what it says (an override
/// reverses what follows), so titles refuse them. The marks U+200E/U+200F stay allowed.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `value` with every string inside it in [`canonical`] form, for structured input such as an
/// impact assessment (through its JSON form, so no field can be forgotten).
pub fn canonical_strings<T>(value: T) -> serde_json::Result<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    fn walk(v: &mut serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => match canonical(s) {
                Cow::Borrowed(_) => false,
                Cow::Owned(c) => {
                    *s = c;
                    true
                }
            },
            serde_json::Value::Array(items) => items.iter_mut().fold(false, |a, i| walk(i) | a),
            serde_json::Value::Object(members) => {
                members.values_mut().fold(false, |a, m| walk(m) | a)
            }
            _ => false,
        }
    }
    let mut json = serde_json::to_value(&value)?;
    if walk(&mut json) {
        serde_json::from_value(json)
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_latin_becomes_composed() {
        assert_eq!(canonical("Cafe\u{301}"), "Café");
        assert_eq!(canonical("Café"), "Café");
        assert!(matches!(canonical("Café"), Cow::Borrowed(_)));
        assert!(matches!(canonical("plain ascii"), Cow::Borrowed(_)));
    }

    #[test]
    fn thai_sara_am_written_in_two_parts_becomes_one() {
        assert_eq!(canonical("กําหนด"), "กำหนด");
        assert_eq!(
            canonical("\u{0E01}\u{0E4D}\u{0E32}หนด"),
            "\u{0E01}\u{0E33}หนด"
        );
        // A tone mark typed before or between the two parts ends up before sara am.
        assert_eq!(canonical("น\u{0E49}\u{0E4D}\u{0E32}"), "น้ำ");
        assert_eq!(canonical("น\u{0E4D}\u{0E49}\u{0E32}"), "น้ำ");
        assert_eq!(canonical("น้ำ"), "น้ำ");
        assert!(matches!(canonical("กำหนด"), Cow::Borrowed(_)));
        // Nikhahit on its own (Pali and Sanskrit words) stays.
        assert_eq!(canonical("สํสฺกฤต"), "สํสฺกฤต");
        // NFC orders a vowel below before a tone mark above.
        assert_eq!(canonical("ก\u{0E48}\u{0E38}"), "ก\u{0E38}\u{0E48}");
    }

    #[test]
    fn invisible_characters_are_not_visible_text() {
        for blank in [
            "",
            " \t\n",
            "\u{200B}",
            "\u{202E}",
            "\u{FEFF}\u{2060}",
            "\u{200B}\u{200C}\u{200D} \u{00A0}\u{3000}",
            "\u{E0041}\u{FE0F}",
            "\u{3164}\u{2800}",
        ] {
            assert!(!has_visible(blank), "{blank:?}");
        }
        for text in ["a", "\u{200B}ก", "ำ", "\u{202E}abc", "1"] {
            assert!(has_visible(text), "{text:?}");
        }
    }

    #[test]
    fn strings_inside_structures_are_canonical() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Form {
            title: String,
            items: Vec<Option<String>>,
            n: u32,
        }
        let form = Form {
            title: "Cafe\u{301}".into(),
            items: vec![Some("กําหนด".into()), None],
            n: 3,
        };
        assert_eq!(
            canonical_strings(form).unwrap(),
            Form {
                title: "Café".into(),
                items: vec![Some("กำหนด".into()), None],
                n: 3,
            }
        );
    }

    #[test]
    fn bidirectional_controls_are_named() {
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            assert!(is_bidi_control(c), "{c:?}");
        }
        for c in ['\u{200E}', '\u{200F}', 'a', 'ก'] {
            assert!(!is_bidi_control(c), "{c:?}");
        }
    }
}
