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

    /// A required text: trimmed, not empty, at most `max` characters, and free of control
    /// characters other than tab and line breaks (they have no place in what people write,
    /// PostgreSQL cannot store U+0000, and stored text must stay safe to pack and export).
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
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
        }
        value.to_string()
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
