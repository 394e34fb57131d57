//! The demo data set (`rabfang serve --demo`): four agencies, six drafts written in Thai
//! legislative style with one or two versions each, a consultation in every status, and a few
//! hundred comments. Loading is idempotent: a draft that already exists (same agency and Thai
//! title) is left alone, so running it twice adds nothing.
//!
//! Everything goes through the same services as the API. Only one thing is demo-specific:
//! closed and concluded hearings are created as open hearings, filled with comments, and then
//! moved into the past, because the real rules (rightly) refuse comments outside a hearing.

use anyhow::Context as _;
use domain::ids::{AccountId, AgencyId, ConsultationId, DraftId};
use domain::{
    Context,
    entity::{account, comment, consultation},
    service::{
        accounts::{self, NewAccount},
        agencies::{self, NewAgency},
        comments::NewComment,
        consultations::{self, NewConsultation, NewQuestion},
        dispositions,
        drafts::{self, NewDraft},
        reports,
    },
    time::{DAY_MS, now_ms},
    types::{
        Actor, Answer, Channel, Decision, DispositionTarget, Publication, Question, QuestionKind,
        RespondentType, Role, Stance,
    },
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use serde::Deserialize;

const AGENCIES: &str = include_str!("../demo/agencies.json");
const COMMENTS: &str = include_str!("../demo/comments.json");

macro_rules! demo_draft {
    ($dir:literal, [$($v:literal),+]) => {
        (
            include_str!(concat!("../demo/drafts/", $dir, "/meta.json")),
            &[$((concat!("v", $v, ".md"), include_str!(concat!("../demo/drafts/", $dir, "/v", $v, ".md")))),+] as &[(&str, &str)],
        )
    };
}

const DRAFTS: &[(&str, &[(&str, &str)])] = &[
    demo_draft!("01-personal-data-protection-amendment", ["1", "2"]),
    demo_draft!("02-air-quality-management", ["1", "2"]),
    demo_draft!("03-platform-workers-protection", ["1", "2"]),
    demo_draft!("04-online-purchase-refunds", ["1", "2"]),
    demo_draft!("05-diesel-smoke-standard", ["1"]),
    demo_draft!("06-online-consumer-mediation", ["1"]),
];

#[derive(Deserialize)]
struct AgencySeed {
    slug: String,
    name_th: String,
    name_en: Option<String>,
    parent_ministry_th: Option<String>,
    parent_ministry_en: Option<String>,
}

#[derive(Deserialize)]
struct DraftSeed {
    agency: String,
    title_th: String,
    title_en: Option<String>,
    law_type: domain::types::LawType,
    summary_th: Option<String>,
    summary_en: Option<String>,
    topics: Vec<String>,
    versions: Vec<VersionSeed>,
    consultation: ConsultationSeed,
}

#[derive(Deserialize)]
struct VersionSeed {
    file: String,
    changelog: Option<String>,
}

#[derive(Deserialize)]
struct ConsultationSeed {
    kind: domain::types::ConsultationKind,
    status: String,
    days: i64,
    short_period_reason: Option<String>,
    questions: Vec<QuestionSeed>,
}

#[derive(Deserialize)]
struct QuestionSeed {
    kind: domain::types::QuestionKind,
    prompt_th: String,
    prompt_en: Option<String>,
    options: Vec<String>,
}

#[derive(Deserialize)]
struct CommentSeeds {
    support: Vec<String>,
    oppose: Vec<String>,
    neutral: Vec<String>,
    campaign: Vec<String>,
    organisations: Vec<String>,
    display_names: Vec<String>,
    provinces: Vec<String>,
}

/// What loading added.
#[derive(Debug, Default)]
pub struct DemoReport {
    pub drafts: usize,
    pub comments: usize,
}

async fn ensure_account(
    ctx: &Context,
    email: &str,
    name: &str,
    role: Role,
    agency: Option<&str>,
) -> anyhow::Result<Actor> {
    if let Some(a) = account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(&ctx.db.conn)
        .await?
    {
        return Ok(Actor {
            account_id: AccountId(a.id),
            role: a.role,
            agency_id: a.agency_id.map(AgencyId),
        });
    }
    let (a, _token) = accounts::create_account(
        &ctx.db,
        None,
        NewAccount {
            email: email.into(),
            display_name: Some(name.into()),
            role,
            agency_slug: agency.map(Into::into),
        },
    )
    .await?;
    Ok(Actor {
        account_id: AccountId(a.id),
        role,
        agency_id: a.agency_id.map(AgencyId),
    })
}

/// The demo citizen whose sign-in link `serve --demo` prints.
pub const DEMO_CITIZEN: &str = "citizen01@demo.rabfang.localhost";
/// The demo officer of the first demo agency (the Office of the Personal Data Protection
/// Committee), whose sign-in link `serve --demo` prints for the workspace.
pub const DEMO_OFFICER: &str = "officer@pdpc-office.demo.rabfang.localhost";

pub async fn load(ctx: &Context) -> anyhow::Result<DemoReport> {
    let seeds: Vec<AgencySeed> = serde_json::from_str(AGENCIES).context("demo/agencies.json")?;
    for a in &seeds {
        if agencies::find_by_slug(&ctx.db.conn, &a.slug)
            .await?
            .is_none()
        {
            agencies::create_agency(
                &ctx.db,
                None,
                NewAgency {
                    slug: a.slug.clone(),
                    name_th: a.name_th.clone(),
                    name_en: a.name_en.clone(),
                    parent_ministry_th: a.parent_ministry_th.clone(),
                    parent_ministry_en: a.parent_ministry_en.clone(),
                },
            )
            .await?;
        }
    }
    let texts: CommentSeeds = serde_json::from_str(COMMENTS).context("demo/comments.json")?;
    let mut citizens = Vec::new();
    for (i, name) in texts.display_names.iter().enumerate() {
        citizens.push(
            ensure_account(
                ctx,
                &format!("citizen{:02}@demo.rabfang.localhost", i + 1),
                name,
                Role::Citizen,
                None,
            )
            .await?,
        );
    }
    let mut report = DemoReport::default();
    for (n, (meta, versions)) in DRAFTS.iter().enumerate() {
        let seed: DraftSeed =
            serde_json::from_str(meta).with_context(|| format!("demo draft {}", n + 1))?;
        let officer = ensure_account(
            ctx,
            &format!("officer@{}.demo.rabfang.localhost", seed.agency),
            "เจ้าหน้าที่",
            Role::Officer,
            Some(&seed.agency),
        )
        .await?;
        let filter = drafts::DraftFilter {
            agency: Some(seed.agency.clone()),
            ..Default::default()
        };
        let page = domain::service::page::PageRequest {
            limit: 200,
            after: None,
        };
        if drafts::list_drafts(&ctx.db.conn, Some(&officer), filter, page)
            .await?
            .items
            .iter()
            .any(|d| d.draft.title_th == seed.title_th)
        {
            continue;
        }
        let body = |file: &str| {
            versions
                .iter()
                .find(|(f, _)| *f == file)
                .map(|(_, b)| b.to_string())
        };
        let first = &seed.versions[0];
        let view = drafts::create_draft(
            &ctx.db,
            &officer,
            NewDraft {
                agency: Some(seed.agency.clone()),
                title_th: seed.title_th.clone(),
                title_en: seed.title_en.clone(),
                law_type: seed.law_type,
                summary_th: seed.summary_th.clone(),
                summary_en: seed.summary_en.clone(),
                topics: seed.topics.clone(),
                body_markdown: body(&first.file),
                changelog: first.changelog.clone(),
            },
        )
        .await?;
        for v in &seed.versions[1..] {
            let text = body(&v.file).with_context(|| format!("demo file {}", v.file))?;
            drafts::add_version(
                &ctx.db,
                &officer,
                DraftId(view.draft.id),
                text,
                v.changelog.clone(),
                None,
                None,
            )
            .await?;
        }
        report.drafts += 1;
        report.comments += open_consultation(
            ctx,
            &officer,
            &citizens,
            &texts,
            view.draft.id,
            &seed.consultation,
            n,
        )
        .await?;
    }
    Ok(report)
}

async fn open_consultation(
    ctx: &Context,
    officer: &Actor,
    citizens: &[Actor],
    texts: &CommentSeeds,
    draft_id: i64,
    seed: &ConsultationSeed,
    n: usize,
) -> anyhow::Result<usize> {
    let now = now_ms();
    let length = seed.days * DAY_MS;
    let scheduled = seed.status == "scheduled";
    // Announced now, through the service (which refuses dates in the past); past hearings are
    // then moved back in time below, announcement and all.
    let opens_at = if scheduled { now + 7 * DAY_MS } else { now };
    let view = consultations::create_consultation(
        &ctx.db,
        officer,
        DraftId(draft_id),
        NewConsultation {
            kind: seed.kind,
            opens_at,
            closes_at: opens_at + length,
            version: None,
            questions: seed
                .questions
                .iter()
                .map(|q| NewQuestion {
                    kind: q.kind,
                    prompt_th: q.prompt_th.clone(),
                    prompt_en: q.prompt_en.clone(),
                    options: q.options.clone(),
                    required: false,
                })
                .collect(),
            invited_stakeholders: texts
                .organisations
                .iter()
                .skip(n)
                .take(3)
                .cloned()
                .collect(),
            short_period_reason: seed.short_period_reason.clone(),
        },
    )
    .await?;
    if scheduled {
        return Ok(0);
    }
    let id = view.consultation.id;
    let provisions: Vec<String> = {
        let v = drafts::get_version(
            &ctx.db.conn,
            Some(officer),
            DraftId(draft_id),
            view.consultation.version_number,
        )
        .await?;
        v.provisions.0.into_iter().map(|p| p.id).collect()
    };
    let count = match seed.status.as_str() {
        "open" => 90,
        "concluded" => 60,
        _ => 40,
    };
    let mut written = 0;
    for i in 0..count {
        let (stance, pool) = match i % 10 {
            0..=3 => (Stance::Support, &texts.support),
            4..=6 => (Stance::Oppose, &texts.oppose),
            7 => (Stance::Oppose, &texts.campaign),
            _ => (Stance::Neutral, &texts.neutral),
        };
        let who = &citizens[(i * 7 + n) % citizens.len()];
        let organisation =
            (i % 4 == 1).then(|| texts.organisations[i % texts.organisations.len()].clone());
        let input = NewComment {
            body: pool[(i * 3 + n) % pool.len()].clone(),
            stance,
            provision_id: (i % 3 == 0 && !provisions.is_empty())
                .then(|| provisions[(i / 3) % provisions.len()].clone()),
            answers: view
                .consultation
                .questions
                .iter()
                .filter_map(|q| demo_answer(q, i))
                .collect(),
            respondent_type: Some(if organisation.is_some() {
                RespondentType::Organisation
            } else {
                RespondentType::Individual
            }),
            organisation_name: organisation,
            province: Some(texts.provinces[(i * 5 + n) % texts.provinces.len()].clone()),
            publication: Some(match i % 6 {
                0 => Publication::Named,
                5 => Publication::Private,
                _ => Publication::Anonymous,
            }),
            notify: i % 4 == 0,
        };
        ctx.comments
            .submit(
                who,
                ConsultationId(id),
                if i % 5 == 0 {
                    Channel::Web
                } else {
                    Channel::Api
                },
                None,
                input,
            )
            .await?;
        written += 1;
    }
    // Move the hearing (and the comments of a past one) back in time, spreading receipts over
    // its days: an open one opened yesterday, the others closed three days ago. Each was
    // announced a week before it opened.
    let shift = if seed.status == "open" {
        DAY_MS
    } else {
        length + 3 * DAY_MS
    };
    {
        consultation::Entity::update_many()
            .col_expr(consultation::Column::OpensAt, Expr::value(opens_at - shift))
            .col_expr(
                consultation::Column::ClosesAt,
                Expr::value(opens_at + length - shift),
            )
            .col_expr(
                consultation::Column::AnnouncedAt,
                Expr::value(opens_at - shift - 7 * DAY_MS),
            )
            .filter(consultation::Column::Id.eq(id))
            .exec(&ctx.db.conn)
            .await?;
    }
    if seed.status != "open" {
        let rows = comment::Entity::find()
            .filter(comment::Column::ConsultationId.eq(id))
            .all(&ctx.db.conn)
            .await?;
        let total = rows.len().max(1) as i64;
        for (k, c) in rows.into_iter().enumerate() {
            let received = opens_at - shift + (length - DAY_MS) * k as i64 / total + 3_600_000;
            comment::Entity::update(comment::ActiveModel {
                id: Set(c.id),
                received_at: Set(received),
                ..Default::default()
            })
            .exec(&ctx.db.conn)
            .await?;
        }
        if seed.status == "concluded" {
            // A concluded hearing has its summary, with dispositions, compiled and published
            // through the same services an agency uses.
            let provision = provisions.first().cloned().unwrap_or_default();
            dispositions::record_disposition(
                &ctx.db,
                officer,
                ConsultationId(id),
                dispositions::NewDisposition {
                    target_kind: DispositionTarget::Provision,
                    target_id: provision,
                    decision: Decision::PartlyAccepted,
                    reason: "ปรับถ้อยคำให้ชัดเจนขึ้นตามความเห็นของผู้ประกอบการ และคงหลักการเดิมไว้".into(),
                },
            )
            .await?;
            reports::compile(&ctx.db, ConsultationId(id)).await?;
            reports::publish(&ctx.db, officer, ConsultationId(id)).await?;
        }
    }
    Ok(written)
}

fn demo_answer(q: &Question, i: usize) -> Option<Answer> {
    let mut a = Answer {
        question_id: q.id.clone(),
        ..Default::default()
    };
    match q.kind {
        QuestionKind::SingleChoice => a.choice = Some(q.options[i % q.options.len()].clone()),
        QuestionKind::MultipleChoice => {
            let mut picks = vec![q.options[i % q.options.len()].clone()];
            let second = q.options[(i * 3 + 1) % q.options.len()].clone();
            if !picks.contains(&second) {
                picks.push(second);
            }
            a.choices = Some(picks);
        }
        QuestionKind::Scale => a.scale = Some((i % 5) as i32 + 1),
        QuestionKind::Text if i.is_multiple_of(3) => {
            a.text = Some("ควรมีการประชาสัมพันธ์ให้ประชาชนทราบอย่างทั่วถึงก่อนบังคับใช้".into())
        }
        QuestionKind::Text => return None,
    }
    Some(a)
}
