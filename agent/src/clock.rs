//! Time as the site lives it: the day and minute in its local time, from the system's
//! clock and time zone or from a test's, and whether its reception is open then.

use guichet_protocol::{OpeningHours, Weekday};

/// A moment of the week in the site's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub day: Weekday,
    /// Minutes since midnight.
    pub minute: u32,
}

/// Where local time comes from: the system's clock and time zone, or a test's.
pub trait Clock: Send + Sync {
    fn local(&self) -> LocalTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn local(&self) -> LocalTime {
        local_time()
    }
}

/// Whether the site is open at `t`. No hours configured means always open.
pub fn open_at(hours: &[OpeningHours], t: LocalTime) -> bool {
    hours.is_empty()
        || hours.iter().any(|h| {
            let minutes = |s: &str| {
                let (hh, mm) = s.split_once(':').unwrap_or(("0", "0"));
                hh.parse::<u32>().unwrap_or(0) * 60 + mm.parse::<u32>().unwrap_or(0)
            };
            (h.first..=h.last).contains(&t.day) && (minutes(&h.open)..minutes(&h.close)).contains(&t.minute)
        })
}

/// The day and minute now, in the system's time zone (`/etc/localtime`, or `TZ`).
pub fn local_time() -> LocalTime {
    use guichet_protocol::Weekday;
    // SAFETY: `time` with a null pointer only returns; `localtime_r` fills the `tm` we own
    // and is the thread-safe form.
    let tm = unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm
    };
    let days = [Weekday::Sun, Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat];
    LocalTime {
        day: days[tm.tm_wday.clamp(0, 6) as usize],
        minute: (tm.tm_hour.clamp(0, 23) * 60 + tm.tm_min.clamp(0, 59)) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekdays() -> Vec<OpeningHours> {
        vec![OpeningHours { first: Weekday::Mon, last: Weekday::Fri, open: "08:30".into(), close: "12:00".into() }]
    }

    #[test]
    fn opening_hours_include_open_and_exclude_close() {
        let at = |day, h: u32, m: u32| LocalTime { day, minute: h * 60 + m };
        let hours = weekdays();
        assert!(!open_at(&hours, at(Weekday::Mon, 8, 29)));
        assert!(open_at(&hours, at(Weekday::Mon, 8, 30)));
        assert!(open_at(&hours, at(Weekday::Fri, 11, 59)));
        assert!(!open_at(&hours, at(Weekday::Fri, 12, 0)));
        assert!(!open_at(&hours, at(Weekday::Sat, 9, 0)));
        assert!(open_at(&[], at(Weekday::Sun, 3, 0)));
    }
}
