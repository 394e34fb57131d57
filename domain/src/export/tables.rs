//! The tables of the exports, and where their rows come from.
//!
//! Every row is read through the services' own public reads with no caller (the rules the
//! API applies to an anonymous reader): published drafts only, published comments that are not
//! private, the author's name only on `named` comments, published summaries and assessments.
//! Nothing here decides on its own what is public. Rows are read a page at a time and handed
//! on at once, so an export of any size holds only a page in memory.

use std::collections::HashMap;

use tokio::sync::mpsc;

use super::table::{Column, Kind::*, Row, Table, Value, col, opt};
use crate::{
    DomainError,
    error::DomainResult,
    ids::{ConsultationId, DraftId},
    service::{
        agencies, assessments,
        changes::public,
        comments,
        consultations::{self, ConsultationFilter, ConsultationView},
        dispositions, drafts, laws,
        page::PageRequest,
        reports, summaries,
    },
    types::{DispositionTarget, Publication},
};

/// What an export covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything public.
    Site,
    /// One consultation: its questions, comments, the agency's responses, statistics and
    /// hearing summary.
    Consultation(ConsultationId),
}

impl Scope {
    /// The dataset's name, also its folder and its URL segment: `site`, `consultation-12`.
    pub fn name(self) -> String {
        match self {
            Scope::Site => "site".into(),
            Scope::Consultation(id) => format!("consultation-{}", id.get()),
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        if name == "site" {
            return Some(Scope::Site);
        }
        let id = name.strip_prefix("consultation-")?.parse::<i64>().ok()?;
        (id > 0 && name == format!("consultation-{id}"))
            .then_some(Scope::Consultation(ConsultationId(id)))
    }

    /// The tables this scope's export holds.
    pub fn tables(self) -> &'static [&'static Table] {
        match self {
            Scope::Site => &[
                &AGENCIES,
                &DRAFTS,
                &VERSIONS,
                &PROVISIONS,
                &CONSULTATIONS,
                &QUESTIONS,
                &COMMENTS,
                &DISPOSITIONS,
                &CLUSTERS,
                &STATISTICS,
                &HEARING_SUMMARIES,
                &IMPACT_ASSESSMENTS,
                &LAWS,
            ],
            Scope::Consultation(_) => &[
                &CONSULTATIONS,
                &QUESTIONS,
                &COMMENTS,
                &DISPOSITIONS,
                &CLUSTERS,
                &STATISTICS,
                &HEARING_SUMMARIES,
            ],
        }
    }
}

/// Every table, for the data dictionary.
pub const ALL_TABLES: &[&Table] = &[
    &AGENCIES,
    &DRAFTS,
    &VERSIONS,
    &PROVISIONS,
    &CONSULTATIONS,
    &QUESTIONS,
    &COMMENTS,
    &DISPOSITIONS,
    &CLUSTERS,
    &STATISTICS,
    &HEARING_SUMMARIES,
    &IMPACT_ASSESSMENTS,
    &LAWS,
];

const CONSULTATION_ID: Column = col(
    "consultation_id",
    Integer,
    "The consultation (`consultations.id`).",
);
const DRAFT_ID: Column = col("draft_id", Integer, "The draft (`drafts.id`).");

pub const AGENCIES: Table = Table {
    name: "agencies",
    title_th: "หน่วยงาน",
    title_en: "Agencies",
    description: "Drafting agencies: ministries, departments and offices.",
    columns: &[
        col("id", Integer, "Stable numeric id."),
        col("slug", Text, "Short name used in addresses, e.g. `dopa`."),
        col("name_th", Text, "Name in Thai."),
        opt(
            "name_en",
            Text,
            "Name in English, when the agency gave one.",
        ),
        opt(
            "parent_ministry_th",
            Text,
            "The ministry it belongs to, in Thai.",
        ),
        opt(
            "parent_ministry_en",
            Text,
            "The ministry it belongs to, in English.",
        ),
        col(
            "created_at",
            Timestamp,
            "When it was registered on Rabfang.",
        ),
    ],
};

