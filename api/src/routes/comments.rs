use chrono::{DateTime, Utc};
use domain::{
    ids::{CommentId, ConsultationId},
    service::comments::{self, NewComment, PublicComment},
    types::Channel,
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
};

use super::{ModerationStatus, Publication, RespondentType, Stance, Tag, page, since, time};
use crate::{
    AppState,
    auth::{MaybeSignedIn, SignedIn},
    body::JsonBody,
    error::{ApiResult, Change, CommentIntake, PublicReadQuery},
    json::Json,
};

/// An answer to one question of the consultation. Fill the field that matches the question's kind.
#[derive(Debug, Clone, Object, serde::Deserialize, serde::Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The question's id (`q1`, `q2`...).
    pub question_id: String,
    /// For `single_choice`: one of the options.
    #[serde(default)]
    #[oai(nullable)]
    pub choice: Option<String>,
    /// For `multiple_choice`: one or more of the options.
    #[serde(default)]
    #[oai(nullable)]
    pub choices: Option<Vec<String>>,
    /// For `scale`: 1 (strongly disagree) to 5 (strongly agree).
    #[serde(default)]
    #[oai(nullable)]
    pub scale: Option<i32>,
    /// For `text`: up to 5000 characters.
    #[serde(default)]
    #[oai(nullable)]
    pub text: Option<String>,
}

impl From<Answer> for domain::types::Answer {
    fn from(a: Answer) -> Self {
        domain::types::Answer {
            question_id: a.question_id,
            choice: a.choice,
            choices: a.choices,
            scale: a.scale,
            text: a.text,
        }
    }
}

impl From<domain::types::Answer> for Answer {
    fn from(a: domain::types::Answer) -> Self {
        Answer {
            question_id: a.question_id,
            choice: a.choice,
            choices: a.choices,
            scale: a.scale,
            text: a.text,
        }
    }
}

/// A comment to submit.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateComment {
    /// The comment, up to 20,000 characters.
    pub body: String,
    pub stance: Stance,
    /// Comment on one provision (its id, such as `s5`) instead of the whole draft.
    #[serde(default)]
    #[oai(nullable)]
    pub provision_id: Option<String>,
    /// Answers to the consultation's questions; required questions must be answered.
    #[serde(default)]
    #[oai(default)]
    pub answers: Vec<Answer>,
    /// Who the commenter speaks for (default `individual`).
    #[serde(default)]
    #[oai(nullable)]
    pub respondent_type: Option<RespondentType>,
    /// The organisation's name, when speaking for one. Published only with `named` comments.
    #[serde(default)]
    #[oai(nullable)]
    pub organisation_name: Option<String>,
    /// The commenter's province.
    #[serde(default)]
    #[oai(nullable)]
    pub province: Option<String>,
    /// How the comment is published (default `anonymous`).
    #[serde(default)]
    #[oai(nullable)]
    pub publication: Option<Publication>,
    /// E-mail me when the agency publishes the hearing summary (default false).
    #[serde(default)]
    #[oai(default)]
    pub notify: bool,
}

/// The receipt of a comment. Keep the tracking number to follow what happens to it.
#[derive(Debug, Object, serde::Serialize)]
pub struct CommentReceipt {
    /// The comment's id.
    pub id: i64,
    /// Tracking number, such as `RF-20261121-7KQ2M9XD`.
    pub tracking_number: String,
    /// When the server received the comment; acceptance was decided by this time.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub received_at: DateTime<Utc>,
}

/// A published comment, as anyone may read it. No e-mail is ever shown; the author's name
/// only when the author chose `named`.
#[derive(Debug, Object, serde::Serialize)]
pub struct Comment {
    /// Stable numeric id.
    pub id: i64,
    /// The consultation commented on.
    pub consultation_id: i64,
    /// The provision commented on; `null` for the whole draft.
    #[oai(nullable)]
    pub provision_id: Option<String>,
    pub stance: Stance,
    /// The comment.
    pub body: String,
    /// Answers to the questionnaire.
    pub answers: Vec<Answer>,
    pub respondent_type: RespondentType,
    pub publication: Publication,
    /// The author's display name; only for `named` comments.
    #[oai(nullable)]
    pub author_name: Option<String>,
    /// The organisation's name; only for `named` comments.
    #[oai(nullable)]
    pub organisation_name: Option<String>,
    /// The commenter's province.
    #[oai(nullable)]
    pub province: Option<String>,
    /// When the server received it.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub received_at: DateTime<Utc>,
}

impl TryFrom<PublicComment> for Comment {
    type Error = domain::DomainError;

