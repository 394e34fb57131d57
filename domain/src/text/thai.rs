//! Facts about Thai characters that several parts of the platform need: the Thai digits
//! (`๐`–`๙`, written in laws and typed by people as often as `0`–`9`), the Thai block and its
//! combining marks.

/// The value of a Thai digit (`๕` is 5), or `None` for any other character.
pub fn digit_value(c: char) -> Option<u32> {
    ('\u{0E50}'..='\u{0E59}')
        .contains(&c)
        .then(|| u32::from(c) - 0x0E50)
}

/// The ASCII digit of a Thai digit (`๕` gives `5`), or `None` for any other character.
pub fn ascii_digit(c: char) -> Option<char> {
    digit_value(c).and_then(|d| char::from_digit(d, 10))
}

/// `s` with Thai digits replaced by ASCII digits, everything else as is.
pub fn digits_to_ascii(s: &str) -> String {
    s.chars().map(|c| ascii_digit(c).unwrap_or(c)).collect()
}

/// True for characters of the Thai block.
pub fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

/// Thai combining marks (above/below vowels, tone marks, …): never the start of a word.
pub fn is_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_digits_have_their_ascii_values_and_nothing_else_does() {
        let thai: Vec<char> = "๐๑๒๓๔๕๖๗๘๙".chars().collect();
        let ascii: Vec<char> = thai.iter().filter_map(|&c| ascii_digit(c)).collect();
        assert_eq!(ascii.iter().collect::<String>(), "0123456789");
        for c in ['0', '5', 'a', 'ก', '\u{0E4F}', '\u{0E5A}'] {
            assert_eq!(ascii_digit(c), None, "{c}");
        }
        assert_eq!(digit_value('๙'), Some(9));
        assert_eq!(digits_to_ascii("มาตรา ๑๒๓/๔ 56"), "มาตรา 123/4 56");
        assert_eq!(digits_to_ascii(""), "");
    }
}
