//! How errors reach clients: RFC 9457 `application/problem+json` bodies with a stable `code`.
//!
//! Domain errors map to a status in [`status_of`], the one place that decides it. Errors raised
//! by the framework before a handler runs (unknown route, bad path parameter, missing token,
//! oversized body) are rewritten into the same shape by [`render_poem_error`]. Unexpected errors
//! are logged with their cause chain and shown only as a generic 500.

use domain::{DomainError, ErrorCode, error::FieldError};
use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{ApiResponse, Object, payload::Json};

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
    /// For `validation_failed` and `unknown_field`: every field that is wrong.
    #[oai(skip_serializing_if_is_empty)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

impl Problem {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Problem {
        let status = status_of(code);
        Problem {
            problem_type: format!("urn:rabfang:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
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

/// The HTTP status of each error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::ValidationFailed
        | ErrorCode::UnknownField
        | ErrorCode::HearingTooShort
        | ErrorCode::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::MalformedJson | ErrorCode::MalformedRequest => StatusCode::BAD_REQUEST,
        ErrorCode::UriTooLong => StatusCode::URI_TOO_LONG,
        ErrorCode::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::ConsultationNotOpen
        | ErrorCode::InvalidState
        | ErrorCode::Conflict
        | ErrorCode::NoChange => StatusCode::CONFLICT,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::SearchUnavailable | ErrorCode::DbBusy => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The error answer of every operation. Each variant is one status; the body is a [`Problem`].
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// `malformed_json`: the body is not JSON.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// `unauthenticated`: this operation needs `Authorization: Bearer <token>`, or the token is not valid.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// `forbidden`: the account's role may not do this.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// `not_found`: no such object, or not one the caller may see.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// `consultation_not_open`, `invalid_state` or `conflict`: the object's state does not allow this now; `no_change`: the request would store nothing new (a draft version identical to the latest).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// `payload_too_large`: the body, or a text inside it, is over its size limit.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// `validation_failed`, `unknown_field`, `hearing_too_short` or `idempotency_key_reused`; `errors` lists each field.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// `internal`: an unexpected error; it has been logged.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// `db_busy` (the database is busy or unreachable) or `search_unavailable` (the search backend is down; everything else works): retry after a short wait.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> ApiError {
        let body = Json(p);
        match body.0.status {
            400 => ApiError::BadRequest(body),
            401 => ApiError::Unauthorized(body),
            403 => ApiError::Forbidden(body),
            404 => ApiError::NotFound(body),
            409 => ApiError::Conflict(body),
            413 => ApiError::PayloadTooLarge(body),
            422 => ApiError::Unprocessable(body),
            503 => ApiError::Unavailable(body),
            _ => ApiError::Internal(body),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> ApiError {
        problem_of(err).into()
    }
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

pub type ApiResult<T> = Result<T, ApiError>;

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
        .content_type("application/problem+json")
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
