use chrono::{DateTime, Utc};
use domain::ids::DraftId;
use domain::{
    DomainError,
    diff::{ChangeKind, ProvisionDiff, WordOp},
    entity::draft_version,
    service::drafts::{self, DraftFilter, DraftPatch, DraftView, NewDraft},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Header, Path, Query},
    payload::PlainText,
};

use super::{DraftStatus, LawType, Tag, page, since, time};
use crate::{
    AppState,
    auth::{MaybeSignedIn, SignedIn},
    body::JsonBody,
    error::{ApiResult, Change, Create, PublicList, PublicRead, PublicReadQuery, VersionChange},
    json::Json,
};

/// A draft law or regulation. Public once it has a published version.
#[derive(Debug, Object, serde::Serialize)]
pub struct Draft {
    /// Stable numeric id.
    pub id: i64,
    /// Slug of the agency that drafts it.
    pub agency: String,
    /// Title in Thai, e.g. `ร่างพระราชบัญญัติ... พ.ศ. ....`.
    pub title_th: String,
    /// Title in English.
    #[oai(nullable)]
    pub title_en: Option<String>,
    pub law_type: LawType,
    /// Plain-language summary in Thai.
    #[oai(nullable)]
    pub summary_th: Option<String>,
    /// Plain-language summary in English.
    #[oai(nullable)]
    pub summary_en: Option<String>,
    /// Topics, as lowercase slugs.
    pub topics: Vec<String>,
    pub status: DraftStatus,
    /// Number of the newest published version; `null` while the draft is in preparation.
    #[oai(nullable)]
    pub current_version: Option<i32>,
    /// When the first version was published; `null` while the draft is in preparation.
    #[oai(nullable)]
    #[serde(serialize_with = "crate::json::rfc3339_opt")]
    pub published_at: Option<DateTime<Utc>>,
    /// When the draft was created.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When the draft or its versions last changed.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<DraftView> for Draft {
    fn from(v: DraftView) -> Self {
        let d = v.draft;
        Draft {
            id: d.id,
            agency: v.agency_slug,
            title_th: d.title_th,
            title_en: d.title_en,
            law_type: d.law_type.into(),
            summary_th: d.summary_th,
            summary_en: d.summary_en,
            topics: d.topics.0,
            status: v.status.into(),
            current_version: d.current_version,
            published_at: d.published_at.map(time),
            created_at: time(d.created_at),
            updated_at: time(d.updated_at),
        }
    }
}

/// One page of drafts.
#[derive(Debug, Object, serde::Serialize)]
pub struct DraftPage {
    /// The drafts on this page, by id.
    pub items: Vec<Draft>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A new draft. Without `body_markdown` it stays in preparation, visible only to its agency;
/// with it, version 1 is published at once.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateDraft {
    /// Slug of the agency. Officers may leave it out (their own agency is used); administrators must give it.
    #[serde(default)]
    #[oai(nullable)]
    pub agency: Option<String>,
    /// Title in Thai (required, up to 500 characters).
    pub title_th: String,
    /// Title in English.
    #[serde(default)]
    #[oai(nullable)]
    pub title_en: Option<String>,
    pub law_type: LawType,
    /// Plain-language summary in Thai.
    #[serde(default)]
    #[oai(nullable)]
    pub summary_th: Option<String>,
    /// Plain-language summary in English.
    #[serde(default)]
    #[oai(nullable)]
    pub summary_en: Option<String>,
    /// Up to 10 topics, each 1-40 lowercase letters, digits or hyphens.
    #[serde(default)]
    #[oai(default)]
    pub topics: Vec<String>,
    /// The text of version 1 in Markdown (at most 512 KiB). Provisions are paragraphs or headings
    /// starting with `มาตรา`, `ข้อ`, `Section` or `Article` and a number; `หมวด` starts a chapter.
    #[serde(default)]
    #[oai(nullable)]
    pub body_markdown: Option<String>,
    /// What version 1 is, for the version history.
    #[serde(default)]
    #[oai(nullable)]
    pub changelog: Option<String>,
}