pub const DRAFTS: Table = Table {
    name: "drafts",
    title_th: "ร่างกฎหมาย",
    title_en: "Drafts",
    description: "Draft laws and regulations that have a published version.",
    columns: &[
        col("id", Integer, "Stable numeric id."),
        col("agency_id", Integer, "The drafting agency (`agencies.id`)."),
        col("agency_slug", Text, "The drafting agency's slug."),
        col("title_th", Text, "Title in Thai (authoritative)."),
        opt("title_en", Text, "Unofficial English title."),
        col(
            "law_type",
            Text,
            "act, royal_decree, ministerial_regulation, rule, notification or plan.",
        ),
        opt("summary_th", Text, "Plain-language summary in Thai."),
        opt(
            "summary_en",
            Text,
            "Unofficial plain-language summary in English.",
        ),
        col("topics", Json, "Topics, as a JSON array of slugs."),
        col(
            "status",
            Text,
            "preparing, in_consultation, consulted, submitted, enacted or withdrawn.",
        ),
        opt(
            "current_version",
            Integer,
            "The number of the latest published version.",
        ),
        col(
            "published_at",
            Timestamp,
            "When its first version was published.",
        ),
        col("updated_at", Timestamp, "When the draft last changed."),
    ],
};

pub const VERSIONS: Table = Table {
    name: "versions",
    title_th: "ฉบับของร่าง",
    title_en: "Draft versions",
    description: "Every published version of every draft, with its full text in Markdown.",
    columns: &[
        DRAFT_ID,
        col("number", Integer, "Version number, from 1."),
        opt(
            "changelog",
            Text,
            "What changed from the previous version, as the agency wrote it.",
        ),
        col("body_markdown", Text, "The full text, in Markdown."),
        col(
            "provision_count",
            Integer,
            "Provisions found in the text (see `provisions`).",
        ),
        col(
            "published_at",
            Timestamp,
            "When the version was published. Versions never change afterwards.",
        ),
    ],
};

pub const PROVISIONS: Table = Table {
    name: "provisions",
    title_th: "บทบัญญัติ",
    title_en: "Provisions",
    description: "Each provision (มาตรา, ข้อ, section, article) of each published version.",
    columns: &[
        DRAFT_ID,
        col(
            "version_number",
            Integer,
            "The version (`versions.number`).",
        ),
        col("position", Integer, "Order within the version, from 1."),
        col(
            "provision_id",
            Text,
            "Stable id from the number (`s5`, `s5-1`, `c3`): the same provision in every version, and what comments refer to.",
        ),
        col("label", Text, "The number as written, e.g. `มาตรา ๕/๑`."),
        opt("chapter", Text, "The chapter (หมวด) it sits in."),
        opt("heading", Text, "Its heading, when it has one."),
        col("text", Text, "Its text, in Markdown."),
    ],
};

pub const CONSULTATIONS: Table = Table {
    name: "consultations",
    title_th: "การรับฟังความคิดเห็น",
    title_en: "Consultations",
    description: "Public hearings on drafts, with their dates and status.",
    columns: &[
        col("id", Integer, "Stable numeric id."),
        DRAFT_ID,
        col("version_number", Integer, "The version consulted on."),
        col("agency_slug", Text, "The drafting agency's slug."),
        col("draft_title_th", Text, "The draft's title in Thai."),
        col("kind", Text, "principles, draft or evaluation."),
        col(
            "status",
            Text,
            "scheduled, open, closed or concluded (summary published), when the export was made.",
        ),
        col("opens_at", Timestamp, "When it opens for comments."),
        col("closes_at", Timestamp, "When it closes."),
        opt(
            "short_period_reason",
            Text,
            "The published reason for a hearing shorter than 15 days.",
        ),
        col(
            "question_count",
            Integer,
            "Questions asked (see `questions`).",
        ),
        opt(
            "summary_published_at",
            Timestamp,
            "When the hearing summary was published.",
        ),
    ],
};

pub const QUESTIONS: Table = Table {
    name: "questions",
    title_th: "คำถาม",
    title_en: "Questions",
    description: "The questions of each consultation's questionnaire.",
    columns: &[
        CONSULTATION_ID,
        col("position", Integer, "Order in the questionnaire, from 1."),
        col("question_id", Text, "`q1`, `q2`...: what answers refer to."),
        col(
            "kind",
            Text,
            "single_choice, multiple_choice, scale (1 to 5) or text.",
        ),
        col("prompt_th", Text, "The question in Thai."),
        opt("prompt_en", Text, "The question in English."),
        col(
            "options",
            Json,
            "The choices of choice questions, as a JSON array.",
        ),
        col("required", Boolean, "Whether an answer was required."),
    ],
};

