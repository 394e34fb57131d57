//! Counting a consultation's comments from the database: the one reader of comment rows for
//! statistics (the worker's updates and recounts, the hearing summary, the tests).
//!
//! A recount of a large consultation is bound by moving rows out of the database, so each
//! backend is read the way its driver is cheapest, and rows are counted where they lie,
//! borrowing their text ([`CommentView`]), never copied into owned structs:
//!
//! * PostgreSQL streams the rows with `COPY ... TO STDOUT (FORMAT binary)` and reads the
//!   tuples straight from the bytes the server sends ([`binary_copy`]). Over 1,000,000 rows
//!   that took 1.6 s of client CPU where fetching the same columns as rows took 2.0 s (the
//!   driver builds a row, a vector of ranges and a type check per value).
//! * SQLite reads pages of rows, each packed by the database into one text value (its driver
//!   copies every value out of a row, so its cost is per value: eleven columns 3.5 s, one
//!   packed column 1.3 s), and counts each page on a blocking thread while the next is read.
//!
//! A large range of ids is split in two halves counted at once, over two connections and two
//! threads. Counts are sums, so the halves merge exactly.

mod binary_copy;

use std::sync::LazyLock;

use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};

use crate::{
    entity::comment,
    error::DomainResult,
    ids::ConsultationId,
    stats::{Accumulator, AnswerView, CommentView, Statistics},
    types::{ModerationStatus, Publication},
};
use binary_copy::BinaryCopy;

/// The columns of [`POSTGRES_FACTS`].
type Fields<'a> = binary_copy::Tuple<'a, 11>;

/// How many comments a SQLite page holds.
const PAGE: i64 = 50_000;

/// Ranges of more ids than this are counted in two halves at once.
const SPLIT_ABOVE: i64 = 2 * PAGE;

/// The statistics of a consultation's comments whose id is above `after_id` (0: all of them).
/// Adding the result to a snapshot whose high-water mark is `after_id` brings it up to date.
pub async fn count_comments(
    conn: &DatabaseConnection,
    consultation_id: ConsultationId,
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
    match conn.get_database_backend() {
        DbBackend::Postgres => {
            let pool = conn.get_postgres_connection_pool();
            in_halves(after_id, last, |after, up_to| {
                count_postgres(pool.clone(), consultation_id.get(), after, up_to)
            })
            .await
        }
        DbBackend::Sqlite => {
            let pool = conn.get_sqlite_connection_pool();
            in_halves(after_id, last, |after, up_to| {
                count_sqlite(pool, consultation_id.get(), after, up_to)
            })
            .await
        }
        other => Err(anyhow::anyhow!("statistics are not read from {other:?}").into()),
    }
}

/// Whether the snapshot `stats` (counted up to its high-water mark) missed comments: on
/// PostgreSQL, a comment can become visible after comments with higher ids (several API
/// processes insert at once, and ids are taken before commit), so an update that advanced the
/// mark past it never reads it. The snapshot counts every comment at or below its mark exactly
/// when its total equals the number of those rows. On SQLite writers take turns, so ids become
/// visible in order and nothing is missed.
pub async fn missed_comments(
    conn: &DatabaseConnection,
    consultation_id: ConsultationId,
    stats: &Statistics,
) -> DomainResult<bool> {
    if conn.get_database_backend() == DbBackend::Sqlite {
        return Ok(false);
    }
    use comment::Column as Col;
    let rows = comment::Entity::find()
        .filter(Col::ConsultationId.eq(consultation_id))
        .filter(Col::Id.lte(stats.last_comment_id))
        .count(conn)
        .await?;
    Ok(rows != stats.total)
}

/// `count(after, up_to)` over `after < id <= last`, in two halves at once when the range is
/// large.
async fn in_halves<F, Fut>(after: i64, last: i64, count: F) -> DomainResult<Statistics>
where
    F: Fn(i64, i64) -> Fut,
    Fut: Future<Output = DomainResult<Statistics>>,
{
    if last - after <= SPLIT_ABOVE {
        return count(after, last).await;
    }
    let middle = after + (last - after) / 2;
    let (low, high) = tokio::join!(count(after, middle), count(middle, last));
    let mut total = low?;
    total.merge(&high?);
    Ok(total)
}

