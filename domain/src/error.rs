//! Domain errors and their stable codes.
//!
//! Every error a client can see has an [`ErrorCode`]: a snake_case name that, once released, is
//! never renamed (clients match on it). The HTTP layer maps codes to statuses in one place.

use std::fmt;

/// Declares every error code once: its variant, its stable name, its HTTP status and the
/// status's title, with a one-line doc comment that is also the code's description for API
/// users. Everything else (the name lookup, the status map of the HTTP layer, the list of codes
/// in the API document, the statuses each operation documents) is derived from this table.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $name:literal, $status:literal, $title:literal;)+) => {
        /// Stable, machine-readable error codes. The string form is part of the public API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in a fixed order; a test pins this list so nothing is renamed by accident.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The stable snake_case name clients match on.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)+
                }
            }

            /// The HTTP status of every answer with this code.
            pub const fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)+
                }
            }

            /// The problem's `title`: the standard reason phrase of its status.
            pub const fn title(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $title,)+
                }
            }

            /// What the code means, for API users (the variant's doc comment).
            pub const fn description(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

error_codes! {
    /// The request is not valid; `errors` names each field that is wrong.
    ValidationFailed = "validation_failed", 422, "Unprocessable Entity";
    /// The body has a field this request does not take; `errors` names each one.
    UnknownField = "unknown_field", 422, "Unprocessable Entity";
    /// The body is not JSON.
    MalformedJson = "malformed_json", 400, "Bad Request";
    /// The operation needs `Authorization: Bearer <token>`, or the token is not valid.
    Unauthenticated = "unauthenticated", 401, "Unauthorized";
    /// The account's role may not do this.
    Forbidden = "forbidden", 403, "Forbidden";
    /// No such object, or not one the caller may see.
    NotFound = "not_found", 404, "Not Found";
    /// The path does not take this method; `Allow` lists the methods it takes.
    MethodNotAllowed = "method_not_allowed", 405, "Method Not Allowed";
    /// The body is not sent as `application/json`.
    UnsupportedMediaType = "unsupported_media_type", 415, "Unsupported Media Type";
    /// An online hearing must last at least 15 days; a shorter one needs `short_period_reason`.
    HearingTooShort = "hearing_too_short", 422, "Unprocessable Entity";
    /// The consultation does not take comments now (not open yet, or closed).
    ConsultationNotOpen = "consultation_not_open", 409, "Conflict";
    /// The object's state does not allow this now.
    InvalidState = "invalid_state", 409, "Conflict";
    /// The request conflicts with an object that already exists.
    Conflict = "conflict", 409, "Conflict";
    /// This `Idempotency-Key` was already used with a different request.
    IdempotencyKeyReused = "idempotency_key_reused", 422, "Unprocessable Entity";
    /// The body, or a text inside it, is over its size limit.
    PayloadTooLarge = "payload_too_large", 413, "Payload Too Large";
    /// Too many writes from this account or address; `Retry-After` says when to try again.
    RateLimited = "rate_limited", 429, "Too Many Requests";
    /// The search backend is down (everything else works); retry after `Retry-After` seconds.
    SearchUnavailable = "search_unavailable", 503, "Service Unavailable";
    /// The database is busy or unreachable; retry after `Retry-After` seconds.
    DbBusy = "db_busy", 503, "Service Unavailable";
    /// An unexpected error; it has been logged.
    Internal = "internal", 500, "Internal Server Error";
    /// The request would store nothing new (a draft version identical to the latest).
    NoChange = "no_change", 409, "Conflict";
    /// The request line or a header is not HTTP (answered before any operation).
    MalformedRequest = "malformed_request", 400, "Bad Request";
    /// The request target is longer than the server reads (64 KiB).
    UriTooLong = "uri_too_long", 414, "URI Too Long";
    /// The request has over 100 headers, or a head over 400 KiB.
    HeadersTooLarge = "headers_too_large", 431, "Request Header Fields Too Large";
    /// The `Range` asked for starts past the end of the file; `Content-Range` gives its size.
    RangeNotSatisfiable = "range_not_satisfiable", 416, "Range Not Satisfiable";
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
