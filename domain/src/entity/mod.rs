//! sea-orm entities, one file per table. Times are milliseconds since the Unix epoch; lists
//! and structured values (topics, questions, provisions) are JSON text.

pub mod account;
pub mod agency;
pub mod api_token;
pub mod audit_event;
pub mod comment;
pub mod comment_cluster;
pub mod consultation;
pub mod delivery;
pub mod disposition;
pub mod draft;
pub mod draft_version;
pub mod evaluation_request;
pub mod idempotency_key;
pub mod identity;
pub mod impact_assessment;
pub mod integrity_check;
pub mod invitation;
pub mod job;
pub mod json;
pub mod law_in_force;
pub mod report;
pub mod session;
pub mod sign_in_link;
pub mod statistics;
pub mod subscription;

pub mod prelude {
    pub use super::account::Entity as Account;
    pub use super::agency::Entity as Agency;
    pub use super::api_token::Entity as ApiToken;
    pub use super::audit_event::Entity as AuditEvent;
    pub use super::comment::Entity as Comment;
    pub use super::consultation::Entity as Consultation;
    pub use super::delivery::Entity as Delivery;
    pub use super::draft::Entity as Draft;
    pub use super::draft_version::Entity as DraftVersion;
    pub use super::idempotency_key::Entity as IdempotencyKey;
    pub use super::job::Entity as Job;
    pub use super::statistics::Entity as Statistics;
}
