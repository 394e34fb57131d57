//! Closed vocabularies of the domain, stored as their snake_case names.

/// Declares an enum whose variants are stored and shown as snake_case strings.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
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
    };
}

string_enum!(Role {
    Admin => "admin",
    Officer => "officer",
    Researcher => "researcher",
    Citizen => "citizen",
});

string_enum!(LawType {
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
    DraftStatus {
        Preparing => "preparing",
        InConsultation => "in_consultation",
        Consulted => "consulted",
        Submitted => "submitted",
        Enacted => "enacted",
        Withdrawn => "withdrawn",
    }
);

string_enum!(ConsultationKind {
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

string_enum!(Stance {
    Support => "support",
    Oppose => "oppose",
    Neutral => "neutral",
});

string_enum!(RespondentType {
    Individual => "individual",
    Organisation => "organisation",
    Business => "business",
    Government => "government",
    Academic => "academic",
});

string_enum!(
    /// How a comment is shown publicly: without a name (the default), with the author's
    /// display name, or not at all.
    Publication {
        Anonymous => "anonymous",
        Named => "named",
        Private => "private",
    }
);

string_enum!(ModerationStatus {
    Published => "published",
    Hidden => "hidden",
});

string_enum!(Channel {
    Web => "web",
    Api => "api",
    Offline => "offline",
});

/// The caller of a service: who they are and what they may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub account_id: i64,
    pub role: Role,
    pub agency_id: Option<i64>,
}

impl Actor {
    /// Staff may write drafts and consultations of `agency_id`: admins anywhere, officers only
    /// in their own agency.
    pub fn can_manage(&self, agency_id: i64) -> bool {
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
pub fn sees_unpublished(actor: Option<&Actor>, agency_id: i64) -> bool {
    actor.is_some_and(|a| a.can_manage(agency_id))
}

string_enum!(
    /// What a disposition is about.
    DispositionTarget {
        Comment => "comment",
        Cluster => "cluster",
        Provision => "provision",
    }
);

string_enum!(
    /// The agency's decision on what was said ("you said, we did").
    Decision {
        Accepted => "accepted",
        PartlyAccepted => "partly_accepted",
        NotAccepted => "not_accepted",
    }
);
