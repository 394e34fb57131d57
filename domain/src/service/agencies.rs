use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{
    page::{Page, PageRequest},
    validate::{Checks, is_slug},
};
use crate::{
    audit::{self, AuditRecord},
    db::Db,
    entity::agency,
    error::{DomainError, DomainResult},
    time::now_ms,
    types::{Actor, Role},
};

/// Input for a new agency, as received.
#[derive(Debug, Clone, Default)]
pub struct NewAgency {
    pub slug: String,
    pub name_th: String,
    pub name_en: Option<String>,
    pub parent_ministry_th: Option<String>,
    pub parent_ministry_en: Option<String>,
}

pub async fn create_agency(
    db: &Db,
    actor: Option<&Actor>,
    input: NewAgency,
) -> DomainResult<agency::Model> {
    if let Some(actor) = actor
        && actor.role != Role::Admin
    {
        return Err(DomainError::Forbidden(
            "only administrators create agencies".into(),
        ));
    }
    let mut checks = Checks::new();
    let slug = input.slug.trim().to_string();
    if !is_slug(&slug) {
        checks.push(
            "slug",
            "invalid_value",
            "a slug is 1-40 lowercase letters, digits or hyphens",
        );
    }
    let name_th = checks.title("name_th", &input.name_th, 300);
    let name_en = checks.optional_title("name_en", input.name_en.as_deref(), 300);
    let parent_th = checks.optional_title(
        "parent_ministry_th",
        input.parent_ministry_th.as_deref(),
        300,
    );
    let parent_en = checks.optional_title(
        "parent_ministry_en",
        input.parent_ministry_en.as_deref(),
        300,
    );
    checks.finish()?;

    let tx = db.write().await?;
    if find_by_slug(&*tx, &slug).await?.is_some() {
        return Err(DomainError::Conflict(format!(
            "an agency with slug {slug} already exists"
        )));
    }
    let model = agency::Entity::insert(agency::ActiveModel {
        slug: Set(slug),
        name_th: Set(name_th),
        name_en: Set(name_en),
        parent_ministry_th: Set(parent_th),
        parent_ministry_en: Set(parent_en),
        created_at: Set(now_ms()),
        ..Default::default()
    })
    .exec_with_returning(&*tx)
    .await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: actor.map(|a| a.account_id),
            action: "agency.create",
            entity_type: "agency",
            entity_id: model.id.to_string(),
            before: None,
            after: Some(agency_json(&model)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(model)
}

/// New names for an agency (its slug, which addresses use, stays).
#[derive(Debug, Clone)]
pub struct AgencyNames {
    pub name_th: String,
    pub name_en: Option<String>,
    pub parent_ministry_th: Option<String>,
    pub parent_ministry_en: Option<String>,
}

/// Renames an agency (administrators).
pub async fn rename_agency(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: AgencyNames,
) -> DomainResult<agency::Model> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only administrators change agencies".into(),
        ));
    }
    let mut checks = Checks::new();
    let name_th = checks.title("name_th", &input.name_th, 300);
    let name_en = checks.optional_title("name_en", input.name_en.as_deref(), 300);
    let parent_th = checks.optional_title(
        "parent_ministry_th",
        input.parent_ministry_th.as_deref(),
        300,
    );
    let parent_en = checks.optional_title(
        "parent_ministry_en",
        input.parent_ministry_en.as_deref(),
        300,
    );
    checks.finish()?;
    let tx = db.write().await?;
    let before = find_by_id(&*tx, id)
        .await?
        .ok_or(DomainError::NotFound("agency"))?;
    let after = agency::Entity::update(agency::ActiveModel {
        id: Set(id),
        name_th: Set(name_th),
        name_en: Set(name_en),
        parent_ministry_th: Set(parent_th),
        parent_ministry_en: Set(parent_en),
        ..Default::default()
    })
    .exec(&*tx)
    .await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "agency.rename",
            entity_type: "agency",
            entity_id: id.to_string(),
            before: Some(agency_json(&before)),
            after: Some(agency_json(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub fn agency_json(m: &agency::Model) -> serde_json::Value {
    serde_json::json!({
        "id": m.id, "slug": m.slug, "name_th": m.name_th, "name_en": m.name_en,
        "parent_ministry_th": m.parent_ministry_th, "parent_ministry_en": m.parent_ministry_en,
    })
}

pub async fn find_by_slug<C: ConnectionTrait>(
    conn: &C,
    slug: &str,
) -> DomainResult<Option<agency::Model>> {
    Ok(agency::Entity::find()
        .filter(agency::Column::Slug.eq(slug))
        .one(conn)
        .await?)
}

pub async fn find_by_id<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> DomainResult<Option<agency::Model>> {
    Ok(agency::Entity::find_by_id(id).one(conn).await?)
}

/// Agencies by id; with `updated_since` (ms), those created or renamed since.
pub async fn list_agencies<C: ConnectionTrait>(
    conn: &C,
    updated_since: Option<i64>,
    page: PageRequest,
) -> DomainResult<Page<agency::Model>> {
    let mut query = agency::Entity::find().order_by_asc(agency::Column::Id);
    if let Some(since) = updated_since {
        query = query.filter(
            agency::Column::Id.in_subquery(super::changes::changed_since(
                super::changes::ObjectType::Agency,
                since,
            )),
        );
    }
    if let Some(after) = page.after {
        query = query.filter(agency::Column::Id.gt(after));
    }
    let rows = query.limit(page.fetch()).all(conn).await?;
    Ok(Page::from_rows(rows, page, |a| a.id))
}

/// Every agency by id, for decorating lists.
pub async fn by_ids<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> DomainResult<std::collections::HashMap<i64, agency::Model>> {
    super::by_ids::<agency::Entity, _>(conn, agency::Column::Id, ids, |a| a.id).await
}
