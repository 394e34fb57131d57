//! The `impact_assessments` table: one regulatory impact assessment per draft.

use sea_orm::entity::prelude::*;

use crate::{
    error::{DomainError, DomainResult},
    ria::ImpactAssessment,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "impact_assessments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub draft_id: i64,
    pub fields: FieldsJson,
    pub body_html: Option<String>,
    pub content_hash: Option<String>,
    pub updated_at: i64,
    pub published_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The `fields` column: an [`ImpactAssessment`] as JSON text. Written only by
/// [`FieldsJson::encode`] and read by [`Model::assessment`]; the text itself is kept as stored,
/// because the audit trail records the hash of exactly these bytes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveValueType)]
pub struct FieldsJson(String);

impl FieldsJson {
    pub fn encode(fields: &ImpactAssessment) -> DomainResult<FieldsJson> {
        Ok(FieldsJson(
            serde_json::to_string(fields).map_err(anyhow::Error::from)?,
        ))
    }

    /// The JSON text as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Model {
    /// The assessment's fields. A stored value that is not an assessment is an error naming
    /// the table and the row, never an empty assessment.
    pub fn assessment(&self) -> DomainResult<ImpactAssessment> {
        serde_json::from_str(self.fields.as_str()).map_err(|e| {
            DomainError::Internal(anyhow::anyhow!(
                "impact_assessments.fields of row {} is not an impact assessment: {e}",
                self.id
            ))
        })
    }
}
