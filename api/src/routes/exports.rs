//! Bulk exports: the list of datasets, their files (with `ETag`, `Content-Length` and byte
//! ranges, for resumable downloads of large files), and the DCAT catalogue.

use chrono::{DateTime, Utc};
use domain::{
    DomainError, ErrorCode,
    export::{self, Manifest, Scope},
};
use poem::{
    Body, IntoResponse, Response,
    http::{HeaderValue, StatusCode, header},
    web::Data,
};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    registry::{
        MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
    },
    types::Type,
};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{Tag, page, time};
use crate::{
    AppState,
    error::{ApiResult, PROBLEM_JSON, Problem, PublicList, PublicReadQuery, problem_response},
    json::Json,
};

/// The licence the data is published under.
#[derive(Debug, Object, serde::Serialize)]
pub struct Licence {
    /// The licence's name.
    pub name: String,
    /// Where to read it.
    pub url: String,
}

/// One file of an export.
#[derive(Debug, Object, serde::Serialize)]
pub struct ExportFile {
    /// The file's name, e.g. `comments.csv`.
    pub name: String,
    /// The table it holds (see the data dictionary at `/open-data/datasets`).
    pub table: String,
    /// `csv` (RFC 4180, UTF-8 with a byte-order mark), `jsonl` (JSON Lines) or `parquet`.
    pub format: String,
    /// Its media type, as served.
    pub media_type: String,
    /// Rows of data (a CSV's header row not counted).
    pub rows: u64,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, in hex; also its `ETag`.
    pub sha256: String,
    /// Where to download it. This address always serves this very file; the dataset's newest
    /// file is at the same address with `latest` in place of the generation.
    pub url: String,
}

/// One dataset's latest export.
#[derive(Debug, Object, serde::Serialize)]
pub struct ExportDataset {
    /// `site` (everything public) or `consultation-{id}` (one consultation).
    pub dataset: String,
    /// The consultation, for a consultation's dataset.
    #[oai(nullable)]
    pub consultation_id: Option<i64>,
    /// Title in Thai.
    pub title_th: String,
    /// Title in English.
    pub title_en: String,
    /// The export's generation (when it was started, in milliseconds since 1970), part of
    /// its files' addresses.
    pub generation: String,
    /// When it was started; rows reflect the public data at about then.
    #[serde(serialize_with = "crate::json::rfc3339")]
    pub generated_at: DateTime<Utc>,
    /// The version of the tables' schema, raised when a column changes.
    pub schema_version: u32,
    /// The change feed's cursor when the export started: pass it as `after` to
    /// `list_changes` to bring a copy made from this export up to date.
    pub feed_cursor: String,
    pub licence: Licence,
    /// Its `manifest.json`: files, rows, SHA-256 and the tables' columns.
    pub manifest_url: String,
    /// Every file, each table in each format.
    pub files: Vec<ExportFile>,
}

/// A page of datasets.
#[derive(Debug, Object, serde::Serialize)]
pub struct ExportPage {
    /// Datasets with an export: `site` first, then consultations by id.
    pub items: Vec<ExportDataset>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

fn dataset(base: &str, m: Manifest) -> ExportDataset {
    let root = format!("{base}/api/v1/exports/{}/{}", m.dataset, m.generation);
    ExportDataset {
        consultation_id: match Scope::parse(&m.dataset) {
            Some(Scope::Consultation(id)) => Some(id.get()),
            _ => None,
        },
        generated_at: chrono::DateTime::parse_from_rfc3339(&m.generated_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| time(m.generation.parse().unwrap_or(0))),
        manifest_url: format!("{root}/{}", export::MANIFEST),
        files: m
            .files
            .into_iter()
            .map(|f| ExportFile {
                url: format!("{root}/{}", f.name),
                name: f.name,
                table: f.table,
                format: f.format,
                media_type: f.media_type,
                rows: f.rows,
                bytes: f.bytes,
                sha256: f.sha256,
            })
            .collect(),
        dataset: m.dataset,
        title_th: m.title_th,
        title_en: m.title_en,
        generation: m.generation,
        schema_version: m.schema_version,
        feed_cursor: m.feed_cursor,
        licence: Licence {
            name: m.licence.name,
            url: m.licence.url,
        },
    }
}

/// A file of an export, whole or in part. Its media type is the file's own.
pub struct FileDownload(Response);

impl IntoResponse for FileDownload {
    fn into_response(self) -> Response {
        self.0
    }
}

const FILE_TYPES: [&str; 4] = [
    "text/csv; charset=utf-8",
    "application/jsonl; charset=utf-8",
    "application/vnd.apache.parquet",
    "application/json",
];

/// The files' media types: the data files are bytes; `manifest.json` is a JSON object (its
/// fields are described on `/open-data/datasets` and in `list_exports`), always sent whole.
fn binary(with_manifest: bool) -> Vec<MetaMediaType> {
    FILE_TYPES
        .into_iter()
        .filter(|t| with_manifest || *t != "application/json")
        .map(|content_type| MetaMediaType {
            content_type,
            schema: MetaSchemaRef::Inline(Box::new(if content_type == "application/json" {
                MetaSchema::new("object")
            } else {
                MetaSchema::new_with_format("string", "binary")
            })),
        })
        .collect()
}

fn header_meta(name: &str, description: &str, kind: &'static str) -> MetaHeader {
    MetaHeader {
        name: name.into(),
        description: Some(description.into()),
        required: true,
        deprecated: false,
        schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new(kind))),
    }
}

