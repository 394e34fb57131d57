//! Dates as people read them, in Bangkok time: Thai pages in the Buddhist Era
//! (`15 มกราคม 2569`, compact `15 ม.ค. 69`), English pages in the Common Era
//! (`15 January 2026`).
//!
//! The Buddhist Era year is the Common Era year + 543, except from 1 January to 31 March of
//! years before 1941: until 1940 the Thai year began on 1 April, so those months still belonged
//! to the previous Buddhist year (+542). B.E. 2483 was cut short to make 1 January 1941 the first
//! day of B.E. 2484. Laws in force from those years need the rule to show their own dates.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

const THAI_MONTHS: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];

const THAI_MONTHS_SHORT: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];

const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The Buddhist Era year of a calendar date (see the module documentation for the rule).
pub fn buddhist_year(date: NaiveDate) -> i32 {
    if date.year() < 1941 && date.month() <= 3 {
        date.year() + 542
    } else {
        date.year() + 543
    }
}

/// The calendar date of a day, month and Buddhist Era year as a Thai person writes it (the
/// inverse of [`buddhist_year`]: before 1941, January to March belonged to the previous BE
/// year, and 2483 BE ended on 31 December 1940). `None` for a day that does not exist.
pub fn from_buddhist(day: u32, month: u32, be_year: i32) -> Option<NaiveDate> {
    let ce = be_year - 543;
    let ce = if ce < 1941 && month <= 3 { ce + 1 } else { ce };
    NaiveDate::from_ymd_opt(ce, month, day).filter(|d| buddhist_year(*d) == be_year)
}

/// The calendar date in Bangkok of an instant (milliseconds since the epoch).
pub fn bangkok_date(ms: i64) -> NaiveDate {
    bangkok_time(ms).date_naive()
}

fn bangkok_time(ms: i64) -> DateTime<chrono::FixedOffset> {
    crate::time::to_datetime(ms).with_timezone(&crate::time::bangkok())
}

/// `15 มกราคม 2569`.
pub fn thai_date(ms: i64) -> String {
    let d = bangkok_date(ms);
    format!(
        "{} {} {}",
        d.day(),
        THAI_MONTHS[d.month0() as usize],
        buddhist_year(d)
    )
}

/// `15 ม.ค. 69`: the last two digits of the Buddhist year.
pub fn thai_date_short(ms: i64) -> String {
    let d = bangkok_date(ms);
    format!(
        "{} {} {:02}",
        d.day(),
        THAI_MONTHS_SHORT[d.month0() as usize],
        buddhist_year(d).rem_euclid(100)
    )
}

/// `15 January 2026`.
pub fn english_date(ms: i64) -> String {
    let d = bangkok_date(ms);
    format!(
        "{} {} {}",
        d.day(),
        ENGLISH_MONTHS[d.month0() as usize],
        d.year()
    )
}

/// `15 มกราคม 2569 เวลา 16:30 น.`.
pub fn thai_date_time(ms: i64) -> String {
    let t = bangkok_time(ms);
    format!("{} เวลา {} น.", thai_date(ms), t.format("%H:%M"))
}

/// `15 January 2026, 16:30`.
pub fn english_date_time(ms: i64) -> String {
    let t = bangkok_time(ms);
    format!("{}, {}", english_date(ms), t.format("%H:%M"))
}

/// The instant as RFC 3339 in UTC, for `<time datetime="...">`.
pub fn machine_time(ms: i64) -> String {
    crate::time::to_datetime(ms).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Midnight (start of the day) in Bangkok of a calendar date, as milliseconds.
pub fn bangkok_midnight(date: NaiveDate) -> i64 {
    let t = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(crate::time::bangkok())
        .single()
        .expect("Bangkok has no daylight saving time");
    crate::time::from_datetime(t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buddhist_era_date_reads_back_to_the_day_it_was_written_from() {
        assert_eq!(from_buddhist(15, 1, 2569), Some(ymd(2026, 1, 15)));
        assert_eq!(from_buddhist(31, 12, 2569), Some(ymd(2026, 12, 31)));
        // Before 1941 the year began on 1 April; 2483 BE ran from April to December 1940.
        assert_eq!(from_buddhist(1, 1, 2483), None);
        assert_eq!(from_buddhist(1, 1, 2484), Some(ymd(1941, 1, 1)));
        assert_eq!(from_buddhist(1, 4, 2483), Some(ymd(1940, 4, 1)));
        assert_eq!(from_buddhist(31, 3, 2482), Some(ymd(1940, 3, 31)));
        assert_eq!(from_buddhist(30, 2, 2569), None);
        for date in [
            ymd(1932, 2, 1),
            ymd(1939, 12, 5),
            ymd(1941, 3, 31),
            ymd(2026, 11, 30),
        ] {
            assert_eq!(
                from_buddhist(date.day(), date.month(), buddhist_year(date)),
                Some(date)
            );
        }
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_buddhist_year_is_the_common_year_plus_543() {
        assert_eq!(buddhist_year(ymd(2026, 1, 15)), 2569);
        assert_eq!(buddhist_year(ymd(2026, 12, 31)), 2569);
        assert_eq!(buddhist_year(ymd(1941, 1, 1)), 2484);
        assert_eq!(buddhist_year(ymd(1941, 3, 31)), 2484);
        assert_eq!(buddhist_year(ymd(1940, 4, 1)), 2483);
        assert_eq!(buddhist_year(ymd(1940, 12, 31)), 2483);
        assert_eq!(buddhist_year(ymd(2000, 2, 29)), 2543);
    }

    #[test]
    fn january_to_march_before_1941_belong_to_the_previous_buddhist_year() {
        assert_eq!(buddhist_year(ymd(1940, 1, 1)), 2482);
        assert_eq!(buddhist_year(ymd(1940, 3, 31)), 2482);
        assert_eq!(buddhist_year(ymd(1932, 6, 24)), 2475, "the 1932 revolution");
        assert_eq!(buddhist_year(ymd(1932, 3, 31)), 2474);
        assert_eq!(buddhist_year(ymd(1935, 2, 1)), 2477);
    }

    #[test]
    fn dates_are_shown_in_bangkok_time() {
        // 2026-01-14T17:30:00Z is 15 January 00:30 in Bangkok.
        let ms = crate::time::from_datetime("2026-01-14T17:30:00Z".parse().unwrap());
        assert_eq!(thai_date(ms), "15 มกราคม 2569");
        assert_eq!(thai_date_short(ms), "15 ม.ค. 69");
        assert_eq!(english_date(ms), "15 January 2026");
        assert_eq!(thai_date_time(ms), "15 มกราคม 2569 เวลา 00:30 น.");
        assert_eq!(english_date_time(ms), "15 January 2026, 00:30");
        assert_eq!(machine_time(ms), "2026-01-14T17:30:00Z");
        assert_eq!(bangkok_midnight(ymd(2026, 1, 15)), ms - 30 * 60 * 1000);
    }

    #[test]
    fn historic_dates_keep_their_own_buddhist_year() {
        let ms = bangkok_midnight(ymd(1940, 2, 10));
        assert_eq!(thai_date(ms), "10 กุมภาพันธ์ 2482");
        assert_eq!(thai_date_short(ms), "10 ก.พ. 82");
        assert_eq!(english_date(ms), "10 February 1940");
    }
}
