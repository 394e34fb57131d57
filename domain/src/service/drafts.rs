//! Drafts and their versions. A draft is public once it has a published version; before that
//! only its own agency (and administrators) can see it, and everyone else is told it does not
//! exist. Published versions never change; a new text is a new version.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
    sea_query::{Expr, Query},
};

use super::{
    agencies, idempotency,
    page::{Page, PageRequest},
    validate::Checks,
};
use crate::{
    audit::{AuditChain, AuditRecord},
    db::Db,
    diff::{self, ProvisionDiff},
    entity::{consultation, draft, draft_version},
    error::{DomainError, DomainResult},
    ids::{AgencyId, DraftId},
    jobs::{self, IndexTarget},
    markdown::MAX_BODY_BYTES,
    provisions::{self, Provision},
    time::now_ms,
    types::{Actor, DraftStatus, LawType, sees_unpublished},
};

#[derive(Debug, Clone)]
pub struct NewDraft {
    /// Agency slug; officers may leave it out to use their own.
    pub agency: Option<String>,
    pub title_th: String,
    pub title_en: Option<String>,
    pub law_type: LawType,
    pub summary_th: Option<String>,
    pub summary_en: Option<String>,
    pub topics: Vec<String>,
    pub body_markdown: Option<String>,
    pub changelog: Option<String>,
}

/// A change to a draft's descriptive fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct DraftPatch {
    pub title_th: Option<String>,
    pub title_en: Option<String>,
    pub law_type: Option<LawType>,
    pub summary_th: Option<String>,
    pub summary_en: Option<String>,
    pub topics: Option<Vec<String>>,
    /// The `updated_at` the editor saw: when the draft changed since, the change is refused as
    /// a conflict instead of overwriting the other person's edit.
    pub expected_updated_at: Option<i64>,
}

/// A draft as shown: the row plus its derived status.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub draft: draft::Model,
    pub agency_slug: String,
    pub status: DraftStatus,
}

#[derive(Debug, Clone, Default)]
pub struct DraftFilter {
    pub agency: Option<String>,
    pub status: Option<DraftStatus>,
    pub law_type: Option<LawType>,
    pub topic: Option<String>,
    /// Only drafts changed at or after this time (ms): edited, or given a new version.
    pub updated_since: Option<i64>,
}

/// A parsed, rendered body ready to store as a version.
pub struct RenderedBody {
    pub markdown: String,
    pub html: String,
    pub provisions: Vec<Provision>,
}

/// Checks the size and renders off the async threads (rendering is CPU work).
pub async fn render_body(markdown: String) -> DomainResult<RenderedBody> {
    if markdown.len() > MAX_BODY_BYTES {
        return Err(DomainError::PayloadTooLarge {
            what: "body_markdown",
            limit: MAX_BODY_BYTES,
        });
    }
    let markdown = match crate::text::canonical(&markdown) {
        std::borrow::Cow::Borrowed(_) => markdown,
        std::borrow::Cow::Owned(canonical) => canonical,
    };
    if !crate::text::has_visible(&markdown) {
        return Err(DomainError::invalid(
            "body_markdown",
            "required",
            "body_markdown must not be empty",
        ));
    }
    tokio::task::spawn_blocking(move || {
        let parsed = provisions::parse_body(&markdown);
        RenderedBody {
            markdown,
            html: parsed.html,
            provisions: parsed.provisions,
        }
    })
    .await
    .map_err(|e| DomainError::Internal(anyhow::anyhow!("rendering a body failed: {e}")))
}

