//! Bulk exports of everything public, for researchers: every table in CSV, JSON Lines and
//! Parquet, with a `manifest.json`, written by the worker.
//!
//! An export is a folder of files named by its generation (the time it started) under the
//! dataset's folder: `{exports}/site/1764547200000/comments.csv`. It is written in a hidden
//! `.partial-…` folder beside it and renamed into place once every file and the manifest are
//! on disk, so nobody ever sees a half-written export; the latest complete generation is the one
//! served, and the one before it stays for a while for downloads that started on it. Rows are
//! read a page at a time and written as they come ([`tables`]), so memory stays bounded
//! whatever the size; the file writing runs on a blocking thread, not the async runtime.
//!
//! The site-wide export is rebuilt daily ([`enqueue_if_due`], from the scheduler); a
//! consultation's export when it closes and when its hearing summary is published.

pub mod dcat;
mod formats;
pub mod manifest;
mod table;
pub mod tables;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Instant,
};

use anyhow::Context as _;
use tokio::sync::mpsc;

pub use formats::{Format, neutralise};
pub use manifest::{FileEntry, Licence, MANIFEST, Manifest, SCHEMA_VERSION, TableSchema};
pub use table::{Column, Kind, Table, Value};
pub use tables::{ALL_TABLES, Scope};

use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use crate::{
    Context,
    db::Db,
    entity::{audit_event, job},
    jobs::{self, BackgroundJob, ExportJob},
    time::{DAY_MS, now_ms},
    types::JobState,
};

/// Complete generations kept per dataset: the latest, and the one before for downloads that
/// started on it.
const KEEP_GENERATIONS: usize = 2;

/// The folder of a dataset's exports.
pub fn dataset_dir(exports: &Path, scope: Scope) -> PathBuf {
    exports.join(scope.name())
}

/// The complete generations of a dataset, newest first.
pub fn generations(exports: &Path, scope: Scope) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dataset_dir(exports, scope)) else {
        return vec![];
    };
    let mut names: Vec<(i64, String)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| Some((generation_number(&name)?, name)))
        .collect();
    names.sort_by_key(|a| std::cmp::Reverse(a.0));
    names.into_iter().map(|(_, name)| name).collect()
}

/// A generation's name is its start time in milliseconds, in plain digits.
fn generation_number(name: &str) -> Option<i64> {
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) && !name.starts_with('0'))
        .then(|| name.parse().ok())
        .flatten()
}

/// A complete export: its folder and its manifest.
pub struct Export {
    pub folder: PathBuf,
    pub manifest: Manifest,
}

/// The export of `scope` in `generation` (`None`: the latest), if there is one.
pub fn find(exports: &Path, scope: Scope, generation: Option<&str>) -> Option<Export> {
    let generation = match generation {
        Some(g) => generation_number(g).map(|_| g.to_string())?,
        None => generations(exports, scope).into_iter().next()?,
    };
    let folder = dataset_dir(exports, scope).join(&generation);
    let manifest = Manifest::read(&folder).ok()?;
    Some(Export { folder, manifest })
}

/// Every dataset that has an export: the site first, then consultations by id.
pub fn datasets(exports: &Path) -> Vec<Scope> {
    let Ok(entries) = std::fs::read_dir(exports) else {
        return vec![];
    };
    let mut scopes: Vec<Scope> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| Scope::parse(&name))
        .collect();
    scopes.sort_by_key(|s| match s {
        Scope::Site => 0,
        Scope::Consultation(id) => id.get(),
    });
    scopes
}

