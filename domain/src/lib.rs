//! Rabfang's domain: the model, the rules the law sets, and the services both the API and the
//! worker call. Nothing here knows about HTTP.

// Every Rabfang program allocates with mimalloc, set up in the `allocator` crate (which
// `Context::build` configures).

pub mod akn;
pub mod audit;
pub mod calendar;
pub mod campaigns;
pub mod context;
pub mod db;
pub mod diff;
pub mod docx;
pub mod entity;
pub mod error;
pub mod export;
pub mod ids;
pub mod jobs;
pub mod keys;
pub mod mail;
pub mod markdown;
pub mod provisions;
pub mod ria;
pub mod search;
pub mod service;
pub mod settings;
pub mod shutdown;
pub mod stats;
pub mod telemetry;
pub mod text;
pub mod time;
pub mod token_cache;
pub mod types;

pub use context::Context;
pub use error::{DomainError, DomainResult, ErrorCode};
