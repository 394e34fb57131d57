//! Services: one module per aggregate, async functions over a connection or a transaction.
//! Each takes already-parsed input, checks who may do it, and records an audit event for every
//! change in the same transaction.

pub mod accounts;
pub mod agencies;
pub mod assessments;
pub mod clusters;
pub mod comments;
pub mod consultations;
pub mod counting;
pub mod dispositions;
pub mod drafts;
pub mod idempotency;
pub mod indexing;
pub mod integrity;
pub mod laws;
pub mod mailings;
pub mod notices;
pub mod page;
pub mod reports;
pub mod statistics;
pub mod subscriptions;
pub mod summaries;
pub mod terms;
pub mod validate;
