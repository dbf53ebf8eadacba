//! Durations: stored as whole seconds everywhere, parsed from policy text (`"30m"`, `"7d"`, `"60s"`,
//! or a bare number of seconds) and shown to humans in the largest exact units (`1h30m`).

use jiff::{Span, SpanRelativeTo, Unit};

/// Parses a human duration into seconds. Days are 24 hours; months and years are rejected
/// because their length depends on a calendar.
pub fn parse_seconds(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty duration".to_owned());
    }
    if let Ok(n) = trimmed.parse::<i64>() {
        return if n < 0 {
            Err(format!("negative duration `{text}`"))
        } else {
            Ok(n)
        };
    }
    let span: Span = trimmed
        .parse()
        .map_err(|e| format!("`{text}` is not a duration like \"30m\", \"7d\" or \"3600\": {e}"))?;
    if span.get_years() != 0 || span.get_months() != 0 {
        return Err(format!(
            "`{text}`: months and years have no fixed length; use days"
        ));
    }
    let total = span
        .total((Unit::Second, SpanRelativeTo::days_are_24_hours()))
        .map_err(|e| format!("`{text}`: {e}"))?;
    if total < 0.0 {
        return Err(format!("negative duration `{text}`"));
    }
    if total.fract() != 0.0 {
        return Err(format!("`{text}`: durations are whole seconds"));
    }
    // The f64 holds an exact integer here; spans are bounded far below 2^53 seconds.
    Ok(total as i64)
}

/// Shows seconds in the largest exact units: `1800` → `30m`, `604800` → `7d`, `5400` → `1h30m`.
pub fn humanize(seconds: i64) -> String {
    if seconds == 0 {
        return "0s".to_owned();
    }
    let sign = if seconds < 0 { "-" } else { "" };
    let mut rest = seconds.unsigned_abs();
    let mut out = String::from(sign);
    for (unit, size) in [("d", 86_400u64), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_friendly_and_bare_forms() {
        assert_eq!(parse_seconds("30m"), Ok(1800));
        assert_eq!(parse_seconds("7d"), Ok(604_800));
        assert_eq!(parse_seconds("60s"), Ok(60));
        assert_eq!(parse_seconds("1h 30m"), Ok(5400));
        assert_eq!(parse_seconds("3600"), Ok(3600));
    }

    #[test]
    fn rejects_calendar_units_negatives_and_garbage() {
        assert!(parse_seconds("1 month").is_err());
        assert!(parse_seconds("-5").is_err());
        assert!(parse_seconds("soon").is_err());
        assert!(parse_seconds("").is_err());
    }

    #[test]
    fn humanizes_in_largest_exact_units() {
        assert_eq!(humanize(1800), "30m");
        assert_eq!(humanize(604_800), "7d");
        assert_eq!(humanize(5400), "1h30m");
        assert_eq!(humanize(61), "1m1s");
        assert_eq!(humanize(0), "0s");
    }
}