/// Changes to a draft's descriptive fields. Fields left out stay as they are. The text is
/// changed by publishing a new version, and the status by the draft's life cycle.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateDraft {
    /// New Thai title.
    #[serde(default)]
    #[oai(nullable)]
    pub title_th: Option<String>,
    /// New English title.
    #[serde(default)]
    #[oai(nullable)]
    pub title_en: Option<String>,
    #[serde(default)]
    #[oai(nullable)]
    pub law_type: Option<LawType>,
    /// New Thai summary.
    #[serde(default)]
    #[oai(nullable)]
    pub summary_th: Option<String>,
    /// New English summary.
    #[serde(default)]
    #[oai(nullable)]
    pub summary_en: Option<String>,
    /// New list of topics (replaces the old one).
    #[serde(default)]
    #[oai(nullable)]
    pub topics: Option<Vec<String>>,
}

/// A new version of a draft's text.
#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateVersion {
    /// The full text in Markdown (at most 512 KiB).
    pub body_markdown: String,
    /// What changed since the previous version.
    #[serde(default)]
    #[oai(nullable)]
    pub changelog: Option<String>,
}

/// A provision (มาตรา, ข้อ, section or article) of a version.
#[derive(Debug, Object, serde::Serialize)]
pub struct Provision {
    /// Stable id derived from the number, the same across versions: `มาตรา ๕` and `มาตรา 5` are
    /// `s5`, `มาตรา ๕/๑` is `s5-1`, `มาตรา ๒๐ ทวิ` is `s20-bis`, `ข้อ ๓` is `c3`, `Article 4` is `a4`.
    pub id: String,
    /// The number as written, e.g. `มาตรา ๕/๑`.
    pub label: String,
    /// The chapter (หมวด) the provision is in, as written.
    #[oai(nullable)]
    pub chapter: Option<String>,
    /// The provision's own heading, when it has one.
    #[oai(nullable)]
    pub heading: Option<String>,
    /// The provision's Markdown source.
    pub text: String,
    /// The provision rendered to sanitised HTML.
    pub html: String,
}

/// A published version of a draft, without its text.
#[derive(Debug, Object, serde::Serialize)]
pub struct VersionSummary {
    /// 1 for the first version, then 2, 3...
    pub number: i32,
    /// What changed in this version.
    #[oai(nullable)]
    pub changelog: Option<String>,
    /// When it was published. Published versions never change.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub published_at: DateTime<Utc>,
}

/// A published version of a draft with its text, rendered and split into provisions.
#[derive(Debug, Object, serde::Serialize)]
pub struct Version {
    /// Id of the draft.
    pub draft_id: i64,
    /// 1 for the first version, then 2, 3...
    pub number: i32,
    /// What changed in this version.
    #[oai(nullable)]
    pub changelog: Option<String>,
    /// When it was published.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub published_at: DateTime<Utc>,
    /// The text as written, in Markdown.
    pub body_markdown: String,
    /// The whole text rendered to sanitised HTML.
    pub html: String,
    /// The provisions, in order.
    pub provisions: Vec<Provision>,
}

impl From<draft_version::Model> for Version {
    fn from(v: draft_version::Model) -> Self {
        let provisions = v
            .provisions
            .0
            .into_iter()
            .map(|p| Provision {
                id: p.id,
                label: p.label,
                chapter: p.chapter,
                heading: p.heading,
                text: p.text,
                html: p.html,
            })
            .collect();
        Version {
            draft_id: v.draft_id,
            number: v.number,
            changelog: v.changelog,
            published_at: time(v.published_at),
            body_markdown: v.body_markdown,
            html: v.body_html,
            provisions,
        }
    }
}

/// How a provision changed between two versions.
#[derive(Debug, Clone, Copy, Enum, serde::Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ProvisionChange {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// A run of words in a changed provision.
#[derive(Debug, Clone, Copy, Enum, serde::Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum WordChangeOp {
    Equal,
    Insert,
    Delete,
}

