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

        impl From<$name> for sea_orm::Value {
            fn from(v: $name) -> sea_orm::Value {
                // Serialising plain data (strings, numbers, vectors) cannot fail.
                sea_orm::Value::String(Some(
                    serde_json::to_string(&v.0).unwrap_or_else(|_| "null".into()),
                ))
            }
        }

        impl sea_orm::TryGetable for $name {
            fn try_get_by<I: sea_orm::ColIdx>(
                res: &sea_orm::QueryResult,
                idx: I,
            ) -> Result<$name, sea_orm::TryGetError> {
                let text = <String as sea_orm::TryGetable>::try_get_by(res, idx)?;
                serde_json::from_str(&text).map($name).map_err(|e| {
                    sea_orm::TryGetError::DbErr(sea_orm::DbErr::Type(format!(
                        "{} (column {:?}) holds a value that is not a valid {}: {e}",
                        $stored,
                        idx,
                        stringify!($name)
                    )))
                })
            }
        }

        impl sea_orm::sea_query::ValueType for $name {
            fn try_from(v: sea_orm::Value) -> Result<$name, sea_orm::sea_query::ValueTypeErr> {
                match v {
                    sea_orm::Value::String(Some(text)) => serde_json::from_str(&text)
                        .map($name)
                        .map_err(|_| sea_orm::sea_query::ValueTypeErr),
                    _ => Err(sea_orm::sea_query::ValueTypeErr),
                }
            }

            fn type_name() -> String {
                stringify!($name).to_string()
            }

            fn array_type() -> sea_orm::sea_query::ArrayType {
                sea_orm::sea_query::ArrayType::String
            }

            fn column_type() -> sea_orm::sea_query::ColumnType {
                sea_orm::sea_query::ColumnType::Text
            }
        }

        impl sea_orm::sea_query::Nullable for $name {
            fn null() -> sea_orm::Value {
                sea_orm::Value::String(None)
            }
        }
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
