//! The datasets page: the latest bulk export of everything public with its files, the licence,
//! where the consultations' own exports and the DCAT catalogue are, and the data dictionary
//! (every table and column, from the same definitions the exports are written with).

use askama::Template;
use domain::export::{self, ALL_TABLES, Manifest, Scope, Table};
use poem::{Request, Response, handler, http::StatusCode, web::Data};

use super::{Chrome, render};
use crate::AppState;

/// One table's three files in the latest export.
struct Files {
    table: &'static Table,
    /// (format, address, size in bytes, rows) for CSV, JSON Lines and Parquet.
    links: Vec<(String, String, u64, u64)>,
}

#[derive(Template)]
#[template(path = "pages/datasets.html")]
struct DatasetsPage {
    chrome: Chrome,
    /// When the latest site export was started, and its manifest's address.
    latest: Option<(i64, String)>,
    files: Vec<Files>,
    licence: export::Licence,
    tables: &'static [&'static Table],
}

impl DatasetsPage {
    fn title(&self, t: &Table) -> &'static str {
        if self.chrome.lang.tag() == "th" {
            t.title_th
        } else {
            t.title_en
        }
    }

    /// `1.2 MB`, `340 kB`, `900 B`.
    fn size(&self, bytes: &u64) -> String {
        let b = *bytes as f64;
        if b >= 1e9 {
            format!("{:.1} GB", b / 1e9)
        } else if b >= 1e6 {
            format!("{:.1} MB", b / 1e6)
        } else if b >= 1e3 {
            format!("{:.0} kB", b / 1e3)
        } else {
            format!("{bytes} B")
        }
    }
}

fn files(base: &str, m: &Manifest) -> Vec<Files> {
    ALL_TABLES
        .iter()
        .filter(|t| m.tables.iter().any(|s| s.name == t.name))
        .map(|&table| Files {
            table,
            links: m
                .files
                .iter()
                .filter(|f| f.table == table.name)
                .map(|f| {
                    (
                        f.format.to_uppercase().replace("JSONL", "JSON Lines"),
                        format!(
                            "{base}/api/v1/exports/{}/{}/{}",
                            m.dataset, m.generation, f.name
                        ),
                        f.bytes,
                        f.rows,
                    )
                })
                .collect(),
        })
        .collect()
}

#[handler]
pub async fn show(req: &Request, state: Data<&AppState>) -> Response {
    let dir = state.ctx.settings.exports_dir.clone();
    let latest = tokio::task::spawn_blocking(move || export::find(&dir, Scope::Site, None))
        .await
        .ok()
        .flatten();
    let chrome = Chrome::new(req, "datasets-title");
    // Addresses on the page are relative to this server, so they work behind any host name.
    let base = "";
    let page = DatasetsPage {
        latest: latest.as_ref().map(|e| {
            (
                e.manifest.generation.parse().unwrap_or(0),
                format!(
                    "{base}/api/v1/exports/site/{}/{}",
                    e.manifest.generation,
                    export::MANIFEST
                ),
            )
        }),
        files: latest
            .as_ref()
            .map(|e| files(base, &e.manifest))
            .unwrap_or_default(),
        licence: state.ctx.settings.export_licence.clone(),
        tables: ALL_TABLES,
        chrome,
    };
    render(req, StatusCode::OK, page)
}
