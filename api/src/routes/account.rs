//! The caller's own API keys: make one (shown once), list them with their last use, revoke one.
//! The account page on the site does the same for people in a browser.

use chrono::{DateTime, Utc};
use domain::service::api_tokens;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path};

use super::{Tag, time};
use crate::{
    AppState,
    auth::SignedIn,
    body::JsonBody,
    error::{ApiResult, MyAction, MyCreate, MyRead},
    json::Json,
};

/// One of the caller's API keys (never its secret, which is shown only when it is made).
#[derive(Debug, Object, serde::Serialize)]
pub struct ApiKey {
    /// Stable numeric id.
    pub id: i64,
    /// The name its owner gave it; empty for the key `rabfang user create` printed.
    pub name: String,
    /// A read-only key may only read (`GET`); anything else it asks is refused with `403`.
    pub read_only: bool,
    /// When it was made.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// The last request made with it (recorded at most once a minute); `null` if never used.
    #[oai(nullable)]
    #[serde(serialize_with = "crate::json::rfc3339_opt")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; `null` while it works.
    #[oai(nullable)]
    #[serde(serialize_with = "crate::json::rfc3339_opt")]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<domain::entity::api_token::Model> for ApiKey {
    fn from(m: domain::entity::api_token::Model) -> Self {
        ApiKey {
            id: m.id,
            name: m.name,
            read_only: m.read_only,
            created_at: time(m.created_at),
            last_used_at: m.last_used_at.map(time),
            revoked_at: m.revoked_at.map(time),
        }
    }
}

/// A new key just made, with its secret.
#[derive(Debug, Object, serde::Serialize)]
pub struct NewApiKey {
    /// The key.
    pub key: ApiKey,
    /// The secret to send as `Authorization: Bearer <token>`. Shown only this once: only a hash
    /// of it is kept.
    pub token: String,
}

/// What to make.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// A name to recognise the key by, 1 to 100 characters (`research scripts`).
    pub name: String,
    /// Make a key that may only read. Default `false`.
    #[serde(default)]
    #[oai(default)]
    pub read_only: bool,
}

/// The caller's keys, live ones first, newest first.
#[derive(Debug, Object, serde::Serialize)]
pub struct ApiKeyList {
    /// Every key of the caller, revoked ones included (at most 50 live ones at a time).
    pub items: Vec<ApiKey>,
}

#[derive(ApiResponse)]
pub enum CreatedApiKey {
    /// The key was made; its secret is in `token`.
    #[oai(status = 201)]
    Created(Json<NewApiKey>),
}

#[derive(ApiResponse)]
pub enum RevokedApiKey {
    /// The key is revoked: it stops working at once (where several server processes share
    /// one database, the others refuse it within half a second). Revoking a revoked key
    /// answers the same.
    #[oai(status = 200)]
    Revoked(Json<ApiKey>),
}

pub struct AccountApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Account")]
impl AccountApi {
    /// List the caller's API keys, with when each was last used.
    #[oai(
        path = "/account/tokens",
        method = "get",
        operation_id = "list_api_keys"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
    ) -> ApiResult<Json<ApiKeyList>, MyRead> {
        let items = api_tokens::mine(&state.ctx.db.conn, auth.0.account_id).await?;
        Ok(Json(ApiKeyList {
            items: items.into_iter().map(ApiKey::from).collect(),
        }))
    }

    /// Make an API key for the caller (anyone signed in; no administrator needed). The answer
    /// holds its secret, shown this once.
    #[oai(
        path = "/account/tokens",
        method = "post",
        operation_id = "create_api_key"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        body: JsonBody<CreateApiKey>,
    ) -> ApiResult<CreatedApiKey, MyCreate> {
        let b = body.0;
        let (model, token) =
            api_tokens::create(&state.ctx.db, &auth.0, &b.name, b.read_only).await?;
        Ok(CreatedApiKey::Created(Json(NewApiKey {
            key: model.into(),
            token,
        })))
    }

    /// Revoke one of the caller's API keys: it stops working at the next request.
    #[oai(
        path = "/account/tokens/:id/revoke",
        method = "post",
        operation_id = "revoke_api_key"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        /// The key's id.
        id: Path<i64>,
    ) -> ApiResult<RevokedApiKey, MyAction> {
        let model = api_tokens::revoke(&state.ctx.db, &auth.0, id.0).await?;
        Ok(RevokedApiKey::Revoked(Json(model.into())))
    }
}