/// The words of private or hidden comments are not counted in the term list, nor their
/// free-text answers (the summary is public); the comments themselves are. This is the one
/// place that decides whether a comment counts as public.
fn public_condition() -> String {
    format!(
        "(publication <> '{}' AND moderation_status = '{}')",
        Publication::Private.as_str(),
        ModerationStatus::Published.as_str()
    )
}

/// Whether a comment's kept terms can be counted: they were kept by this version of the
/// segmentation (`stats::terms_version`, digits, letters and a dash, so safe to write into
/// SQL). Otherwise its body is read and segmented again.
fn kept_condition() -> String {
    format!(
        "(terms IS NOT NULL AND terms_version IS NOT NULL AND terms_version = '{}')",
        crate::stats::terms_version()
    )
}

/// The PostgreSQL query of the facts statistics need, with `{consultation}`, `{after}` and
/// `{up_to}` to fill in (COPY takes no parameters). Its columns are [`Fields`], in order.
static POSTGRES_FACTS: LazyLock<String> = LazyLock::new(|| {
    let public = public_condition();
    let kept = kept_condition();
    format!(
        "COPY (SELECT id, received_at, {public}, stance, respondent_type, channel, province, \
                      provision_id, answers, \
                      CASE WHEN NOT {public} THEN '' WHEN {kept} THEN terms END, \
                      CASE WHEN {public} AND NOT {kept} THEN body ELSE '' END \
               FROM comments \
               WHERE consultation_id = {{consultation}} AND id > {{after}} AND id <= {{up_to}}) \
         TO STDOUT (FORMAT binary)"
    )
});

/// The statistics of the consultation's comments with `after < id <= up_to`, on PostgreSQL:
/// one binary COPY, read and counted on a blocking thread as it arrives (memory stays bounded
/// by the socket's buffers).
async fn count_postgres(
    pool: sqlx::PgPool,
    consultation_id: i64,
    after: i64,
    up_to: i64,
) -> DomainResult<Statistics> {
    use futures_util::TryStreamExt as _;
    use sqlx::postgres::PgPoolCopyExt as _;
    let sql = POSTGRES_FACTS
        .replace("{consultation}", &consultation_id.to_string())
        .replace("{after}", &after.to_string())
        .replace("{up_to}", &up_to.to_string());
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        runtime.block_on(async move {
            let mut chunks = pool.copy_out_raw(&sql).await?;
            let mut counted = Accumulator::default();
            let mut tuples = BinaryCopy::<11>::default();
            while let Some(chunk) = chunks.try_next().await? {
                tuples.feed(&chunk, |fields| {
                    counted.add(&postgres_view(fields)?);
                    Ok(())
                })?;
            }
            tuples.finish()?;
            Ok(counted.finish())
        })
    })
    .await
    .map_err(anyhow::Error::from)?
}

/// A tuple of [`POSTGRES_FACTS`] as the statistics read it.
fn postgres_view<'a>(fields: &Fields<'a>) -> DomainResult<CommentView<'a>> {
    let number = |i: usize| -> DomainResult<i64> {
        let bytes: [u8; 8] = fields[i]
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| anyhow::anyhow!("a statistics row has a bad number in column {i}"))?;
        Ok(i64::from_be_bytes(bytes))
    };
    let text = |i: usize| -> DomainResult<Option<&'a str>> { fields[i].map(utf8).transpose() };
    let public = fields[2] == Some(&[1u8][..]);
    Ok(CommentView {
        id: number(0)?,
        received_at: number(1)?,
        stance: text(3)?.unwrap_or_default(),
        respondent_type: text(4)?.unwrap_or_default(),
        channel: text(5)?.unwrap_or_default(),
        province: text(6)?.unwrap_or_default(),
        provision_id: text(7)?.unwrap_or_default(),
        answers: answers(text(8)?.unwrap_or_default(), public)?,
        terms: text(9)?,
        body: text(10)?.unwrap_or_default(),
    })
}

/// The separator of the fields in a packed SQLite row: U+001F, which stored text never
/// contains (`validate::Checks::text` refuses control characters; answers are stored as JSON,
/// which escapes them).
const SEPARATOR: char = '\u{1f}';

/// How many fields a packed SQLite row has (see [`sqlite_view`]).
const PACKED_FIELDS: usize = 11;

