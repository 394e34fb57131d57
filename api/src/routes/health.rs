use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::Tag;
use crate::{AppState, json::Json};

/// The state of the service.
#[derive(Object, serde::Serialize)]
pub struct Health {
    /// `ok` when the service answers (and, for readiness, its database too); otherwise `unavailable`.
    pub status: String,
}

#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// The service and its database are ready.
    #[oai(status = 200)]
    Ready(Json<Health>),
    /// The database does not answer; a load balancer should send traffic elsewhere.
    #[oai(status = 503)]
    NotReady(Json<Health>),
}

pub struct HealthApi;

#[OpenApi(tag = "Tag::Health")]
impl HealthApi {
    /// Liveness: the process is up and serving.
    #[oai(path = "/healthz", method = "get", operation_id = "health")]
    async fn health(&self) -> Json<Health> {
        Json(Health {
            status: "ok".into(),
        })
    }

    /// Readiness: the process can reach its database.
    #[oai(path = "/readyz", method = "get", operation_id = "ready")]
    async fn ready(&self, state: Data<&AppState>) -> ReadyResponse {
        if state.ctx.db.ping().await {
            ReadyResponse::Ready(Json(Health {
                status: "ok".into(),
            }))
        } else {
            ReadyResponse::NotReady(Json(Health {
                status: "unavailable".into(),
            }))
        }
    }
}