/// A run of words: the same in both versions, inserted in the newer, or deleted from the older.
#[derive(Debug, Object, serde::Serialize)]
pub struct WordChange {
    pub op: WordChangeOp,
    /// The words, with their spacing. Thai text is split into words by dictionary segmentation.
    pub text: String,
}

/// One provision's change.
#[derive(Debug, Object, serde::Serialize)]
pub struct ProvisionDelta {
    /// The provision's stable id.
    pub id: String,
    /// The provision's number as written (in the newer version when it has one).
    pub label: String,
    pub change: ProvisionChange,
    /// For `changed` provisions: the text as runs of equal, inserted and deleted words.
    pub words: Vec<WordChange>,
}

impl From<ProvisionDiff> for ProvisionDelta {
    fn from(d: ProvisionDiff) -> Self {
        ProvisionDelta {
            id: d.id,
            label: d.label,
            change: match d.change {
                ChangeKind::Added => ProvisionChange::Added,
                ChangeKind::Removed => ProvisionChange::Removed,
                ChangeKind::Changed => ProvisionChange::Changed,
                ChangeKind::Unchanged => ProvisionChange::Unchanged,
            },
            words: d
                .words
                .into_iter()
                .map(|w| WordChange {
                    op: match w.op {
                        WordOp::Equal => WordChangeOp::Equal,
                        WordOp::Insert => WordChangeOp::Insert,
                        WordOp::Delete => WordChangeOp::Delete,
                    },
                    text: w.text,
                })
                .collect(),
        }
    }
}

/// The differences between two versions, provision by provision.
#[derive(Debug, Object, serde::Serialize)]
pub struct VersionDiff {
    /// Id of the draft.
    pub draft_id: i64,
    /// The older version compared (`against`).
    pub from_version: i32,
    /// The newer version compared.
    pub to_version: i32,
    /// Every provision of either version, in the newer version's order; removed provisions
    /// follow the provision they came after.
    pub provisions: Vec<ProvisionDelta>,
}

/// A draft whose text overlaps with another's.
#[derive(Debug, Object, serde::Serialize)]
pub struct RelatedDraft {
    pub draft: Draft,
    /// How strongly the texts overlap; higher is closer. Comparable only within one answer.
    #[serde(serialize_with = "crate::json::f32_wide")]
    pub score: f32,
}

#[derive(ApiResponse)]
pub enum CreatedDraft {
    /// The draft was created.
    #[oai(status = 201)]
    Created(Json<Draft>),
}

#[derive(ApiResponse)]
pub enum CreatedVersion {
    /// The version was published. A retry with the same `Idempotency-Key` and body answers
    /// with the same version.
    #[oai(status = 201)]
    Created(Json<Version>),
}

#[derive(ApiResponse)]
pub enum AknDocument {
    /// The version as an Akoma Ntoso 3.0 document, valid against the OASIS schema.
    #[oai(status = 200, content_type = "application/akn+xml; charset=utf-8")]
    Xml(PlainText<String>),
}

