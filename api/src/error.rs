//! How errors reach clients: RFC 9457 `application/problem+json` bodies with a stable `code`.
//!
//! Each code's status is declared with the code (`domain::error`); [`status_of`] reads it.
//! Each operation returns [`ApiResult`] with an [`ErrorClass`] that names the codes it can
//! answer, so its OpenAPI entry lists exactly those statuses. A class must also name the codes
//! raised before its handler runs: `unauthenticated` (any bad token), `validation_failed` (a
//! query parameter that does not parse), `not_found` (a path parameter that does not), and for a
//! JSON body `malformed_json`, `unknown_field`, `unsupported_media_type`, `payload_too_large`;
//! `rate_limited` for every write and every read of the API. Errors raised by the framework are rewritten into the same
//! shape by [`render_poem_error`]. Unexpected errors are logged with their cause chain and shown
//! only as a generic 500.

use std::{collections::BTreeSet, marker::PhantomData, sync::Mutex};

use domain::{DomainError, ErrorCode, error::FieldError};
use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{
    ApiResponse, Object,
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
};

/// A problem with one field of the request.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct ProblemField {
    /// Path of the field in the request, such as `questions[1].options`, or the name of a
    /// query parameter or header.
    pub field: String,
    /// Stable snake_case code of the problem: `required`, `invalid_type`, `invalid_value`,
    /// `too_long`, `out_of_range`, `not_found`, `unknown_field`...
    pub code: String,
    /// Human-readable explanation, in English.
    pub message: String,
}

