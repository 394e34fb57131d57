//! Domain errors and their stable codes.
//!
//! Every error a client can see has an [`ErrorCode`]: a snake_case name that, once released, is
//! never renamed (clients match on it). The HTTP layer maps codes to statuses in one place.

use std::fmt;

/// Stable, machine-readable error codes. The string form is part of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    ValidationFailed,
    UnknownField,
    MalformedJson,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    UnsupportedMediaType,
    HearingTooShort,
    ConsultationNotOpen,
    InvalidState,
    Conflict,
    IdempotencyKeyReused,
    PayloadTooLarge,
    RateLimited,
    SearchUnavailable,
    DbBusy,
    Internal,
    NoChange,
    /// The request line or headers could not be read as HTTP (answered below the router).
    MalformedRequest,
    /// The request target is longer than the server reads.
    UriTooLong,
    /// The request's headers are too many or too large.
    HeadersTooLarge,
}

impl ErrorCode {
    /// Every code, in a fixed order; a test pins this list so nothing is renamed by accident.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::ValidationFailed,
        ErrorCode::UnknownField,
        ErrorCode::MalformedJson,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::HearingTooShort,
        ErrorCode::ConsultationNotOpen,
        ErrorCode::InvalidState,
        ErrorCode::Conflict,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RateLimited,
        ErrorCode::SearchUnavailable,
        ErrorCode::DbBusy,
        ErrorCode::Internal,
        ErrorCode::NoChange,
        ErrorCode::MalformedRequest,
        ErrorCode::UriTooLong,
        ErrorCode::HeadersTooLarge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::HearingTooShort => "hearing_too_short",
            ErrorCode::ConsultationNotOpen => "consultation_not_open",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::Conflict => "conflict",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::SearchUnavailable => "search_unavailable",
            ErrorCode::DbBusy => "db_busy",
            ErrorCode::Internal => "internal",
            ErrorCode::NoChange => "no_change",
            ErrorCode::MalformedRequest => "malformed_request",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's path in the request, e.g. `questions[1].options`.
    pub field: String,
    /// A stable snake_case code: `required`, `invalid_type`, `too_long`, `invalid_value`...
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// What a service can fail with. Unexpected failures carry their cause chain in `Internal`
/// and are shown to clients only as a generic error.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("the request is not valid")]
    Validation(Vec<FieldError>),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error(
        "an online hearing must last at least 15 days; give `short_period_reason` for a shorter one"
    )]
    HearingTooShort,
    #[error("{0}")]
    ConsultationNotOpen(String),
    #[error("{0}")]
    InvalidState(String),
    #[error("{0}")]
    Conflict(String),
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    /// The request would store nothing new (e.g. a version identical to the latest).
    #[error("{0}")]
    NoChange(String),
    #[error("{what} is larger than the limit of {limit} bytes")]
    PayloadTooLarge { what: &'static str, limit: usize },
    #[error("the database is busy or unavailable; try again shortly")]
    DbBusy,
    #[error("search is unavailable right now; everything else works, try searching again shortly")]
    SearchUnavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl DomainError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::Validation(_) => ErrorCode::ValidationFailed,
            DomainError::NotFound(_) => ErrorCode::NotFound,
            DomainError::Forbidden(_) => ErrorCode::Forbidden,
            DomainError::HearingTooShort => ErrorCode::HearingTooShort,
            DomainError::ConsultationNotOpen(_) => ErrorCode::ConsultationNotOpen,
            DomainError::InvalidState(_) => ErrorCode::InvalidState,
            DomainError::Conflict(_) => ErrorCode::Conflict,
            DomainError::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            DomainError::NoChange(_) => ErrorCode::NoChange,
            DomainError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            DomainError::DbBusy => ErrorCode::DbBusy,
            DomainError::SearchUnavailable => ErrorCode::SearchUnavailable,
            DomainError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// A single-field validation failure.
    pub fn invalid(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        DomainError::Validation(vec![FieldError::new(field, code, message)])
    }
}

impl From<sea_orm::DbErr> for DomainError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unavailable(&err) {
            DomainError::DbBusy
        } else {
            DomainError::Internal(anyhow::Error::new(err))
        }
    }
}

/// An error of a query run through sqlx directly, as sea-orm reports the same error.
impl From<sqlx::Error> for DomainError {
    fn from(err: sqlx::Error) -> Self {
        sea_orm::DbErr::Query(sea_orm::RuntimeErr::SqlxError(err.into())).into()
    }
}

impl From<sea_orm::TransactionError<DomainError>> for DomainError {
    fn from(err: sea_orm::TransactionError<DomainError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// True when the database is locked, busy, unreachable or out of connections: the request may
/// succeed if retried, so clients get 503 `db_busy` rather than a 500. Decided by the driver's
/// error kind and the database's own error code, never by the message's wording.
pub fn is_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            match &**e {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(db) => {
                    let sqlite = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some();
                    db.code()
                        .is_some_and(|code| is_transient_code(&code, sqlite))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Database error codes after which a retry may succeed. SQLite reports a number whose low
/// byte is the primary code (`SQLITE_BUSY` 5 and `SQLITE_LOCKED` 6, with extended codes such as
/// `SQLITE_BUSY_SNAPSHOT` 517); PostgreSQL an SQLSTATE: connection exceptions (class 08),
/// serialization failure, deadlock, lock not available, too many connections and shutdown.
fn is_transient_code(code: &str, sqlite: bool) -> bool {
    if sqlite {
        return code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
    }
    code.starts_with("08")
        || matches!(
            code,
            "40001" | "40P01" | "55P03" | "53300" | "57P01" | "57P02" | "57P03"
        )
}

pub type DomainResult<T> = Result<T, DomainError>;

impl From<crate::search::SearchError> for DomainError {
    fn from(err: crate::search::SearchError) -> Self {
        match err {
            crate::search::SearchError::Unavailable(cause) => {
                tracing::warn!(%cause, "search backend unavailable");
                DomainError::SearchUnavailable
            }
            crate::search::SearchError::Internal(e) => DomainError::Internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_transient_code;

    #[test]
    fn transient_database_codes_are_recognised_by_code() {
        for yes in ["5", "6", "517", "261", "262"] {
            assert!(is_transient_code(yes, true), "SQLite {yes}");
        }
        for yes in ["08006", "08001", "40001", "40P01", "57P01", "53300"] {
            assert!(is_transient_code(yes, false), "PostgreSQL {yes}");
        }
        // Constraint violations, syntax errors, missing tables: retrying does not help.
        for no in ["19", "2067", "1", "787"] {
            assert!(!is_transient_code(no, true), "SQLite {no}");
        }
        for no in ["23505", "42601", "42P01", "22001"] {
            assert!(!is_transient_code(no, false), "PostgreSQL {no}");
        }
    }
}
