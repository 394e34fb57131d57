//! What an export is made of: tables of typed columns, each described once (the data
//! dictionary), and the values of their rows, which every format writes in its own way.

use serde::Serialize;

/// The type of a column, the same in every format: CSV writes it as text, JSON Lines as the
/// matching JSON type, Parquet as a typed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A whole number (Parquet `INT64`).
    Integer,
    /// `true` or `false` (Parquet `BOOLEAN`).
    Boolean,
    /// UTF-8 text, Thai as written (Parquet `STRING`).
    Text,
    /// An instant, written in RFC 3339 UTC with milliseconds in CSV and JSON Lines (Parquet
    /// `TIMESTAMP(MILLIS, UTC)`).
    Timestamp,
    /// A JSON document: nested in JSON Lines, as compact JSON text in CSV and Parquet.
    Json,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Boolean => "boolean",
            Kind::Text => "text",
            Kind::Timestamp => "timestamp",
            Kind::Json => "json",
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Column {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Whether the column may be empty (`null`).
    pub nullable: bool,
    /// What it holds, for the data dictionary (English).
    pub description: &'static str,
}

/// A column that always has a value.
pub const fn col(name: &'static str, kind: Kind, description: &'static str) -> Column {
    Column {
        name,
        kind,
        nullable: false,
        description,
    }
}

/// A column that may be empty.
pub const fn opt(name: &'static str, kind: Kind, description: &'static str) -> Column {
    Column {
        name,
        kind,
        nullable: true,
        description,
    }
}

/// One table of an export: its file name (without extension), what it holds in Thai and
/// English, and its columns in order.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub title_th: &'static str,
    pub title_en: &'static str,
    pub description: &'static str,
    pub columns: &'static [Column],
}

/// One value of a row, of its column's [`Kind`] (or `Null`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Boolean(bool),
    Text(String),
    /// Milliseconds since the Unix epoch.
    Timestamp(i64),
    Json(serde_json::Value),
    /// JSON text as stored in the database (written by us, so valid JSON): passed through
    /// without parsing it.
    RawJson(String),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    pub fn opt_text(s: Option<String>) -> Value {
        s.map_or(Value::Null, Value::Text)
    }

    pub fn opt_time(ms: Option<i64>) -> Value {
        ms.map_or(Value::Null, Value::Timestamp)
    }

    pub fn opt_int(n: Option<i64>) -> Value {
        n.map_or(Value::Null, Value::Integer)
    }

    /// Any serialisable value as a JSON column.
    pub fn json<T: Serialize>(v: &T) -> Value {
        // Serialising plain data (strings, numbers, vectors, maps with string keys) cannot fail.
        Value::Json(serde_json::to_value(v).unwrap_or(serde_json::Value::Null))
    }
}

/// A row: one value per column, in the table's column order.
pub type Row = Vec<Value>;

/// RFC 3339 in UTC with milliseconds, as CSV and JSON Lines write instants.
pub fn rfc3339(ms: i64) -> String {
    crate::time::to_datetime(ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