/// An error, as described by RFC 9457 (Problem Details for HTTP APIs).
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:rabfang:problem:<code>`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Stable machine-readable code. Codes are never renamed once released; match on this.
    pub code: String,
    /// Explanation of this occurrence of the problem.
    pub detail: String,
    /// For `validation_failed` and `unknown_field`: every field that is wrong. Left out when
    /// there is none.
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

impl Problem {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Problem {
        Problem {
            problem_type: format!("urn:rabfang:problem:{code}"),
            title: code.title().to_string(),
            status: code.status(),
            code: code.as_str().to_string(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Problem {
        self.errors = errors
            .into_iter()
            .map(|e| ProblemField {
                field: e.field,
                code: e.code.to_string(),
                message: e.message,
            })
            .collect();
        self
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The HTTP status of each error code (declared with the code in `domain::error`).
pub fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A class of operation, named by the error codes its answers can carry. The OpenAPI document
/// of an operation lists exactly the statuses of its class's codes, each described by the
/// codes it stands for. The codes every operation can answer (a bad token is refused before any
/// operation runs; the database may be busy) are in each class.
pub trait ErrorClass: Send + Sync + 'static {
    /// The codes, in the order of [`ErrorCode::ALL`].
    const CODES: &'static [ErrorCode];
}

/// Declares the classes of operation: a unit type per class and its codes.
macro_rules! error_classes {
    ($($(#[$meta:meta])* $class:ident = [$($code:ident),+ $(,)?];)+) => {
        $(
            $(#[$meta])*
            pub struct $class;

            impl ErrorClass for $class {
                const CODES: &'static [ErrorCode] = &[$(ErrorCode::$code),+];
            }
        )+
    };
}

error_classes! {
    /// A public list or filter: query parameters that may not parse.
    PublicList = [ValidationFailed, Unauthenticated, RateLimited, DbBusy, Internal];
    /// Full-text search: a public list that also needs the search backend.
    PublicSearch = [
        ValidationFailed, Unauthenticated, RateLimited, SearchUnavailable, DbBusy, Internal,
    ];
    /// A public read of one object named in the path.
    PublicRead = [Unauthenticated, NotFound, RateLimited, DbBusy, Internal];
    /// A public read of one object named in the path, with query parameters.
    PublicReadQuery = [
        ValidationFailed, Unauthenticated, NotFound, RateLimited, DbBusy, Internal,
    ];
    /// A public page that needs a query parameter and reads nothing stored.
    PublicPage = [ValidationFailed, Unauthenticated, RateLimited];
    /// An anonymous write with a JSON body (subscribing by e-mail).
    PublicCreate = [
        ValidationFailed, UnknownField, MalformedJson, Unauthenticated, UnsupportedMediaType,
        PayloadTooLarge, RateLimited, DbBusy, Internal,
    ];
    /// An anonymous write with a token in the query (unsubscribing).
    PublicAction = [ValidationFailed, Unauthenticated, NotFound, RateLimited, DbBusy, Internal];
    /// A signed-in write with a JSON body that creates an object not under another one.
    Create = [
        ValidationFailed, UnknownField, MalformedJson, Unauthenticated, Forbidden,
        UnsupportedMediaType, Conflict, PayloadTooLarge, RateLimited, DbBusy, Internal,
    ];
    /// A signed-in write with a JSON body to an object named in the path.
    Change = [
        ValidationFailed, UnknownField, MalformedJson, Unauthenticated, Forbidden, NotFound,
        UnsupportedMediaType, InvalidState, Conflict, PayloadTooLarge, RateLimited, DbBusy,
        Internal,
    ];
    /// A hearing's dates: a [`Change`] that also checks the length of the hearing.
    HearingChange = [
        ValidationFailed, UnknownField, MalformedJson, Unauthenticated, Forbidden, NotFound,
        UnsupportedMediaType, HearingTooShort, InvalidState, PayloadTooLarge, RateLimited,
        DbBusy, Internal,
    ];
    /// Adding a version to a draft: a [`Change`] that takes an `Idempotency-Key` and refuses a
    /// version identical to the latest.
    VersionChange = [
        ValidationFailed, UnknownField, MalformedJson, Unauthenticated, Forbidden, NotFound,
        UnsupportedMediaType, InvalidState, Conflict, IdempotencyKeyReused, PayloadTooLarge,
        RateLimited, DbBusy, Internal, NoChange,
    ];
    /// Commenting: a [`Change`] that takes an `Idempotency-Key` and only works while the hearing
    /// is open.
    CommentIntake = [
        ValidationFailed, UnknownField, MalformedJson, Unauthenticated, Forbidden, NotFound,
        UnsupportedMediaType, ConsultationNotOpen, Conflict, IdempotencyKeyReused,
        PayloadTooLarge, RateLimited, DbBusy, Internal,
    ];
    /// A signed-in action without a body on an object named in the path (publish, submit,
    /// retry...).
    Action = [
        Unauthenticated, Forbidden, NotFound, InvalidState, RateLimited, DbBusy, Internal,
    ];
    /// An [`Action`] that takes an `Idempotency-Key`.
    IdempotentAction = [
        ValidationFailed, Unauthenticated, Forbidden, NotFound, InvalidState, Conflict,
        IdempotencyKeyReused, RateLimited, DbBusy, Internal,
    ];
    /// A signed-in read of the caller's own things.
    MyRead = [Unauthenticated, RateLimited, DbBusy, Internal];
    /// A signed-in write with a JSON body that makes something of the caller's own.
    MyCreate = [
        ValidationFailed, UnknownField, MalformedJson, Unauthenticated, Forbidden,
        UnsupportedMediaType, PayloadTooLarge, RateLimited, DbBusy, Internal,
    ];
    /// A signed-in action without a body on something of the caller's named in the path.
    MyAction = [Unauthenticated, Forbidden, NotFound, RateLimited, DbBusy, Internal];
    /// A signed-in read of something that only some roles see, with query parameters.
    RestrictedList = [
        ValidationFailed, Unauthenticated, Forbidden, RateLimited, DbBusy, Internal,
    ];
    /// A signed-in read of something that only some roles see.
    RestrictedRead = [Unauthenticated, Forbidden, RateLimited, DbBusy, Internal];
    /// A signed-in action without a body or path parameter that only some roles may take.
    RestrictedAction = [Unauthenticated, Forbidden, RateLimited, DbBusy, Internal];
}

/// The error answer of an operation of class `C`: a [`Problem`] whose code is one of the
/// class's codes. The OpenAPI document lists one response per status of those codes.
pub struct ApiError<C> {
    problem: Problem,
    class: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ApiError<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.problem.fmt(f)
    }
}

impl<C: ErrorClass> ApiError<C> {
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

impl<C: ErrorClass> From<Problem> for ApiError<C> {
    fn from(problem: Problem) -> ApiError<C> {
        // An answer the document does not list is a bug in the operation's class; the tests
        // and Schemathesis run debug builds, so they catch it.
        debug_assert!(
            C::CODES.iter().any(|c| c.as_str() == problem.code),
            "`{}` is not a code of {}",
            problem.code,
            std::any::type_name::<C>()
        );
        ApiError {
            problem,
            class: PhantomData,
        }
    }
}

impl<C: ErrorClass> From<DomainError> for ApiError<C> {
    fn from(err: DomainError) -> ApiError<C> {
        problem_of(err).into()
    }
}

impl<C: ErrorClass> IntoResponse for ApiError<C> {
    fn into_response(self) -> Response {
        problem_response(&self.problem)
    }
}

impl<C: ErrorClass> From<ApiError<C>> for poem::Error {
    fn from(err: ApiError<C>) -> poem::Error {
        poem::Error::from_response(err.into_response())
    }
}

impl<C: ErrorClass> ApiResponse for ApiError<C> {
    fn meta() -> MetaResponses {
        let mut statuses: Vec<u16> = C::CODES.iter().map(|c| c.status()).collect();
        statuses.sort_unstable();
        statuses.dedup();
        let responses = statuses
            .into_iter()
            .map(|status| MetaResponse {
                description: describe(C::CODES, status),
                status: Some(status),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: PROBLEM_JSON,
                    schema: Problem::schema_ref(),
                }],
                headers: retry_after(status),
            })
            .collect();
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The description of one status of an operation: each of its codes with what it means.
fn describe(codes: &[ErrorCode], status: u16) -> &'static str {
    static TEXTS: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let text: Vec<String> = codes
        .iter()
        .filter(|c| c.status() == status)
        .map(|c| format!("`{c}`: {}", c.description()))
        .collect();
    let text = text.join(" ");
    // The registry wants `&'static str`; each distinct text is kept once.
    let mut texts = TEXTS.lock().unwrap_or_else(|e| e.into_inner());
    match texts.get(text.as_str()) {
        Some(kept) => kept,
        None => {
            let kept: &'static str = Box::leak(text.into_boxed_str());
            texts.insert(kept);
            kept
        }
    }
}