pub struct DraftsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Drafts")]
impl DraftsApi {
    /// List drafts, oldest first. Anonymous callers see published drafts; officers also see
    /// their own agency's drafts in preparation.
    #[oai(path = "/drafts", method = "get", operation_id = "list_drafts")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        /// Only drafts of this agency (slug).
        agency: Query<Option<String>>,
        /// Only drafts with this status.
        status: Query<Option<DraftStatus>>,
        /// Only drafts of this law type.
        law_type: Query<Option<LawType>>,
        /// Only drafts with this topic.
        topic: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<i64>>,
        /// Only what had a public change at or after this instant (RFC 3339, such as
        /// `2026-12-01T00:00:00Z`): what changed since you last looked. For every change in
        /// order, follow `list_changes`.
        updated_since: Query<Option<DateTime<Utc>>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<DraftPage>, PublicList> {
        let filter = DraftFilter {
            agency: agency.0,
            status: status.0.map(Into::into),
            law_type: law_type.0.map(Into::into),
            topic: topic.0,
            updated_since: since(updated_since.0),
        };
        let page = drafts::list_drafts(
            &state.ctx.db.conn,
            auth.actor(),
            filter,
            page(limit.0, cursor.0.as_deref())?,
        )
        .await?;
        Ok(Json(DraftPage {
            items: page.items.into_iter().map(Draft::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    /// Create a draft (officers for their agency, administrators for any).
    #[oai(path = "/drafts", method = "post", operation_id = "create_draft")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        body: JsonBody<CreateDraft>,
    ) -> ApiResult<CreatedDraft, Create> {
        let b = body.0;
        let view = drafts::create_draft(
            &state.ctx.db,
            &auth.0,
            NewDraft {
                agency: b.agency,
                title_th: b.title_th,
                title_en: b.title_en,
                law_type: b.law_type.into(),
                summary_th: b.summary_th,
                summary_en: b.summary_en,
                topics: b.topics,
                body_markdown: b.body_markdown,
                changelog: b.changelog,
            },
        )
        .await?;
        Ok(CreatedDraft::Created(Json(view.into())))
    }

    /// Get a draft.
    #[oai(path = "/drafts/:id", method = "get", operation_id = "get_draft")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<Draft>, PublicRead> {
        Ok(Json(
            drafts::get_draft(&state.ctx.db.conn, auth.actor(), DraftId(id.0))
                .await?
                .into(),
        ))
    }

    /// Change a draft's titles, summaries, law type or topics.
    #[oai(path = "/drafts/:id", method = "patch", operation_id = "update_draft")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        body: JsonBody<UpdateDraft>,
    ) -> ApiResult<Json<Draft>, Change> {
        let b = body.0;
        let patch = DraftPatch {
            title_th: b.title_th,
            title_en: b.title_en,
            law_type: b.law_type.map(Into::into),
            summary_th: b.summary_th,
            summary_en: b.summary_en,
            topics: b.topics,
            expected_updated_at: None,
        };
        Ok(Json(
            drafts::update_draft(&state.ctx.db, &auth.0, DraftId(id.0), patch)
                .await?
                .into(),
        ))
    }

    /// List a draft's published versions.
    #[oai(
        path = "/drafts/:id/versions",
        method = "get",
        operation_id = "list_versions"
    )]
    async fn versions(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
        /// Only versions published at or after this instant (RFC 3339, such as
        /// `2026-12-01T00:00:00Z`): what changed since you last looked. For every change in
        /// order, follow `list_changes`.
        updated_since: Query<Option<DateTime<Utc>>>,
    ) -> ApiResult<Json<Vec<VersionSummary>>, PublicReadQuery> {
        let versions =
            drafts::list_versions(&state.ctx.db.conn, auth.actor(), DraftId(id.0)).await?;
        let since = since(updated_since.0).unwrap_or(i64::MIN);
        Ok(Json(
            versions
                .into_iter()
                .filter(|v| v.published_at >= since)
                .map(|v| VersionSummary {
                    number: v.number,
                    changelog: v.changelog,
                    published_at: time(v.published_at),
                })
                .collect(),
        ))
    }