pub async fn create_draft(db: &Db, actor: &Actor, input: NewDraft) -> DomainResult<DraftView> {
    if !actor.is_staff() {
        return Err(DomainError::Forbidden(
            "only agency officers and administrators write drafts".into(),
        ));
    }
    let mut checks = Checks::new();
    let title_th = checks.title("title_th", &input.title_th, 500);
    let title_en = checks.optional_title("title_en", input.title_en.as_deref(), 500);
    let summary_th = checks.optional_text("summary_th", input.summary_th.as_deref(), 5000);
    let summary_en = checks.optional_text("summary_en", input.summary_en.as_deref(), 5000);
    let topics = checks.topics("topics", &input.topics);
    let changelog = checks.optional_text("changelog", input.changelog.as_deref(), 5000);
    if input.agency.is_none() && actor.agency_id.is_none() {
        checks.push(
            "agency",
            "required",
            "administrators name the agency the draft belongs to",
        );
    }
    checks.finish()?;
    let body = match input.body_markdown {
        Some(md) => Some(render_body(md).await?),
        None => None,
    };

    let tx = db.write().await?;
    let agency = match input.agency.as_deref() {
        Some(slug) => agencies::find_by_slug(&*tx, slug).await?.ok_or_else(|| {
            DomainError::invalid("agency", "not_found", format!("no agency {slug}"))
        })?,
        None => agencies::find_by_id(&*tx, actor.agency_id.map_or(0, AgencyId::get))
            .await?
            .ok_or(DomainError::NotFound("agency"))?,
    };
    if !actor.can_manage(AgencyId(agency.id)) {
        return Err(DomainError::Forbidden(
            "officers write drafts only for their own agency".into(),
        ));
    }
    let now = now_ms();
    let model = draft::Entity::insert(draft::ActiveModel {
        agency_id: Set(agency.id),
        title_th: Set(title_th),
        title_en: Set(title_en),
        law_type: Set(input.law_type),
        summary_th: Set(summary_th),
        summary_en: Set(summary_en),
        topics: Set(topics.into()),
        status: Set(DraftStatus::Preparing),
        current_version: Set(None),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(&*tx)
    .await?;
    let mut chain = AuditChain::lock(&*tx).await?;
    chain.push(AuditRecord {
        actor: Some(actor.account_id),
        action: "draft.create",
        entity_type: "draft",
        entity_id: model.id.to_string(),
        before: None,
        after: Some(draft_json(&model)),
    });
    let model = match body {
        Some(body) => {
            jobs::enqueue(&*tx, &IndexTarget::Draft(model.id)).await?;
            insert_version(&*tx, &mut chain, actor, model, body, changelog)
                .await?
                .0
        }
        None => model,
    };
    chain.finish(&*tx).await?;
    tx.commit().await?;
    Ok(DraftView {
        status: DraftStatus::Preparing,
        agency_slug: agency.slug,
        draft: model,
    })
}

fn draft_json(m: &draft::Model) -> serde_json::Value {
    serde_json::json!({
        "id": m.id, "agency_id": m.agency_id, "title_th": m.title_th, "title_en": m.title_en,
        "law_type": m.law_type, "summary_th": m.summary_th, "summary_en": m.summary_en,
        "topics": m.topics, "status": m.status, "current_version": m.current_version,
        "published_at": m.published_at,
    })
}

/// Inserts the next version of `draft` and publishes the draft if it was not yet.
async fn insert_version<C: ConnectionTrait>(
    conn: &C,
    chain: &mut AuditChain,
    actor: &Actor,
    draft: draft::Model,
    body: RenderedBody,
    changelog: Option<String>,
) -> DomainResult<(draft::Model, draft_version::Model)> {
    let number = draft.current_version.unwrap_or(0) + 1;
    let now = now_ms();
    let version = draft_version::Entity::insert(draft_version::ActiveModel {
        draft_id: Set(draft.id),
        number: Set(number),
        body_markdown: Set(body.markdown),
        body_html: Set(body.html),
        provisions: Set(body.provisions.into()),
        changelog: Set(changelog),
        published_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    let before = draft_json(&draft);
    let updated = draft::Entity::update(draft::ActiveModel {
        id: Set(draft.id),
        current_version: Set(Some(number)),
        published_at: Set(Some(draft.published_at.unwrap_or(now))),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    chain.push(AuditRecord {
        actor: Some(actor.account_id),
        action: "draft_version.publish",
        entity_type: "draft_version",
        entity_id: format!("{}/{}", draft.id, number),
        before: Some(before),
        after: Some(serde_json::json!({"draft": draft_json(&updated), "content_sha256": crate::audit::sha256_hex(version.body_markdown.as_bytes())})),
    });
    Ok((updated, version))
}

/// Finds a draft `actor` may see; anything else is "not found".
pub async fn find_visible<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: DraftId,
) -> DomainResult<draft::Model> {
    let draft = draft::Entity::find_by_id(id.get())
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("draft"))?;
    if draft.published_at.is_none() && !sees_unpublished(actor, AgencyId(draft.agency_id)) {
        return Err(DomainError::NotFound("draft"));
    }
    Ok(draft)
}

/// Finds a draft `actor` may change. Staff of other agencies are told it does not exist;
/// citizens and researchers are told they may not.
pub async fn find_managed<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: DraftId,
) -> DomainResult<draft::Model> {
    if !actor.is_staff() {
        return Err(DomainError::Forbidden(
            "only agency officers and administrators change drafts".into(),
        ));
    }
    let draft = draft::Entity::find_by_id(id.get())
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("draft"))?;
    if !actor.can_manage(AgencyId(draft.agency_id)) {
        return Err(DomainError::NotFound("draft"));
    }
    Ok(draft)
}

pub async fn get_draft<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: DraftId,
) -> DomainResult<DraftView> {
    let draft = find_visible(conn, actor, id).await?;
    view_of(conn, draft).await
}

/// The view of one draft.
pub async fn view_of<C: ConnectionTrait>(conn: &C, draft: draft::Model) -> DomainResult<DraftView> {
    views(conn, vec![draft])
        .await?
        .pop()
        .ok_or(DomainError::NotFound("draft"))
}

/// Decorates drafts with their agency slug and derived status.
pub async fn views<C: ConnectionTrait>(
    conn: &C,
    drafts: Vec<draft::Model>,
) -> DomainResult<Vec<DraftView>> {
    let agencies = agencies::by_ids(conn, drafts.iter().map(|d| d.agency_id)).await?;
    let ids: Vec<i64> = drafts.iter().map(|d| d.id).collect();
    let consultations = if ids.is_empty() {
        vec![]
    } else {
        consultation::Entity::find()
            .filter(consultation::Column::DraftId.is_in(ids))
            .all(conn)
            .await?
    };
    let mut by_draft: HashMap<i64, Vec<&consultation::Model>> = HashMap::new();
    for c in &consultations {
        by_draft.entry(c.draft_id).or_default().push(c);
    }
    let now = now_ms();
    Ok(drafts
        .into_iter()
        .map(|d| {
            let cons = by_draft.get(&d.id).map(Vec::as_slice).unwrap_or(&[]);
            DraftView {
                status: derive_status(d.status, cons, now),
                agency_slug: agencies
                    .get(&d.agency_id)
                    .map(|a| a.slug.clone())
                    .unwrap_or_default(),
                draft: d,
            }
        })
        .collect())
}

fn derive_status(
    stored: DraftStatus,
    consultations: &[&consultation::Model],
    now: i64,
) -> DraftStatus {
    if stored != DraftStatus::Preparing {
        return stored;
    }
    let running = consultations
        .iter()
        .any(|c| c.summary_published_at.is_none() && c.closes_at > now);
    if running {
        DraftStatus::InConsultation
    } else if !consultations.is_empty() {
        DraftStatus::Consulted
    } else {
        DraftStatus::Preparing
    }
}

pub async fn list_drafts<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    filter: DraftFilter,
    page: PageRequest,
) -> DomainResult<Page<DraftView>> {
    let mut query = draft::Entity::find().order_by_asc(draft::Column::Id);
    // Visibility: published drafts, plus unpublished ones of the caller's own agency.
    query = match actor {
        Some(a) if a.role == crate::types::Role::Admin => query,
        Some(a) if a.role == crate::types::Role::Officer => query.filter(
            draft::Column::PublishedAt
                .is_not_null()
                .or(draft::Column::AgencyId.eq(a.agency_id.map_or(-1, AgencyId::get))),
        ),
        _ => query.filter(draft::Column::PublishedAt.is_not_null()),
    };
    if let Some(since) = filter.updated_since {
        query = query.filter(draft::Column::UpdatedAt.gte(since));
    }
    if let Some(after) = page.after {
        query = query.filter(draft::Column::Id.gt(after));
    }
    if let Some(slug) = &filter.agency {
        let id = agencies::find_by_slug(conn, slug)
            .await?
            .map(|a| a.id)
            .unwrap_or(-1);
        query = query.filter(draft::Column::AgencyId.eq(id));
    }
    if let Some(law_type) = filter.law_type {
        query = query.filter(draft::Column::LawType.eq(law_type));
    }
    if let Some(topic) = &filter.topic {
        // Topics are validated slugs, so they hold no LIKE wildcards.
        query = query.filter(draft::Column::Topics.like(format!("%\"{topic}\"%")));
    }
    if let Some(status) = filter.status {
        let now = now_ms();
        let consultations_of_draft = || {
            Query::select()
                .expr(Expr::val(1))
                .from(consultation::Entity)
                .and_where(
                    Expr::col((consultation::Entity, consultation::Column::DraftId))
                        .equals((draft::Entity, draft::Column::Id)),
                )
                .to_owned()
        };
        let running = Expr::exists(
            consultations_of_draft()
                .and_where(consultation::Column::SummaryPublishedAt.is_null())
                .and_where(consultation::Column::ClosesAt.gt(now))
                .to_owned(),
        );
        let any = Expr::exists(consultations_of_draft());
        let preparing = draft::Column::Status.eq(DraftStatus::Preparing);
        query = match status {
            DraftStatus::InConsultation => query.filter(preparing).filter(running),
            DraftStatus::Consulted => query.filter(preparing).filter(any).filter(running.not()),
            DraftStatus::Preparing => query.filter(preparing).filter(any.not()),
            other => query.filter(draft::Column::Status.eq(other)),
        };
    }
    let rows = query.limit(page.fetch()).all(conn).await?;
    let page = Page::from_rows(rows, page, |d| d.id);
    let items = views(conn, page.items).await?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

pub async fn update_draft(
    db: &Db,
    actor: &Actor,
    id: DraftId,
    patch: DraftPatch,
) -> DomainResult<DraftView> {
    let mut checks = Checks::new();
    let title_th = patch
        .title_th
        .as_deref()
        .map(|t| checks.title("title_th", t, 500));
    let title_en = patch
        .title_en
        .as_deref()
        .map(|t| checks.optional_title("title_en", Some(t), 500));
    let law_type = patch.law_type;
    let summary_th = patch
        .summary_th
        .as_deref()
        .map(|t| checks.optional_text("summary_th", Some(t), 5000));
    let summary_en = patch
        .summary_en
        .as_deref()
        .map(|t| checks.optional_text("summary_en", Some(t), 5000));
    let topics = patch.topics.as_deref().map(|t| checks.topics("topics", t));
    checks.finish()?;
    let tx = db.write().await?;
    let draft = find_managed(&*tx, actor, id).await?;
    if draft.status == DraftStatus::Withdrawn {
        return Err(DomainError::InvalidState(
            "a withdrawn draft cannot be changed".into(),
        ));
    }
    if patch
        .expected_updated_at
        .is_some_and(|seen| seen != draft.updated_at)
    {
        return Err(DomainError::Conflict(
            "someone else changed this draft since you opened it".into(),
        ));
    }
    let mut change = draft::ActiveModel {
        id: Set(draft.id),
        updated_at: Set(now_ms()),
        ..Default::default()
    };
    if let Some(v) = title_th {
        change.title_th = Set(v);
    }
    if let Some(v) = title_en {
        change.title_en = Set(v);
    }
    if let Some(v) = law_type {
        change.law_type = Set(v);
    }
    if let Some(v) = summary_th {
        change.summary_th = Set(v);
    }
    if let Some(v) = summary_en {
        change.summary_en = Set(v);
    }
    if let Some(v) = &topics {
        change.topics = Set(v.clone().into());
    }
    let updated = draft::Entity::update(change).exec(&*tx).await?;
    if updated.published_at.is_some() {
        jobs::enqueue(&*tx, &IndexTarget::Draft(updated.id)).await?;
    }
    let mut chain = AuditChain::lock(&*tx).await?;
    chain.push(AuditRecord {
        actor: Some(actor.account_id),
        action: "draft.update",
        entity_type: "draft",
        entity_id: draft.id.to_string(),
        before: Some(draft_json(&draft)),
        after: Some(draft_json(&updated)),
    });
    chain.finish(&*tx).await?;
    let view = view_of(&*tx, updated).await?;
    tx.commit().await?;
    Ok(view)
}

/// Publishes a new version of a draft's text. A text identical to the latest version's is
/// refused as `no_change`. With an `Idempotency-Key`, a retry of the same request answers the
/// version it created, and another request with the key is refused. `based_on` is the latest
/// version number the author saw (`Some(None)`: none yet); when another version was
/// published since, the new one is refused as a conflict.
pub async fn add_version(
    db: &Db,
    actor: &Actor,
    id: DraftId,
    body_markdown: String,
    changelog: Option<String>,
    idempotency_key: Option<String>,
    based_on: Option<Option<i32>>,
) -> DomainResult<draft_version::Model> {
    let mut checks = Checks::new();
    idempotency::check_key(&mut checks, idempotency_key.as_deref());
    let changelog = checks.optional_text("changelog", changelog.as_deref(), 5000);
    checks.finish()?;
    let request_hash = idempotency::request_hash(
        "create_version",
        serde_json::json!([id, body_markdown, changelog]),
    );
    let body = render_body(body_markdown).await?;
    let tx = db.write().await?;
    // Taken first: it orders this transaction after every other audited write (on PostgreSQL
    // too, where it is a row lock), so the checks below see the versions committed before it
    // and parallel identical requests store one version.
    let mut chain = AuditChain::lock(&*tx).await?;
    if let Some(key) = &idempotency_key
        && let Some(saved) = idempotency::replay(&*tx, actor.account_id, key, &request_hash).await?
    {
        let version_id: i64 = saved
            .parse()
            .map_err(|_| anyhow::anyhow!("a saved version id is not a number: {saved}"))?;
        return draft_version::Entity::find_by_id(version_id)
            .one(&*tx)
            .await?
            .ok_or_else(|| {
                anyhow::anyhow!("the version of a saved idempotency key is missing").into()
            });
    }
    let draft = find_managed(&*tx, actor, id).await?;
    if draft.status == DraftStatus::Withdrawn {
        return Err(DomainError::InvalidState(
            "a withdrawn draft takes no new versions".into(),
        ));
    }
    if based_on.is_some_and(|seen| seen != draft.current_version) {
        return Err(DomainError::Conflict(
            "someone else published a version of this draft since you began".into(),
        ));
    }
    if let Some(latest) = draft.current_version {
        let same = draft_version::Entity::find()
            .filter(draft_version::Column::DraftId.eq(draft.id))
            .filter(draft_version::Column::Number.eq(latest))
            .one(&*tx)
            .await?
            .is_some_and(|v| v.body_markdown == body.markdown);
        if same {
            return Err(DomainError::NoChange(format!(
                "the text is identical to version {latest}; no version was added"
            )));
        }
    }
    let draft_id = draft.id;
    let (_, version) = insert_version(&*tx, &mut chain, actor, draft, body, changelog).await?;
    if let Some(key) = &idempotency_key {
        idempotency::store(
            &*tx,
            actor.account_id,
            key,
            &request_hash,
            201,
            &version.id.to_string(),
        )
        .await?;
    }
    jobs::enqueue(&*tx, &IndexTarget::Draft(draft_id)).await?;
    chain.finish(&*tx).await?;
    tx.commit().await?;
    Ok(version)
}

pub async fn list_versions<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: DraftId,
) -> DomainResult<Vec<draft_version::Model>> {
    let draft = find_visible(conn, actor, id).await?;
    Ok(draft_version::Entity::find()
        .filter(draft_version::Column::DraftId.eq(draft.id))
        .order_by_asc(draft_version::Column::Number)
        .all(conn)
        .await?)
}

