//! Comments: validation, idempotent submission through a group-committing writer, and the
//! public listing.
//!
//! Acceptance is decided by the server's receipt time against the consultation's dates, taken
//! when the request arrives. Accepted comments are written by one writer task per process that
//! commits whatever requests are waiting in one transaction (group commit): a caller is answered
//! only after its row is committed, so a 201 means the comment is on disk, and one fsync serves
//! many comments.
//!
//! `Idempotency-Key`: the first request with a key stores the key with the request's hash and
//! the comment's tracking number. A repeat with the same hash replays the first receipt; with a
//! different hash it is refused. The unique index on (account, key) settles races between
//! processes; within a process, the writer sees earlier rows of its own batch.

use std::collections::HashMap;

use rand::Rng;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use super::{
    consultations, drafts,
    page::{Page, PageRequest},
    validate::Checks,
};
use crate::{
    audit::{AuditChain, AuditRecord, sha256_hex},
    db::Db,
    entity::{account, comment, consultation, draft_version, idempotency_key},
    error::{DomainError, DomainResult},
    ids::{AccountId, AgencyId, CommentId, ConsultationId, DraftId},
    jobs::IndexTarget,
    time::now_ms,
    types::{
        Actor, Answer, Channel, ModerationStatus, Publication, Question, QuestionKind,
        RespondentType, Stance,
    },
};

pub const MAX_COMMENT_CHARS: usize = 20_000;
const MAX_BATCH: usize = 512;

#[derive(Debug, Clone, Serialize)]
pub struct NewComment {
    pub body: String,
    pub stance: Stance,
    pub provision_id: Option<String>,
    pub answers: Vec<Answer>,
    pub respondent_type: Option<RespondentType>,
    pub organisation_name: Option<String>,
    pub province: Option<String>,
    pub publication: Option<Publication>,
    /// Tell the author by e-mail when the hearing summary is published.
    pub notify: bool,
}

/// What the submitter gets back, and what a retry with the same key replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: CommentId,
    pub tracking_number: String,
    pub received_at: i64,
}

/// A comment that passed the checks that need no database.
#[derive(Debug, Clone)]
struct Prepared {
    actor: Actor,
    consultation_id: ConsultationId,
    channel: Channel,
    received_at: i64,
    idempotency_key: Option<String>,
    request_hash: String,
    body: String,
    /// The body's content words (`stats::comment_terms`), segmented here, outside the writer.
    terms: String,
    stance: Stance,
    provision_id: Option<String>,
    answers: Vec<Answer>,
    respondent_type: RespondentType,
    organisation_name: Option<String>,
    province: Option<String>,
    publication: Publication,
    notify: bool,
}

fn prepare(
    actor: &Actor,
    consultation_id: ConsultationId,
    channel: Channel,
    key: Option<String>,
    input: NewComment,
    received_at: i64,
) -> DomainResult<Prepared> {
    let mut checks = Checks::new();
    if let Some(k) = &key
        && (k.is_empty() || k.len() > 255 || !k.is_ascii())
    {
        checks.push(
            "Idempotency-Key",
            "invalid_value",
            "an Idempotency-Key is 1-255 ASCII characters",
        );
    }
    let body = checks.text("body", &input.body, MAX_COMMENT_CHARS);
    let organisation_name =
        checks.optional_title("organisation_name", input.organisation_name.as_deref(), 300);
    let province = checks.optional_text("province", input.province.as_deref(), 100);
    let provision_id = checks.optional_text("provision_id", input.provision_id.as_deref(), 64);
    if input.answers.len() > 50 {
        checks.push("answers", "too_many", "at most 50 answers");
    }
    checks.finish()?;
    let request_hash = sha256_hex(
        serde_json::json!([
            consultation_id.get(),
            serde_json::to_value(&input).map_err(anyhow::Error::from)?
        ])
        .to_string()
        .as_bytes(),
    );
    Ok(Prepared {
        actor: *actor,
        consultation_id,
        channel,
        received_at,
        idempotency_key: key,
        request_hash,
        terms: crate::stats::comment_terms(&body),
        body,
        stance: input.stance,
        provision_id,
        answers: input.answers,
        respondent_type: input.respondent_type.unwrap_or(RespondentType::Individual),
        organisation_name,
        province,
        publication: input.publication.unwrap_or(Publication::Anonymous),
        notify: input.notify,
    })
}

