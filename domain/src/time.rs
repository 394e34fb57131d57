//! Time as stored: milliseconds since the Unix epoch (UTC).

use chrono::{DateTime, TimeZone, Utc};

pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The server clock, in milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn to_datetime(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub fn from_datetime(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}
