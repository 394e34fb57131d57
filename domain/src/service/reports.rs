//! The hearing summary the law requires (สรุปผลการรับฟังความคิดเห็น): the consultation's facts,
//! its statistics as tables (and as SVG charts served beside the report), campaign clusters,
//! and the issues raised per provision with the agency's dispositions. The worker compiles it
//! (`compile_report` job) from the database; publishing freezes it, stores its content hash,
//! concludes the consultation and notifies the commenters who asked to be told.

use std::fmt::Write as _;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, Set,
    Statement,
    sea_query::{Expr, OnConflict},
};

use super::{agencies, clusters, consultations, dispositions, drafts, idempotency};
use crate::{
    audit::{self, AuditRecord, sha256_hex},
    db::Db,
    entity::{comment, consultation, draft, report},
    error::{DomainError, DomainResult},
    ids::{AgencyId, ConsultationId, DraftId},
    jobs::{self, CompileReportJob},
    stats::Statistics,
    time::{DAY_MS, now_ms, to_datetime},
    types::Actor,
    types::DispositionTarget,
};

pub const KIND: &str = "hearing_summary";

fn thai_time(ms: i64) -> String {
    to_datetime(ms + 7 * 3_600_000)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Escapes text for a Markdown table cell or paragraph.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(if c == '\n' { ' ' } else { c });
    }
    out
}

fn table(
    out: &mut String,
    title: &str,
    rows: &std::collections::BTreeMap<String, u64>,
    total: u64,
) {
    let _ = writeln!(
        out,
        "\n### {title}\n\n| | จำนวน (count) | ร้อยละ (%) |\n|---|---:|---:|"
    );
    let mut sorted: Vec<(&String, &u64)> = rows.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (k, v) in sorted {
        let label = if k.is_empty() {
            "(ไม่ระบุ / not given)".to_string()
        } else {
            md(k)
        };
        let pct = if total == 0 {
            0.0
        } else {
            *v as f64 * 100.0 / total as f64
        };
        let _ = writeln!(out, "| {label} | {v} | {pct:.1} |");
    }
}