/// One SQLite page: the comments of the consultation with `?2 < id <= ?3`, in id order, at
/// most `?4` of them, each packed into one text value (see [`sqlite_view`]).
static SQLITE_FACTS: LazyLock<String> = LazyLock::new(|| {
    let public = public_condition();
    let kept = kept_condition();
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
        format!("CASE WHEN NOT {public} THEN 'T' WHEN {kept} THEN 'T' || terms ELSE 'N' END"),
        format!("CASE WHEN {public} AND NOT {kept} THEN body ELSE '' END"),
    ]
    .join(" || char(31) || ");
    format!(
        "SELECT {packed} FROM comments \
         WHERE consultation_id = ?1 AND id > ?2 AND id <= ?3 ORDER BY id LIMIT ?4"
    )
});

/// The statistics of the consultation's comments with `after < id <= up_to`, on SQLite: in
/// pages, each counted on a blocking thread while the next one is read (memory stays bounded
/// by two pages).
async fn count_sqlite(
    pool: &sqlx::SqlitePool,
    consultation_id: i64,
    after: i64,
    up_to: i64,
) -> DomainResult<Statistics> {
    let mut total = Statistics::default();
    let mut counting: Option<tokio::task::JoinHandle<DomainResult<Statistics>>> = None;
    let mut after = after;
    loop {
        let page = sqlx::query(sqlx::AssertSqlSafe(SQLITE_FACTS.as_str()))
            .bind(consultation_id)
            .bind(after)
            .bind(up_to)
            .bind(PAGE)
            .fetch_all(pool)
            .await?;
        if let Some(counted) = counting.take() {
            total.merge(&counted.await.map_err(anyhow::Error::from)??);
        }
        let Some(last) = page.last() else {
            return Ok(total);
        };
        after = sqlite_view(last)?.id;
        counting = Some(tokio::task::spawn_blocking(move || {
            let mut counted = Accumulator::default();
            for row in &page {
                counted.add(&sqlite_view(row)?);
            }
            Ok(counted.finish())
        }));
    }
}

/// A row of [`SQLITE_FACTS`] as the statistics read it. The packed fields, in order: id,
/// received_at, public (`1` or `0`), stance, respondent type, channel, province (empty: none),
/// provision id (empty: none), answers (JSON), terms (`N`: not kept; `T` and the kept terms)
/// and, last so that it may hold anything, the body.
fn sqlite_view(row: &sqlx::sqlite::SqliteRow) -> DomainResult<CommentView<'_>> {
    use sqlx::Row as _;
    let packed = utf8(row.try_get_unchecked::<&[u8], _>(0)?)?;
    let mut fields = packed.splitn(PACKED_FIELDS, SEPARATOR);
    let mut next = || {
        fields.next().ok_or_else(|| {
            anyhow::anyhow!("a packed statistics row has fewer than {PACKED_FIELDS} fields")
        })
    };
    let number = |field: &str| {
        field
            .parse::<i64>()
            .map_err(|e| anyhow::anyhow!("a packed statistics row has a bad number: {e}"))
    };
    let id = number(next()?)?;
    let received_at = number(next()?)?;
    let public = next()? == "1";
    Ok(CommentView {
        id,
        received_at,
        stance: next()?,
        respondent_type: next()?,
        channel: next()?,
        province: next()?,
        provision_id: next()?,
        answers: answers(next()?, public)?,
        terms: next()?.strip_prefix('T'),
        body: next()?,
    })
}

/// The answers stored with a comment (JSON), without the free text of a comment that is not
/// public.
fn answers(json: &str, public: bool) -> DomainResult<Vec<AnswerView<'_>>> {
    if json == "[]" {
        return Ok(Vec::new());
    }
    let mut answers: Vec<AnswerView<'_>> =
        serde_json::from_str(json).map_err(anyhow::Error::from)?;
    if !public {
        for a in &mut answers {
            a.text = None;
        }
    }
    Ok(answers)
}

/// Text read from the database as bytes, validated as UTF-8 with SIMD (the standard library's
/// check is slow on Thai text, and was a tenth of a recount's time).
fn utf8(bytes: &[u8]) -> DomainResult<&str> {
    simdutf8::basic::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the database returned text that is not UTF-8").into())
}
