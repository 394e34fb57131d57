//! JSON documents kept in text columns (topics, questions, answers...), read and written
//! through their Rust type. A stored value that does not parse is an error that names the
//! column, never a silently empty value.

/// Declares a column type holding `$inner` as JSON text in `$stored` ("table.column").
#[macro_export]
macro_rules! json_column {
    ($(#[$meta:meta])* $name:ident($inner:ty) stored in $stored:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl std::ops::Deref for $name {
            type Target = $inner;
            fn deref(&self) -> &$inner {
                &self.0
            }
        }

        impl From<$inner> for $name {
            fn from(v: $inner) -> $name {
                $name(v)
            }
        }

        $crate::types::text_column!(
            $name,
            $stored,
            |text: &str| serde_json::from_str(text).map($name).map_err(|e| e.to_string()),
            // Serialising plain data (strings, numbers, vectors) cannot fail.
            |v: &$name| serde_json::to_string(&v.0).unwrap_or_else(|_| "null".into())
        );
    };
}

use crate::types::{Answer, Question};

json_column!(
    /// A draft's topics: lowercase slugs.
    Topics(Vec<String>) stored in "drafts.topics"
);
json_column!(
    /// A consultation's questionnaire.
    Questions(Vec<Question>) stored in "consultations.questions"
);
json_column!(
    /// The stakeholders an agency invited to a consultation.
    Stakeholders(Vec<String>) stored in "consultations.invited_stakeholders"
);
json_column!(
    /// A comment's answers to the questionnaire.
    Answers(Vec<Answer>) stored in "comments.answers"
);
json_column!(
    /// A version's provisions, parsed from its body when the version was stored.
    Provisions(Vec<crate::provisions::Provision>) stored in "draft_versions.provisions"
);
json_column!(
    /// The problems an integrity check found, in the order found.
    Problems(Vec<crate::service::integrity::Problem>) stored in "integrity_checks.problems"
);
