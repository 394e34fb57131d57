//! Authentication. One middleware reads `Authorization: Bearer <token>` once per request and
//! stores the caller as an [`Actor`] in the request; a present but unknown token is refused
//! with 401 right there, so a client never silently gets anonymous answers. The security
//! schemes below only read that result, which keeps auth visible in each handler's signature
//! and in the OpenAPI document.

use domain::{ErrorCode, types::Actor};
use poem::{
    Endpoint, Middleware, Request,
    http::{Method, header},
};
use poem_openapi::{SecurityScheme, auth::Bearer};

use crate::{
    AppState,
    error::{Problem, ProblemError, problem_of},
};

/// An API token sent as `Authorization: Bearer <token>`. `rabfang user create` prints one.
#[derive(SecurityScheme)]
#[oai(
    rename = "bearer",
    ty = "bearer",
    bearer_format = "opaque",
    checker = "signed_in"
)]
pub struct SignedIn(pub Actor);

/// The caller of an operation that requires a token. A read-only token may call only reads
/// (`GET`); any other operation is refused with `403` before it runs.
async fn signed_in(req: &Request, _bearer: Bearer) -> poem::Result<Actor> {
    let actor = req.extensions().get::<Actor>().copied().ok_or_else(|| {
        poem::Error::from(ProblemError(Problem::new(
            ErrorCode::Unauthenticated,
            "the token is not valid",
        )))
    })?;
    let read_only = req
        .extensions()
        .get::<domain::service::api_tokens::Bearer>()
        .is_some_and(|b| b.read_only);
    if read_only && !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(ProblemError(Problem::new(
            ErrorCode::Forbidden,
            "this API key is read-only; make a key that may write on your account page",
        ))
        .into());
    }
    Ok(actor)
}

/// Public operations that show more to a signed-in caller (an agency sees its own drafts in
/// preparation).
#[derive(SecurityScheme)]
pub enum MaybeSignedIn {
    SignedIn(SignedIn),
    #[oai(fallback)]
    Anonymous,
}

impl MaybeSignedIn {
    pub fn actor(&self) -> Option<&Actor> {
        match self {
            MaybeSignedIn::SignedIn(SignedIn(a)) => Some(a),
            MaybeSignedIn::Anonymous => None,
        }
    }
}

pub struct Authenticate;

impl<E: Endpoint> Middleware<E> for Authenticate {
    type Output = AuthenticateEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        AuthenticateEndpoint(ep)
    }
}

pub struct AuthenticateEndpoint<E>(E);

impl<E: Endpoint> Endpoint for AuthenticateEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|h| h.to_str().unwrap_or("").to_string());
        if let Some(value) = header {
            let token = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    ProblemError(Problem::new(
                        ErrorCode::Unauthenticated,
                        "use `Authorization: Bearer <token>`",
                    ))
                })?;
            let state = req.data::<AppState>().cloned().ok_or_else(|| {
                poem::Error::from_string(
                    "missing state",
                    poem::http::StatusCode::INTERNAL_SERVER_ERROR,
                )
            })?;
            match domain::service::api_tokens::authenticate(&state.ctx.db, token).await {
                Ok(Some(bearer)) => {
                    req.extensions_mut().insert(bearer.actor);
                    req.extensions_mut().insert(bearer);
                }
                Ok(None) => {
                    return Err(ProblemError(Problem::new(
                        ErrorCode::Unauthenticated,
                        "the token is not valid",
                    ))
                    .into());
                }
                Err(e) => return Err(ProblemError(problem_of(e)).into()),
            }
        }
        self.0.call(req).await
    }
}