pub const COMMENTS: Table = Table {
    name: "comments",
    title_th: "ความคิดเห็น",
    title_en: "Comments",
    description: "Published comments. Never an e-mail address; a name or organisation only when the commenter chose to publish it (`named`); private and hidden comments are not included.",
    columns: &[
        col("id", Integer, "Stable numeric id."),
        CONSULTATION_ID,
        opt(
            "provision_id",
            Text,
            "The provision commented on (`provisions.provision_id`); empty for the whole draft.",
        ),
        col("stance", Text, "support, oppose or neutral."),
        col("body", Text, "The comment."),
        col(
            "answers",
            Json,
            "Answers to the questionnaire, as a JSON array of objects with `question_id` and one of `choice`, `choices`, `scale`, `text`.",
        ),
        col(
            "respondent_type",
            Text,
            "individual, organisation, business, government or academic.",
        ),
        col(
            "publication",
            Text,
            "named or anonymous: what the commenter chose to publish.",
        ),
        opt(
            "author_name",
            Text,
            "The author's name; only for `named` comments.",
        ),
        opt(
            "organisation_name",
            Text,
            "The organisation; only for `named` comments.",
        ),
        opt("province", Text, "The commenter's province, when given."),
        col(
            "channel",
            Text,
            "How it arrived: web (the site), api, or offline (entered by the agency from a letter or a meeting).",
        ),
        col("received_at", Timestamp, "When the server received it."),
        opt(
            "cluster_id",
            Integer,
            "The campaign cluster it belongs to (`clusters.id`), if any.",
        ),
        opt(
            "decision",
            Text,
            "The agency's decision on this comment itself, if it answered it (see `dispositions`).",
        ),
        opt(
            "decision_reason",
            Text,
            "The agency's reason for that decision.",
        ),
    ],
};

pub const DISPOSITIONS: Table = Table {
    name: "dispositions",
    title_th: "การตอบของหน่วยงาน",
    title_en: "Agency responses",
    description: "What the agency did with a comment, a campaign cluster or a provision (\"you said, we did\").",
    columns: &[
        col("id", Integer, "Stable numeric id."),
        CONSULTATION_ID,
        col("target_kind", Text, "comment, cluster or provision."),
        col(
            "target_id",
            Text,
            "The comment id, cluster id or provision id answered.",
        ),
        col(
            "decision",
            Text,
            "accepted, partly_accepted or not_accepted.",
        ),
        col("reason", Text, "The agency's reason."),
        col("decided_at", Timestamp, "When it was recorded."),
    ],
};

pub const CLUSTERS: Table = Table {
    name: "clusters",
    title_th: "กลุ่มความคิดเห็นรณรงค์",
    title_en: "Campaign clusters",
    description: "Groups of near-identical comments (campaigns), as last computed.",
    columns: &[
        col("id", Integer, "Stable numeric id."),
        CONSULTATION_ID,
        col("size", Integer, "Comments in the cluster."),
        col(
            "representative_text",
            Text,
            "The text the cluster's comments share.",
        ),
        col("computed_at", Timestamp, "When the clusters were computed."),
    ],
};

pub const STATISTICS: Table = Table {
    name: "statistics",
    title_th: "สถิติ",
    title_en: "Statistics",
    description: "Counts of each consultation's comments in long form: one row per dimension and value. Every comment received is counted, private ones included; `term` rows count only published, non-private comments and list the 30 most frequent words.",
    columns: &[
        CONSULTATION_ID,
        col(
            "dimension",
            Text,
            "total, stance, respondent_type, province, provision, channel, day (Thailand time), answer (one row per question and choice or scale value), or term.",
        ),
        col(
            "key",
            Text,
            "The value counted (`support`, `s5`, `2026-01-15`, `q1=yes`...); empty for `total`, for comments without a province or on the whole draft.",
        ),
        col("count", Integer, "How many comments."),
        opt(
            "computed_at",
            Timestamp,
            "When the worker last computed the statistics.",
        ),
    ],
};

