//! The change feed: every change to public data, in the order it was committed, for readers who
//! keep a copy (researchers, archives, mirrors).
//!
//! The feed is read from the audit trail. Every change to public data is audited in the
//! transaction that makes it, and audit events are appended under a lock on the chain head,
//! held until commit (see [`crate::audit`]): so event ids are assigned in commit order, on
//! SQLite and on PostgreSQL alike, across processes. A reader that asks for the events after
//! the last id it saw therefore never misses one committed later by another process and never
//! sees one twice. The cursor is that id.
//!
//! Each event names what changed; the feed gives each changed object's state as the public
//! sees it now (the same rules as the API's own reads, with no caller), or none when the
//! public cannot see it (hidden, private, withdrawn): a tombstone. Events about things the
//! public never sees (accounts, keys, invitations, jobs, a draft still in preparation) are not
//! in the feed, nor is a change to an object that was never public.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{
    agencies, assessments,
    comments::{self, PublicComment},
    consultations::{self, ConsultationView},
    dispositions, drafts,
    drafts::DraftView,
    laws, reports,
};
use crate::{
    DomainError,
    entity::{
        agency, audit_event, disposition, draft_version, impact_assessment, law_in_force, report,
    },
    error::DomainResult,
    ids::{ConsultationId, DraftId},
};

/// The most changes one read returns.
pub const MAX_LIMIT: u64 = 1000;
/// Changes per read unless asked otherwise.
pub const DEFAULT_LIMIT: u64 = 100;
/// The most whole texts one read carries: a published version holds the whole law, a hearing
/// summary or an impact assessment its whole report. A read of a thousand versions was about a
/// hundred megabytes made in memory at once (the exports benchmark with 5,000 drafts); a read
/// now stops before the event that would pass this many, and says there is more.
pub const MAX_TEXTS: usize = 25;

/// The kinds of public object the feed reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectType {
    Agency,
    Draft,
    Version,
    Consultation,
    Comment,
    Disposition,
    HearingSummary,
    ImpactAssessment,
    Law,
}

impl ObjectType {
    /// Whether the object's state holds a whole text (see [`MAX_TEXTS`]).
    fn is_whole_text(self) -> bool {
        matches!(
            self,
            ObjectType::Version | ObjectType::HearingSummary | ObjectType::ImpactAssessment
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Agency => "agency",
            ObjectType::Draft => "draft",
            ObjectType::Version => "version",
            ObjectType::Consultation => "consultation",
            ObjectType::Comment => "comment",
            ObjectType::Disposition => "disposition",
            ObjectType::HearingSummary => "hearing_summary",
            ObjectType::ImpactAssessment => "impact_assessment",
            ObjectType::Law => "law",
        }
    }
}

/// The audited actions that change public data, and what each changes: (action, the objects
/// it changes, in the order the feed lists them).
const PUBLIC_ACTIONS: &[(&str, &[ObjectType])] = &[
    ("agency.create", &[ObjectType::Agency]),
    ("agency.rename", &[ObjectType::Agency]),
    ("draft.create", &[ObjectType::Draft]),
    ("draft.update", &[ObjectType::Draft]),
    ("draft.submit", &[ObjectType::Draft]),
    (
        "draft_version.publish",
        &[ObjectType::Version, ObjectType::Draft],
    ),
    ("consultation.create", &[ObjectType::Consultation]),
    ("consultation.reschedule", &[ObjectType::Consultation]),
    ("comment.create", &[ObjectType::Comment]),
    ("comment.moderate", &[ObjectType::Comment]),
    ("disposition.record", &[ObjectType::Disposition]),
    (
        "hearing_summary.publish",
        &[ObjectType::HearingSummary, ObjectType::Consultation],
    ),
    ("impact_assessment.save", &[ObjectType::ImpactAssessment]),
    ("impact_assessment.publish", &[ObjectType::ImpactAssessment]),
    ("law.register", &[ObjectType::Law]),
    ("law.evaluation_request", &[ObjectType::Law]),
    ("law.evaluation_due", &[ObjectType::Law]),
];

