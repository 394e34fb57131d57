//! Typed ids of the main aggregates, so that a consultation's id cannot be passed where a
//! comment's is expected. Services take and return these; entities keep the plain `i64` of
//! their columns, and a filter takes an id as it is (`Column::Id.eq(id)`).

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The number, as stored and shown.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> sea_orm::Value {
                sea_orm::Value::BigInt(Some(id.0))
            }
        }
    };
}

id_type!(
    /// A draft law's id.
    DraftId
);
id_type!(
    /// A consultation's (hearing's) id.
    ConsultationId
);
id_type!(
    /// A comment's id.
    CommentId
);
id_type!(
    /// An agency's id.
    AgencyId
);
id_type!(
    /// An account's id.
    AccountId
);