/// Every problem [`CommentIngest::submit`] would refuse `input` for without looking at the
/// database, given the consultation's questions: for forms that show all problems at once.
/// Stores nothing.
pub fn precheck(
    actor: &Actor,
    consultation_id: ConsultationId,
    input: &NewComment,
    questions: &[Question],
) -> Vec<crate::error::FieldError> {
    let mut problems = Vec::new();
    let mut keep = |r: DomainResult<()>| {
        if let Err(DomainError::Validation(fields)) = r {
            problems.extend(fields);
        }
    };
    keep(prepare(actor, consultation_id, Channel::Web, None, input.clone(), 0).map(|_| ()));
    keep(check_answers(questions, &input.answers).map(|_| ()));
    problems
}

/// Checks answers against the consultation's questions and returns them normalised.
fn check_answers(questions: &[Question], answers: &[Answer]) -> DomainResult<Vec<Answer>> {
    let mut checks = Checks::new();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, a) in answers.iter().enumerate() {
        let field = format!("answers[{i}]");
        let Some(q) = questions.iter().find(|q| q.id == a.question_id) else {
            checks.push(
                format!("{field}.question_id"),
                "not_found",
                format!("this consultation has no question {}", a.question_id),
            );
            continue;
        };
        if !seen.insert(q.id.clone()) {
            checks.push(
                format!("{field}.question_id"),
                "duplicate",
                "a question is answered once",
            );
            continue;
        }
        let mut normal = Answer {
            question_id: q.id.clone(),
            ..Default::default()
        };
        match q.kind {
            QuestionKind::SingleChoice => match &a.choice {
                Some(c) if q.options.contains(c) => normal.choice = Some(c.clone()),
                _ => checks.push(
                    format!("{field}.choice"),
                    "invalid_value",
                    "choice must be one of the question's options",
                ),
            },
            QuestionKind::MultipleChoice => match &a.choices {
                Some(cs) if !cs.is_empty() && cs.iter().all(|c| q.options.contains(c)) => {
                    let mut cs = cs.clone();
                    cs.dedup();
                    normal.choices = Some(cs);
                }
                _ => checks.push(
                    format!("{field}.choices"),
                    "invalid_value",
                    "choices must be a non-empty list of the question's options",
                ),
            },
            QuestionKind::Scale => match a.scale {
                Some(s @ 1..=5) => normal.scale = Some(s),
                _ => checks.push(
                    format!("{field}.scale"),
                    "out_of_range",
                    "scale is a whole number from 1 to 5",
                ),
            },
            QuestionKind::Text => match a.text.as_deref().map(|t| crate::text::canonical(t.trim()))
            {
                Some(t)
                    if crate::text::has_visible(&t)
                        && t.chars().count() <= 5000
                        && !t
                            .chars()
                            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) =>
                {
                    normal.text = Some(t.into_owned())
                }
                _ => checks.push(
                    format!("{field}.text"),
                    "invalid_value",
                    "text is 1 to 5000 characters",
                ),
            },
        }
        out.push(normal);
    }
    for q in questions.iter().filter(|q| q.required) {
        if !answers.iter().any(|a| a.question_id == q.id) {
            checks.push(
                "answers",
                "required",
                format!("question {} must be answered", q.id),
            );
        }
    }
    checks.finish()?;
    Ok(out)
}

/// A tracking number such as `RF-20261121-7KQ2M9XD`: the receipt date and 8 random
/// characters from an alphabet without look-alikes.
fn tracking_number(received_at: i64) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::rng();
    let tail: String = (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!(
        "RF-{}-{tail}",
        crate::time::to_datetime(received_at).format("%Y%m%d")
    )
}

/// The hash used to spot identical comments: whitespace collapsed, case folded.
pub fn content_hash(body: &str) -> String {
    let normal: Vec<String> = body.split_whitespace().map(str::to_lowercase).collect();
    sha256_hex(normal.join(" ").as_bytes())
}