impl ApiResponse for FileDownload {
    fn meta() -> MetaResponses {
        let etag = || header_meta("ETag", "The file's SHA-256 in quotes.", "string");
        let length = || header_meta("Content-Length", "Bytes in this answer.", "integer");
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "The whole file.",
                    status: Some(200),
                    status_range: None,
                    content: binary(true),
                    headers: vec![etag(), length()],
                },
                MetaResponse {
                    description: "The bytes asked for in `Range` (one range, `bytes=first-last`, `bytes=first-` or `bytes=-suffix`), to resume a download of a data file (not of `manifest.json`, which is always sent whole).",
                    status: Some(206),
                    status_range: None,
                    content: binary(false),
                    headers: vec![
                        etag(),
                        length(),
                        header_meta("Content-Range", "`bytes first-last/size`.", "string"),
                    ],
                },
                MetaResponse {
                    description: "Not modified: the `If-None-Match` names this file's `ETag`.",
                    status: Some(304),
                    status_range: None,
                    content: vec![],
                    headers: vec![etag()],
                },
                MetaResponse {
                    description: "`range_not_satisfiable`: the `Range` asked for starts past the end of the file; `Content-Range` gives its size (`bytes */size`).",
                    status: Some(416),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: PROBLEM_JSON,
                        schema: Problem::schema_ref(),
                    }],
                    headers: vec![header_meta("Content-Range", "`bytes */size`.", "string")],
                },
            ],
        }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    Whole,
    /// First and last byte, inclusive.
    Part(u64, u64),
    Unsatisfiable,
}

/// Reads a `Range` header (RFC 9110 14.2). Anything but one byte range (several ranges, other
/// units, bad syntax) is ignored, which the RFC allows: the whole file is sent.
fn wanted(range: Option<&str>, size: u64) -> Wanted {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (first.trim().is_empty(), number(first), number(last)) {
        // `bytes=-n`: the last n bytes.
        (true, _, Some(n)) => {
            if n == 0 || size == 0 {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(size.saturating_sub(n), size - 1)
            }
        }
        (false, Some(a), None) if last.trim().is_empty() => {
            if a >= size {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(a, size - 1)
            }
        }
        (false, Some(a), Some(b)) if a <= b => {
            if a >= size {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(a, b.min(size - 1))
            }
        }
        _ => Wanted::Whole,
    }
}

fn not_found() -> DomainError {
    DomainError::NotFound("export")
}

