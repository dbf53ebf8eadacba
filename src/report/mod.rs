//! Rendering results for people and machines. Each format is one file; this module holds what
//! they share: the human form of a value.

pub mod json;
pub mod text;

use serde_json::Value;

use crate::snapshot::schema::Kind;

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
