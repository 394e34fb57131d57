//! Logging, set up the same way by `rabfang` and `rabfang-worker`: to standard error, at the
//! level `RABFANG_LOG` gives (a `tracing` filter, default `info`), as readable text or, with
//! `RABFANG_LOG_FORMAT=json`, one JSON object a line for log collectors. Colour codes only on a
//! terminal. The default filter leaves out tantivy's warning that a finished merge found its
//! segments gone: segments whose documents were all replaced are dropped at commit, also while
//! a merge of them runs, and tantivy then discards the merge, "not necessarily a bug"; it
//! showed at every start with the demo data.

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

const DEFAULT_FILTER: &str = "info,tantivy::indexer::segment_manager=error";

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `RABFANG_LOG_FORMAT`: `text` (default) or `json`.
    pub fn parse(value: Option<&str>) -> Option<LogFormat> {
        match value.map(str::trim) {
            None | Some("") | Some("text") => Some(LogFormat::Text),
            Some("json") => Some(LogFormat::Json),
            Some(_) => None,
        }
    }
}

/// Logs to standard error as the environment says. A bad `RABFANG_LOG_FORMAT` logs text; the
/// settings then refuse it with a message.
pub fn init_logging() {
    let format = LogFormat::parse(std::env::var("RABFANG_LOG_FORMAT").ok().as_deref())
        .unwrap_or(LogFormat::Text);
    init_logging_to(std::io::stderr, format, std::io::stderr().is_terminal());
}

/// Logs to `writer` in `format`, with colours when `ansi` (tests pass their own writer).
pub fn init_logging_to<W>(writer: W, format: LogFormat, ansi: bool)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_env("RABFANG_LOG").unwrap_or_else(|_| DEFAULT_FILTER.into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(ansi).try_init(),
        LogFormat::Json => builder.json().with_ansi(false).try_init(),
    };
}
