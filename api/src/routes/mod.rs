//! The JSON API, v1: one `#[OpenApi]` struct per resource, combined in [`api`].

use chrono::{DateTime, Utc};
use domain::{DomainResult, service::page::PageRequest, time::to_datetime};
use poem_openapi::{Enum, Tags};

pub mod account;
pub mod admin;
pub mod agencies;
pub mod assessments;
pub mod changes;
pub mod comments;
pub mod consultations;
pub mod dispositions;
pub mod drafts;
pub mod exports;
pub mod health;
pub mod laws;
pub mod reports;
pub mod ria_schema;
pub mod search;
pub mod subscriptions;
pub mod summaries;

#[derive(Tags)]
pub enum Tag {
    /// Drafting agencies: ministries, departments and offices that write drafts and hold hearings.
    Agencies,
    /// Draft laws and regulations, their published versions and the provisions inside them.
    Drafts,
    /// Public hearings (consultations) on a draft: dates, questions, status.
    Consultations,
    /// Comments from the public on a consultation.
    Comments,
    /// Full-text search over everything public.
    Search,
    /// E-mail notifications about agencies, topics and drafts.
    Subscriptions,
    /// Laws in force and their five-yearly ex-post evaluation.
    Laws,
    /// Everything public that changed, in commit order: for keeping a copy up to date.
    Changes,
    /// Bulk downloads of everything public (CSV, JSON Lines, Parquet) and their DCAT catalogue.
    Exports,
    /// The caller's own account: API keys.
    Account,
    /// Administration: background jobs.
    Admin,
    /// Liveness and readiness of the service.
    Health,
}

pub type Api = (
    agencies::AgenciesApi,
    drafts::DraftsApi,
    consultations::ConsultationsApi,
    comments::CommentsApi,
    dispositions::DispositionsApi,
    summaries::SummariesApi,
    reports::ReportsApi,
    assessments::AssessmentsApi,
    search::SearchApi,
    subscriptions::SubscriptionsApi,
    laws::LawsApi,
    changes::ChangesApi,
    exports::ExportsApi,
    account::AccountApi,
    admin::AdminApi,
    health::HealthApi,
);

pub fn api() -> Api {
    (
        agencies::AgenciesApi,
        drafts::DraftsApi,
        consultations::ConsultationsApi,
        comments::CommentsApi,
        dispositions::DispositionsApi,
        summaries::SummariesApi,
        reports::ReportsApi,
        assessments::AssessmentsApi,
        search::SearchApi,
        subscriptions::SubscriptionsApi,
        laws::LawsApi,
        changes::ChangesApi,
        exports::ExportsApi,
        account::AccountApi,
        admin::AdminApi,
        health::HealthApi,
    )
}

pub fn page(limit: Option<i64>, cursor: Option<&str>) -> DomainResult<PageRequest> {
    PageRequest::parse(limit, cursor)
}

pub fn time(ms: i64) -> DateTime<Utc> {
    to_datetime(ms)
}

/// An `updated_since` parameter as the services take it (milliseconds since the epoch).
pub fn since(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(domain::time::from_datetime)
}

/// Mirrors a domain vocabulary as an API enum (documented in the schema, parsed by serde).
macro_rules! api_enum {
    ($(#[$meta:meta])* $name:ident = $domain:path { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize, serde::Serialize)]
        #[oai(rename_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl From<$name> for $domain {
            fn from(v: $name) -> $domain {
                match v { $($name::$variant => <$domain>::$variant),+ }
            }
        }

        impl From<$domain> for $name {
            fn from(v: $domain) -> $name {
                match v { $(<$domain>::$variant => $name::$variant),+ }
            }
        }

    };
}

api_enum!(
    /// The kind of legal instrument: `act` (พระราชบัญญัติ), `royal_decree` (พระราชกฤษฎีกา),
    /// `ministerial_regulation` (กฎกระทรวง), `rule` (ระเบียบ), `notification` (ประกาศ), `plan` (แผน).
    LawType = domain::types::LawType { Act, RoyalDecree, MinisterialRegulation, Rule, Notification, Plan }
);
api_enum!(
    /// Where a draft is in its life: `preparing` (no hearing yet), `in_consultation` (a hearing is
    /// scheduled or open), `consulted` (hearings are over), `submitted`, `enacted`, `withdrawn`.
    DraftStatus = domain::types::DraftStatus { Preparing, InConsultation, Consulted, Submitted, Enacted, Withdrawn }
);
api_enum!(
    /// What a hearing is about: the `principles` of a future law, a `draft` text, or the
    /// `evaluation` of a law in force.
    ConsultationKind = domain::types::ConsultationKind { Principles, Draft, Evaluation }
);
api_enum!(
    /// `scheduled` (not open yet), `open` (taking comments), `closed` (no longer taking comments),
    /// `concluded` (the hearing summary is published).
    ConsultationStatus = domain::types::ConsultationStatus { Scheduled, Open, Closed, Concluded }
);
api_enum!(
    /// `single_choice` (answer with `choice`), `multiple_choice` (`choices`), `scale` (`scale`,
    /// 1 to 5), `text` (`text`).
    QuestionKind = domain::types::QuestionKind { SingleChoice, MultipleChoice, Scale, Text }
);
api_enum!(
    /// The commenter's overall position on the draft or provision.
    Stance = domain::types::Stance { Support, Oppose, Neutral }
);
api_enum!(
    /// Who the commenter speaks for.
    RespondentType = domain::types::RespondentType { Individual, Organisation, Business, Government, Academic }
);
api_enum!(
    /// How a comment is published: `anonymous` (the default: no name), `named` (with the
    /// account's display name), `private` (seen only by the agency).
    Publication = domain::types::Publication { Anonymous, Named, Private }
);
api_enum!(
    /// What a disposition answers: a `comment`, a campaign `cluster` or a `provision`.
    DispositionTarget = domain::types::DispositionTarget { Comment, Cluster, Provision }
);
api_enum!(
    /// The agency's decision: `accepted`, `partly_accepted` or `not_accepted`.
    Decision = domain::types::Decision { Accepted, PartlyAccepted, NotAccepted }
);
api_enum!(
    /// `published` (listed and searchable) or `hidden` (taken out of the public listing and
    /// search; still counted).
    ModerationStatus = domain::types::ModerationStatus { Published, Hidden }
);
api_enum!(
    /// What a subscription follows: an `agency` (by slug), a `topic` (by slug) or a `draft`
    /// (by id).
    SubscriptionTarget = domain::types::SubscriptionTarget { Agency, Topic, Draft }
);
api_enum!(
    /// An account's role.
    Role = domain::types::Role { Admin, Officer, Researcher, Citizen }
);
