//! Time as stored: milliseconds since the Unix epoch (UTC).

use chrono::{DateTime, FixedOffset, Months, TimeZone, Utc};

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

/// Bangkok time: UTC+7 all year (Thailand has no daylight saving time).
pub fn bangkok() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// `ms` plus `years` calendar years on Bangkok's calendar: the same local date and time of day.
/// A 29 February becomes 28 February in a year without one (chrono clamps to the month's last
/// day), so the result never lies after the anniversary: for a legal deadline ("at least every
/// five years") the earlier day is the safe one.
pub fn add_years_bangkok(ms: i64, years: u32) -> i64 {
    to_datetime(ms)
        .with_timezone(&bangkok())
        .checked_add_months(Months::new(12 * years))
        .map_or(i64::MAX, |t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bangkok_ms(y: i32, m: u32, d: u32, h: u32) -> i64 {
        bangkok()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .expect("a valid Bangkok time")
            .timestamp_millis()
    }

    #[test]
    fn calendar_years_keep_the_bangkok_date_and_time() {
        // 2024-01-01 00:00 Bangkok is still 2023 in UTC.
        assert_eq!(
            add_years_bangkok(bangkok_ms(2024, 1, 1, 0), 5),
            bangkok_ms(2029, 1, 1, 0)
        );
        assert_eq!(
            add_years_bangkok(bangkok_ms(2020, 6, 15, 9), 5),
            bangkok_ms(2025, 6, 15, 9)
        );
    }

    #[test]
    fn a_leap_day_plus_five_years_is_the_twenty_eighth_of_february() {
        assert_eq!(
            add_years_bangkok(bangkok_ms(2024, 2, 29, 0), 5),
            bangkok_ms(2029, 2, 28, 0)
        );
        // Four years on, the leap day exists again.
        assert_eq!(
            add_years_bangkok(bangkok_ms(2024, 2, 29, 0), 4),
            bangkok_ms(2028, 2, 29, 0)
        );
    }
}
