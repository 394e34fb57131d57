//! A consultation's results: the live statistics (charts, each with the same numbers in a
//! table) and, once the agency published it, the hearing summary with what it did about the
//! comments on each provision.

use askama::Template;
use domain::{
    entity::report,
    ids::ConsultationId,
    service::{
        consultations::{self, ConsultationView},
        reports,
        summaries::{self, Summary},
    },
    stats::Statistics,
};
use poem::{Request, Response, handler, http::StatusCode, web::Data};

use super::{Chrome, PageId, render};
use crate::AppState;

/// One count of a table: its label, the count and its share of the total.
pub struct Row {
    pub label: String,
    pub count: u64,
    pub percent: String,
}

/// A chart and the table of the same numbers.
pub struct Figure {
    pub title: String,
    pub svg: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "pages/consultations/results.html")]
struct ResultsPage {
    chrome: Chrome,
    view: ConsultationView,
    summary: Summary,
    figures: Vec<Figure>,
    report: Option<report::Model>,
}

fn figure(
    chrome: &Chrome,
    title_key: &str,
    counts: &std::collections::BTreeMap<String, u64>,
    label: impl Fn(&str) -> String,
    total: u64,
) -> Figure {
    let title = chrome.t.get(title_key);
    let labelled: std::collections::BTreeMap<String, u64> =
        counts.iter().map(|(k, v)| (label(k), *v)).collect();
    let rows = labelled
        .iter()
        .map(|(k, v)| Row {
            label: k.clone(),
            count: *v,
            percent: format!("{:.1}", *v as f64 * 100.0 / total.max(1) as f64),
        })
        .collect();
    Figure {
        // Drawn off the async runtime's threads, in `show`.
        svg: String::new(),
        title,
        rows,
    }
}

fn figures(chrome: &Chrome, s: &Statistics) -> Vec<Figure> {
    let unknown = chrome.t.get("results-not-given");
    vec![
        figure(
            chrome,
            "field-stance",
            &s.by_stance,
            |k| chrome.term("stance", k),
            s.total,
        ),
        figure(
            chrome,
            "field-respondent_type",
            &s.by_respondent_type,
            |k| chrome.term("respondent", k),
            s.total,
        ),
        figure(
            chrome,
            "results-by-provision",
            &s.by_provision,
            |k| {
                if k.is_empty() {
                    chrome.t.get("comment-whole-draft")
                } else {
                    k.to_string()
                }
            },
            s.total,
        ),
        figure(
            chrome,
            "field-province",
            &s.by_province,
            |k| {
                if k.is_empty() {
                    unknown.clone()
                } else {
                    k.to_string()
                }
            },
            s.total,
        ),
        figure(chrome, "results-by-day", &s.by_day, str::to_string, s.total),
    ]
}

#[handler]
pub async fn show(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    let actor = super::visitor::actor(req);
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let view =
            consultations::get_consultation(conn, actor.as_ref(), ConsultationId(id)).await?;
        let summary = summaries::summary(conn, actor.as_ref(), ConsultationId(id)).await?;
        // Only a published summary is shown here (the agency sees drafts in its workspace).
        let report = match reports::get(conn, None, ConsultationId(id)).await {
            Ok(r) => Some(r),
            Err(domain::DomainError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        Ok::<_, domain::DomainError>((view, summary, report))
    };
    let (view, summary, report) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(req, e),
    };
    let mut chrome = Chrome::new(req, "results-title");
    chrome.title = format!(
        "{} · {}",
        chrome.t.get("results-title"),
        view.draft_title_th
    );
    let mut figures = figures(&chrome, &summary.statistics);
    let charts: Vec<(String, std::collections::BTreeMap<String, u64>)> = figures
        .iter()
        .map(|f| {
            let counts = f.rows.iter().map(|r| (r.label.clone(), r.count)).collect();
            (f.title.clone(), counts)
        })
        .collect();
    let drawn = tokio::task::spawn_blocking(move || {
        charts
            .iter()
            .map(|(title, counts)| reports::bar_chart_svg(title, counts))
            .collect::<Vec<_>>()
    })
    .await;
    match drawn {
        Ok(svgs) => {
            for (figure, svg) in figures.iter_mut().zip(svgs) {
                figure.svg = svg;
            }
        }
        Err(e) => return super::error_page(req, domain::DomainError::Internal(e.into())),
    }
    let page = ResultsPage {
        figures,
        chrome,
        view,
        summary,
        report,
    };
    render(req, StatusCode::OK, page)
}