/// The ids of `object_type` objects that had a public change at or after `since` (milliseconds
/// since the epoch), as a subquery: exactly the objects the feed lists a change of since then.
/// What the lists' `updated_since` filters by. For the objects the audit trail names by a
/// numeric id: agencies, consultations, comments and laws (drafts keep their own `updated_at`).
pub fn changed_since(object_type: ObjectType, since: i64) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Expr, Query};
    let entity_type = match object_type {
        ObjectType::Agency => "agency",
        ObjectType::Consultation => "consultation",
        ObjectType::Comment => "comment",
        ObjectType::Law => "law_in_force",
        // Not named by a numeric id of their own in the trail; see the callers.
        _ => "",
    };
    let actions: Vec<&str> = PUBLIC_ACTIONS
        .iter()
        .filter(|(_, objects)| objects.contains(&object_type))
        .map(|(a, _)| *a)
        .collect();
    Query::select()
        .expr(Expr::cust("CAST(entity_id AS BIGINT)"))
        .from(audit_event::Entity)
        .and_where(audit_event::Column::EntityType.eq(entity_type))
        .and_where(audit_event::Column::Action.is_in(actions))
        .and_where(audit_event::Column::CreatedAt.gte(since))
        .to_owned()
}

/// Actions after which an object the public saw may no longer be visible: their changes are
/// reported even when the object is not public now (a tombstone).
const MAY_REMOVE: &[&str] = &["comment.moderate"];

/// A changed object's public state now.
pub enum State {
    Agency(agency::Model),
    Draft(DraftView),
    Version(draft_version::Model),
    Consultation(ConsultationView),
    Comment(PublicComment),
    Disposition(disposition::Model),
    HearingSummary(report::Model),
    ImpactAssessment(Box<assessments::Assessment>),
    Law(law_in_force::Model, u64),
}

/// One change: which object, when, and its public state now (`None`: the public cannot see it).
pub struct Change {
    /// The change's position in the feed: pass the last one seen as `after`.
    pub cursor: i64,
    pub object_type: ObjectType,
    /// The object's id as the API names it (`12`; a version: `draft/number`, `12/3`).
    pub object_id: String,
    pub changed_at: i64,
    pub state: Option<State>,
}

/// A read of the feed.
pub struct ChangePage {
    pub items: Vec<Change>,
    /// Where to continue: the cursor of the last event read (past events with no public
    /// change too), or `after` itself when there was nothing new.
    pub next: i64,
    /// Whether more events were waiting after this read.
    pub more: bool,
}

/// The changes after cursor `after` (0: from the start), at most `limit` events' worth.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    after: i64,
    limit: u64,
) -> DomainResult<ChangePage> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let actions: Vec<&str> = PUBLIC_ACTIONS.iter().map(|(a, _)| *a).collect();
    // Only what the feed needs of each event, not its before and after documents.
    let events: Vec<Event> = audit_event::Entity::find()
        .select_only()
        .columns([
            audit_event::Column::Id,
            audit_event::Column::Action,
            audit_event::Column::EntityType,
            audit_event::Column::EntityId,
            audit_event::Column::CreatedAt,
        ])
        .filter(audit_event::Column::Id.gt(after))
        .filter(audit_event::Column::Action.is_in(actions))
        .order_by_asc(audit_event::Column::Id)
        .limit(limit + 1)
        .into_tuple::<(i64, String, String, String, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(id, action, entity_type, entity_id, created_at)| Event {
            id,
            action,
            entity_type,
            entity_id,
            created_at,
        })
        .collect();
    let more = events.len() as u64 > limit;
    let events = &events[..events.len().min(limit as usize)];
    // Comments are most of any feed: their states are read together, in a few queries.
    let comment_states = comments::public_comments(
        conn,
        events
            .iter()
            .filter(|e| e.entity_type == "comment")
            .filter_map(|e| e.entity_id.parse::<i64>().ok()),
    )
    .await?;
    let mut items = Vec::new();
    // Where the read ends: the last event looked at, and whether it stopped early.
    let (mut next, mut stopped) = (after, false);
    let mut texts = 0;
    for e in events {
        let Some((_, objects)) = PUBLIC_ACTIONS.iter().find(|(a, _)| *a == e.action) else {
            next = e.id;
            continue;
        };
        let whole_texts = objects.iter().filter(|t| t.is_whole_text()).count();
        if texts > 0 && texts + whole_texts > MAX_TEXTS {
            stopped = true;
            break;
        }
        texts += whole_texts;
        next = e.id;
        for &object_type in *objects {
            let Some(object_id) = object_id(object_type, e) else {
                continue;
            };
            let state = match object_type {
                // A comment changed twice in one read: its state (the same, now) twice.
                ObjectType::Comment => object_id
                    .parse::<i64>()
                    .ok()
                    .and_then(|n| comment_states.get(&n).cloned())
                    .map(State::Comment),
                _ => state_of(conn, object_type, &object_id).await?,
            };
            if state.is_none() && !MAY_REMOVE.contains(&e.action.as_str()) {
                // Not public now, and this action does not take anything out of public view:
                // a change the public never saw (a draft in preparation, say).
                continue;
            }
            items.push(Change {
                cursor: e.id,
                object_type,
                object_id,
                changed_at: e.created_at,
                state,
            });
        }
    }
    Ok(ChangePage {
        items,
        next,
        more: more || stopped,
    })
}