/// A published version without its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRef {
    /// The `draft_versions` row (a version never changes once published).
    pub id: i64,
    pub number: i32,
    pub published_at: i64,
}

/// The versions of a draft, oldest first, without their texts. The caller has found the draft
/// (and that its reader may see it).
pub async fn version_refs<C: ConnectionTrait>(
    conn: &C,
    draft_id: DraftId,
) -> DomainResult<Vec<VersionRef>> {
    let rows: Vec<(i64, i32, i64)> = draft_version::Entity::find()
        .select_only()
        .columns([
            draft_version::Column::Id,
            draft_version::Column::Number,
            draft_version::Column::PublishedAt,
        ])
        .filter(draft_version::Column::DraftId.eq(draft_id.get()))
        .order_by_asc(draft_version::Column::Number)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, number, published_at)| VersionRef {
            id,
            number,
            published_at,
        })
        .collect())
}

pub async fn get_version<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: DraftId,
    number: i32,
) -> DomainResult<draft_version::Model> {
    let draft = find_visible(conn, actor, id).await?;
    version_of(conn, &draft, number).await
}

async fn version_of<C: ConnectionTrait>(
    conn: &C,
    draft: &draft::Model,
    number: i32,
) -> DomainResult<draft_version::Model> {
    draft_version::Entity::find()
        .filter(draft_version::Column::DraftId.eq(draft.id))
        .filter(draft_version::Column::Number.eq(number))
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("version"))
}

