//! The agency's responses ("you said, we did"): one provision at a time, its text beside the
//! comments made on it, with a disposition (accepted, partly accepted, not accepted, with
//! reasons) for the provision and for each comment; and one for each campaign cluster.
//! Recording again replaces a disposition, until the hearing summary is published.

use askama::Template;
use domain::{
    DomainError,
    entity::{comment, consultation, disposition},
    ids::ConsultationId,
    provisions::Provision,
    service::{
        dispositions::{self, NewDisposition},
        moderation::{self, ClusterSample, ModerationFilter},
    },
    types::{Decision, DispositionTarget},
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Query},
};

use super::{Me, me};
use crate::{
    AppState,
    site::{Chrome, PageId, error_page, forms::Errors, given, render, see_other, visitor},
};

/// Comments shown beside one provision.
const COMMENTS: u64 = 200;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ResponsesQuery {
    provision: Option<String>,
}

#[derive(Template)]
#[template(path = "workspace/responses.html")]
struct ResponsesPage {
    chrome: Chrome,
    consultation: consultation::Model,
    title: String,
    provisions: Vec<Provision>,
    current: Option<Provision>,
    comments: Vec<comment::Model>,
    clusters: Vec<ClusterSample>,
    dispositions: Vec<disposition::Model>,
    decisions: &'static [Decision],
    closed_for_changes: bool,
    errors: Errors,
}

/// Something a disposition can be recorded for, as the page shows it.
pub struct Target {
    pub kind: &'static str,
    pub id: String,
    /// What it is called (a provision's label, a comment's tracking number, a cluster's size).
    pub label: String,
    pub text: String,
}

impl ResponsesPage {
    /// The provision in view, then its comments, then the clusters.
    fn targets(&self) -> Vec<Target> {
        let mut out = Vec::new();
        if let Some(p) = &self.current {
            out.push(Target {
                kind: "provision",
                id: p.id.clone(),
                label: p.label.clone(),
                text: String::new(),
            });
        }
        for c in &self.comments {
            out.push(Target {
                kind: "comment",
                id: c.id.to_string(),
                label: c.tracking_number.clone(),
                text: c.body.chars().take(600).collect(),
            });
        }
        for s in &self.clusters {
            out.push(Target {
                kind: "cluster",
                id: s.cluster.id.to_string(),
                label: self.chrome.t.with("ws-cluster-size", "n", s.cluster.size),
                text: s.cluster.representative_text.clone(),
            });
        }
        out
    }

    /// The disposition recorded for a target, if any.
    fn of(&self, kind: &str, id: &str) -> Option<&disposition::Model> {
        self.dispositions
            .iter()
            .find(|d| d.target_kind.as_str() == kind && d.target_id == id)
    }

    fn decided(&self, kind: &str, id: &str, decision: &Decision) -> bool {
        self.of(kind, id).is_some_and(|d| d.decision == *decision)
    }

    fn reason(&self, kind: &str, id: &str) -> String {
        self.of(kind, id)
            .map(|d| d.reason.clone())
            .unwrap_or_default()
    }
}

async fn page(
    req: &Request,
    state: &AppState,
    id: i64,
    provision: Option<String>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    let conn = &state.ctx.db.conn;
    let cid = ConsultationId(id);
    let loaded = async {
        let c = moderation::managed(conn, &me.actor, cid).await?;
        let provisions = moderation::provisions(conn, &c).await?;
        let current = match &provision {
            Some(p) => provisions.iter().find(|x| &x.id == p).cloned(),
            None => provisions.first().cloned(),
        };
        let filter = ModerationFilter {
            provision: current.as_ref().map(|p| p.id.clone()),
            ..Default::default()
        };
        let comments = match &current {
            Some(_) => moderation::comments(conn, &me.actor, cid, &filter, COMMENTS).await?,
            None => Vec::new(),
        };
        let clusters = moderation::clusters(conn, &me.actor, cid, 0).await?;
        let dispositions = moderation::dispositions(conn, &me.actor, cid).await?;
        let title = consultations_title(conn, &c).await?;
        Ok::<_, DomainError>((
            c,
            title,
            provisions,
            current,
            comments,
            clusters,
            dispositions,
        ))
    };
    match loaded.await {
        Ok((consultation, title, provisions, current, comments, clusters, dispositions)) => {
            let mut chrome = Chrome::new(req, "ws-responses-title");
            chrome.title = format!("{} · {}", chrome.title, title);
            let page = ResponsesPage {
                chrome,
                closed_for_changes: consultation.summary_published_at.is_some(),
                consultation,
                title,
                provisions,
                current,
                comments,
                clusters,
                dispositions,
                decisions: Decision::ALL,
                errors,
            };
            render(req, status, page)
        }
        Err(e) => error_page(req, e),
    }
}

async fn consultations_title<C: sea_orm::ConnectionTrait>(
    conn: &C,
    c: &consultation::Model,
) -> Result<String, DomainError> {
    use sea_orm::EntityTrait;
    Ok(domain::entity::draft::Entity::find_by_id(c.draft_id)
        .one(conn)
        .await?
        .map(|d| d.title_th)
        .unwrap_or_default())
}

#[handler]
pub async fn show(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Query(q): Query<ResponsesQuery>,
) -> Response {
    page(
        req,
        &state,
        id,
        given(&q.provision),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Records a disposition for a provision, a comment or a cluster.
#[handler]
pub async fn record(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let form = visitor::form(req);
    let chrome = Chrome::new(req, "ws-responses-title");
    let provision = form.get("provision").map(String::from);
    let kind = form.get("target_kind").and_then(DispositionTarget::parse);
    let target_id = form.get("target_id").unwrap_or_default().to_string();
    let field = format!(
        "decision-{}-{}",
        form.get("target_kind").unwrap_or("x"),
        target_id
    );
    let (Some(kind), Some(decision)) = (kind, form.get("decision").and_then(Decision::parse))
    else {
        let mut errors = Errors::default();
        errors.push(field, chrome.t.get("ws-choose-decision"));
        return page(req, &state, id, provision, errors, StatusCode::BAD_REQUEST).await;
    };
    let input = NewDisposition {
        target_kind: kind,
        target_id: target_id.clone(),
        decision,
        reason: form.raw("reason").to_string(),
    };
    match dispositions::record_disposition(&state.ctx.db, &me.actor, ConsultationId(id), input)
        .await
    {
        Ok(_) => {
            let back = crate::site::link(
                &chrome,
                &format!("/workspace/consultations/{id}/responses"),
                &[("provision", provision.as_deref())],
            );
            see_other(&format!("{back}#{}-{}", kind, target_id))
        }
        Err(DomainError::InvalidState(_)) => {
            let mut errors = Errors::default();
            errors.push(field, chrome.t.get("ws-dispositions-final"));
            page(req, &state, id, provision, errors, StatusCode::CONFLICT).await
        }
        Err(err) => match Errors::from_domain(&chrome.t, &err, |_| {
            Some(format!("reason-{}-{}", kind, target_id))
        }) {
            Some(errors) => page(req, &state, id, provision, errors, StatusCode::BAD_REQUEST).await,
            None => error_page(req, err),
        },
    }
}