type Reply = oneshot::Sender<DomainResult<Receipt>>;

/// The handle to this process's comment writer. Cloning is cheap; the writer stops when the
/// last handle is dropped, after writing what it already received.
#[derive(Clone)]
pub struct CommentIngest {
    sender: mpsc::Sender<(Prepared, Reply)>,
}

impl CommentIngest {
    pub fn start(db: Db) -> CommentIngest {
        let (sender, receiver) = mpsc::channel(4096);
        tokio::spawn(writer(db, receiver));
        CommentIngest { sender }
    }

    /// Validates and stores a comment, answering once it is committed.
    pub async fn submit(
        &self,
        actor: &Actor,
        consultation_id: ConsultationId,
        channel: Channel,
        key: Option<String>,
        input: NewComment,
    ) -> DomainResult<Receipt> {
        let prepared = prepare(actor, consultation_id, channel, key, input, now_ms())?;
        let (reply, answer) = oneshot::channel();
        self.sender.send((prepared, reply)).await.map_err(|_| {
            DomainError::Internal(anyhow::anyhow!("the comment writer has stopped"))
        })?;
        answer.await.map_err(|_| {
            DomainError::Internal(anyhow::anyhow!("the comment writer dropped a request"))
        })?
    }
}

async fn writer(db: Db, mut receiver: mpsc::Receiver<(Prepared, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (items, replies): (Vec<Prepared>, Vec<Reply>) =
            std::mem::take(&mut batch).into_iter().unzip();
        match write_batch(&db, &items).await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(err) => {
                let busy = matches!(err, DomainError::DbBusy);
                if !busy {
                    tracing::error!(error = ?err, "writing a batch of comments failed");
                }
                for reply in replies {
                    let _ = reply.send(Err(if busy {
                        DomainError::DbBusy
                    } else {
                        DomainError::Internal(anyhow::anyhow!("writing the comment failed"))
                    }));
                }
            }
        }
    }
}

/// What the writer needs to know about a consultation to accept comments on it.
struct Target {
    consultation: consultation::Model,
    /// Whether the draft is published (anyone may comment) or only its agency sees it.
    public: bool,
    agency_id: i64,
    provision_ids: Vec<String>,
    questions: Vec<Question>,
}

async fn load_target<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: ConsultationId,
) -> DomainResult<Target> {
    let c = consultations::find_visible(conn, Some(actor), id).await?;
    let draft = drafts::find_visible(conn, Some(actor), DraftId(c.draft_id)).await?;
    let version = draft_version::Entity::find()
        .filter(draft_version::Column::DraftId.eq(c.draft_id))
        .filter(draft_version::Column::Number.eq(c.version_number))
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("version"))?;
    Ok(Target {
        provision_ids: version.provisions.0.into_iter().map(|p| p.id).collect(),
        questions: c.questions.0.clone(),
        public: draft.published_at.is_some(),
        agency_id: draft.agency_id,
        consultation: c,
    })
}

/// What the checks decided for one request of a batch.
enum Outcome {
    /// A new comment, inserted with the others of the batch.
    Insert(Box<comment::ActiveModel>, String),
    /// A retry of an earlier request: answer with that comment's receipt.
    Replay(String),
}

/// Comments inserted by one statement; a batch's last statement takes the rest.
const INSERT_ROWS: usize = 64;

