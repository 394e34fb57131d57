//! `manifest.json`: what one export holds (every file with its table, format, rows, size and
//! SHA-256), when it was made, under which licence, and the schema of its tables.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Raised when a column is added, removed, renamed or changes type; readers can check it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// `site` or `consultation-{id}`.
    pub dataset: String,
    /// The export's generation: the time it was started, in milliseconds since the Unix epoch,
    /// also the folder its files are in.
    pub generation: String,
    /// The dataset's title in Thai and in English.
    pub title_th: String,
    pub title_en: String,
    pub schema_version: u32,
    /// When the export was started (RFC 3339). Rows reflect the public data at about then.
    pub generated_at: String,
    /// The change feed's cursor when the export started: following `/api/v1/changes` from
    /// here brings a copy made from this export up to date without a gap.
    pub feed_cursor: String,
    pub licence: Licence,
    pub files: Vec<FileEntry>,
    pub tables: Vec<TableSchema>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Licence {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// The file's name, e.g. `comments.csv`.
    pub name: String,
    pub table: String,
    /// `csv`, `jsonl` or `parquet`.
    pub format: String,
    pub media_type: String,
    /// Data rows (the CSV header not counted).
    pub rows: u64,
    pub bytes: u64,
    /// SHA-256 of the file, in hex.
    pub sha256: String,
    /// How long writing the file took, in milliseconds.
    pub build_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TableSchema {
    pub name: String,
    pub description: String,
    pub columns: Vec<ColumnSchema>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ColumnSchema {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub nullable: bool,
    pub description: String,
}

impl TableSchema {
    pub fn of(table: &super::Table) -> TableSchema {
        TableSchema {
            name: table.name.into(),
            description: table.description.into(),
            columns: table
                .columns
                .iter()
                .map(|c| ColumnSchema {
                    name: c.name.into(),
                    kind: c.kind.as_str().into(),
                    nullable: c.nullable,
                    description: c.description.into(),
                })
                .collect(),
        }
    }
}

impl Manifest {
    /// Reads the manifest in an export's folder.
    pub fn read(folder: &Path) -> anyhow::Result<Manifest> {
        let text = std::fs::read(folder.join(MANIFEST))?;
        Ok(serde_json::from_slice(&text)?)
    }

    pub fn file(&self, name: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