pub const HEARING_SUMMARIES: Table = Table {
    name: "hearing_summaries",
    title_th: "สรุปผลการรับฟังความคิดเห็น",
    title_en: "Hearing summaries",
    description: "The published summary of each concluded hearing.",
    columns: &[
        CONSULTATION_ID,
        col("body_markdown", Text, "The summary, in Markdown."),
        opt(
            "content_sha256",
            Text,
            "SHA-256 of the published summary, as recorded in the audit trail.",
        ),
        col("published_at", Timestamp, "When it was published."),
    ],
};

pub const IMPACT_ASSESSMENTS: Table = Table {
    name: "impact_assessments",
    title_th: "การวิเคราะห์ผลกระทบ",
    title_en: "Impact assessments",
    description: "Published regulatory impact assessments, one per draft.",
    columns: &[
        col("id", Integer, "Stable numeric id."),
        DRAFT_ID,
        col(
            "assessment",
            Json,
            "The assessment's fields, as the JSON document the API serves (see `/api/v1/schemas/impact-assessment`).",
        ),
        col("published_at", Timestamp, "When it was published."),
    ],
};

pub const LAWS: Table = Table {
    name: "laws",
    title_th: "กฎหมายที่ใช้บังคับ",
    title_en: "Laws in force",
    description: "Laws in force and their five-yearly evaluation, with the number of requests for an early evaluation.",
    columns: &[
        col("id", Integer, "Stable numeric id."),
        col(
            "agency_id",
            Integer,
            "The responsible agency (`agencies.id`).",
        ),
        opt(
            "draft_id",
            Integer,
            "The draft it was enacted from, when it went through Rabfang.",
        ),
        col("title_th", Text, "Title in Thai."),
        opt("title_en", Text, "Unofficial English title."),
        col(
            "law_type",
            Text,
            "act, royal_decree, ministerial_regulation, rule, notification or plan.",
        ),
        col("in_force_since", Timestamp, "When it came into force."),
        opt(
            "last_evaluated_at",
            Timestamp,
            "When it was last evaluated.",
        ),
        col(
            "evaluation_due_at",
            Timestamp,
            "When its next evaluation is due.",
        ),
        col(
            "evaluation_requests",
            Integer,
            "Requests from the public for an early evaluation.",
        ),
    ],
};

/// Rows on their way to the file writer, a page at a time.
pub struct Rows {
    tx: mpsc::Sender<Vec<Row>>,
    page: Vec<Row>,
}

/// Rows per page handed to the writer.
const PAGE_ROWS: usize = 1000;

impl Rows {
    pub fn new(tx: mpsc::Sender<Vec<Row>>) -> Rows {
        Rows {
            tx,
            page: Vec::with_capacity(PAGE_ROWS),
        }
    }

    async fn push(&mut self, row: Row) -> anyhow::Result<()> {
        self.page.push(row);
        if self.page.len() >= PAGE_ROWS {
            self.send().await?;
        }
        Ok(())
    }

    async fn send(&mut self) -> anyhow::Result<()> {
        let page = std::mem::replace(&mut self.page, Vec::with_capacity(PAGE_ROWS));
        self.tx
            .send(page)
            .await
            .map_err(|_| anyhow::anyhow!("the export's file writer stopped"))
    }

    pub async fn finish(mut self) -> anyhow::Result<()> {
        if !self.page.is_empty() {
            self.send().await?;
        }
        Ok(())
    }
}

/// Rows read per query.
const READ_PAGE: u64 = 1000;

fn page_after(after: Option<i64>, limit: u64) -> PageRequest {
    PageRequest { limit, after }
}

/// The next page of the consultations in scope that the public sees (none when done).
async fn consultations_page<C: sea_orm::ConnectionTrait>(
    conn: &C,
    scope: Scope,
    after: Option<i64>,
) -> DomainResult<Vec<ConsultationView>> {
    match scope {
        Scope::Site => Ok(consultations::list_consultations(
            conn,
            None,
            ConsultationFilter::default(),
            page_after(after, 200),
        )
        .await?
        .items),
        Scope::Consultation(id) if after.is_none() => {
            match consultations::get_consultation(conn, None, id).await {
                Ok(view) => Ok(vec![view]),
                Err(DomainError::NotFound(_)) => Ok(vec![]),
                Err(e) => Err(e),
            }
        }
        Scope::Consultation(_) => Ok(vec![]),
    }
}

