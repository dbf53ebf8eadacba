//! Rendering results for people and machines. Each format is one file; this module holds what
//! they share: the human form of a value.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use serde_json::Value;

use crate::snapshot::schema::Kind;

/// Everything a run produced, for the machine and Markdown formats.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    pub command: &'static str,
    pub current: &'a str,
    pub baseline: Option<&'a str>,
    pub snapshot: &'a crate::snapshot::Snapshot,
    pub drift: Option<&'a crate::diff::Drift>,
    /// Baseline snapshot (provenance of removed entries).
    pub baseline_snapshot: Option<&'a crate::snapshot::Snapshot>,
    pub policy: Option<(
        &'a crate::policy::Policy,
        &'a [crate::policy::Finding],
        &'a crate::policy::waivers::Review,
    )>,
    pub exit_code: u8,
}

/// A value as a person reads it: durations as `30m` or `disabled`, strings quoted, the rest as
/// compact JSON.
pub fn display_value(kind: Option<Kind>, v: &Value) -> String {
    match (kind, v) {
        (Some(Kind::ToggledDuration), Value::Object(o)) => {
            match (
                o.get("enabled").and_then(Value::as_bool),
                o.get("seconds").and_then(Value::as_i64),
            ) {
                (Some(false), _) => "disabled".to_owned(),
                (Some(true), Some(s)) => crate::duration::humanize(s),
                _ => v.to_string(),
            }
        }
        (Some(Kind::Duration), Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| n.to_string(), crate::duration::humanize),
        _ => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_read_like_durations() {
        assert_eq!(
            display_value(
                Some(Kind::ToggledDuration),
                &json!({"enabled": true, "seconds": 1800})
            ),
            "30m"
        );
        assert_eq!(
            display_value(
                Some(Kind::ToggledDuration),
                &json!({"enabled": false, "seconds": 1800})
            ),
            "disabled"
        );
        assert_eq!(display_value(Some(Kind::Duration), &json!(604800)), "7d");
        assert_eq!(
            display_value(Some(Kind::Str), &json!("public")),
            "\"public\""
        );
    }
}
