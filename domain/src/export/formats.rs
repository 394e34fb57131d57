//! The three formats every table is written in, row by row, to a file that is hashed while it
//! is written. Each writer holds at most one batch of rows (Parquet: one row group of encoded
//! data, flushed at [`PARQUET_ROW_GROUP_BYTES`]), so memory stays bounded whatever the size.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
    sync::Arc,
};

use anyhow::Context as _;
use arrow_array::{
    ArrayRef, RecordBatch,
    builder::{BooleanBuilder, Int64Builder, StringBuilder, TimestampMillisecondBuilder},
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::{arrow::ArrowWriter, basic::Compression, file::properties::WriterProperties};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::table::{Kind, Row, Table, Value, rfc3339};

/// A file format of the exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Jsonl,
    Parquet,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Csv, Format::Jsonl, Format::Parquet];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Jsonl => "application/jsonl; charset=utf-8",
            Format::Parquet => "application/vnd.apache.parquet",
        }
    }

    /// The format of a file name, by its extension.
    pub fn of_file(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1;
        Format::ALL.into_iter().find(|f| f.extension() == ext)
    }

    /// Starts writing `table` to a new file at `path`.
    pub fn create(self, path: &Path, table: &'static Table) -> anyhow::Result<Box<dyn RowWriter>> {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let out = Hashed::new(BufWriter::with_capacity(256 * 1024, file));
        Ok(match self {
            Format::Csv => Box::new(CsvWriter::new(out, table)?),
            Format::Jsonl => Box::new(JsonlWriter::new(out, table)),
            Format::Parquet => Box::new(ParquetWriter::new(out, table)?),
        })
    }
}

/// What a finished file is: its size and SHA-256.
#[derive(Debug, Clone)]
pub struct Written {
    pub bytes: u64,
    pub sha256: String,
}

/// Writes the rows of one table in one format.
pub trait RowWriter: Send {
    fn write(&mut self, row: &Row) -> anyhow::Result<()>;
    /// Writes what is buffered, syncs the file to disk, and says what was written.
    fn finish(self: Box<Self>) -> anyhow::Result<Written>;
}

