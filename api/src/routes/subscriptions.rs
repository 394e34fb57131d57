use domain::service::subscriptions;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Query, payload::Html};

use super::{SubscriptionTarget, Tag};
use crate::{
    AppState,
    body::JsonBody,
    error::{ApiResult, PublicAction, PublicCreate, PublicPage, PublicReadQuery},
    json::Json,
};

/// A request to follow an agency, a topic or a draft by e-mail.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateSubscription {
    /// Where to send the mail. A confirmation link is sent there first.
    pub email: String,
    pub target_kind: SubscriptionTarget,
    /// The agency's slug, the topic, or the draft's id.
    pub target: String,
}

/// The state of a subscription request.
#[derive(Debug, Object, serde::Serialize)]
pub struct SubscriptionStatus {
    /// `pending_confirmation`, `confirmed` or `unsubscribed`.
    pub status: String,
}

#[derive(ApiResponse)]
pub enum Accepted {
    /// A confirmation link is on its way to the address (sent even if the address was already
    /// subscribed, so this answer says nothing about other people's subscriptions).
    #[oai(status = 202)]
    Accepted(Json<SubscriptionStatus>),
}

fn status(s: &str) -> Json<SubscriptionStatus> {
    Json(SubscriptionStatus { status: s.into() })
}

pub struct SubscriptionsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Subscriptions")]
impl SubscriptionsApi {
    /// Follow an agency, a topic or a draft by e-mail: mail when one of its consultations opens
    /// and three days before it closes. No account is needed; the address must confirm.
    #[oai(
        path = "/subscriptions",
        method = "post",
        operation_id = "create_subscription"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        body: JsonBody<CreateSubscription>,
    ) -> ApiResult<Accepted, PublicCreate> {
        let b = body.0;
        subscriptions::subscribe(&state.ctx.db, &b.email, b.target_kind.into(), &b.target).await?;
        Ok(Accepted::Accepted(status("pending_confirmation")))
    }

    /// Confirm a subscription with the link's token.
    #[oai(
        path = "/subscriptions/confirm",
        method = "get",
        operation_id = "confirm_subscription"
    )]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        /// The token from the confirmation mail.
        token: Query<String>,
    ) -> ApiResult<Json<SubscriptionStatus>, PublicReadQuery> {
        subscriptions::confirm(&state.ctx.db, &token.0).await?;
        Ok(status("confirmed"))
    }

    /// Unsubscribe in one click (RFC 8058 `List-Unsubscribe-Post`), with the token of any mail's
    /// unsubscribe link.
    #[oai(
        path = "/subscriptions/unsubscribe",
        method = "post",
        operation_id = "unsubscribe"
    )]
    async fn unsubscribe(
        &self,
        state: Data<&AppState>,
        /// The token from the mail's unsubscribe link.
        token: Query<String>,
    ) -> ApiResult<Json<SubscriptionStatus>, PublicAction> {
        subscriptions::unsubscribe(&state.ctx.db, &token.0).await?;
        Ok(status("unsubscribed"))
    }

    /// The page a person reaches by clicking the unsubscribe link: a button that unsubscribes
    /// (a plain link visit changes nothing, so mail scanners cannot unsubscribe anyone).
    #[oai(
        path = "/subscriptions/unsubscribe",
        method = "get",
        operation_id = "unsubscribe_page"
    )]
    async fn unsubscribe_page(
        &self,
        /// The token from the mail's unsubscribe link.
        token: Query<String>,
    ) -> ApiResult<Html<String>, PublicPage> {
        let token: String = token
            .0
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        Ok(Html(format!(
            "<!doctype html><html lang=\"th\"><meta charset=\"utf-8\"><title>ยกเลิกการรับข่าวสาร · Unsubscribe</title>\
             <form method=\"post\" action=\"/api/v1/subscriptions/unsubscribe?token={token}\">\
             <p>ยกเลิกการรับอีเมลแจ้งเตือนนี้ · Stop these e-mails</p><button type=\"submit\">ยกเลิก · Unsubscribe</button></form></html>"
        )))
    }
}
