//! Closed vocabularies of the domain, stored as their snake_case names.

/// Declares a closed vocabulary: an enum whose variants are stored, sent and shown as
/// snake_case strings. With `stored in "table.column, ..."` it is also a column type of the
/// entities: written as its text, and read back strictly, so that a stored value outside the
/// vocabulary is an error naming the table, the column and the value (never a silent default).
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident $(stored in $stored:literal)? { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&text).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&text, &[$($text),+])
                })
            }
        }

        $( $crate::types::text_column!(
            $name,
            $stored,
            |text: &str| $name::parse(text).ok_or_else(|| format!("{text:?}")),
            |v: &$name| v.as_str().to_string()
        ); )?
    };
}

/// Makes `$name` the type of a text column `$stored` ("table.column"): written as
/// `$render(&value)`, read back through `$parse(&text)`, which answers `Err(why)` for a stored
/// text that is not a `$name`; that error names the table, the column and why.
#[doc(hidden)]
#[macro_export]
macro_rules! __text_column {
    ($name:ty, $stored:literal, $parse:expr, $render:expr) => {
        impl From<$name> for sea_orm::Value {
            fn from(v: $name) -> sea_orm::Value {
                sea_orm::Value::String(Some($render(&v)))
            }
        }

        impl sea_orm::TryGetable for $name {
            fn try_get_by<I: sea_orm::ColIdx>(
                res: &sea_orm::QueryResult,
                idx: I,
            ) -> Result<$name, sea_orm::TryGetError> {
                let text = <String as sea_orm::TryGetable>::try_get_by(res, idx)?;
                $parse(&text).map_err(|why: String| {
                    sea_orm::TryGetError::DbErr(sea_orm::DbErr::Type(format!(
                        "{} (column {:?}) holds a value that is not a {}: {why}",
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
                    sea_orm::Value::String(Some(text)) => {
                        $parse(&text).map_err(|_: String| sea_orm::sea_query::ValueTypeErr)
                    }
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

#[doc(hidden)]
pub use __text_column as text_column;

string_enum!(Role stored in "accounts.role, invitations.role" {
    Admin => "admin",
    Officer => "officer",
    Researcher => "researcher",
    Citizen => "citizen",
});

string_enum!(LawType stored in "drafts.law_type, laws_in_force.law_type" {
    Act => "act",
    RoyalDecree => "royal_decree",
    MinisterialRegulation => "ministerial_regulation",
    Rule => "rule",
    Notification => "notification",
    Plan => "plan",
});

string_enum!(
    /// A draft's status. `preparing`, `submitted`, `enacted` and `withdrawn` are stored;
    /// `in_consultation` and `consulted` are derived from the draft's consultations.
    DraftStatus stored in "drafts.status" {
        Preparing => "preparing",
        InConsultation => "in_consultation",
        Consulted => "consulted",
        Submitted => "submitted",
        Enacted => "enacted",
        Withdrawn => "withdrawn",
    }
);

string_enum!(ConsultationKind stored in "consultations.kind" {
    Principles => "principles",
    Draft => "draft",
    Evaluation => "evaluation",
});

string_enum!(
    /// Derived from the server clock and the publication of the hearing summary.
    ConsultationStatus {
        Scheduled => "scheduled",
        Open => "open",
        Closed => "closed",
        Concluded => "concluded",
    }
);

string_enum!(QuestionKind {
    SingleChoice => "single_choice",
    MultipleChoice => "multiple_choice",
    Scale => "scale",
    Text => "text",
});

string_enum!(Stance stored in "comments.stance" {
    Support => "support",
    Oppose => "oppose",
    Neutral => "neutral",
});

string_enum!(RespondentType stored in "comments.respondent_type" {
    Individual => "individual",
    Organisation => "organisation",
    Business => "business",
    Government => "government",
    Academic => "academic",
});

string_enum!(
    /// How a comment is shown publicly: without a name (the default), with the author's
    /// display name, or not at all.
    Publication stored in "comments.publication" {
        Anonymous => "anonymous",
        Named => "named",
        Private => "private",
    }
);

string_enum!(ModerationStatus stored in "comments.moderation_status" {
    Published => "published",
    Hidden => "hidden",
});

string_enum!(Channel stored in "comments.channel" {
    Web => "web",
    Api => "api",
    Offline => "offline",
});

use crate::ids::{AccountId, AgencyId};

/// The caller of a service: who they are and what they may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub account_id: AccountId,
    pub role: Role,
    pub agency_id: Option<AgencyId>,
}

impl Actor {
    /// Staff may write drafts and consultations of `agency_id`: admins anywhere, officers only
    /// in their own agency.
    pub fn can_manage(&self, agency_id: AgencyId) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Officer => self.agency_id == Some(agency_id),
            _ => false,
        }
    }

    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Officer)
    }
}

/// Can `actor` see a draft of `agency_id` that is not published yet?
pub fn sees_unpublished(actor: Option<&Actor>, agency_id: AgencyId) -> bool {
    actor.is_some_and(|a| a.can_manage(agency_id))
}

string_enum!(
    /// What a disposition is about.
    DispositionTarget stored in "dispositions.target_kind" {
        Comment => "comment",
        Cluster => "cluster",
        Provision => "provision",
    }
);

string_enum!(
    /// The agency's decision on what was said ("you said, we did").
    Decision stored in "dispositions.decision" {
        Accepted => "accepted",
        PartlyAccepted => "partly_accepted",
        NotAccepted => "not_accepted",
    }
);

string_enum!(
    /// What a subscription follows: an agency (by slug), a topic (by slug) or a draft (by id).
    SubscriptionTarget stored in "subscriptions.target_kind" {
        Agency => "agency",
        Topic => "topic",
        Draft => "draft",
    }
);

string_enum!(
    /// Where a background job is: waiting (`pending`, also between retries), claimed by a
    /// worker (`running`), finished (`done`), or out of attempts (`failed`).
    JobState stored in "jobs.state" {
        Pending => "pending",
        Running => "running",
        Done => "done",
        Failed => "failed",
    }
);

string_enum!(
    /// A mail message's delivery: claimed by a worker (`sending`), accepted by the mail
    /// server (`sent`), or refused for good (`failed`).
    DeliveryState stored in "deliveries.state" {
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
    }
);

/// A question of a consultation's questionnaire, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Question {
    /// `q1`, `q2`... in order.
    pub id: String,
    pub kind: QuestionKind,
    pub prompt_th: String,
    pub prompt_en: Option<String>,
    /// The choices of `single_choice` and `multiple_choice` questions.
    pub options: Vec<String>,
    pub required: bool,
}

/// An answer to one question; the field that matches the question's kind is filled.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    pub question_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}
