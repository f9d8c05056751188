//! Dates as the fleet shows and stores them: UTC days (`2026-12-02`), months
//! (`2026-12`), and "il y a 5 min" for the console.

use time::OffsetDateTime;
use time::macros::format_description;

fn at(unix: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix.min(253_402_300_799) as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `YYYY-MM-DD`, UTC.
pub fn day(unix: u64) -> String {
    at(unix).format(format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

/// `YYYY-MM-DD HH:MM`, UTC, for tables.
pub fn minute(unix: u64) -> String {
    at(unix).format(format_description!("[year]-[month]-[day] [hour]:[minute]")).unwrap_or_default()
}

/// The day `days` before the one of `unix`.
pub fn day_before(unix: u64, days: u64) -> String {
    day(unix.saturating_sub(days * 86_400))
}

/// How long ago, in words an IT person reads at a glance.
pub fn ago(now: u64, then: u64) -> String {
    let s = now.saturating_sub(then);
    match s {
        0..60 => "à l'instant".to_owned(),
        60..3600 => format!("il y a {} min", s / 60),
        3600..86_400 => format!("il y a {} h", s / 3600),
        _ => format!("il y a {} j", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_ages() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(1_796_212_800), "2026-12-02");
        assert_eq!(day_before(1_796_212_800, 32), "2026-10-31");
        assert_eq!(minute(1_796_212_800 + 3723), "2026-12-02 13:02");
        assert_eq!(ago(1000, 990), "à l'instant");
        assert_eq!(ago(10_000, 10_000 - 7200), "il y a 2 h");
    }
}