/// A horizontal bar chart as a standalone SVG document (our own markup, values escaped).
pub fn bar_chart_svg(title: &str, rows: &std::collections::BTreeMap<String, u64>) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let max = rows.values().copied().max().unwrap_or(0).max(1);
    let height = 40 + rows.len() * 28;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"{height}\" viewBox=\"0 0 640 {height}\" role=\"img\" aria-label=\"{}\"><text x=\"10\" y=\"24\" font-size=\"16\">{}</text>",
        esc(title),
        esc(title)
    );
    for (i, (k, v)) in rows.iter().enumerate() {
        let y = 40 + i * 28;
        let w = (*v as f64 / max as f64 * 400.0).round() as u64;
        let label = if k.is_empty() { "—" } else { k.as_str() };
        let _ = write!(
            svg,
            "<text x=\"10\" y=\"{}\" font-size=\"13\">{}</text><rect x=\"180\" y=\"{y}\" width=\"{w}\" height=\"20\" fill=\"#0b4f8a\"/><text x=\"{}\" y=\"{}\" font-size=\"13\">{v}</text>",
            y + 15,
            esc(label),
            186 + w,
            y + 15
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Charts of a report, by name: what `GET .../report/charts/{name}.svg` serves.
pub const CHARTS: &[&str] = &["stance", "respondent_type", "province", "day"];

pub fn chart(stats: &Statistics, name: &str) -> Option<String> {
    let (title, rows) = match name {
        "stance" => ("ความเห็นต่อร่าง (stance)", &stats.by_stance),
        "respondent_type" => (
            "ประเภทผู้แสดงความคิดเห็น (respondent type)",
            &stats.by_respondent_type,
        ),
        "province" => ("จังหวัด (province)", &stats.by_province),
        "day" => ("จำนวนความเห็นรายวัน (comments per day)", &stats.by_day),
        _ => return None,
    };
    Some(bar_chart_svg(title, rows))
}

/// Compiles the summary's Markdown from the database.
pub async fn compile_markdown(
    conn: &DatabaseConnection,
    consultation_id: ConsultationId,
) -> DomainResult<(String, Statistics)> {
    let c = consultation::Entity::find_by_id(consultation_id.get())
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("consultation"))?;
    let d = draft::Entity::find_by_id(c.draft_id)
        .one(conn)
        .await?
        .ok_or(DomainError::NotFound("draft"))?;
    let agency = agencies::find_by_id(conn, d.agency_id).await?;
    let stats = super::counting::count_comments(conn, consultation_id, 0).await?;
    let cl = clusters::clusters_of(conn, consultation_id).await?;
    let disp = dispositions::list_dispositions(conn, None, consultation_id).await?;
    let version = drafts::get_version(conn, None, DraftId(d.id), c.version_number)
        .await
        .ok();
    let provisions = version.map(|v| v.provisions.0).unwrap_or_default();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# สรุปผลการรับฟังความคิดเห็น (Hearing summary)\n\n## {}",
        md(&d.title_th)
    );
    if let Some(en) = &d.title_en {
        let _ = writeln!(out, "\n{}", md(en));
    }
    let _ = writeln!(out, "\n## ข้อเท็จจริงของการรับฟัง (Facts of the hearing)\n");
    let _ = writeln!(
        out,
        "- หน่วยงาน (agency): {}",
        md(&agency.map(|a| a.name_th).unwrap_or_default())
    );
    let _ = writeln!(
        out,
        "- ร่างฉบับที่รับฟัง (version consulted): {}",
        c.version_number
    );
    let _ = writeln!(out, "- ประเภท (kind): {}", md(c.kind.as_str()));
    let _ = writeln!(
        out,
        "- ประกาศกำหนดการเมื่อ (dates announced on): {} (UTC+7)",
        thai_time(c.announced_at.unwrap_or(c.created_at))
    );
    let _ = writeln!(out, "- เปิดรับฟัง (opened): {} (UTC+7)", thai_time(c.opens_at));
    let _ = writeln!(out, "- ปิดรับฟัง (closed): {} (UTC+7)", thai_time(c.closes_at));
    let _ = writeln!(
        out,
        "- ระยะเวลา (duration): {} วัน (days)",
        (c.closes_at - c.opens_at) / DAY_MS
    );
    if let Some(reason) = &c.short_period_reason {
        let _ = writeln!(
            out,
            "- เหตุผลที่รับฟังน้อยกว่า ๑๕ วัน (reason for a period under 15 days): {}",
            md(reason)
        );
    }
    let channels: Vec<String> = stats
        .by_channel
        .iter()
        .map(|(k, v)| format!("{} {v}", md(k)))
        .collect();
    let _ = writeln!(out, "- ช่องทาง (channels): {}", channels.join(", "));
    let clustered: u64 = cl.iter().map(|x| x.size.max(0) as u64).sum();
    let _ = writeln!(
        out,
        "\n## สถิติ (Statistics)\n\nความคิดเห็นทั้งหมด (comments received): **{}** — ไม่ซ้ำ (unique): {} — อยู่ในกลุ่มข้อความเดียวกัน (in campaign clusters): {}",
        stats.total,
        stats.total.saturating_sub(clustered),
        clustered
    );
    table(
        &mut out,
        "ความเห็นต่อร่าง (stance)",
        &stats.by_stance,
        stats.total,
    );
    table(
        &mut out,
        "ประเภทผู้แสดงความคิดเห็น (respondent type)",
        &stats.by_respondent_type,
        stats.total,
    );
    table(
        &mut out,
        "จังหวัด (province)",
        &stats.by_province,
        stats.total,
    );
    table(
        &mut out,
        "มาตรา (provision)",
        &stats.by_provision,
        stats.total,
    );
    table(
        &mut out,
        "รายวัน (per day, UTC+7)",
        &stats.by_day,
        stats.total,
    );
    if !cl.is_empty() {
        let _ = writeln!(
            out,
            "\n## กลุ่มข้อความเดียวกัน (Campaign clusters)\n\n| กลุ่ม (cluster) | จำนวน (size) | ข้อความตัวอย่าง (representative text) |\n|---|---:|---|"
        );
        for x in &cl {
            let text: String = x.representative_text.chars().take(200).collect();
            let _ = writeln!(out, "| {} | {} | {} |", x.id, x.size, md(&text));
        }
    }
    let _ = writeln!(
        out,
        "\n## ประเด็นรายมาตราและการพิจารณาของหน่วยงาน (Issues per provision and the agency's dispositions)"
    );
    for p in &provisions {
        let count = stats.by_provision.get(&p.id).copied().unwrap_or(0);
        let on_p: Vec<_> = disp
            .iter()
            .filter(|x| x.target_kind == DispositionTarget::Provision && x.target_id == p.id)
            .collect();
        if count == 0 && on_p.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {} — {} ความเห็น (comments)", md(&p.label), count);
        for x in on_p {
            let _ = writeln!(
                out,
                "\n- **{}**: {}",
                md(x.decision.as_str()),
                md(&x.reason)
            );
        }
    }
    let others: Vec<_> = disp
        .iter()
        .filter(|x| x.target_kind != DispositionTarget::Provision)
        .collect();
    if !others.is_empty() {
        let _ = writeln!(
            out,
            "\n## การพิจารณาความเห็นและกลุ่มความเห็น (Dispositions on comments and clusters)\n\n| | การพิจารณา (decision) | เหตุผล (reason) |\n|---|---|---|"
        );
        for x in others {
            let _ = writeln!(
                out,
                "| {} {} | {} | {} |",
                md(x.target_kind.as_str()),
                md(&x.target_id),
                md(x.decision.as_str()),
                md(&x.reason)
            );
        }
    }
    Ok((out, stats))
}