pub struct ExportsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Exports")]
impl ExportsApi {
    /// List the bulk exports: everything public (`site`, rebuilt daily) first, then each
    /// consultation's own (written when it closes and again when its hearing summary is
    /// published), with every file's address, rows, size and SHA-256. Each table comes as CSV,
    /// JSON Lines and Parquet; the columns are described in each `manifest.json` and on
    /// `/open-data/datasets`.
    #[oai(path = "/exports", method = "get", operation_id = "list_exports")]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// Datasets per page, 1 to 200 (default 50).
        limit: Query<Option<i64>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ExportPage>, PublicList> {
        let request = page(limit.0, cursor.0.as_deref())?;
        let dir = state.ctx.settings.exports_dir.clone();
        let base = state.ctx.settings.public_url.clone();
        let page = tokio::task::spawn_blocking(move || {
            let key = |s: &Scope| match s {
                Scope::Site => 0,
                Scope::Consultation(id) => id.get(),
            };
            let mut items = Vec::new();
            let mut more = false;
            for scope in export::datasets(&dir) {
                if request.after.is_some_and(|after| key(&scope) <= after) {
                    continue;
                }
                let Some(found) = export::find(&dir, scope, None) else {
                    continue;
                };
                if items.len() as u64 == request.limit {
                    more = true;
                    break;
                }
                items.push((key(&scope), found.manifest));
            }
            let next_cursor = more
                .then(|| items.last().map(|(k, _)| format!("c{}", (*k).max(0))))
                .flatten();
            (items, next_cursor)
        })
        .await
        .map_err(|e| anyhow::anyhow!("listing exports: {e}"))
        .map_err(DomainError::from)?;
        let (items, next_cursor) = page;
        Ok(Json(ExportPage {
            items: items.into_iter().map(|(_, m)| dataset(&base, m)).collect(),
            next_cursor,
        }))
    }

    /// The catalogue of the datasets in DCAT-AP 3 (JSON-LD), for open data portals (CKAN with
    /// ckanext-dcat, such as the national catalogue) to harvest: one `dcat:Dataset` per
    /// export, one `dcat:Distribution` per file with its download address, media type, size,
    /// SHA-256 and licence.
    #[oai(
        path = "/exports/catalog",
        method = "get",
        operation_id = "get_export_catalog"
    )]
    async fn catalog(&self, state: Data<&AppState>) -> ApiResult<Catalogue, PublicList> {
        let dir = state.ctx.settings.exports_dir.clone();
        let base = state.ctx.settings.public_url.clone();
        let doc = tokio::task::spawn_blocking(move || {
            let manifests: Vec<Manifest> = export::datasets(&dir)
                .into_iter()
                .filter_map(|s| export::find(&dir, s, None))
                .map(|e| e.manifest)
                .collect();
            export::dcat::catalogue(&base, &manifests)
        })
        .await
        .map_err(|e| anyhow::anyhow!("listing exports: {e}"))
        .map_err(DomainError::from)?;
        Ok(Catalogue::JsonLd(Json(doc)))
    }

    /// Download a file of an export (or its `manifest.json`). `generation` is the one listed by
    /// `list_exports`, or `latest`. A generation's files never change, and the one before the
    /// latest stays available for a while, so a download can be resumed with `Range` (and
    /// `If-Range`) and checked against the manifest's SHA-256, which is also the `ETag`.
    #[oai(
        path = "/exports/:dataset/:generation/:file",
        method = "get",
        operation_id = "get_export_file"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn file(
        &self,
        state: Data<&AppState>,
        /// `site` or `consultation-{id}`.
        dataset: Path<String>,
        /// A generation from `list_exports`, or `latest`.
        generation: Path<String>,
        /// A file name from the manifest, or `manifest.json`.
        file: Path<String>,
        /// One byte range, to resume a download: `bytes=first-last`, `bytes=first-` or
        /// `bytes=-suffix`.
        #[oai(name = "Range")]
        range: Header<Option<String>>,
        /// Send the range only if the file still has this `ETag`; otherwise the whole file.
        #[oai(name = "If-Range")]
        if_range: Header<Option<String>>,
        /// An `ETag` you have: `304` if the file is the same.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<FileDownload, PublicReadQuery> {
        let scope = Scope::parse(&dataset.0).ok_or_else(not_found)?;
        let dir = state.ctx.settings.exports_dir.clone();
        let generation = (generation.0 != "latest").then_some(generation.0);
        let name = file.0;
        let found =
            tokio::task::spawn_blocking(move || export::find(&dir, scope, generation.as_deref()))
                .await
                .map_err(|e| anyhow::anyhow!("finding an export: {e}"))
                .map_err(DomainError::from)?
                .ok_or_else(not_found)?;
        let (media_type, sha256) = if name == export::MANIFEST {
            let bytes = tokio::fs::read(found.folder.join(export::MANIFEST))
                .await
                .map_err(|e| anyhow::anyhow!("reading a manifest: {e}"))
                .map_err(DomainError::from)?;
            use sha2::Digest;
            (
                "application/json".to_string(),
                hex::encode(sha2::Sha256::digest(&bytes)),
            )
        } else {
            let entry = found.manifest.file(&name).ok_or_else(not_found)?;
            (entry.media_type.clone(), entry.sha256.clone())
        };
        let etag = format!("\"{sha256}\"");
        let etag_value = HeaderValue::from_str(&etag)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .map_err(DomainError::from)?;
        if if_none_match.0.as_deref().is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
        }) {
            return Ok(FileDownload(crate::caching::not_modified(etag_value)));
        }
        let path = found.folder.join(&name);
        let mut handle = tokio::fs::File::open(&path)
            .await
            .map_err(|e| anyhow::anyhow!("opening {}: {e}", path.display()))
            .map_err(DomainError::from)?;
        let size = handle
            .metadata()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
            .map_err(DomainError::from)?
            .len();
        // The manifest is small and read as a whole: a range of it is never sent.
        let range_applies =
            name != export::MANIFEST && if_range.0.as_deref().is_none_or(|v| v.trim() == etag);
        let wanted = if range_applies {
            wanted(range.0.as_deref(), size)
        } else {
            Wanted::Whole
        };
        let response = match wanted {
            Wanted::Unsatisfiable => {
                let mut r = problem_response(&Problem::new(
                    ErrorCode::RangeNotSatisfiable,
                    format!(
                        "the file has {size} bytes; ask for a range that starts before its end"
                    ),
                ));
                r.headers_mut().insert(
                    header::CONTENT_RANGE,
                    HeaderValue::from_str(&format!("bytes */{size}"))
                        .map_err(|e| anyhow::anyhow!("{e}"))
                        .map_err(DomainError::from)?,
                );
                r
            }
            Wanted::Whole => Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, media_type)
                .header(header::CONTENT_LENGTH, size)
                .header(header::ACCEPT_RANGES, "bytes")
                .header(header::ETAG, etag_value)
                .body(Body::from_async_read(handle)),
            Wanted::Part(first, last) => {
                handle
                    .seek(std::io::SeekFrom::Start(first))
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .map_err(DomainError::from)?;
                let length = last - first + 1;
                Response::builder()
                    .status(StatusCode::PARTIAL_CONTENT)
                    .header(header::CONTENT_TYPE, media_type)
                    .header(header::CONTENT_LENGTH, length)
                    .header(header::ACCEPT_RANGES, "bytes")
                    .header(
                        header::CONTENT_RANGE,
                        format!("bytes {first}-{last}/{size}"),
                    )
                    .header(header::ETAG, etag_value)
                    .body(Body::from_async_read(handle.take(length)))
            }
        };
        Ok(FileDownload(response))
    }
}