/// Version `number` of draft `id` as an Akoma Ntoso 3.0 document (see [`crate::akn`]), with
/// the same visibility as [`get_version`].
pub async fn version_akn<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: DraftId,
    number: i32,
) -> DomainResult<String> {
    let draft = find_visible(conn, actor, id).await?;
    let version = version_of(conn, &draft, number).await?;
    let agency = crate::entity::agency::Entity::find_by_id(draft.agency_id)
        .one(conn)
        .await?
        .ok_or_else(|| {
            DomainError::Internal(anyhow::anyhow!("draft {} has no agency", draft.id))
        })?;
    let day = |ms: i64| {
        crate::time::to_datetime(ms)
            .with_timezone(&crate::time::bangkok())
            .date_naive()
    };
    tokio::task::spawn_blocking(move || {
        crate::akn::bill_xml(&crate::akn::BillVersion {
            draft_id: draft.id,
            title_th: &draft.title_th,
            law_type: draft.law_type,
            agency_slug: &agency.slug,
            agency_name_th: &agency.name_th,
            first_published: day(draft.published_at.unwrap_or(version.published_at)),
            version: version.number,
            version_published: day(version.published_at),
            body_markdown: &version.body_markdown,
        })
    })
    .await
    .map_err(|e| DomainError::Internal(anyhow::anyhow!("Akoma Ntoso export failed: {e}")))
}

