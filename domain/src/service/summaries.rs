//! The statistics summary of a consultation, as last computed by the worker, with its campaign
//! clusters.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, QueryTrait, Statement, sea_query::Expr,
};

use super::{clusters, consultations};
use crate::{
    entity::{comment, comment_cluster, statistics},
    error::DomainResult,
    service::comments::AnswerInput,
    stats::Statistics,
    stats::{AnswerFacts, CommentFacts},
    types::Actor,
    types::{ModerationStatus, Publication},
};

pub struct Summary {
    pub consultation_id: i64,
    /// `None` until the worker has computed it once.
    pub computed_at: Option<i64>,
    pub statistics: Statistics,
    pub clusters: Vec<comment_cluster::Model>,
}

impl Summary {
    /// Comments that belong to a campaign cluster.
    pub fn clustered(&self) -> u64 {
        self.clusters.iter().map(|c| c.size.max(0) as u64).sum()
    }
}

pub async fn summary<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    consultation_id: i64,
) -> DomainResult<Summary> {
    consultations::find_visible(conn, actor, consultation_id).await?;
    let row = statistics::Entity::find_by_id(consultation_id)
        .one(conn)
        .await?;
    let (computed_at, statistics) = match row {
        Some(r) => (
            Some(r.computed_at),
            serde_json::from_str(&r.data).map_err(anyhow::Error::from)?,
        ),
        None => (None, Statistics::default()),
    };
    Ok(Summary {
        consultation_id,
        computed_at,
        statistics,
        clusters: clusters::clusters_of(conn, consultation_id).await?,
    })
}

/// How many comments [`count_comments`] reads per query.
const PAGE: u64 = 50_000;

/// The statistics of a consultation's comments whose id is above `after_id` (0: all of them).
/// Adding the result to a snapshot whose high-water mark is `after_id` brings it up to date.
///
/// Reading the rows through the database driver is most of the cost, so a large range of ids
/// is split in two halves read at once over two connections. Each half is read in pages in id
/// order (only the columns statistics need; the body only where no terms were kept), and each
/// page is decoded and counted on a blocking thread while the next one is read, so memory stays
/// bounded by four pages. Counts are sums, so the halves merge exactly.
pub async fn count_comments<C: ConnectionTrait>(
    conn: &C,
    consultation_id: i64,
    after_id: i64,
) -> DomainResult<Statistics> {
    use comment::Column as Col;
    let last: Option<i64> = comment::Entity::find()
        .select_only()
        .column_as(Col::Id.max(), "last")
        .filter(Col::ConsultationId.eq(consultation_id))
        .into_tuple()
        .one(conn)
        .await?
        .flatten();
    let Some(last) = last.filter(|&last| last > after_id) else {
        return Ok(Statistics::default());
    };
    if last - after_id <= 2 * PAGE as i64 {
        return count_range(conn, consultation_id, after_id, last).await;
    }
    let middle = after_id + (last - after_id) / 2;
    let (low, high) = tokio::join!(
        count_range(conn, consultation_id, after_id, middle),
        count_range(conn, consultation_id, middle, last),
    );
    let mut total = low?;
    total.merge(&high?);
    Ok(total)
}

/// The statistics of the consultation's comments with `after < id <= up_to`; see
/// [`count_comments`].
async fn count_range<C: ConnectionTrait>(
    conn: &C,
    consultation_id: i64,
    after: i64,
    up_to: i64,
) -> DomainResult<Statistics> {
    let mut total = Statistics::default();
    let mut counting: Option<tokio::task::JoinHandle<DomainResult<Statistics>>> = None;
    let mut after = after;
    loop {
        let page = facts_query(conn.get_database_backend(), consultation_id, after, up_to);
        let rows = conn.query_all_raw(page).await?;
        if let Some(counted) = counting.take() {
            total.merge(&counted.await.map_err(anyhow::Error::from)??);
        }
        let Some(last) = rows.last() else {
            return Ok(total);
        };
        after = last.try_get_by_index(0)?;
        counting = Some(tokio::task::spawn_blocking(move || {
            let facts = rows
                .iter()
                .map(comment_facts)
                .collect::<DomainResult<Vec<CommentFacts>>>()?;
            Ok(Statistics::from_comments(&facts))
        }));
    }
}

