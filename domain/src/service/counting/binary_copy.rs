//! A reader of PostgreSQL's binary COPY format (the `COPY ... TO STDOUT (FORMAT binary)`
//! stream), fed the chunks as they arrive; a tuple may be split across chunks.
//!
//! The format: an 11-byte signature, a 32-bit flags field and a 32-bit length of a header
//! extension (skipped); then each tuple as a 16-bit field count and, per field, a 32-bit
//! length (-1: NULL) and that many bytes; then a 16-bit -1. Numbers are big-endian.
//! <https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4>

use crate::error::{DomainError, DomainResult};

const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// The fields of one tuple, borrowed from the bytes received (`None`: NULL).
pub type Tuple<'a, const N: usize> = [Option<&'a [u8]>; N];

/// Reads tuples of `N` fields.
#[derive(Debug, Default)]
pub struct BinaryCopy<const N: usize> {
    /// The start of a tuple (or of the header) not yet complete, carried to the next chunk.
    pending: Vec<u8>,
    header_read: bool,
    ended: bool,
}

fn bad(what: &str) -> DomainError {
    anyhow::anyhow!("the database sent a bad binary COPY: {what}").into()
}

impl<const N: usize> BinaryCopy<N> {
    /// Calls `tuple` with each tuple completed by `chunk`, in order.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        mut tuple: impl FnMut(&Tuple<'_, N>) -> DomainResult<()>,
    ) -> DomainResult<()> {
        if self.pending.is_empty() {
            // The usual case: the server sends each tuple in a message of its own.
            let used = self.parse(chunk, &mut tuple)?;
            self.pending.extend_from_slice(&chunk[used..]);
        } else {
            let mut data = std::mem::take(&mut self.pending);
            data.extend_from_slice(chunk);
            let used = self.parse(&data, &mut tuple)?;
            data.drain(..used);
            self.pending = data;
        }
        Ok(())
    }

    /// Checks that the stream ended where the format says it ends.
    pub fn finish(&self) -> DomainResult<()> {
        if self.ended && self.pending.is_empty() {
            Ok(())
        } else {
            Err(bad("it stops in the middle"))
        }
    }

    /// Reads the complete tuples at the start of `data`; returns how many bytes they took.
    fn parse(
        &mut self,
        data: &[u8],
        tuple: &mut impl FnMut(&Tuple<'_, N>) -> DomainResult<()>,
    ) -> DomainResult<usize> {
        let mut at = 0;
        if !self.header_read {
            let Some(extension) = data.get(SIGNATURE.len() + 4..SIGNATURE.len() + 8) else {
                return Ok(0);
            };
            if !data.starts_with(SIGNATURE) {
                return Err(bad("no signature"));
            }
            let extension =
                u32::from_be_bytes([extension[0], extension[1], extension[2], extension[3]]);
            let end = SIGNATURE.len() + 8 + extension as usize;
            if data.len() < end {
                return Ok(0);
            }
            at = end;
            self.header_read = true;
        }
        while at < data.len() {
            if self.ended {
                return Err(bad("bytes after the end"));
            }
            let Some((count, mut next)) = read_i16(data, at) else {
                break;
            };
            if count == -1 {
                self.ended = true;
                at = next;
                continue;
            }
            if usize::try_from(count).ok() != Some(N) {
                return Err(bad("a tuple with an unexpected number of fields"));
            }
            let mut fields: Tuple<'_, N> = [None; N];
            let mut complete = true;
            for field in &mut fields {
                let Some((len, start)) = read_i32(data, next) else {
                    complete = false;
                    break;
                };
                next = start;
                if len == -1 {
                    continue;
                }
                let len = usize::try_from(len).map_err(|_| bad("a negative length"))?;
                let Some(value) = data.get(start..start + len) else {
                    complete = false;
                    break;
                };
                *field = Some(value);
                next = start + len;
            }
            if !complete {
                break;
            }
            tuple(&fields)?;
            at = next;
        }
        Ok(at)
    }
}

fn read_i16(data: &[u8], at: usize) -> Option<(i16, usize)> {
    let b = data.get(at..at + 2)?;
    Some((i16::from_be_bytes([b[0], b[1]]), at + 2))
}

fn read_i32(data: &[u8], at: usize) -> Option<(i32, usize)> {
    let b = data.get(at..at + 4)?;
    Some((i32::from_be_bytes([b[0], b[1], b[2], b[3]]), at + 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Row = Vec<Option<Vec<u8>>>;

    fn stream(rows: &[Row], extension: &[u8]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&(extension.len() as u32).to_be_bytes());
        out.extend_from_slice(extension);
        for row in rows {
            out.extend_from_slice(&(row.len() as i16).to_be_bytes());
            for field in row {
                match field {
                    None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                    Some(v) => {
                        out.extend_from_slice(&(v.len() as i32).to_be_bytes());
                        out.extend_from_slice(v);
                    }
                }
            }
        }
        out.extend_from_slice(&(-1i16).to_be_bytes());
        out
    }

    fn read(chunks: &[&[u8]]) -> DomainResult<Vec<Row>> {
        let mut reader = BinaryCopy::<3>::default();
        let mut rows = Vec::new();
        for chunk in chunks {
            reader.feed(chunk, |t| {
                rows.push(t.iter().map(|f| f.map(<[u8]>::to_vec)).collect());
                Ok(())
            })?;
        }
        reader.finish()?;
        Ok(rows)
    }

    fn rows() -> Vec<Row> {
        vec![
            vec![
                Some(42i64.to_be_bytes().to_vec()),
                Some("ข้อมูล\nส่วนบุคคล".as_bytes().to_vec()),
                None,
            ],
            vec![Some(vec![]), None, Some(vec![1])],
            vec![None, None, None],
        ]
    }

    #[test]
    fn tuples_are_read_however_the_stream_is_cut() {
        let rows = rows();
        let bytes = stream(&rows, b"ext");
        assert_eq!(read(&[&bytes]).unwrap(), rows);
        for cut in 0..=bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(read(&[a, b]).unwrap(), rows, "cut at {cut}");
        }
        let bytes_one_by_one: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(read(&bytes_one_by_one).unwrap(), rows);
    }

    #[test]
    fn an_empty_result_has_no_tuples() {
        assert_eq!(read(&[&stream(&[], b"")]).unwrap(), Vec::<Row>::new());
    }

    #[test]
    fn bad_streams_are_refused() {
        let good = stream(&rows(), b"");
        // Cut short: no end marker.
        assert!(read(&[&good[..good.len() - 2]]).is_err());
        assert!(read(&[&good[..5]]).is_err());
        // Bytes after the end marker.
        let mut longer = good.clone();
        longer.extend_from_slice(&[0, 3]);
        assert!(read(&[&longer]).is_err());
        // Not a binary COPY.
        let mut unsigned = good.clone();
        unsigned[0] = b'X';
        assert!(read(&[&unsigned]).is_err());
        // A tuple of two fields where three are expected.
        let two = stream(&[vec![None, None]], b"");
        assert!(read(&[&two]).is_err());
        // A negative length other than -1.
        let mut negative = stream(&[vec![None, None, None]], b"");
        let first_length = SIGNATURE.len() + 8 + 2;
        negative[first_length..first_length + 4].copy_from_slice(&(-2i32).to_be_bytes());
        assert!(read(&[&negative]).is_err());
    }
}