/// Writes a batch in one transaction: every request is checked in order (so a retry inside the
/// batch sees the first request's key), then the new comments are inserted
/// ([`INSERT_ROWS`] a statement), and their index jobs and audit events with one statement
/// each. The outer error fails the whole batch; the inner
/// ones are answers to single requests.
async fn write_batch(db: &Db, items: &[Prepared]) -> DomainResult<Vec<DomainResult<Receipt>>> {
    let tx = db.write().await?;
    let mut chain = AuditChain::lock(&*tx).await?;
    let mut targets: HashMap<ConsultationId, Option<Target>> = HashMap::new();
    let mut outcomes = Vec::with_capacity(items.len());
    for item in items {
        match check_one(&*tx, &mut targets, item).await {
            // A database failure fails the batch: its transaction may be unusable.
            Err(e @ (DomainError::DbBusy | DomainError::Internal(_))) => return Err(e),
            other => outcomes.push(other),
        }
    }
    let new: Vec<comment::ActiveModel> = outcomes
        .iter()
        .filter_map(|o| match o {
            Ok(Outcome::Insert(m, _)) => Some((**m).clone()),
            _ => None,
        })
        .collect();
    let mut stored: HashMap<String, comment::Model> = HashMap::new();
    if !new.is_empty() {
        // A fixed number of rows per statement, so the statements stay in the driver's
        // prepared-statement cache (a statement of each batch's own size was prepared anew
        // every time, which made one big statement slower than a statement per row).
        for chunk in new.chunks(INSERT_ROWS) {
            let rows = comment::Entity::insert_many(chunk.to_vec())
                .exec_with_returning(&*tx)
                .await?;
            for m in rows {
                stored.insert(m.tracking_number.clone(), m);
            }
        }
        let mut jobs = Vec::new();
        for m in stored.values() {
            if m.publication != Publication::Private {
                jobs.push(IndexTarget::Comment(m.id));
            }
            chain.push(AuditRecord {
                actor: Some(AccountId(m.account_id)),
                action: "comment.create",
                entity_type: "comment",
                entity_id: m.id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "consultation_id": m.consultation_id, "tracking_number": m.tracking_number,
                    "content_hash": m.content_hash, "publication": m.publication,
                })),
            });
        }
        crate::jobs::enqueue_many(&*tx, &jobs).await?;
        let receipts: Vec<crate::jobs::MailJob> = stored
            .values()
            .map(|m| crate::jobs::MailJob::CommentReceipt { comment_id: m.id })
            .collect();
        crate::jobs::enqueue_many(&*tx, &receipts).await?;
        let mut consultations: Vec<i64> = stored.values().map(|m| m.consultation_id).collect();
        consultations.sort_unstable();
        consultations.dedup();
        for consultation_id in consultations {
            let job = crate::jobs::AggregateJob::update(consultation_id);
            crate::jobs::enqueue(&*tx, &job).await?;
        }
    }
    let mut results = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        results.push(match outcome {
            Err(e) => Err(e),
            Ok(Outcome::Insert(_, tracking)) => {
                let c = stored
                    .get(&tracking)
                    .ok_or_else(|| anyhow::anyhow!("an inserted comment was not returned"))?;
                Ok(Receipt {
                    id: CommentId(c.id),
                    tracking_number: tracking,
                    received_at: c.received_at,
                })
            }
            Ok(Outcome::Replay(tracking)) => match stored.get(&tracking) {
                Some(c) => Ok(Receipt {
                    id: CommentId(c.id),
                    tracking_number: tracking,
                    received_at: c.received_at,
                }),
                None => find_receipt(&*tx, &tracking).await,
            },
        });
    }
    chain.finish(&*tx).await?;
    tx.commit().await?;
    Ok(results)
}