/// A writer that counts and hashes every byte on its way to the file.
pub struct Hashed {
    inner: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl Hashed {
    fn new(inner: BufWriter<File>) -> Hashed {
        Hashed {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    fn finish(mut self) -> anyhow::Result<Written> {
        self.inner.flush()?;
        let file = self.inner.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(Written {
            bytes: self.bytes,
            sha256: hex::encode(self.hasher.finalize()),
        })
    }
}

impl Write for Hashed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they need it; UTF-8 with a
/// byte-order mark, so that spreadsheet programs read Thai correctly. A text cell that a
/// spreadsheet would take for a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return) gets a leading `'`, which shows it as text.
struct CsvWriter {
    csv: csv::Writer<Hashed>,
    /// A number's digits, reused from cell to cell.
    digits: String,
}

impl CsvWriter {
    fn new(mut out: Hashed, table: &'static Table) -> anyhow::Result<CsvWriter> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        csv.write_record(table.columns.iter().map(|c| c.name))?;
        Ok(CsvWriter {
            csv,
            digits: String::new(),
        })
    }
}

/// A text cell as a spreadsheet will not run it.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

impl RowWriter for CsvWriter {
    fn write(&mut self, row: &Row) -> anyhow::Result<()> {
        use std::fmt::Write as _;
        for value in row {
            match value {
                Value::Null => self.csv.write_field(b"")?,
                Value::Integer(n) => {
                    self.digits.clear();
                    let _ = write!(self.digits, "{n}");
                    self.csv.write_field(self.digits.as_bytes())?;
                }
                Value::Boolean(b) => self.csv.write_field(if *b { "true" } else { "false" })?,
                Value::Text(t) | Value::RawJson(t) => {
                    self.csv.write_field(neutralise(t).as_bytes())?
                }
                Value::Timestamp(ms) => self.csv.write_field(rfc3339(*ms))?,
                Value::Json(j) => self
                    .csv
                    .write_field(neutralise(&j.to_string()).as_bytes())?,
            }
        }
        self.csv.write_record(None::<&[u8]>)?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> anyhow::Result<Written> {
        let out = self.csv.into_inner().map_err(|e| e.into_error())?;
        out.finish()
    }
}

/// JSON Lines: one JSON object per line, keys in column order, instants as RFC 3339 strings,
/// JSON columns nested as they are.
struct JsonlWriter {
    out: Hashed,
    /// Each column's key, already written as JSON (`"name":`).
    keys: Vec<String>,
    line: Vec<u8>,
}

impl JsonlWriter {
    fn new(out: Hashed, table: &'static Table) -> JsonlWriter {
        let keys = table
            .columns
            .iter()
            .map(|c| format!("{}:", serde_json::Value::from(c.name)))
            .collect();
        JsonlWriter {
            out,
            keys,
            line: Vec::with_capacity(4096),
        }
    }
}

impl RowWriter for JsonlWriter {
    fn write(&mut self, row: &Row) -> anyhow::Result<()> {
        let line = &mut self.line;
        line.clear();
        line.push(b'{');
        for (i, (key, value)) in self.keys.iter().zip(row).enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(key.as_bytes());
            match value {
                Value::Null => line.extend_from_slice(b"null"),
                Value::Integer(n) => write!(line, "{n}")?,
                Value::Boolean(b) => line.extend_from_slice(if *b { b"true" } else { b"false" }),
                Value::Text(t) => serde_json::to_writer(&mut *line, t)?,
                // RFC 3339 needs no escaping.
                Value::Timestamp(ms) => write!(line, "\"{}\"", rfc3339(*ms))?,
                Value::Json(j) => serde_json::to_writer(&mut *line, j)?,
                Value::RawJson(j) => line.extend_from_slice(j.as_bytes()),
            }
        }
        line.extend_from_slice(b"}\n");
        self.out.write_all(line)?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> anyhow::Result<Written> {
        self.out.finish()
    }
}

/// Rows collected into one Arrow batch before it is handed to the Parquet writer.
const PARQUET_BATCH_ROWS: usize = 2048;
/// A row group is closed when its encoded data reaches this size, which bounds the memory a
/// Parquet file takes to write (long comments make big row groups).
const PARQUET_ROW_GROUP_BYTES: usize = 8 * 1024 * 1024;

/// Parquet with typed columns (Snappy-compressed), written through Arrow batches.
struct ParquetWriter {
    writer: ArrowWriter<Hashed>,
    schema: Arc<Schema>,
    table: &'static Table,
    builders: Vec<Builder>,
    rows: usize,
}

enum Builder {
    Integer(Int64Builder),
    Boolean(BooleanBuilder),
    Text(StringBuilder),
    Timestamp(TimestampMillisecondBuilder),
}

fn builders(table: &Table) -> Vec<Builder> {
    table
        .columns
        .iter()
        .map(|c| match c.kind {
            Kind::Integer => Builder::Integer(Int64Builder::new()),
            Kind::Boolean => Builder::Boolean(BooleanBuilder::new()),
            Kind::Text | Kind::Json => Builder::Text(StringBuilder::new()),
            Kind::Timestamp => {
                Builder::Timestamp(TimestampMillisecondBuilder::new().with_timezone("UTC"))
            }
        })
        .collect()
}

/// The Arrow schema of a table.
pub fn arrow_schema(table: &Table) -> Schema {
    Schema::new(
        table
            .columns
            .iter()
            .map(|c| {
                let data_type = match c.kind {
                    Kind::Integer => DataType::Int64,
                    Kind::Boolean => DataType::Boolean,
                    Kind::Text | Kind::Json => DataType::Utf8,
                    Kind::Timestamp => {
                        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
                    }
                };
                Field::new(c.name, data_type, c.nullable)
            })
            .collect::<Vec<_>>(),
    )
}

impl ParquetWriter {
    fn new(out: Hashed, table: &'static Table) -> anyhow::Result<ParquetWriter> {
        let schema = Arc::new(arrow_schema(table));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by("Rabfang".into())
            .build();
        Ok(ParquetWriter {
            writer: ArrowWriter::try_new(out, schema.clone(), Some(props))?,
            schema,
            table,
            builders: builders(table),
            rows: 0,
        })
    }

    fn flush_batch(&mut self) -> anyhow::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let columns: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(|b| -> ArrayRef {
                match b {
                    Builder::Integer(b) => Arc::new(b.finish()),
                    Builder::Boolean(b) => Arc::new(b.finish()),
                    Builder::Text(b) => Arc::new(b.finish()),
                    Builder::Timestamp(b) => Arc::new(b.finish().with_timezone("UTC")),
                }
            })
            .collect();
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .with_context(|| format!("a batch of {}", self.table.name))?;
        self.writer.write(&batch)?;
        if self.writer.in_progress_size() >= PARQUET_ROW_GROUP_BYTES {
            self.writer.flush()?;
        }
        self.rows = 0;
        Ok(())
    }
}

impl RowWriter for ParquetWriter {
    fn write(&mut self, row: &Row) -> anyhow::Result<()> {
        for ((builder, value), column) in self.builders.iter_mut().zip(row).zip(self.table.columns)
        {
            match (builder, value) {
                (Builder::Integer(b), Value::Integer(n)) => b.append_value(*n),
                (Builder::Integer(b), Value::Null) => b.append_null(),
                (Builder::Boolean(b), Value::Boolean(v)) => b.append_value(*v),
                (Builder::Boolean(b), Value::Null) => b.append_null(),
                (Builder::Text(b), Value::Text(t)) => b.append_value(t),
                (Builder::Text(b), Value::Json(j)) => b.append_value(j.to_string()),
                (Builder::Text(b), Value::RawJson(j)) => b.append_value(j),
                (Builder::Text(b), Value::Null) => b.append_null(),
                (Builder::Timestamp(b), Value::Timestamp(ms)) => b.append_value(*ms),
                (Builder::Timestamp(b), Value::Null) => b.append_null(),
                (_, other) => anyhow::bail!(
                    "{}.{} is a {} column, got {other:?}",
                    self.table.name,
                    column.name,
                    column.kind.as_str()
                ),
            }
        }
        self.rows += 1;
        if self.rows >= PARQUET_BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<Written> {
        self.flush_batch()?;
        let out = self.writer.into_inner()?;
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for formula in ["=1+1", "+66 2", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(formula), format!("'{formula}"));
        }
        for plain in ["มาตรา ๕", "1-2", "", "a=b", " =x"] {
            assert_eq!(neutralise(plain), plain);
        }
    }
}