    /// Publish a new version of a draft's text. The first version makes the draft public. A
    /// text identical to the latest version's is refused with `409 no_change` (nothing is
    /// stored), so a repeated request never publishes the same text twice.
    #[oai(
        path = "/drafts/:id/versions",
        method = "post",
        operation_id = "create_version"
    )]
    async fn create_version(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        /// Any unique string (up to 255 ASCII characters) chosen by the client. Retrying with
        /// the same key and body replays the first answer (the same version) instead of
        /// refusing it as `no_change`; the same key with a different body is refused with
        /// `idempotency_key_reused`.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<CreateVersion>,
    ) -> ApiResult<CreatedVersion, VersionChange> {
        let b = body.0;
        let version = drafts::add_version(
            &state.ctx.db,
            &auth.0,
            DraftId(id.0),
            b.body_markdown,
            b.changelog,
            idempotency_key.0,
            None,
        )
        .await?;
        Ok(CreatedVersion::Created(Json(version.into())))
    }

    /// Get a version of a draft: its text, rendered HTML and provisions.
    #[oai(
        path = "/drafts/:id/versions/:number",
        method = "get",
        operation_id = "get_version"
    )]
    async fn version(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
        number: Path<i32>,
    ) -> ApiResult<Json<Version>, PublicRead> {
        Ok(Json(
            drafts::get_version(&state.ctx.db.conn, auth.actor(), DraftId(id.0), number.0)
                .await?
                .into(),
        ))
    }

    /// Get a version of a draft as an Akoma Ntoso 3.0 document.
    ///
    /// Akoma Ntoso is the OASIS LegalDocML standard (namespace
    /// `http://docs.oasis-open.org/legaldocml/ns/akn/3.0`) that legal-informatics tools read;
    /// the document is valid against its schema. The draft is a `bill`. `meta/identification` carries FRBR URIs: the work is
    /// `/akn/th/bill/{law type}/{date of first publication}/{draft id}`, the expression adds
    /// `/tha@v{number}`. Chapters (หมวด) are `chapter`, parts (ส่วนที่) `part`, and each
    /// provision a `section` whose `eId` is its `id` with the AKN prefix, after its chapter and
    /// part: `s5` in chapter 1 is `chp_1__sec_5`, `s5-1` is `sec_5-1`, `c3` (ข้อ) is `sec_c3`.
    /// The number as written is the section's `num`; the text is in `content`, in Thai as
    /// written. Text before the first provision is the `preface` (title) and `preamble`;
    /// signatures and notes after the last provision are the `conclusions`.
    #[oai(
        path = "/drafts/:id/versions/:number/akn",
        method = "get",
        operation_id = "get_version_akn"
    )]
    async fn version_akn(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
        number: Path<i32>,
    ) -> ApiResult<AknDocument, PublicRead> {
        let xml =
            drafts::version_akn(&state.ctx.db.conn, auth.actor(), DraftId(id.0), number.0).await?;
        Ok(AknDocument::Xml(PlainText(xml)))
    }

    /// Compare version `number` with an earlier version, provision by provision, with
    /// word-level changes inside changed provisions.
    #[oai(
        path = "/drafts/:id/versions/:number/diff",
        method = "get",
        operation_id = "diff_versions"
    )]
    async fn diff(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
        number: Path<i32>,
        /// The version to compare with.
        against: Query<i32>,
    ) -> ApiResult<Json<VersionDiff>, PublicReadQuery> {
        let provisions = drafts::diff_versions(
            &state.ctx.db.conn,
            auth.actor(),
            DraftId(id.0),
            number.0,
            against.0,
        )
        .await?;
        Ok(Json(VersionDiff {
            draft_id: id.0,
            from_version: against.0,
            to_version: number.0,
            provisions: provisions.into_iter().map(ProvisionDelta::from).collect(),
        }))
    }

    /// Other drafts (of any agency) whose text overlaps most with this one, best first: a way
    /// to spot overlapping or conflicting policy.
    #[oai(
        path = "/drafts/:id/related",
        method = "get",
        operation_id = "related_drafts"
    )]
    async fn related(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
        /// How many drafts, 1 to 50 (default 10).
        limit: Query<Option<i64>>,
    ) -> ApiResult<Json<Vec<RelatedDraft>>, PublicReadQuery> {
        let limit = limit.0.unwrap_or(10);
        if !(1..=50).contains(&limit) {
            return Err(DomainError::invalid(
                "limit",
                "out_of_range",
                "limit must be between 1 and 50",
            )
            .into());
        }
        let related = drafts::related_drafts(
            &state.ctx.db.conn,
            state.ctx.search.as_ref(),
            auth.actor(),
            DraftId(id.0),
            limit as usize,
        )
        .await?;
        Ok(Json(
            related
                .into_iter()
                .map(|(view, score)| RelatedDraft {
                    draft: view.into(),
                    score,
                })
                .collect(),
        ))
    }
}
