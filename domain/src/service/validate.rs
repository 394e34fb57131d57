//! Field checks shared by the services. Each collects every problem in a request, so a client
//! sees all of them at once.

use crate::error::{DomainError, DomainResult, FieldError};

#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Checks::default()
    }

    pub fn push(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// A required text: trimmed, in canonical form ([`crate::text::canonical`]: NFC, Thai sara
    /// am composed), with at least one visible character (a text of only zero-width or other
    /// invisible characters is as empty as no text), at most `max` characters, and free of
    /// control characters other than tab and line breaks (they have no place in what people
    /// write, PostgreSQL cannot store U+0000, and stored text must stay safe to pack and export).
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = crate::text::canonical(value.trim());
        if value.is_empty() {
            self.push(field, "required", format!("{field} must not be empty"));
        } else if value.chars().count() > max {
            self.push(
                field,
                "too_long",
                format!("{field} must be at most {max} characters"),
            );
        } else if let Some(c) = value.chars().find(|&c| is_forbidden_control(c)) {
            self.push(
                field,
                "control_character",
                format!(
                    "{field} must not contain control characters (found U+{:04X})",
                    u32::from(c)
                ),
            );
        } else if !crate::text::has_visible(&value) {
            self.push(
                field,
                "required",
                format!("{field} must contain visible characters, not only invisible ones"),
            );
        }
        value.into_owned()
    }

    /// A required title or name: a [`text`](Checks::text) that also refuses bidirectional
    /// embedding, override and isolate controls, which can make it read as something else in
    /// lists, pages and mail subjects.
    pub fn title(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = self.text(field, value, max);
        if let Some(c) = value.chars().find(|&c| crate::text::is_bidi_control(c)) {
            self.push(
                field,
                "bidi_control",
                format!(
                    "{field} must not contain bidirectional control characters (found U+{:04X})",
                    u32::from(c)
                ),
            );
        }
        value
    }

    /// An optional title: empty becomes `None`; otherwise as [`title`](Checks::title).
    pub fn optional_title(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        Some(self.title(field, value, max))
    }

    /// An optional text: empty becomes `None`.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        Some(self.text(field, value, max))
    }

    /// A closed vocabulary value.
    pub fn one_of<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: fn(&str) -> Option<T>,
        allowed: &[&str],
    ) -> Option<T> {
        let parsed = parse(value);
        if parsed.is_none() {
            self.push(
                field,
                "invalid_value",
                format!("{field} must be one of: {}", allowed.join(", ")),
            );
        }
        parsed
    }

    /// Topics: lowercase ASCII slugs, at most 10, no duplicates.
    pub fn topics(&mut self, field: &str, topics: &[String]) -> Vec<String> {
        if topics.len() > 10 {
            self.push(field, "too_many", "at most 10 topics");
        }
        let mut out: Vec<String> = Vec::new();
        for (i, t) in topics.iter().enumerate() {
            let t = t.trim();
            if !is_slug(t) {
                self.push(
                    format!("{field}[{i}]"),
                    "invalid_value",
                    "a topic is 1-40 lowercase letters, digits or hyphens",
                );
            } else if !out.iter().any(|o| o == t) {
                out.push(t.to_string());
            }
        }
        out
    }

    /// Every problem found, in the order found.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.0
    }

    pub fn finish(self) -> DomainResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.0))
        }
    }
}

/// 1-40 characters of `a-z`, `0-9` and `-`, not starting or ending with `-`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A plausible e-mail address: one `@`, a dot in the domain, no spaces, at most 254 bytes.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        && !domain.contains('@')
}

/// C0 and C1 control characters and DEL, except tab, line feed and carriage return.
fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_emails() {
        for ok in ["pdpc", "pollution-control", "a1"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "ก", "a b", &"a".repeat(41)] {
            assert!(!is_slug(bad), "{bad}");
        }
        assert!(is_email("somchai@example.go.th"));
        for bad in ["", "a", "a@b", "@b.c", "a b@c.d", "a@b.c@d", "a@.c"] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    fn codes(f: impl FnOnce(&mut Checks)) -> Vec<(String, &'static str)> {
        let mut checks = Checks::new();
        f(&mut checks);
        match checks.finish() {
            Ok(()) => Vec::new(),
            Err(DomainError::Validation(errors)) => {
                errors.into_iter().map(|e| (e.field, e.code)).collect()
            }
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn texts_are_stored_in_canonical_form() {
        let mut checks = Checks::new();
        assert_eq!(checks.text("body", " Cafe\u{301} ", 100), "Café");
        assert_eq!(checks.text("body", "กําหนด", 100), "กำหนด");
        assert_eq!(
            checks.title("title_th", "น\u{0E4D}\u{0E49}\u{0E32}", 100),
            "น้ำ"
        );
        assert!(checks.finish().is_ok());
    }

    #[test]
    fn a_required_text_of_invisible_characters_only_is_refused() {
        for blank in [
            "\u{200B}",
            "\u{202E}",
            "\u{FEFF}\u{2060}",
            " \u{200B} \u{200D} ",
        ] {
            assert_eq!(
                codes(|c| {
                    c.text("body", blank, 100);
                }),
                [("body".to_string(), "required")],
                "{blank:?}"
            );
        }
        assert_eq!(
            codes(|c| {
                c.optional_text("short_period_reason", Some("\u{200B}\u{200B}"), 100);
            }),
            [("short_period_reason".to_string(), "required")]
        );
        // Invisible characters inside visible text are the writer's business.
        assert!(
            codes(|c| {
                c.text("body", "ก\u{200B}ข", 100);
            })
            .is_empty()
        );
    }

    #[test]
    fn titles_refuse_bidirectional_controls() {
        for bad in ["abc\u{202E}fdp.exe", "\u{2066}ร่าง\u{2069}", "\u{202A}x"] {
            assert_eq!(
                codes(|c| {
                    c.title("title_th", bad, 100);
                }),
                [("title_th".to_string(), "bidi_control")],
                "{bad:?}"
            );
        }
        // Direction marks are fine, and so are controls in ordinary texts.
        assert!(
            codes(|c| {
                c.title("title_en", "Act \u{200F}B.E.", 100);
                c.text("body", "abc\u{202E}def", 100);
                c.optional_title("title_en", Some("  "), 100);
            })
            .is_empty()
        );
    }

    #[test]
    fn texts_refuse_control_characters_but_keep_tabs_and_line_breaks() {
        let mut checks = Checks::new();
        assert_eq!(checks.text("body", " ก\tข\r\nค ", 100), "ก\tข\r\nค");
        assert!(checks.finish().is_ok());
        for bad in [
            "a\u{0}b",
            "a\u{1f}b",
            "a\u{7f}b",
            "a\u{85}b",
            "\u{1b}[31mred",
        ] {
            let mut checks = Checks::new();
            checks.text("province", bad, 100);
            let Err(DomainError::Validation(errors)) = checks.finish() else {
                panic!("{bad:?} accepted");
            };
            assert_eq!(errors[0].code, "control_character", "{bad:?}");
        }
    }
}
