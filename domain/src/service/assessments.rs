//! Regulatory impact assessments (RIA): saved as a draft by the agency, published as an
//! immutable report (Markdown rendered to sanitised HTML, with its content hash) and as JSON.
//! A draft moves to `submitted` only when its hearing summaries and its RIA are published.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::drafts;
use crate::{
    audit::{self, AuditRecord, sha256_hex},
    db::Db,
    entity::{consultation, draft, impact_assessment},
    error::{DomainError, DomainResult},
    ids::{AgencyId, DraftId},
    ria::ImpactAssessment,
    time::now_ms,
    types::{Actor, DraftStatus, sees_unpublished},
};

/// An assessment as stored, with its parsed fields.
pub struct Assessment {
    pub row: impact_assessment::Model,
    pub fields: ImpactAssessment,
}

fn parse(row: impact_assessment::Model) -> DomainResult<Assessment> {
    let fields = row.assessment()?;
    Ok(Assessment { row, fields })
}

async fn find<C: ConnectionTrait>(
    conn: &C,
    draft_id: DraftId,
) -> DomainResult<Option<impact_assessment::Model>> {
    Ok(impact_assessment::Entity::find()
        .filter(impact_assessment::Column::DraftId.eq(draft_id))
        .one(conn)
        .await?)
}

/// When the draft's impact assessment was published, if it was (`None` when it has none, or
/// only an unpublished one): what a public page shows of it, without reading the assessment.
pub async fn published_at<C: ConnectionTrait>(
    conn: &C,
    draft_id: DraftId,
) -> DomainResult<Option<i64>> {
    Ok(impact_assessment::Entity::find()
        .select_only()
        .column(impact_assessment::Column::PublishedAt)
        .filter(impact_assessment::Column::DraftId.eq(draft_id))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten())
}

/// The draft's assessment: published ones for everyone, unpublished ones for its agency.
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    draft_id: DraftId,
) -> DomainResult<Assessment> {
    let d = drafts::find_visible(conn, actor, draft_id).await?;
    let row = find(conn, draft_id)
        .await?
        .ok_or(DomainError::NotFound("impact assessment"))?;
    if row.published_at.is_none() && !sees_unpublished(actor, AgencyId(d.agency_id)) {
        return Err(DomainError::NotFound("impact assessment"));
    }
    parse(row)
}

/// Saves the assessment as a draft (replacing the previous draft). Published ones are final.
/// `seen` is the `updated_at` of the saved assessment the author started from (`Some(None)`:
/// none was saved yet); when someone else saved since, the save is refused as a conflict
/// instead of overwriting their work.
pub async fn save(
    db: &Db,
    actor: &Actor,
    draft_id: DraftId,
    fields: ImpactAssessment,
    seen: Option<Option<i64>>,
) -> DomainResult<Assessment> {
    let fields = crate::text::canonical_strings(fields).map_err(anyhow::Error::from)?;
    let errors = fields.validate();
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let tx = db.write().await?;
    drafts::find_managed(&*tx, actor, draft_id).await?;
    let json = impact_assessment::FieldsJson::encode(&fields)?;
    let now = now_ms();
    let existing = find(&*tx, draft_id).await?;
    if seen.is_some_and(|seen| seen != existing.as_ref().map(|e| e.updated_at)) {
        return Err(DomainError::Conflict(
            "someone else saved this assessment since you opened it".into(),
        ));
    }
    let row = match existing {
        Some(existing) if existing.published_at.is_some() => {
            return Err(DomainError::InvalidState(
                "the impact assessment is published and can no longer change".into(),
            ));
        }
        Some(existing) => {
            impact_assessment::Entity::update(impact_assessment::ActiveModel {
                id: Set(existing.id),
                fields: Set(json),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&*tx)
            .await?
        }
        None => {
            impact_assessment::Entity::insert(impact_assessment::ActiveModel {
                draft_id: Set(draft_id.get()),
                fields: Set(json),
                body_html: Set(None),
                content_hash: Set(None),
                updated_at: Set(now),
                published_at: Set(None),
                ..Default::default()
            })
            .exec_with_returning(&*tx)
            .await?
        }
    };
    audit::record(&*tx, AuditRecord {
        actor: Some(actor.account_id),
        action: "impact_assessment.save",
        entity_type: "impact_assessment",
        entity_id: row.id.to_string(),
        before: None,
        after: Some(serde_json::json!({"draft_id": draft_id, "fields_sha256": sha256_hex(row.fields.as_str().as_bytes())})),
    })
    .await?;
    tx.commit().await?;
    parse(row)
}

/// Publishes the saved assessment: renders it, stores the HTML and its hash, and freezes it.
pub async fn publish(db: &Db, actor: &Actor, draft_id: DraftId) -> DomainResult<Assessment> {
    let tx = db.write().await?;
    let d = drafts::find_managed(&*tx, actor, draft_id).await?;
    // The draft is there; with no assessment saved, there is nothing to publish yet.
    let row = find(&*tx, draft_id).await?.ok_or_else(|| {
        DomainError::InvalidState(
            "there is no saved impact assessment to publish: save one first".into(),
        )
    })?;
    if row.published_at.is_some() {
        return Err(DomainError::InvalidState(
            "the impact assessment is already published".into(),
        ));
    }
    let fields = row.assessment()?;
    let title = d.title_th.clone();
    let (markdown, html) = tokio::task::spawn_blocking(move || fields.render(&title))
        .await
        .map_err(anyhow::Error::from)?;
    let hash = sha256_hex(markdown.as_bytes());
    let row = impact_assessment::Entity::update(impact_assessment::ActiveModel {
        id: Set(row.id),
        body_html: Set(Some(html)),
        content_hash: Set(Some(hash.clone())),
        published_at: Set(Some(now_ms())),
        ..Default::default()
    })
    .exec(&*tx)
    .await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "impact_assessment.publish",
            entity_type: "impact_assessment",
            entity_id: row.id.to_string(),
            before: None,
            after: Some(serde_json::json!({"draft_id": draft_id, "content_hash": hash})),
        },
    )
    .await?;
    tx.commit().await?;
    parse(row)
}

