//! Times as the history stores them, UTC to the second in RFC 3339 (`2026-05-01T12:00:03Z`),
//! and ages for people ("3 h ago"). Civil-date arithmetic after Howard Hinnant's
//! `days_from_civil`, so that no date crate is needed for this much.

use std::time::{SystemTime, UNIX_EPOCH};

const DAY: i64 = 86_400;

/// Seconds since the Unix epoch, now.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `2026-05-01T12:00:03Z`
pub(crate) fn format(unix: i64) -> String {
    let (year, month, day) = civil_from_days(unix.div_euclid(DAY));
    let secs = unix.rem_euclid(DAY);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Reads what `format` writes; anything else is `None`.
pub(crate) fn parse(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let shape = b.len() == 20
        && [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'Z'),
        ]
        .iter()
        .all(|&(i, c)| b[i] == c);
    if !shape {
        return None;
    }
    let number = |from: usize, to: usize| text.get(from..to)?.parse::<i64>().ok();
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * DAY + hour * 3600 + minute * 60 + second)
}

/// `2026-05-01 12:00:03 UTC`
pub(crate) fn readable(time: &str) -> String {
    match parse(time) {
        Some(_) => format!("{} {} UTC", &time[..10], &time[11..19]),
        None => time.to_string(),
    }
}

/// How long ago `time` was, for people: "just now", "5 min ago", "3 h ago", "12 days ago".
pub(crate) fn age(time: &str, now: i64) -> Option<String> {
    let seconds = now - parse(time)?;
    Some(match seconds {
        s if s < 60 => "just now".to_string(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 2 * DAY => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / DAY),
    })
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        assert_eq!(format(0), "1970-01-01T00:00:00Z");
        assert_eq!(format(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format(1_777_636_803), "2026-05-01T12:00:03Z");
        for t in [0, 951_782_400, 1_777_636_803, 4_102_444_799] {
            assert_eq!(parse(&format(t)), Some(t));
        }
        assert_eq!(parse("2026-05-01 12:00:03Z"), None);
        assert_eq!(parse("2026-13-01T12:00:03Z"), None);
    }

    #[test]
    fn ages_are_rounded_down() {
        let t = "2026-05-01T12:00:03Z";
        let at = parse(t).unwrap();
        assert_eq!(age(t, at + 5).unwrap(), "just now");
        assert_eq!(age(t, at + 3 * 3600 + 5).unwrap(), "3 h ago");
        assert_eq!(age(t, at + 3 * DAY).unwrap(), "3 days ago");
        assert_eq!(readable(t), "2026-05-01 12:00:03 UTC");
    }
}