/// What the feed reads of an audit event.
struct Event {
    id: i64,
    action: String,
    entity_type: String,
    entity_id: String,
    created_at: i64,
}

/// The id of the `object_type` an event changed, as the API names it.
fn object_id(object_type: ObjectType, e: &Event) -> Option<String> {
    match (object_type, e.entity_type.as_str()) {
        // `draft_version.publish` names `draft/number`; its draft is the part before the slash.
        (ObjectType::Draft, "draft_version") => e.entity_id.split('/').next().map(String::from),
        // A hearing summary is named by its consultation.
        (ObjectType::HearingSummary | ObjectType::Consultation, "consultation") => {
            Some(e.entity_id.clone())
        }
        _ => Some(e.entity_id.clone()),
    }
}

/// `Ok(None)` for "not found" (not public now): a public read's answer as "is it public?".
/// The exports read the same way.
pub(crate) fn public<T>(found: DomainResult<T>) -> DomainResult<Option<T>> {
    match found {
        Ok(v) => Ok(Some(v)),
        Err(DomainError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The public state of one object now, if the public can see it.
async fn state_of<C: ConnectionTrait>(
    conn: &C,
    object_type: ObjectType,
    id: &str,
) -> DomainResult<Option<State>> {
    let number = |s: &str| s.parse::<i64>().ok();
    Ok(match object_type {
        ObjectType::Agency => match number(id) {
            Some(n) => agencies::find_by_id(conn, n).await?.map(State::Agency),
            None => None,
        },
        ObjectType::Draft => match number(id) {
            Some(n) => public(drafts::get_draft(conn, None, DraftId(n)).await)?.map(State::Draft),
            None => None,
        },
        ObjectType::Version => {
            let Some((draft, version)) = id.split_once('/') else {
                return Ok(None);
            };
            match (number(draft), version.parse::<i32>().ok()) {
                (Some(d), Some(v)) => public(drafts::get_version(conn, None, DraftId(d), v).await)?
                    .map(State::Version),
                _ => None,
            }
        }
        ObjectType::Consultation => match number(id) {
            Some(n) => {
                public(consultations::get_consultation(conn, None, ConsultationId(n)).await)?
                    .map(State::Consultation)
            }
            None => None,
        },
        ObjectType::Comment => match number(id) {
            Some(n) => comments::public_comments(conn, [n])
                .await?
                .remove(&n)
                .map(State::Comment),
            None => None,
        },
        ObjectType::Disposition => match number(id) {
            Some(n) => dispositions::public_disposition(conn, n)
                .await?
                .map(State::Disposition),
            None => None,
        },
        ObjectType::HearingSummary => match number(id) {
            Some(n) => public(reports::get(conn, None, ConsultationId(n)).await)?
                .filter(|r| r.published_at.is_some())
                .map(State::HearingSummary),
            None => None,
        },
        ObjectType::ImpactAssessment => {
            let Some(n) = number(id) else {
                return Ok(None);
            };
            let Some(row) = impact_assessment::Entity::find_by_id(n).one(conn).await? else {
                return Ok(None);
            };
            public(assessments::get(conn, None, DraftId(row.draft_id)).await)?
                .filter(|a| a.row.published_at.is_some())
                .map(|a| State::ImpactAssessment(Box::new(a)))
        }
        ObjectType::Law => {
            let Some(n) = number(id) else {
                return Ok(None);
            };
            match public(laws::get(conn, n).await)? {
                Some(law) => {
                    let count = laws::request_counts(conn, &[n])
                        .await?
                        .get(&n)
                        .copied()
                        .unwrap_or(0);
                    Some(State::Law(law, count))
                }
                None => None,
            }
        }
    })
}