/// What the law requires before a draft is submitted, each point as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checklist {
    /// At least one hearing was opened on the draft.
    pub hearing_held: bool,
    /// Every hearing's summary is published (false while there is none).
    pub summaries_published: bool,
    /// The impact assessment is published.
    pub assessment_published: bool,
}

impl Checklist {
    pub fn complete(&self) -> bool {
        self.hearing_held && self.summaries_published && self.assessment_published
    }
}

/// The submission checklist of a draft (the same rule [`submit`] enforces).
pub async fn checklist<C: ConnectionTrait>(conn: &C, draft_id: DraftId) -> DomainResult<Checklist> {
    let consultations = consultation::Entity::find()
        .filter(consultation::Column::DraftId.eq(draft_id))
        .all(conn)
        .await?;
    Ok(Checklist {
        hearing_held: !consultations.is_empty(),
        summaries_published: !consultations.is_empty()
            && consultations
                .iter()
                .all(|c| c.summary_published_at.is_some()),
        assessment_published: find(conn, draft_id)
            .await?
            .is_some_and(|r| r.published_at.is_some()),
    })
}

/// Moves a draft to `submitted` (for the Cabinet or Parliament). The law wants the hearing
/// heard and reported first: every consultation's summary and the RIA must be published.
pub async fn submit(db: &Db, actor: &Actor, draft_id: DraftId) -> DomainResult<drafts::DraftView> {
    let tx = db.write().await?;
    let d = drafts::find_managed(&*tx, actor, draft_id).await?;
    if d.status != DraftStatus::Preparing {
        return Err(DomainError::InvalidState(format!(
            "a draft that is {} cannot be submitted",
            d.status
        )));
    }
    let checklist = checklist(&*tx, draft_id).await?;
    if !(checklist.hearing_held && checklist.summaries_published) {
        return Err(DomainError::InvalidState(
            "every hearing of the draft must be held and its summary published first".into(),
        ));
    }
    if !checklist.assessment_published {
        return Err(DomainError::InvalidState(
            "the regulatory impact assessment must be published first".into(),
        ));
    }
    let updated = draft::Entity::update(draft::ActiveModel {
        id: Set(d.id),
        status: Set(DraftStatus::Submitted),
        updated_at: Set(now_ms()),
        ..Default::default()
    })
    .exec(&*tx)
    .await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "draft.submit",
            entity_type: "draft",
            entity_id: d.id.to_string(),
            before: Some(serde_json::json!({"status": d.status})),
            after: Some(serde_json::json!({"status": updated.status})),
        },
    )
    .await?;
    crate::jobs::enqueue(&*tx, &crate::jobs::IndexTarget::Draft(d.id)).await?;
    let view = drafts::view_of(&*tx, updated).await?;
    tx.commit().await?;
    Ok(view)
}
