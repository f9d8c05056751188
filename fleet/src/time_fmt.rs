//! Dates as the fleet stores and shows them. Counters are kept by UTC day (`2026-12-02`),
//! as the kiosks count them; people read local time (the server's time zone, Europe/Paris
//! in a French town hall) as `02/12/2026 10:39`, and "il y a 5 min".

use time::OffsetDateTime;
use time::macros::format_description;

fn at(unix: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix.min(253_402_300_799) as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `YYYY-MM-DD`, UTC.
pub fn day(unix: u64) -> String {
    at(unix).format(format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

/// Seconds east of UTC in the server's time zone at `unix` (`TZ`, else /etc/localtime).
fn local_offset(unix: u64) -> i64 {
    // SAFETY: `localtime_r` fills the `tm` we own and is the thread-safe form.
    let tm = unsafe {
        let t = unix.min(i64::MAX as u64) as libc::time_t;
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return 0;
        }
        tm
    };
    tm.tm_gmtoff
}

/// `DD/MM/YYYY HH:MM`, local time, for tables.
pub fn minute(unix: u64) -> String {
    let local = at((unix as i64 + local_offset(unix)).max(0) as u64);
    local.format(format_description!("[day]/[month]/[year] [hour]:[minute]")).unwrap_or_default()
}

/// `DD/MM`, local time, under a chart.
pub fn day_month(unix: u64) -> String {
    let local = at((unix as i64 + local_offset(unix)).max(0) as u64);
    local.format(format_description!("[day]/[month]")).unwrap_or_default()
}

/// The start of the local day after `unix`'s.
pub fn next_local_midnight(unix: u64) -> u64 {
    let offset = local_offset(unix);
    let local = unix as i64 + offset;
    ((local.div_euclid(86_400) + 1) * 86_400 - offset).max(0) as u64
}

/// The day `days` before the one of `unix`.
pub fn day_before(unix: u64, days: u64) -> String {
    day(unix.saturating_sub(days * 86_400))
}

/// `2026-10` as "oct. 2026".
pub fn month_name(month: &str) -> String {
    const NAMES: [&str; 12] =
        ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
    match month.split_once('-').and_then(|(y, m)| Some((y, m.parse::<usize>().ok()?))) {
        Some((year, m @ 1..=12)) => format!("{} {year}", NAMES[m - 1]),
        _ => month.to_owned(),
    }
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

/// A duration in words: "3 j 4 h", "2 h 05", "12 min".
pub fn duration(s: u64) -> String {
    match s {
        0..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h {:02}", s / 3600, s % 3600 / 60),
        _ => format!("{} j {} h", s / 86_400, s % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_months_and_ages() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(1_796_212_800), "2026-12-02");
        assert_eq!(day_before(1_796_212_800, 32), "2026-10-31");
        assert_eq!(month_name("2026-10"), "oct. 2026");
        assert_eq!(month_name("garbage"), "garbage");
        assert_eq!(ago(1000, 990), "à l'instant");
        assert_eq!(ago(10_000, 10_000 - 7200), "il y a 2 h");
        assert_eq!(duration(90_000), "1 j 1 h");
        assert_eq!(duration(7500), "2 h 05");
        let t = 1_796_212_800 + 3723;
        assert!(next_local_midnight(t) > t && next_local_midnight(t) - t <= 86_400);
        assert_eq!(minute(t).len(), "02/12/2026 13:02".len());
    }
}