    fn try_from(p: PublicComment) -> domain::DomainResult<Self> {
        let answers = p.comment.answers()?;
        let c = p.comment;
        let publication = Publication::from(c.publication);
        let named = publication == Publication::Named;
        Ok(Comment {
            id: c.id,
            consultation_id: c.consultation_id,
            provision_id: c.provision_id,
            stance: c.stance.into(),
            body: c.body,
            answers: answers.into_iter().map(Answer::from).collect(),
            respondent_type: c.respondent_type.into(),
            publication,
            author_name: if named { p.author_name } else { None },
            organisation_name: if named { c.organisation_name } else { None },
            province: c.province,
            received_at: time(c.received_at),
        })
    }
}

/// A moderation decision on a comment.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    pub status: ModerationStatus,
    /// Why (kept in the audit trail).
    pub reason: String,
}

/// The comment's moderation status after the decision.
#[derive(Debug, Object, serde::Serialize)]
pub struct ModerationResult {
    /// The comment.
    pub id: i64,
    pub moderation_status: ModerationStatus,
}

/// One page of comments.
#[derive(Debug, Object, serde::Serialize)]
pub struct CommentPage {
    /// The comments on this page, by id.
    pub items: Vec<Comment>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedComment {
    /// The comment is stored (on disk) and counted. A retry with the same `Idempotency-Key`
    /// and body answers with the same receipt.
    #[oai(status = 201)]
    Created(Json<CommentReceipt>),
}

pub struct CommentsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Comments")]
impl CommentsApi {
    /// Submit a comment on an open consultation (any signed-in account).
    #[oai(
        path = "/consultations/:id/comments",
        method = "post",
        operation_id = "create_comment"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        /// Any unique string (up to 255 ASCII characters) chosen by the client. Retrying with the same
        /// key and body replays the first answer instead of storing the comment twice; the same key
        /// with a different body is refused with `idempotency_key_reused`.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<CreateComment>,
    ) -> ApiResult<CreatedComment, CommentIntake> {
        let b = body.0;
        let input = NewComment {
            body: b.body,
            stance: b.stance.into(),
            provision_id: b.provision_id,
            answers: b.answers.into_iter().map(Into::into).collect(),
            respondent_type: b.respondent_type.map(Into::into),
            organisation_name: b.organisation_name,
            province: b.province,
            publication: b.publication.map(Into::into),
            notify: b.notify,
        };
        let receipt = state
            .ctx
            .comments
            .submit(
                &auth.0,
                ConsultationId(id.0),
                Channel::Api,
                idempotency_key.0,
                input,
            )
            .await?;
        Ok(CreatedComment::Created(Json(CommentReceipt {
            id: receipt.id.get(),
            tracking_number: receipt.tracking_number,
            received_at: time(receipt.received_at),
        })))
    }

    /// List the published comments of a consultation, oldest first. Private and hidden
    /// comments are never listed.
    #[oai(
        path = "/consultations/:id/comments",
        method = "get",
        operation_id = "list_comments"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
        /// Only comments on this provision (its id, such as `s5`).
        provision: Query<Option<String>>,
        /// Only comments with this stance.
        stance: Query<Option<Stance>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<i64>>,
        /// Only what had a public change at or after this instant (RFC 3339, such as
        /// `2026-12-01T00:00:00Z`): what changed since you last looked. For every change in
        /// order, follow `list_changes`.
        updated_since: Query<Option<DateTime<Utc>>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<CommentPage>, PublicReadQuery> {
        let filter = comments::PublicCommentFilter {
            provision: provision.0,
            stance: stance.0.map(Into::into),
            updated_since: since(updated_since.0),
        };
        let page = comments::list_public_comments(
            &state.ctx.db.conn,
            auth.actor(),
            ConsultationId(id.0),
            filter,
            page(limit.0, cursor.0.as_deref())?,
        )
        .await?;
        Ok(Json(CommentPage {
            items: page
                .items
                .into_iter()
                .map(Comment::try_from)
                .collect::<domain::DomainResult<_>>()?,
            next_cursor: page.next_cursor,
        }))
    }

    /// Hide a comment from the public or publish it again (officers of the draft's agency).
    #[oai(
        path = "/consultations/:id/comments/:comment_id/moderation",
        method = "post",
        operation_id = "moderate_comment"
    )]
    async fn moderate(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        comment_id: Path<i64>,
        body: JsonBody<Moderation>,
    ) -> ApiResult<Json<ModerationResult>, Change> {
        let m = comments::moderate(
            &state.ctx.db,
            &auth.0,
            ConsultationId(id.0),
            CommentId(comment_id.0),
            body.0.status.into(),
            &body.0.reason,
        )
        .await?;
        Ok(Json(ModerationResult {
            id: m.id,
            moderation_status: m.moderation_status.into(),
        }))
    }
}