/// Reads the rows of `table` in `scope` and hands them to `out`, in a stable order (by id,
/// then position).
pub async fn produce<C: sea_orm::ConnectionTrait>(
    conn: &C,
    scope: Scope,
    table: &'static Table,
    out: &mut Rows,
) -> anyhow::Result<()> {
    match table.name {
        "agencies" => {
            let mut after = None;
            loop {
                let page =
                    agencies::list_agencies(conn, None, page_after(after, READ_PAGE)).await?;
                for a in &page.items {
                    out.push(vec![
                        Value::Integer(a.id),
                        Value::text(&a.slug),
                        Value::text(&a.name_th),
                        Value::opt_text(a.name_en.clone()),
                        Value::opt_text(a.parent_ministry_th.clone()),
                        Value::opt_text(a.parent_ministry_en.clone()),
                        Value::Timestamp(a.created_at),
                    ])
                    .await?;
                }
                after = page.items.last().map(|a| a.id);
                if page.next_cursor.is_none() {
                    break;
                }
            }
        }
        "drafts" | "versions" | "provisions" | "impact_assessments" => {
            let mut after = None;
            loop {
                let page = drafts::list_drafts(
                    conn,
                    None,
                    drafts::DraftFilter::default(),
                    page_after(after, 200),
                )
                .await?;
                for view in &page.items {
                    draft_rows(conn, table, view, out).await?;
                }
                after = page.items.last().map(|v| v.draft.id);
                if page.next_cursor.is_none() {
                    break;
                }
            }
        }
        "laws" => {
            let mut after = None;
            loop {
                let page = laws::list(conn, false, None, page_after(after, READ_PAGE)).await?;
                let ids: Vec<i64> = page.items.iter().map(|l| l.id).collect();
                let counts = laws::request_counts(conn, &ids).await?;
                for l in &page.items {
                    out.push(vec![
                        Value::Integer(l.id),
                        Value::Integer(l.agency_id),
                        Value::opt_int(l.draft_id),
                        Value::text(&l.title_th),
                        Value::opt_text(l.title_en.clone()),
                        Value::text(l.law_type.as_str()),
                        Value::Timestamp(l.in_force_since),
                        Value::opt_time(l.last_evaluated_at),
                        Value::Timestamp(l.evaluation_due_at),
                        Value::Integer(counts.get(&l.id).copied().unwrap_or(0) as i64),
                    ])
                    .await?;
                }
                after = page.items.last().map(|l| l.id);
                if page.next_cursor.is_none() {
                    break;
                }
            }
        }
        _ => {
            let mut after = None;
            loop {
                let views = consultations_page(conn, scope, after).await?;
                for view in &views {
                    consultation_rows(conn, table, view, out).await?;
                }
                match views.last() {
                    Some(v) => after = Some(v.consultation.id),
                    None => break,
                }
            }
        }
    }
    Ok(())
}