#[derive(ApiResponse)]
pub enum Catalogue {
    /// The DCAT-AP 3 catalogue, as JSON-LD.
    #[oai(status = 200, content_type = "application/ld+json")]
    JsonLd(Json<serde_json::Value>),
}

#[cfg(test)]
mod tests {
    use super::{Wanted, wanted};

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        let size = 100;
        for (header, expected) in [
            (None, Wanted::Whole),
            (Some("bytes=0-9"), Wanted::Part(0, 9)),
            (Some("bytes=90-"), Wanted::Part(90, 99)),
            (Some("bytes=-10"), Wanted::Part(90, 99)),
            (Some("bytes=-1000"), Wanted::Part(0, 99)),
            (Some("bytes=50-1000"), Wanted::Part(50, 99)),
            (Some("bytes=100-"), Wanted::Unsatisfiable),
            (Some("bytes=-0"), Wanted::Unsatisfiable),
            (Some("bytes=0-1,5-6"), Wanted::Whole),
            (Some("bytes=9-1"), Wanted::Whole),
            (Some("items=0-1"), Wanted::Whole),
            (Some("bytes=x-1"), Wanted::Whole),
            (Some("bytes=+1-2"), Wanted::Whole),
        ] {
            assert_eq!(wanted(header, size), expected, "{header:?}");
        }
        assert_eq!(wanted(Some("bytes=0-"), 0), Wanted::Unsatisfiable);
    }
}
