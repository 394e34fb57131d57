//! What the site's forms share: problems found in what was typed, shown in an error summary at
//! the top and beside each field, in the page's language.

use domain::{DomainError, error::FieldError};

use super::i18n::Messages;

/// One problem with one field: the field's element id and a sentence for the person.
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// The problems of a posted form (empty when it is first shown).
#[derive(Default)]
pub struct Errors(pub Vec<Problem>);

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for the field with element id `field`.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.as_str())
    }

    pub fn push(&mut self, field: impl Into<String>, message: String) {
        let field = field.into();
        if self.of(&field).is_none() {
            self.0.push(Problem { field, message });
        }
    }

    /// The problems of a refused request; `field_id` maps a service's field name (`body`,
    /// `answers[2].choice`) to the form's element id, or `None` to keep the service's name.
    /// `None` for a failure that is not about what was typed.
    pub fn from_domain(
        t: &Messages,
        err: &DomainError,
        field_id: impl Fn(&FieldError) -> Option<String>,
    ) -> Option<Errors> {
        let DomainError::Validation(fields) = err else {
            return None;
        };
        let mut errors = Errors::default();
        for f in fields {
            let id = field_id(f).unwrap_or_else(|| f.field.clone());
            let label = t.get(&format!("field-{id}"));
            let label = if label == format!("field-{id}") {
                t.get("field-generic")
            } else {
                label
            };
            errors.push(id, format!("{label}: {}", code_message(t, f.code)));
        }
        Some(errors)
    }
}

/// The sentence for a validation code (`required`, `too_long`, ...).
pub fn code_message(t: &Messages, code: &str) -> String {
    let key = format!("field-error-{code}");
    let text = t.get(&key);
    if text == key {
        t.get("field-error-invalid_value")
    } else {
        text
    }
}