/// The rows of a draft-level table for one public draft.
async fn draft_rows<C: sea_orm::ConnectionTrait>(
    conn: &C,
    table: &'static Table,
    view: &drafts::DraftView,
    out: &mut Rows,
) -> anyhow::Result<()> {
    let d = &view.draft;
    let id = DraftId(d.id);
    match table.name {
        "drafts" => {
            out.push(vec![
                Value::Integer(d.id),
                Value::Integer(d.agency_id),
                Value::text(&view.agency_slug),
                Value::text(&d.title_th),
                Value::opt_text(d.title_en.clone()),
                Value::text(d.law_type.as_str()),
                Value::opt_text(d.summary_th.clone()),
                Value::opt_text(d.summary_en.clone()),
                Value::json(&d.topics.0),
                Value::text(view.status.as_str()),
                Value::opt_int(d.current_version.map(i64::from)),
                Value::opt_time(d.published_at),
                Value::Timestamp(d.updated_at),
            ])
            .await?;
        }
        "versions" | "provisions" => {
            let Some(versions) = public(drafts::list_versions(conn, None, id).await)? else {
                return Ok(());
            };
            for v in versions {
                if table.name == "versions" {
                    out.push(vec![
                        Value::Integer(d.id),
                        Value::Integer(v.number.into()),
                        Value::opt_text(v.changelog.clone()),
                        Value::text(v.body_markdown),
                        Value::Integer(v.provisions.len() as i64),
                        Value::Timestamp(v.published_at),
                    ])
                    .await?;
                    continue;
                }
                for (i, p) in v.provisions.0.into_iter().enumerate() {
                    out.push(vec![
                        Value::Integer(d.id),
                        Value::Integer(v.number.into()),
                        Value::Integer(i as i64 + 1),
                        Value::Text(p.id),
                        Value::Text(p.label),
                        Value::opt_text(p.chapter),
                        Value::opt_text(p.heading),
                        Value::Text(p.text),
                    ])
                    .await?;
                }
            }
        }
        "impact_assessments" => {
            let Some(a) = public(assessments::get(conn, None, id).await)? else {
                return Ok(());
            };
            let Some(published_at) = a.row.published_at else {
                return Ok(());
            };
            out.push(vec![
                Value::Integer(a.row.id),
                Value::Integer(d.id),
                Value::json(&a.fields),
                Value::Timestamp(published_at),
            ])
            .await?;
        }
        other => anyhow::bail!("{other} is not a table of drafts"),
    }
    Ok(())
}