/// Writes a new export of `scope` and makes it the latest. A consultation the public cannot
/// see gets none (`Ok(None)`).
pub async fn build(ctx: &Context, scope: Scope) -> anyhow::Result<Option<Manifest>> {
    let titles = match scope {
        Scope::Site => (
            "ข้อมูลสาธารณะทั้งหมดของรับฟัง: ร่างกฎหมาย การรับฟังความคิดเห็น ความคิดเห็น สรุปผล และกฎหมายที่ใช้บังคับ".to_string(),
            "All public data of Rabfang: drafts, consultations, comments, summaries and laws in force".to_string(),
        ),
        Scope::Consultation(id) => {
            match crate::service::consultations::get_consultation(&ctx.db.conn, None, id).await {
                Ok(v) => (
                    format!("การรับฟังความคิดเห็นครั้งที่ {}: {}", id.get(), v.draft_title_th),
                    format!(
                        "Consultation {}: {}",
                        id.get(),
                        v.draft_title_en.as_deref().unwrap_or(&v.draft_title_th)
                    ),
                ),
                Err(crate::DomainError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let exports = &ctx.settings.exports_dir;
    let root = dataset_dir(exports, scope);
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    let started = now_ms();
    let generation = started.to_string();
    // Every change committed after this event has a higher id (see `service::changes`).
    let feed_cursor: i64 = audit_event::Entity::find()
        .select_only()
        .column_as(audit_event::Column::Id.max(), "max")
        .into_tuple::<Option<i64>>()
        .one(&ctx.db.conn)
        .await?
        .flatten()
        .unwrap_or(0);
    let partial = root.join(format!(
        ".partial-{generation}-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir(&partial)?;
    let result = write_all(
        ctx,
        scope,
        &partial,
        (&generation, feed_cursor),
        started,
        titles,
    )
    .await;
    let manifest = match result {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    let folder = root.join(&generation);
    std::fs::rename(&partial, &folder)
        .with_context(|| format!("publishing {}", folder.display()))?;
    sync_dir(&root);
    prune(&root);
    // What the API lists and serves as `latest` changed.
    ctx.db.wrote();
    tracing::info!(
        dataset = %scope.name(),
        generation = %generation,
        files = manifest.files.len(),
        "export published"
    );
    Ok(Some(manifest))
}

async fn write_all(
    ctx: &Context,
    scope: Scope,
    folder: &Path,
    (generation, feed_cursor): (&str, i64),
    started: i64,
    (title_th, title_en): (String, String),
) -> anyhow::Result<Manifest> {
    let mut files = Vec::new();
    for &table in scope.tables() {
        let clock = Instant::now();
        let written = write_table(ctx, scope, table, folder).await?;
        let build_ms = clock.elapsed().as_millis() as u64;
        for (format, rows, written) in written {
            let name = format!("{}.{}", table.name, format.extension());
            tracing::info!(
                dataset = %scope.name(),
                file = %name,
                rows,
                bytes = written.bytes,
                build_ms,
                "export file written"
            );
            files.push(FileEntry {
                name,
                table: table.name.into(),
                format: format.extension().into(),
                media_type: format.media_type().into(),
                rows,
                bytes: written.bytes,
                sha256: written.sha256,
                build_ms,
            });
        }
    }
    let manifest = Manifest {
        dataset: scope.name(),
        generation: generation.to_string(),
        title_th,
        title_en,
        schema_version: SCHEMA_VERSION,
        generated_at: table::rfc3339(started),
        feed_cursor: feed_cursor.to_string(),
        licence: ctx.settings.export_licence.clone(),
        files,
        tables: scope.tables().iter().map(|t| TableSchema::of(t)).collect(),
    };
    let path = folder.join(MANIFEST);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::File::open(&path)?.sync_all()?;
    sync_dir(folder);
    Ok(manifest)
}

/// Writes one table in every format in one reading of its rows: the rows are read here, a
/// page at a time, and each page goes to one blocking thread per format, with at most a few
/// pages between the reader and the slowest writer.
async fn write_table(
    ctx: &Context,
    scope: Scope,
    table: &'static Table,
    folder: &Path,
) -> anyhow::Result<Vec<(Format, u64, formats::Written)>> {
    let (tx, mut pages) = mpsc::channel::<Vec<table::Row>>(1);
    let mut senders = Vec::new();
    let mut writers = Vec::new();
    for format in Format::ALL {
        let (send, mut receive) = mpsc::channel::<Arc<Vec<table::Row>>>(1);
        senders.push(send);
        let path = folder.join(format!("{}.{}", table.name, format.extension()));
        writers.push(tokio::task::spawn_blocking(
            move || -> anyhow::Result<(Format, u64, formats::Written)> {
                let mut out = format.create(&path, table)?;
                let mut rows = 0u64;
                while let Some(page) = receive.blocking_recv() {
                    for row in page.iter() {
                        out.write(row)?;
                    }
                    rows += page.len() as u64;
                }
                Ok((format, rows, out.finish()?))
            },
        ));
    }
    // Hands each page read to every writer; a writer that stopped stops the reading.
    let fan_out = async move {
        while let Some(page) = pages.recv().await {
            let page = Arc::new(page);
            for send in &senders {
                if send.send(page.clone()).await.is_err() {
                    return;
                }
            }
        }
    };
    let mut out = tables::Rows::new(tx);
    let read = async {
        let read = tables::produce(&ctx.db.conn, scope, table, &mut out).await;
        // Dropping the sender ends the fan-out once it has passed every page on.
        let finished = out.finish().await;
        read.and(finished)
    };
    let (read, ()) = tokio::join!(read, fan_out);
    let mut written = Vec::new();
    let mut failed = None;
    for writer in writers {
        match writer.await.context("an export file writer panicked")? {
            Ok(w) => written.push(w),
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    // A writer that failed stops the reader too; its error is the one that says why.
    if let Some(e) = failed {
        return Err(e);
    }
    read?;
    Ok(written)
}

/// Flushes a folder's entries (a rename) to disk; best effort where folders cannot be opened.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Removes generations beyond the newest [`KEEP_GENERATIONS`], and partial folders left by a
/// worker that died more than a day ago.
fn prune(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut complete: Vec<(i64, PathBuf)> = Vec::new();
    let now = now_ms();
    for e in entries.filter_map(|e| e.ok()) {
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if let Some(n) = generation_number(&name) {
            complete.push((n, e.path()));
        } else if let Some(rest) = name.strip_prefix(".partial-") {
            let started = rest.split('-').next().and_then(|s| s.parse::<i64>().ok());
            if started.is_some_and(|s| now - s > DAY_MS) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    complete.sort_by_key(|a| std::cmp::Reverse(a.0));
    for (_, path) in complete.into_iter().skip(KEEP_GENERATIONS) {
        if let Err(e) = std::fs::remove_dir_all(&path) {
            tracing::warn!(path = %path.display(), error = %e, "removing an old export");
        }
    }
}

/// Queues the daily site-wide export when the latest is a day old or there is none yet.
pub async fn enqueue_if_due(db: &Db, exports: &Path) -> anyhow::Result<bool> {
    let latest = generations(exports, Scope::Site)
        .first()
        .and_then(|g| generation_number(g));
    if latest.is_some_and(|g| now_ms() - g < DAY_MS) {
        return Ok(false);
    }
    let job = ExportJob::site();
    let tx = db.write().await?;
    // A run in progress has not published yet, so it counts as well as a waiting one; so does
    // a run that failed today (its error is in the jobs list), or a broken export would be
    // queued again at every tick.
    let waiting = job::Entity::find()
        .filter(job::Column::DedupeKey.eq(job.dedupe_key()))
        .filter(
            Condition::any()
                .add(job::Column::State.is_in([JobState::Pending, JobState::Running]))
                .add(
                    Condition::all()
                        .add(job::Column::State.eq(JobState::Failed))
                        .add(job::Column::UpdatedAt.gt(now_ms() - DAY_MS)),
                ),
        )
        .count(&*tx)
        .await?;
    if waiting > 0 {
        return Ok(false);
    }
    jobs::enqueue(&*tx, &job).await?;
    tx.commit().await?;
    Ok(true)
}

/// Rebuilds the exports a job asks for.
pub async fn run(ctx: &Context, scope: Scope) -> anyhow::Result<()> {
    build(ctx, scope).await.map(|_| ())
}

/// Queues a new export of `scope` now (administrators), say after correcting data; one
/// already waiting answers the request. A consultation the public cannot see is not found.
pub async fn request(
    db: &Db,
    actor: Option<&crate::types::Actor>,
    scope: Scope,
) -> crate::DomainResult<()> {
    if !actor.is_some_and(|a| a.role == crate::types::Role::Admin) {
        return Err(crate::DomainError::Forbidden(
            "only administrators start exports".into(),
        ));
    }
    if let Scope::Consultation(id) = scope {
        crate::service::consultations::find_visible(&db.conn, None, id).await?;
    }
    let job = match scope {
        Scope::Site => ExportJob::site(),
        Scope::Consultation(id) => ExportJob::consultation(id),
    };
    let tx = db.write().await?;
    jobs::enqueue(&*tx, &job).await?;
    tx.commit().await?;
    Ok(())
}