async fn check_one<C: ConnectionTrait>(
    conn: &C,
    targets: &mut HashMap<ConsultationId, Option<Target>>,
    item: &Prepared,
) -> DomainResult<Outcome> {
    if let Some(key) = &item.idempotency_key
        && let Some(existing) = find_key(conn, item.actor.account_id, key).await?
    {
        return replay(&existing, &item.request_hash);
    }
    // Consultations exist only on published drafts, so what is loaded for one commenter holds
    // for all: load each consultation once per batch.
    if let std::collections::hash_map::Entry::Vacant(e) = targets.entry(item.consultation_id) {
        let target = match load_target(conn, &item.actor, item.consultation_id).await {
            Ok(t) => Some(t),
            Err(DomainError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        e.insert(target);
    }
    let target = targets
        .get(&item.consultation_id)
        .and_then(Option::as_ref)
        .filter(|t| {
            t.public || crate::types::sees_unpublished(Some(&item.actor), AgencyId(t.agency_id))
        })
        .ok_or(DomainError::NotFound("consultation"))?;
    let c = &target.consultation;
    if c.summary_published_at.is_some()
        || item.received_at < c.opens_at
        || item.received_at >= c.closes_at
    {
        return Err(DomainError::ConsultationNotOpen(format!(
            "this consultation accepts comments from {} until {} (UTC)",
            crate::time::to_datetime(c.opens_at).to_rfc3339(),
            crate::time::to_datetime(c.closes_at).to_rfc3339()
        )));
    }
    if let Some(p) = &item.provision_id
        && !target.provision_ids.contains(p)
    {
        return Err(DomainError::invalid(
            "provision_id",
            "not_found",
            format!("the consulted version has no provision {p}"),
        ));
    }
    let answers = check_answers(&target.questions, &item.answers)?;
    let tracking = tracking_number(item.received_at);
    if let Some(key) = &item.idempotency_key {
        let saved = super::idempotency::SavedAnswer {
            account_id: item.actor.account_id,
            key,
            request_hash: &item.request_hash,
            status: 201,
            response: &tracking,
            at: item.received_at,
        };
        let inserted = super::idempotency::insert(conn, saved).await?;
        if !inserted {
            // Another process stored this key between our look-up and our insert.
            let existing = find_key(conn, item.actor.account_id, key)
                .await?
                .ok_or_else(|| anyhow::anyhow!("idempotency key vanished"))?;
            return replay(&existing, &item.request_hash);
        }
    }
    Ok(Outcome::Insert(
        Box::new(comment::ActiveModel {
            consultation_id: Set(item.consultation_id.get()),
            account_id: Set(item.actor.account_id.get()),
            provision_id: Set(item.provision_id.clone()),
            stance: Set(item.stance),
            content_hash: Set(content_hash(&item.body)),
            body: Set(item.body.clone()),
            answers: Set(answers.into()),
            respondent_type: Set(item.respondent_type),
            organisation_name: Set(item.organisation_name.clone()),
            province: Set(item.province.clone()),
            publication: Set(item.publication),
            moderation_status: Set(ModerationStatus::Published),
            channel: Set(item.channel),
            tracking_number: Set(tracking.clone()),
            received_at: Set(item.received_at),
            cluster_id: Set(None),
            notify: Set(item.notify),
            terms: Set(Some(item.terms.clone())),
            terms_version: Set(Some(crate::stats::terms_version().into())),
            ..Default::default()
        }),
        tracking,
    ))
}

async fn find_key<C: ConnectionTrait>(
    conn: &C,
    account_id: AccountId,
    key: &str,
) -> DomainResult<Option<idempotency_key::Model>> {
    Ok(idempotency_key::Entity::find()
        .filter(idempotency_key::Column::AccountId.eq(account_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(conn)
        .await?)
}

fn replay(key: &idempotency_key::Model, request_hash: &str) -> DomainResult<Outcome> {
    if key.request_hash != request_hash {
        return Err(DomainError::IdempotencyKeyReused);
    }
    Ok(Outcome::Replay(key.response_body.clone()))
}

async fn find_receipt<C: ConnectionTrait>(conn: &C, tracking: &str) -> DomainResult<Receipt> {
    let c = comment::Entity::find()
        .filter(comment::Column::TrackingNumber.eq(tracking))
        .one(conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the comment of a stored idempotency key is missing"))?;
    Ok(Receipt {
        id: CommentId(c.id),
        tracking_number: c.tracking_number,
        received_at: c.received_at,
    })
}

/// A comment as the public sees it: only the columns the public may see are read.
/// `author_name` is set only for `named` comments.
#[derive(Debug, Clone)]
pub struct PublicComment {
    pub comment: PublicCommentRow,
    pub author_name: Option<String>,
}

/// The columns of a comment that the public sees, with the answers as their stored JSON text
/// (bulk readers pass it through; [`PublicCommentRow::answers`] reads it).
#[derive(Debug, Clone, sea_orm::DerivePartialModel)]
#[sea_orm(entity = "comment::Entity")]
pub struct PublicCommentRow {
    pub id: i64,
    pub consultation_id: i64,
    pub account_id: i64,
    pub provision_id: Option<String>,
    pub stance: Stance,
    pub body: String,
    /// JSON text, as stored.
    pub answers: String,
    pub respondent_type: RespondentType,
    pub publication: Publication,
    pub organisation_name: Option<String>,
    pub province: Option<String>,
    pub channel: Channel,
    pub received_at: i64,
    pub cluster_id: Option<i64>,
}

impl PublicCommentRow {
    /// The answers to the questionnaire. The text was written by Rabfang as JSON; text that is
    /// not is an internal error, never an empty answer.
    pub fn answers(&self) -> DomainResult<Vec<Answer>> {
        serde_json::from_str(&self.answers).map_err(|e| {
            DomainError::Internal(anyhow::anyhow!(
                "comments.answers of comment {}: {e}",
                self.id
            ))
        })
    }
}

/// Which published comments to list.
#[derive(Debug, Clone, Default)]
pub struct PublicCommentFilter {
    /// Only comments on this provision (`s5`).
    pub provision: Option<String>,
    pub stance: Option<Stance>,
    /// Only comments with a public change at or after this time (ms): received, or hidden and
    /// published again (a hidden one is not listed).
    pub updated_since: Option<i64>,
}

/// Published, non-private comments of a consultation the caller may see.
pub async fn list_public_comments<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    consultation_id: ConsultationId,
    filter: PublicCommentFilter,
    page: PageRequest,
) -> DomainResult<Page<PublicComment>> {
    consultations::find_visible(conn, actor, consultation_id).await?;
    let rows = public_query(consultation_id, filter, page)
        .limit(page.fetch())
        .into_partial_model::<PublicCommentRow>()
        .all(conn)
        .await?;
    let page = Page::from_rows(rows, page, |c| c.id);
    let authors = author_names(
        conn,
        page.items.iter().map(|c| (c.publication, c.account_id)),
    )
    .await?;
    Ok(page.map(|c| PublicComment {
        author_name: authors
            .get(&c.account_id)
            .cloned()
            .filter(|_| c.publication == Publication::Named),
        comment: c,
    }))
}

/// The public comments of a consultation, by id (the rules of [`list_public_comments`]; the
/// caller checks the consultation is visible).
fn public_query(
    consultation_id: ConsultationId,
    filter: PublicCommentFilter,
    page: PageRequest,
) -> sea_orm::Select<comment::Entity> {
    let mut query = comment::Entity::find()
        .filter(comment::Column::ConsultationId.eq(consultation_id))
        .filter(comment::Column::ModerationStatus.eq(ModerationStatus::Published))
        .filter(comment::Column::Publication.ne(Publication::Private))
        .order_by_asc(comment::Column::Id);
    if let Some(p) = filter.provision {
        query = query.filter(comment::Column::ProvisionId.eq(p));
    }
    if let Some(s) = filter.stance {
        query = query.filter(comment::Column::Stance.eq(s));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(
            comment::Column::Id.in_subquery(super::changes::changed_since(
                super::changes::ObjectType::Comment,
                since,
            )),
        );
    }
    if let Some(after) = page.after {
        query = query.filter(comment::Column::Id.gt(after));
    }
    query
}

/// The display names of the authors of `named` comments among `(publication, account)`.
async fn author_names<C: ConnectionTrait>(
    conn: &C,
    comments: impl Iterator<Item = (Publication, i64)>,
) -> DomainResult<HashMap<i64, String>> {
    let named = comments
        .filter(|(p, _)| *p == Publication::Named)
        .map(|(_, account)| account);
    Ok(
        super::by_ids::<account::Entity, _>(conn, account::Column::Id, named, |a| a.id)
            .await?
            .into_iter()
            .map(|(id, a)| (id, a.display_name))
            .collect(),
    )
}

/// The comments among `ids` that the public sees, as it sees them: published, not private,
/// on a consultation whose draft is published (the rules of [`list_public_comments`]), with
/// the author's name on `named` ones. A handful of queries whatever the number of ids.
pub async fn public_comments<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> DomainResult<HashMap<i64, PublicComment>> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = comment::Entity::find()
        .filter(comment::Column::Id.is_in(ids))
        .filter(comment::Column::ModerationStatus.eq(ModerationStatus::Published))
        .filter(comment::Column::Publication.ne(Publication::Private))
        .into_partial_model::<PublicCommentRow>()
        .all(conn)
        .await?;
    let consultations = super::by_ids::<consultation::Entity, _>(
        conn,
        consultation::Column::Id,
        rows.iter().map(|c| c.consultation_id),
        |c| c.id,
    )
    .await?;
    let drafts = super::by_ids::<crate::entity::draft::Entity, _>(
        conn,
        crate::entity::draft::Column::Id,
        consultations.values().map(|c| c.draft_id),
        |d| d.id,
    )
    .await?;
    let visible = |c: &PublicCommentRow| {
        consultations
            .get(&c.consultation_id)
            .and_then(|k| drafts.get(&k.draft_id))
            .is_some_and(|d| d.published_at.is_some())
    };
    let rows: Vec<PublicCommentRow> = rows.into_iter().filter(|c| visible(c)).collect();
    let authors = author_names(conn, rows.iter().map(|c| (c.publication, c.account_id))).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let author_name = authors
                .get(&c.account_id)
                .cloned()
                .filter(|_| c.publication == Publication::Named);
            (
                c.id,
                PublicComment {
                    author_name,
                    comment: c,
                },
            )
        })
        .collect())
}

