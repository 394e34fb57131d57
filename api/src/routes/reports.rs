use chrono::{DateTime, Utc};
use domain::ids::ConsultationId;
use domain::{DomainError, service::reports, stats::Statistics};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path},
    payload::Html,
};

use super::{Tag, time};
use crate::{
    AppState,
    auth::{MaybeSignedIn, SignedIn},
    error::{Action, ApiResult, IdempotentAction, PublicRead},
    json::Json,
};

/// A consultation's hearing summary (สรุปผลการรับฟังความคิดเห็น).
#[derive(Debug, Object, serde::Serialize)]
pub struct Report {
    /// The consultation summarised.
    pub consultation_id: i64,
    /// `compiled` (visible to the agency only) or `published` (final and public).
    pub status: String,
    /// The summary in Markdown.
    pub markdown: String,
    /// The summary as sanitised HTML.
    pub html: String,
    /// SHA-256 of the Markdown: anyone can check that a copy is the published summary.
    pub content_hash: String,
    /// The statistics the summary was compiled from (same fields as the statistics snapshot).
    pub statistics: serde_json::Value,
    /// Bar charts of the statistics, as SVG: stance, respondent type, province, day.
    pub charts: Vec<String>,
    /// When it was compiled.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub computed_at: DateTime<Utc>,
    /// When it was published.
    #[oai(nullable)]
    #[serde(serialize_with = "crate::json::rfc3339_opt")]
    pub published_at: Option<DateTime<Utc>>,
}

pub(crate) fn out(base: &str, r: domain::entity::report::Model) -> domain::DomainResult<Report> {
    Ok(Report {
        consultation_id: r.consultation_id,
        status: if r.published_at.is_some() {
            "published"
        } else {
            "compiled"
        }
        .into(),
        markdown: r.body_markdown.unwrap_or_default(),
        html: r.body_html.unwrap_or_default(),
        content_hash: r.content_hash.unwrap_or_default(),
        statistics: serde_json::from_str(&r.statistics)
            .map_err(|e| DomainError::Internal(e.into()))?,
        charts: reports::CHARTS
            .iter()
            .map(|c| {
                format!(
                    "{base}/api/v1/consultations/{}/report/charts/{c}",
                    r.consultation_id
                )
            })
            .collect(),
        computed_at: time(r.computed_at),
        published_at: r.published_at.map(time),
    })
}

#[derive(ApiResponse)]
pub enum CompileAccepted {
    /// The worker will compile the summary shortly; fetch it with `get_report`.
    #[oai(status = 202)]
    Accepted,
}

#[derive(ApiResponse)]
pub enum SvgChart {
    /// An SVG bar chart.
    #[oai(status = 200, content_type = "image/svg+xml")]
    Svg(poem_openapi::payload::PlainText<String>),
}

pub struct ReportsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Consultations")]
impl ReportsApi {
    /// Ask the worker to compile (or recompile) the hearing summary of a closed consultation
    /// (officers of the draft's agency). One waiting compile answers every request made before
    /// it runs: repeating the request does not queue more work.
    #[oai(
        path = "/consultations/:id/report/compile",
        method = "post",
        operation_id = "compile_report"
    )]
    async fn compile(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
        /// Any unique string (up to 255 ASCII characters) chosen by the client. Retrying with
        /// the same key replays the first answer; the same key for another request is refused
        /// with `idempotency_key_reused`.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
    ) -> ApiResult<CompileAccepted, IdempotentAction> {
        reports::request_compile(
            &state.ctx.db,
            &auth.0,
            ConsultationId(id.0),
            idempotency_key.0,
        )
        .await?;
        Ok(CompileAccepted::Accepted)
    }

    /// Publish the compiled hearing summary: it becomes final, the consultation is concluded,
    /// and the commenters who asked are told by e-mail.
    #[oai(
        path = "/consultations/:id/report/publish",
        method = "post",
        operation_id = "publish_report"
    )]
    async fn publish(
        &self,
        state: Data<&AppState>,
        auth: SignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<Report>, Action> {
        let r = reports::publish(&state.ctx.db, &auth.0, ConsultationId(id.0)).await?;
        Ok(Json(out(&state.ctx.settings.public_url, r)?))
    }

    /// Get the hearing summary as JSON (with its HTML): the published one for everyone, the
    /// compiled draft for the agency.
    #[oai(
        path = "/consultations/:id/report",
        method = "get",
        operation_id = "get_report"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<Report>, PublicRead> {
        let r = reports::get(&state.ctx.db.conn, auth.actor(), ConsultationId(id.0)).await?;
        Ok(Json(out(&state.ctx.settings.public_url, r)?))
    }

    /// The hearing summary as an HTML page.
    #[oai(
        path = "/consultations/:id/report/html",
        method = "get",
        operation_id = "get_report_html"
    )]
    async fn html(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
    ) -> ApiResult<Html<String>, PublicRead> {
        let r = reports::get(&state.ctx.db.conn, auth.actor(), ConsultationId(id.0)).await?;
        let body = r.body_html.unwrap_or_default();
        let charts: String = reports::CHARTS
            .iter()
            .map(|c| {
                format!(
                    "<img src=\"/api/v1/consultations/{}/report/charts/{c}\" alt=\"{c}\">",
                    r.consultation_id
                )
            })
            .collect();
        Ok(Html(format!(
            "<!doctype html><html lang=\"th\"><meta charset=\"utf-8\"><title>สรุปผลการรับฟังความคิดเห็น</title><link rel=\"stylesheet\" href=\"/static/site.css\"><main>{body}<section class=\"charts\">{charts}</section></main></html>"
        )))
    }

    /// A chart of the hearing summary as SVG: `stance`, `respondent_type`, `province` or `day`.
    #[oai(
        path = "/consultations/:id/report/charts/:name",
        method = "get",
        operation_id = "get_report_chart"
    )]
    async fn chart(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
        name: Path<String>,
    ) -> ApiResult<SvgChart, PublicRead> {
        let r = reports::get(&state.ctx.db.conn, auth.actor(), ConsultationId(id.0)).await?;
        // Reading the statistics and drawing are CPU work: off the async runtime's threads.
        let name = name.0;
        let svg = tokio::task::spawn_blocking(move || {
            let stats: Statistics =
                serde_json::from_str(&r.statistics).map_err(|e| DomainError::Internal(e.into()))?;
            reports::chart(&stats, &name).ok_or(DomainError::NotFound("chart"))
        })
        .await
        .map_err(|e| DomainError::Internal(e.into()))??;
        Ok(SvgChart::Svg(poem_openapi::payload::PlainText(svg)))
    }
}