/// The separator of the fields in a packed row: U+001F, which stored text never contains
/// (`validate::Checks::text` refuses control characters; answers are stored as JSON, which
/// escapes them).
const SEPARATOR: char = '\u{1f}';

/// How many fields a packed row has (see [`comment_facts`]).
const PACKED_FIELDS: usize = 11;

/// One page of what statistics need from the comments with `after < id <= up_to`, in id
/// order: each row's id, then the row packed by the database into one text value. The
/// driver's cost is per value, not per byte (measured over 1,000,000 SQLite rows: eleven
/// columns 3.5 s, one packed column 1.3 s; packing as JSON instead cost twice that).
///
/// The words of private or hidden comments are not counted in the term list (it is public);
/// the comments themselves are. So the query decides, in this one place, whether a comment is
/// public, and reads its body only when it is public and kept no terms.
fn facts_query(backend: DbBackend, consultation_id: i64, after: i64, up_to: i64) -> Statement {
    use comment::Column as Col;
    let public = format!(
        "(publication <> '{}' AND moderation_status = '{}')",
        Publication::Private.as_str(),
        ModerationStatus::Published.as_str()
    );
    let sep = match backend {
        DbBackend::Postgres => "chr(31)",
        _ => "char(31)",
    };
    let packed = [
        "CAST(id AS TEXT)".to_string(),
        "CAST(received_at AS TEXT)".to_string(),
        format!("CASE WHEN {public} THEN '1' ELSE '0' END"),
        "stance".to_string(),
        "respondent_type".to_string(),
        "channel".to_string(),
        "COALESCE(province, '')".to_string(),
        "COALESCE(provision_id, '')".to_string(),
        "answers".to_string(),
        format!(
            "CASE WHEN NOT {public} THEN 'T' WHEN terms IS NULL THEN 'N' ELSE 'T' || terms END"
        ),
        format!("CASE WHEN {public} AND terms IS NULL THEN body ELSE '' END"),
    ]
    .join(&format!(" || {sep} || "));
    comment::Entity::find()
        .select_only()
        .column(Col::Id)
        .expr_as(Expr::cust(packed), "facts")
        .filter(Col::ConsultationId.eq(consultation_id))
        .filter(Col::Id.gt(after))
        .filter(Col::Id.lte(up_to))
        .order_by_asc(Col::Id)
        .limit(PAGE)
        .build(backend)
}

/// A row of [`facts_query`] as the statistics take it. The packed fields, in order: id,
/// received_at, public (`1` or `0`), stance, respondent type, channel, province (empty: none),
/// provision id (empty: none), answers (JSON), terms (`N`: not kept; `T` and the kept terms)
/// and, last so that it may hold anything, the body.
fn comment_facts(row: &QueryResult) -> DomainResult<CommentFacts> {
    let packed: String = row.try_get_by_index(1)?;
    let fields: Vec<&str> = packed.splitn(PACKED_FIELDS, SEPARATOR).collect();
    let &[
        id,
        received_at,
        public,
        stance,
        respondent_type,
        channel,
        province,
        provision,
        answers,
        terms,
        body,
    ] = fields.as_slice()
    else {
        return Err(anyhow::anyhow!("a packed statistics row has {} fields", fields.len()).into());
    };
    let number = |field: &str| {
        field
            .parse::<i64>()
            .map_err(|e| anyhow::anyhow!("a packed statistics row has a bad number: {e}"))
    };
    let optional = |field: &str| (!field.is_empty()).then(|| field.to_string());
    let public = public == "1";
    let answers: Vec<AnswerInput> = if answers == "[]" {
        Vec::new()
    } else {
        serde_json::from_str(answers).map_err(anyhow::Error::from)?
    };
    Ok(CommentFacts {
        id: number(id)?,
        stance: stance.to_string(),
        respondent_type: respondent_type.to_string(),
        province: optional(province),
        provision_id: optional(provision),
        channel: channel.to_string(),
        received_at: number(received_at)?,
        answers: answers
            .into_iter()
            .map(|a| AnswerFacts {
                question_id: a.question_id,
                choice: a.choice,
                choices: a.choices,
                scale: a.scale,
                text: a.text.filter(|_| public),
            })
            .collect(),
        terms: terms.strip_prefix('T').map(str::to_string),
        body: body.to_string(),
    })
}