/// Removes nothing; kept for symmetry with the public listing: comments by id for staff.
pub async fn count_comments<C: ConnectionTrait>(
    conn: &C,
    consultation_id: ConsultationId,
) -> DomainResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(comment::Entity::find()
        .filter(comment::Column::ConsultationId.eq(consultation_id))
        .count(conn)
        .await?)
}

/// Hides a comment from the public (or publishes it again), with a reason for the audit trail.
/// Officers of the draft's agency only. The comment leaves (or re-enters) the public listing and
/// the search index; it stays counted in the statistics, but its words leave (or re-enter) the
/// public term list when the worker recounts them.
pub async fn moderate(
    db: &Db,
    actor: &Actor,
    consultation_id: ConsultationId,
    comment_id: CommentId,
    status: ModerationStatus,
    reason: &str,
) -> DomainResult<comment::Model> {
    let mut checks = Checks::new();
    let reason = checks.text("reason", reason, 2000);
    checks.finish()?;
    let tx = db.write().await?;
    let c = consultations::find_visible(&*tx, Some(actor), consultation_id).await?;
    drafts::find_managed(&*tx, actor, DraftId(c.draft_id))
        .await
        .map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::NotFound("consultation"),
            other => other,
        })?;
    let found = comment::Entity::find_by_id(comment_id.get())
        .one(&*tx)
        .await?
        .filter(|m| m.consultation_id == consultation_id.get())
        .ok_or(DomainError::NotFound("comment"))?;
    let updated = comment::Entity::update(comment::ActiveModel {
        id: Set(found.id),
        moderation_status: Set(status),
        moderation_reason: Set(Some(reason.clone())),
        ..Default::default()
    })
    .exec(&*tx)
    .await?;
    crate::jobs::enqueue(&*tx, &IndexTarget::Comment(found.id)).await?;
    // The author is told what happened and why (a change of status only).
    if found.moderation_status != status {
        crate::jobs::enqueue(
            &*tx,
            &crate::jobs::MailJob::CommentModerated {
                comment_id: found.id,
            },
        )
        .await?;
    }
    let recount = crate::jobs::AggregateJob::rebuild(consultation_id.get());
    crate::jobs::enqueue(&*tx, &recount).await?;
    crate::audit::record(&*tx, AuditRecord {
        actor: Some(actor.account_id),
        action: "comment.moderate",
        entity_type: "comment",
        entity_id: found.id.to_string(),
        before: Some(serde_json::json!({"moderation_status": found.moderation_status})),
        after: Some(serde_json::json!({"moderation_status": updated.moderation_status, "reason_sha256": sha256_hex(reason.as_bytes())})),
    })
    .await?;
    tx.commit().await?;
    Ok(updated)
}
