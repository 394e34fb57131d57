//! The statistics summary of a consultation, as last computed by the worker, with its campaign
//! clusters.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, QueryTrait, sea_query::Expr,
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
const PAGE: u64 = 10_000;

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
        let page = facts_query(consultation_id, after, up_to).build(conn.get_database_backend());
        let rows = conn.query_all_raw(page).await?;
        if let Some(counted) = counting.take() {
            total.merge(&counted.await.map_err(anyhow::Error::from)??);
        }
        let Some(last) = rows.last() else {
            return Ok(total);
        };
        after = last.try_get::<i64>("", "id")?;
        counting = Some(tokio::task::spawn_blocking(move || {
            let facts = rows
                .iter()
                .map(comment_facts)
                .collect::<Result<Vec<CommentFacts>, _>>()?;
            Ok(Statistics::from_comments(&facts))
        }));
    }
}

/// One page of what statistics need from the comments with `after < id <= up_to`, in id
/// order, in the column order [`comment_facts`] reads. The words of private or hidden comments
/// are not counted in the term list (it is public); the comments themselves are. So the query
/// decides, in one place, whether a comment is public, and reads its body only when it is
/// public and kept no terms; the answers only when there are any.
fn facts_query(consultation_id: i64, after: i64, up_to: i64) -> sea_orm::Select<comment::Entity> {
    use comment::Column as Col;
    let public = format!(
        "publication <> '{}' AND moderation_status = '{}'",
        Publication::Private.as_str(),
        ModerationStatus::Published.as_str()
    );
    comment::Entity::find()
        .select_only()
        .columns([
            Col::Id,
            Col::Stance,
            Col::RespondentType,
            Col::Province,
            Col::ProvisionId,
            Col::Channel,
            Col::ReceivedAt,
        ])
        .expr_as(Expr::cust("NULLIF(answers, '[]')"), "answers")
        .expr_as(
            Expr::cust(format!("CASE WHEN {public} THEN 1 ELSE 0 END")),
            "public",
        )
        .expr_as(
            Expr::cust(format!("CASE WHEN {public} THEN terms ELSE '' END")),
            "terms",
        )
        .expr_as(
            Expr::cust(format!(
                "CASE WHEN {public} AND terms IS NULL THEN body ELSE '' END"
            )),
            "body",
        )
        .filter(Col::ConsultationId.eq(consultation_id))
        .filter(Col::Id.gt(after))
        .filter(Col::Id.lte(up_to))
        .order_by_asc(Col::Id)
        .limit(PAGE)
}

/// A row of [`facts_query`] as the statistics take it; columns are read by position, which
/// costs a good part less than by name over a million rows.
fn comment_facts(row: &QueryResult) -> Result<CommentFacts, DbErr> {
    let public: i32 = row.try_get_by_index(8)?;
    let answers: Option<String> = row.try_get_by_index(7)?;
    let answers: Vec<AnswerInput> = answers
        .and_then(|a| serde_json::from_str(&a).ok())
        .unwrap_or_default();
    Ok(CommentFacts {
        id: row.try_get_by_index(0)?,
        stance: row.try_get_by_index(1)?,
        respondent_type: row.try_get_by_index(2)?,
        province: row.try_get_by_index(3)?,
        provision_id: row.try_get_by_index(4)?,
        channel: row.try_get_by_index(5)?,
        received_at: row.try_get_by_index(6)?,
        answers: answers
            .into_iter()
            .map(|a| AnswerFacts {
                question_id: a.question_id,
                choice: a.choice,
                choices: a.choices,
                scale: a.scale,
                text: a.text.filter(|_| public == 1),
            })
            .collect(),
        terms: row.try_get_by_index(9)?,
        body: row.try_get_by_index(10)?,
    })
}