/// Compiles (or recompiles) the unpublished summary of a closed consultation.
pub async fn compile(db: &Db, consultation_id: ConsultationId) -> DomainResult<report::Model> {
    let (markdown, stats) = compile_markdown(&db.conn, consultation_id).await?;
    let (markdown, html) = tokio::task::spawn_blocking(move || {
        let html = crate::markdown::render_html(&markdown);
        (markdown, html)
    })
    .await
    .map_err(anyhow::Error::from)?;
    let tx = db.write().await?;
    let data = serde_json::to_string(&stats).map_err(anyhow::Error::from)?;
    let row = report::ActiveModel {
        consultation_id: Set(consultation_id.get()),
        kind: Set(KIND.into()),
        statistics: Set(data),
        content_hash: Set(Some(sha256_hex(markdown.as_bytes()))),
        body_markdown: Set(Some(markdown)),
        body_html: Set(Some(html)),
        computed_at: Set(now_ms()),
        published_at: Set(None),
        ..Default::default()
    };
    // One statement, so that a publication or another compile in between cannot be
    // overwritten: a published summary is never replaced (the WHERE), and two compiles at once
    // update the one row (the unique index on consultation and kind).
    use report::Column as Col;
    let written = report::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Col::ConsultationId, Col::Kind])
                .update_columns([
                    Col::Statistics,
                    Col::ContentHash,
                    Col::BodyMarkdown,
                    Col::BodyHtml,
                    Col::ComputedAt,
                ])
                .action_and_where(sea_orm::ExprTrait::is_null(Expr::col((
                    report::Entity,
                    Col::PublishedAt,
                ))))
                .to_owned(),
        )
        .exec_without_returning(&*tx)
        .await?;
    if written == 0 {
        return Err(DomainError::InvalidState(
            "the hearing summary is already published".into(),
        ));
    }
    let saved = find(&*tx, consultation_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the compiled hearing summary was not saved"))?;
    tx.commit().await?;
    Ok(saved)
}

async fn find<C: ConnectionTrait>(
    conn: &C,
    consultation_id: ConsultationId,
) -> DomainResult<Option<report::Model>> {
    Ok(report::Entity::find()
        .filter(report::Column::ConsultationId.eq(consultation_id))
        .filter(report::Column::Kind.eq(KIND))
        .one(conn)
        .await?)
}

async fn managed_closed<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    consultation_id: ConsultationId,
) -> DomainResult<consultation::Model> {
    let c = consultations::find_visible(conn, Some(actor), consultation_id).await?;
    drafts::find_managed(conn, actor, DraftId(c.draft_id))
        .await
        .map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::NotFound("consultation"),
            other => other,
        })?;
    if c.closes_at > now_ms() {
        return Err(DomainError::InvalidState(
            "the hearing is still open; summarise it after it closes".into(),
        ));
    }
    Ok(c)
}

