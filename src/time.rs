//! Treatment times: parsing what a person types (`2026-11-26 14:00`, RFC 3339) into a
//! zoned date-time. The waits themselves are added in `assess`.

use jiff::{ZonedDateTime as Zoned, civil::DateTime, tz::TimeZone};

/// Parses a treatment time. A time with an offset (RFC 3339) keeps it, shown in `tz`; a
/// local date-time (`2026-11-26 14:00`, `2026-11-26T14:00`) or a date alone (midnight)
/// is read in `tz`.
pub fn parse_datetime(text: &str, tz: &TimeZone) -> Result<Zoned, String> {
    let t = text.trim();
    if let Ok(z) = t.parse::<Zoned>() {
        return Ok(z.with_time_zone(tz.clone()));
    }
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(ts.to_zoned_datetime(tz.clone()));
    }
    let local = t.replace(' ', "T");
    let parsed = local.parse::<DateTime>().or_else(|_| {
        local
            .parse::<jiff::civil::Date>()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    });
    match parsed {
        Ok(dt) => dt
            .to_zoned_datetime(tz.clone())
            .map_err(|e| format!("`{text}` does not exist in the time zone: {e}")),
        Err(_) => Err(format!(
            "`{text}` is not a date-time; use `2026-11-26 14:00` (local) or RFC 3339 such as `2026-11-26T14:00:00+01:00`"
        )),
    }
}

/// The time zone named by `--tz`, or the system's.
pub fn time_zone(name: Option<&str>) -> Result<TimeZone, String> {
    match name {
        Some(n) => TimeZone::get(n).map_err(|e| format!("unknown time zone `{n}`: {e}")),
        None => Ok(TimeZone::system()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_rfc3339_times_parse() {
        let utc = TimeZone::UTC;
        let z = parse_datetime("2026-11-26 14:00", &utc).unwrap();
        assert_eq!(z.hour(), 14);
        let z = parse_datetime("2026-11-26T14:00:00+01:00", &utc).unwrap();
        assert_eq!(z.hour(), 13);
        assert!(parse_datetime("next tuesday", &utc).is_err());
    }
}