/// `429` and `503` say in `Retry-After` how many seconds to wait; a `429` also says which quota
/// was used up.
fn retry_after(status: u16) -> Vec<MetaHeader> {
    if status != 429 && status != 503 {
        return Vec::new();
    }
    let mut headers = vec![MetaHeader {
        name: "Retry-After".into(),
        description: Some("Seconds to wait before trying again.".into()),
        required: true,
        deprecated: false,
        schema: u64::schema_ref(),
    }];
    if status == 429 {
        headers.extend([
            MetaHeader {
                name: "RateLimit-Policy".into(),
                description: Some(
                    "The quota that was used up, as `\"reads\";q=12000;w=60`: its name \
                     (`reads` or `writes`), requests allowed per window, and the window in seconds."
                        .into(),
                ),
                required: true,
                deprecated: false,
                schema: String::schema_ref(),
            },
            MetaHeader {
                name: "RateLimit".into(),
                description: Some(
                    "Where the caller stands, as `\"reads\";r=0;t=3`: requests remaining and \
                     seconds until the next is allowed."
                        .into(),
                ),
                required: true,
                deprecated: false,
                schema: String::schema_ref(),
            },
        ]);
    }
    headers
}

/// The list of error codes for the API description: each code, its status and its meaning.
pub fn codes_markdown() -> String {
    let mut out = String::from("| code | status | meaning |\n|---|---|---|\n");
    for code in ErrorCode::ALL {
        out.push_str(&format!(
            "| `{code}` | {} | {} |\n",
            code.status(),
            code.description()
        ));
    }
    out
}

/// The problem body for a domain error; unexpected errors are logged here.
pub fn problem_of(err: DomainError) -> Problem {
    let code = err.code();
    match err {
        DomainError::Validation(errors) => {
            Problem::new(code, "the request is not valid; see `errors`").with_errors(errors)
        }
        DomainError::Internal(cause) => {
            tracing::error!(error = ?cause, "unexpected error");
            Problem::new(code, "an unexpected error occurred; it has been logged")
        }
        other => Problem::new(code, other.to_string()),
    }
}

/// The result of an operation of class `C`.
pub type ApiResult<T, C> = Result<T, ApiError<C>>;

/// A problem raised outside a handler (while extracting the request); rendered as itself.
#[derive(Debug, thiserror::Error)]
#[error("{0:?}")]
pub struct ProblemError(pub Problem);

impl poem::error::ResponseError for ProblemError {
    fn status(&self) -> StatusCode {
        self.0.status()
    }

    fn as_response(&self) -> Response {
        problem_response(&self.0)
    }
}

pub fn problem_response(p: &Problem) -> Response {
    let body = serde_json::to_vec(p).unwrap_or_default();
    Response::builder()
        .status(p.status())
        .content_type(PROBLEM_JSON)
        .body(body)
}

/// Rewrites any error that escaped a handler into a problem response.
pub async fn render_poem_error(err: poem::Error) -> Response {
    if let Some(p) = err.downcast_ref::<ProblemError>() {
        return problem_response(&p.0);
    }
    // Error answers of our own operations are already problems.
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let message = err.to_string();
    let problem = match status {
        StatusCode::NOT_FOUND => Problem::new(ErrorCode::NotFound, "no such route or object"),
        StatusCode::METHOD_NOT_ALLOWED => Problem::new(
            ErrorCode::MethodNotAllowed,
            "this route does not take that method",
        ),
        StatusCode::UNAUTHORIZED => Problem::new(
            ErrorCode::Unauthenticated,
            "this operation needs `Authorization: Bearer <token>`",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
            ErrorCode::PayloadTooLarge,
            "the request body is over the size limit",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::new(
            ErrorCode::UnsupportedMediaType,
            "send the body as application/json",
        ),
        // A path parameter of the wrong type (`/drafts/abc`) names nothing that exists.
        StatusCode::BAD_REQUEST if message.starts_with("failed to parse path") => {
            Problem::new(ErrorCode::NotFound, "no such route or object")
        }
        s if s.is_client_error() => {
            // Path, query and header parameters that do not parse.
            let field = param_name(&message).unwrap_or_else(|| "request".into());
            Problem::new(
                ErrorCode::ValidationFailed,
                "the request is not valid; see `errors`",
            )
            .with_errors(vec![FieldError::new(field, "invalid_value", message)])
        }
        _ => {
            tracing::error!(error = %message, "unexpected framework error");
            Problem::new(
                ErrorCode::Internal,
                "an unexpected error occurred; it has been logged",
            )
        }
    };
    problem_response(&problem).into_response()
}

/// poem-openapi names the failing parameter in backticks: "failed to parse parameter `name`".
fn param_name(message: &str) -> Option<String> {
    let rest = message.split_once('`')?.1;
    Some(rest.split_once('`')?.0.to_string())
}
