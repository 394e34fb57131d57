//! The published comments of a consultation: filterable by provision and stance, paged without
//! a cap, with each campaign (a cluster of comments with the same text) shown once with its size.

use askama::Template;
use domain::{
    entity::{comment, comment_cluster},
    ids::{ConsultationId, DraftId},
    service::{
        by_ids,
        comments::{self, PublicComment, PublicCommentFilter},
        consultations::{self, ConsultationView},
        drafts,
        page::PageRequest,
    },
    types::{ModerationStatus, Publication, Stance},
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Query},
};

use super::{
    Chrome, PageId,
    consultations::{Choice, choices},
    given, link, render,
};
use crate::AppState;

/// One entry of the list: a comment, or a campaign shown by its first comment.
pub struct Entry {
    pub comment: PublicComment,
    /// How many comments share this text, when it is a campaign.
    pub campaign: Option<i32>,
    /// The provision's label, when the comment is about one.
    pub provision_label: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/consultations/comments.html")]
struct CommentsPage {
    chrome: Chrome,
    view: ConsultationView,
    entries: Vec<Entry>,
    provisions: Vec<Choice>,
    stances: Vec<Choice>,
    next: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    provision: Option<String>,
    stance: Option<String>,
    cursor: Option<String>,
}

#[handler]
pub async fn list(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Query(q): Query<ListQuery>,
) -> Response {
    let Ok(page) = PageRequest::parse(Some(50), given(&q.cursor).as_deref()) else {
        return super::not_found(req);
    };
    let actor = super::visitor::actor(req);
    let provision = given(&q.provision);
    let stance = given(&q.stance).and_then(|s| Stance::parse(&s));
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let view =
            consultations::get_consultation(conn, actor.as_ref(), ConsultationId(id)).await?;
        let c = &view.consultation;
        let version =
            drafts::get_version(conn, actor.as_ref(), DraftId(c.draft_id), c.version_number)
                .await?;
        let filter = PublicCommentFilter {
            provision: provision.clone(),
            stance,
            updated_since: None,
        };
        let found =
            comments::list_public_comments(conn, actor.as_ref(), ConsultationId(id), filter, page)
                .await?;
        let cluster_ids: Vec<i64> = found
            .items
            .iter()
            .filter_map(|p| p.comment.cluster_id)
            .collect();
        let clusters = by_ids::<comment_cluster::Entity, _>(
            conn,
            comment_cluster::Column::Id,
            cluster_ids.iter().copied(),
            |c| c.id,
        )
        .await?;
        // A campaign is shown by its first comment (the cluster's id) when that one is public.
        let firsts =
            by_ids::<comment::Entity, _>(conn, comment::Column::Id, cluster_ids, |c| c.id).await?;
        let public = |c: &comment::Model| {
            c.moderation_status == ModerationStatus::Published
                && c.publication != Publication::Private
        };
        let labels: std::collections::HashMap<String, String> = version
            .provisions
            .0
            .iter()
            .map(|p| (p.id.clone(), p.label.clone()))
            .collect();
        let next = found.next_cursor.clone();
        let entries = found
            .items
            .into_iter()
            .filter_map(|p| {
                let size = p
                    .comment
                    .cluster_id
                    .and_then(|cid| clusters.get(&cid))
                    .map(|c| c.size)
                    .filter(|size| *size > 1);
                let cluster = p.comment.cluster_id.unwrap_or(p.comment.id);
                let shown_by_first = size.is_some()
                    && cluster != p.comment.id
                    && firsts.get(&cluster).is_some_and(public);
                (!shown_by_first).then(|| Entry {
                    provision_label: p
                        .comment
                        .provision_id
                        .as_ref()
                        .and_then(|id| labels.get(id).cloned()),
                    campaign: size,
                    comment: p,
                })
            })
            .collect::<Vec<_>>();
        let provisions = version
            .provisions
            .0
            .into_iter()
            .map(|p| Choice {
                selected: provision.as_deref() == Some(p.id.as_str()),
                value: p.id,
                label: p.label,
            })
            .collect::<Vec<_>>();
        Ok::<_, domain::DomainError>((view, entries, provisions, next))
    };
    let (view, entries, provisions, next) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let mut chrome = Chrome::new(req, "comments-title");
    chrome.title = format!(
        "{} · {}",
        chrome.t.get("comments-title"),
        view.draft_title_th
    );
    let path = format!("/consultations/{id}/comments");
    let next = next.map(|c| {
        let filters = [
            ("provision", provision.as_deref()),
            ("stance", stance.map(Stance::as_str)),
            ("cursor", Some(c.as_str())),
        ];
        link(&chrome, &path, &filters)
    });
    let page = CommentsPage {
        stances: choices(&chrome, "stance", Stance::ALL, stance),
        chrome,
        view,
        entries,
        provisions,
        next,
    };
    render(req, StatusCode::OK, page)
}