/// Asks the worker to compile the summary (officers of the agency, after the hearing closed).
/// One waiting compile covers every request made before it runs, so repeated or parallel
/// requests queue one job (a compile already running may have read the data before the
/// request, so it does not count). With an `Idempotency-Key`, a retry replays the first answer
/// and the same key for another consultation is refused.
pub async fn request_compile(
    db: &Db,
    actor: &Actor,
    consultation_id: ConsultationId,
    idempotency_key: Option<String>,
) -> DomainResult<()> {
    let mut checks = super::validate::Checks::new();
    idempotency::check_key(&mut checks, idempotency_key.as_deref());
    checks.finish()?;
    let request_hash =
        idempotency::request_hash("compile_report", serde_json::json!([consultation_id]));
    let tx = db.write().await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        // Orders parallel requests for one consultation, so the second sees the first's job.
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM consultations WHERE id = $1 FOR UPDATE",
            [consultation_id.into()],
        ))
        .await?;
    }
    if let Some(key) = &idempotency_key
        && idempotency::replay(&*tx, actor.account_id, key, &request_hash)
            .await?
            .is_some()
    {
        return Ok(());
    }
    let c = managed_closed(&*tx, actor, consultation_id).await?;
    if c.summary_published_at.is_some() {
        return Err(DomainError::InvalidState(
            "the hearing summary is already published".into(),
        ));
    }
    let job = CompileReportJob {
        consultation_id: consultation_id.get(),
    };
    jobs::enqueue(&*tx, &job).await?;
    if let Some(key) = &idempotency_key {
        idempotency::store(&*tx, actor.account_id, key, &request_hash, 202, "").await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Publishes the compiled summary: final, hashed; the consultation is concluded and the
/// commenters who asked are told.
pub async fn publish(
    db: &Db,
    actor: &Actor,
    consultation_id: ConsultationId,
) -> DomainResult<report::Model> {
    let tx = db.write().await?;
    let c = managed_closed(&*tx, actor, consultation_id).await?;
    let r = find(&*tx, consultation_id).await?.ok_or_else(|| {
        DomainError::InvalidState("compile the hearing summary before publishing it".into())
    })?;
    if r.published_at.is_some() || c.summary_published_at.is_some() {
        return Err(DomainError::InvalidState(
            "the hearing summary is already published".into(),
        ));
    }
    let now = now_ms();
    // Conditional, so that a compile or a publication that committed in between is not
    // overwritten; the summary published is the row as it is now.
    let published = report::Entity::update_many()
        .col_expr(report::Column::PublishedAt, Expr::value(now))
        .filter(report::Column::Id.eq(r.id))
        .filter(report::Column::PublishedAt.is_null())
        .exec(&*tx)
        .await?
        .rows_affected;
    let concluded = consultation::Entity::update_many()
        .col_expr(consultation::Column::SummaryPublishedAt, Expr::value(now))
        .filter(consultation::Column::Id.eq(c.id))
        .filter(consultation::Column::SummaryPublishedAt.is_null())
        .exec(&*tx)
        .await?
        .rows_affected;
    if published != 1 || concluded != 1 {
        return Err(DomainError::InvalidState(
            "the hearing summary is already published".into(),
        ));
    }
    let r = find(&*tx, consultation_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the published hearing summary vanished"))?;
    let notify: Vec<i64> = comment::Entity::find()
        .filter(comment::Column::ConsultationId.eq(c.id))
        .filter(comment::Column::Notify.eq(true))
        .all(&*tx)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mails: Vec<jobs::MailJob> = notify
        .into_iter()
        .map(|comment_id| jobs::MailJob::SummaryPublished { comment_id })
        .collect();
    jobs::enqueue_many(&*tx, &mails).await?;
    jobs::enqueue(&*tx, &jobs::IndexTarget::Consultation(c.id)).await?;
    jobs::enqueue(&*tx, &jobs::IndexTarget::Draft(c.draft_id)).await?;
    jobs::enqueue(&*tx, &jobs::ExportJob::consultation(consultation_id)).await?;
    audit::record(
        &*tx,
        AuditRecord {
            actor: Some(actor.account_id),
            action: "hearing_summary.publish",
            entity_type: "consultation",
            entity_id: c.id.to_string(),
            before: None,
            after: Some(serde_json::json!({"report_id": r.id, "content_hash": r.content_hash})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(r)
}

/// The published summary for everyone; the compiled, unpublished one for the agency.
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    consultation_id: ConsultationId,
) -> DomainResult<report::Model> {
    let c = consultations::find_visible(conn, actor, consultation_id).await?;
    let r = find(conn, consultation_id)
        .await?
        .ok_or(DomainError::NotFound("report"))?;
    if r.published_at.is_none() {
        let d = draft::Entity::find_by_id(c.draft_id)
            .one(conn)
            .await?
            .ok_or(DomainError::NotFound("report"))?;
        if !actor.is_some_and(|a| a.can_manage(AgencyId(d.agency_id))) {
            return Err(DomainError::NotFound("report"));
        }
    }
    Ok(r)
}
