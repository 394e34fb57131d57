//! Dates typed on workspace forms as three boxes, day, month and year, as GOV.UK's date input
//! does. A year of 2400 or more is read as a Buddhist Era year on any page (Thai pages show and
//! expect BE), a smaller one as CE. Days are Bangkok days: a hearing opens at the start of its
//! first day and closes at the end of its last.

use chrono::{Datelike, NaiveDate};
use domain::{calendar, time::now_ms};

use crate::site::{forms::Errors, i18n::Messages, visitor::FormData};

/// A date as typed: `[day, month, year]`.
pub type DateParts = [String; 3];

/// The three boxes named `{prefix}_day`, `{prefix}_month` and `{prefix}_year` of a form.
pub fn of_form(form: &FormData, prefix: &str) -> DateParts {
    ["day", "month", "year"].map(|part| form.raw(&format!("{prefix}_{part}")).to_string())
}

/// The boxes filled with an instant's Bangkok date (BE on Thai pages).
pub fn parts_of(ms: i64, thai: bool) -> DateParts {
    let d = calendar::bangkok_date(ms);
    let year = if thai {
        calendar::buddhist_year(d)
    } else {
        d.year()
    };
    [d.day().to_string(), d.month().to_string(), year.to_string()]
}

/// Whether nothing was typed in any box (for an optional date).
pub fn is_blank(parts: &DateParts) -> bool {
    parts.iter().all(|p| p.trim().is_empty())
}

/// The date typed, if it is a real one.
pub fn typed(parts: &DateParts) -> Option<NaiveDate> {
    let [d, m, y] = parts.each_ref().map(|p| p.trim().parse::<i32>().ok());
    let (d, m, y) = (u32::try_from(d?).ok()?, u32::try_from(m?).ok()?, y?);
    if y >= 2400 {
        calendar::from_buddhist(d, m, y)
    } else {
        NaiveDate::from_ymd_opt(y, m, d)
    }
}

/// The date typed in the boxes `{prefix}_…`, if it is a real one; otherwise the problem goes to
/// its first box, `{prefix}_day`. An `optional` date left blank is `Some(None)`.
pub fn checked(
    parts: &DateParts,
    prefix: &str,
    optional: bool,
    t: &Messages,
    errors: &mut Errors,
) -> Option<Option<NaiveDate>> {
    if optional && is_blank(parts) {
        return Some(None);
    }
    let date = typed(parts);
    if date.is_none() {
        errors.push(format!("{prefix}_day"), t.get("ws-date-invalid"));
    }
    date.map(Some)
}

/// A hearing's two dates as its forms show them: (field prefix, boxes as typed, legend key).
pub fn hearing_fields(
    opens: &DateParts,
    closes: &DateParts,
) -> Vec<(&'static str, DateParts, &'static str)> {
    vec![
        ("opens", opens.clone(), "ws-first-day"),
        ("closes", closes.clone(), "ws-last-day"),
    ]
}

/// The form field where a service's problem with a hearing's dates belongs.
pub fn hearing_field_id(service_field: &str) -> Option<String> {
    if service_field.starts_with("opens_at") {
        Some("opens_day".into())
    } else if service_field.starts_with("closes_at") {
        Some("closes_day".into())
    } else {
        None
    }
}

/// When a hearing whose first day is `date` opens: the start of that day, or now if that has
/// passed (a hearing that opens today opens at once).
pub fn opening(date: NaiveDate) -> i64 {
    calendar::bangkok_midnight(date).max(now_ms())
}

/// When a hearing whose last day is `date` closes: one second before the next midnight.
pub fn closing(date: NaiveDate) -> i64 {
    calendar::bangkok_midnight(date.succ_opt().unwrap_or(date)) - 1000
}

/// The year to show in a date's hint: the current year in the page's era.
pub fn example_year(thai: bool) -> i32 {
    let today = calendar::bangkok_date(now_ms());
    if thai {
        calendar::buddhist_year(today)
    } else {
        today.year()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(d: &str, m: &str, y: &str) -> DateParts {
        [d.into(), m.into(), y.into()]
    }

    #[test]
    fn buddhist_and_common_era_years_are_both_read() {
        let expected = NaiveDate::from_ymd_opt(2026, 1, 15);
        assert_eq!(typed(&parts("15", "1", "2569")), expected);
        assert_eq!(typed(&parts(" 15", "01", "2026 ")), expected);
        assert_eq!(typed(&parts("31", "2", "2569")), None);
        assert_eq!(typed(&parts("", "", "")), None);
        assert!(is_blank(&parts(" ", "", "")));
        let ms = calendar::bangkok_midnight(expected.unwrap());
        assert_eq!(parts_of(ms, true), parts("15", "1", "2569"));
        assert_eq!(parts_of(ms, false), parts("15", "1", "2026"));
    }
}
