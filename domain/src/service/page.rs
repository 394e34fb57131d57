//! Cursor pagination. Lists are ordered by id, ascending, so a page never skips or repeats an
//! item when new items arrive; the cursor is the last id seen, as an opaque string.

use crate::error::{DomainError, DomainResult};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u64,
    pub after: Option<i64>,
}

impl PageRequest {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> DomainResult<PageRequest> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u64,
            Some(_) => {
                return Err(DomainError::invalid(
                    "limit",
                    "out_of_range",
                    format!("limit must be between 1 and {MAX_LIMIT}"),
                ));
            }
        };
        let after = match cursor {
            None | Some("") => None,
            Some(c) => Some(
                c.strip_prefix("c")
                    .and_then(|n| n.parse::<i64>().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        DomainError::invalid(
                            "cursor",
                            "invalid_value",
                            "cursor is not one this server issued",
                        )
                    })?,
            ),
        };
        Ok(PageRequest { limit, after })
    }

    /// Rows to fetch: one more than the limit tells whether another page exists.
    pub fn fetch(&self) -> u64 {
        self.limit + 1
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `fetch()` rows, with `id` giving each row's id.
    pub fn from_rows(mut rows: Vec<T>, request: PageRequest, id: impl Fn(&T) -> i64) -> Page<T> {
        let more = rows.len() as u64 > request.limit;
        rows.truncate(request.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| format!("c{}", id(r)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}