/// The rows of a consultation-level table for one public consultation.
async fn consultation_rows<C: sea_orm::ConnectionTrait>(
    conn: &C,
    table: &'static Table,
    view: &ConsultationView,
    out: &mut Rows,
) -> anyhow::Result<()> {
    let c = &view.consultation;
    let id = ConsultationId(c.id);
    match table.name {
        "consultations" => {
            out.push(vec![
                Value::Integer(c.id),
                Value::Integer(c.draft_id),
                Value::Integer(c.version_number.into()),
                Value::text(&view.agency_slug),
                Value::text(&view.draft_title_th),
                Value::text(c.kind.as_str()),
                Value::text(view.status.as_str()),
                Value::Timestamp(c.opens_at),
                Value::Timestamp(c.closes_at),
                Value::opt_text(c.short_period_reason.clone()),
                Value::Integer(c.questions.len() as i64),
                Value::opt_time(c.summary_published_at),
            ])
            .await?;
        }
        "questions" => {
            for (i, q) in c.questions.iter().enumerate() {
                out.push(vec![
                    Value::Integer(c.id),
                    Value::Integer(i as i64 + 1),
                    Value::text(&q.id),
                    Value::text(q.kind.as_str()),
                    Value::text(&q.prompt_th),
                    Value::opt_text(q.prompt_en.clone()),
                    Value::json(&q.options),
                    Value::Boolean(q.required),
                ])
                .await?;
            }
        }
        "comments" => {
            // The agency's own answer to a comment, by comment id (public ones only).
            let answered: HashMap<i64, (String, String)> =
                dispositions::list_dispositions(conn, None, id)
                    .await?
                    .into_iter()
                    .filter(|d| d.target_kind == DispositionTarget::Comment)
                    .filter_map(|d| {
                        let comment = d.target_id.parse::<i64>().ok()?;
                        Some((comment, (d.decision.as_str().to_string(), d.reason)))
                    })
                    .collect();
            let mut after = None;
            loop {
                let page = comments::list_public_comments(
                    conn,
                    None,
                    id,
                    comments::PublicCommentFilter::default(),
                    page_after(after, READ_PAGE),
                )
                .await?;
                after = page.items.last().map(|p| p.comment.id);
                for comments::PublicComment {
                    comment: k,
                    author_name,
                } in page.items
                {
                    let named = k.publication == Publication::Named;
                    let (decision, reason) = answered
                        .get(&k.id)
                        .cloned()
                        .map_or((None, None), |(d, r)| (Some(d), Some(r)));
                    out.push(vec![
                        Value::Integer(k.id),
                        Value::Integer(k.consultation_id),
                        Value::opt_text(k.provision_id),
                        Value::text(k.stance.as_str()),
                        Value::Text(k.body),
                        Value::RawJson(k.answers),
                        Value::text(k.respondent_type.as_str()),
                        Value::text(k.publication.as_str()),
                        Value::opt_text(if named { author_name } else { None }),
                        Value::opt_text(if named { k.organisation_name } else { None }),
                        Value::opt_text(k.province),
                        Value::text(k.channel.as_str()),
                        Value::Timestamp(k.received_at),
                        Value::opt_int(k.cluster_id),
                        Value::opt_text(decision),
                        Value::opt_text(reason),
                    ])
                    .await?;
                }
                if page.next_cursor.is_none() {
                    break;
                }
            }
        }
        "dispositions" => {
            for d in dispositions::list_dispositions(conn, None, id).await? {
                out.push(vec![
                    Value::Integer(d.id),
                    Value::Integer(d.consultation_id),
                    Value::text(d.target_kind.as_str()),
                    Value::Text(d.target_id),
                    Value::text(d.decision.as_str()),
                    Value::Text(d.reason),
                    Value::Timestamp(d.decided_at),
                ])
                .await?;
            }
        }
        "clusters" | "statistics" => {
            let s = summaries::summary(conn, None, id).await?;
            if table.name == "clusters" {
                for k in s.clusters {
                    out.push(vec![
                        Value::Integer(k.id),
                        Value::Integer(k.consultation_id),
                        Value::Integer(k.size.into()),
                        Value::Text(k.representative_text),
                        Value::Timestamp(k.computed_at),
                    ])
                    .await?;
                }
                return Ok(());
            }
            let st = &s.statistics;
            let mut counts: Vec<(&str, String, u64)> = vec![("total", String::new(), st.total)];
            for (dimension, map) in [
                ("stance", &st.by_stance),
                ("respondent_type", &st.by_respondent_type),
                ("province", &st.by_province),
                ("provision", &st.by_provision),
                ("channel", &st.by_channel),
                ("day", &st.by_day),
            ] {
                counts.extend(map.iter().map(|(k, n)| (dimension, k.clone(), *n)));
            }
            for (question, q) in &st.questions {
                counts.extend(
                    q.choices
                        .iter()
                        .map(|(choice, n)| ("answer", format!("{question}={choice}"), *n)),
                );
                counts.extend(
                    q.scale
                        .iter()
                        .enumerate()
                        .map(|(i, n)| ("answer", format!("{question}={}", i + 1), *n)),
                );
            }
            counts.extend(st.top_terms(30).into_iter().map(|(t, n)| ("term", t, n)));
            for (dimension, key, n) in counts {
                out.push(vec![
                    Value::Integer(c.id),
                    Value::text(dimension),
                    Value::Text(key),
                    Value::Integer(n as i64),
                    Value::opt_time(s.computed_at),
                ])
                .await?;
            }
        }
        "hearing_summaries" => {
            let Some(r) = public(reports::get(conn, None, id).await)? else {
                return Ok(());
            };
            let Some(published_at) = r.published_at else {
                return Ok(());
            };
            out.push(vec![
                Value::Integer(c.id),
                Value::text(r.body_markdown.unwrap_or_default()),
                Value::opt_text(r.content_hash),
                Value::Timestamp(published_at),
            ])
            .await?;
        }
        other => anyhow::bail!("{other} is not a table of consultations"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names_round_trip_and_odd_names_are_refused() {
        for scope in [Scope::Site, Scope::Consultation(ConsultationId(12))] {
            assert_eq!(Scope::parse(&scope.name()), Some(scope));
        }
        for bad in [
            "",
            "sites",
            "consultation-",
            "consultation-0",
            "consultation-012",
            "consultation-1/..",
            "consultation--1",
        ] {
            assert_eq!(Scope::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_scope_lists_only_known_tables_with_unique_column_names() {
        for table in ALL_TABLES {
            let mut names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), table.columns.len(), "{}", table.name);
        }
        for scope in [Scope::Site, Scope::Consultation(ConsultationId(1))] {
            for t in scope.tables() {
                assert!(ALL_TABLES.iter().any(|a| a.name == t.name));
            }
        }
    }
}