/// Compares version `against` (older) with version `number`, provision by provision.
pub async fn diff_versions<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: DraftId,
    number: i32,
    against: i32,
) -> DomainResult<Vec<ProvisionDiff>> {
    let new = get_version(conn, actor, id, number).await?;
    let old = match get_version(conn, actor, id, against).await {
        Err(DomainError::NotFound(_)) => {
            return Err(DomainError::invalid(
                "against",
                "not_found",
                format!("this draft has no version {against}"),
            ));
        }
        other => other?,
    };
    let (old, new) = (old.provisions.0, new.provisions.0);
    tokio::task::spawn_blocking(move || diff::diff_provisions(&old, &new))
        .await
        .map_err(|e| DomainError::Internal(anyhow::anyhow!("diff failed: {e}")))
}

/// Published drafts whose text overlaps most with draft `id` (which `actor` must be able to
/// see), best first.
pub async fn related_drafts<C: ConnectionTrait, I: crate::search::SearchIndex>(
    conn: &C,
    index: &I,
    actor: Option<&Actor>,
    id: DraftId,
    limit: usize,
) -> DomainResult<Vec<(DraftView, f32)>> {
    let d = find_visible(conn, actor, id).await?;
    let mut text = [
        Some(d.title_th.clone()),
        d.title_en.clone(),
        d.summary_th.clone(),
        d.summary_en.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n");
    if let Some(number) = d.current_version {
        let v = get_version(conn, actor, id, number).await?;
        text.push('\n');
        text.push_str(&v.body_markdown);
    }
    let found = index.similar_drafts(id.get(), &text, limit).await?;
    let ids: Vec<i64> = found.iter().map(|(i, _)| *i).collect();
    let rows = draft::Entity::find()
        .filter(draft::Column::Id.is_in(ids))
        .filter(draft::Column::PublishedAt.is_not_null())
        .all(conn)
        .await?;
    let views = views(conn, rows).await?;
    Ok(found
        .into_iter()
        .filter_map(|(i, score)| {
            views
                .iter()
                .find(|v| v.draft.id == i)
                .map(|v| (v.clone(), score))
        })
        .collect())
}
