//! `--to policy`: the current snapshot with every failing rule made to pass, each at the value
//! its own assertion names (`equals` its value, `one_of` the first, `min`/`max` the bound — a
//! switched-off duration is switched on, at the bound only when its stored value breaks it —, a set with the element added or removed). Rules whose assertion
//! names no value (`matches`, `exists`, `not_equals`, `min_from_now`, rules over each entry of a
//! collection) are listed, not guessed. Pure.

use serde_json::{Map, Value, json};

use crate::path::{Path, Seg};
use crate::policy::Policy;
use crate::policy::eval::{Finding, Status};
use crate::policy::model::{Assertion, Rule};
use crate::snapshot::normalize::platform::raw_field;
use crate::snapshot::schema::Kind;
use crate::snapshot::{Snapshot, Source};

/// The target of `--to policy`.
pub struct PolicyTarget {
    pub snapshot: Snapshot,
    /// Failing rules that name no value to set: `(rule id, path judged, remediation text)`.
    pub without_value: Vec<(String, String, Option<String>)>,
}

/// The value that makes `rule` pass, given the current value; `None`: the assertion names none.
pub fn value_for(rule: &Rule, current: Option<&Value>) -> Option<Value> {
    if rule.each.is_some() {
        return None;
    }
    let set = || -> Vec<Value> {
        current
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let sorted = |mut v: Vec<Value>| {
        v.sort_by_key(|x| x.to_string());
        v.dedup();
        Value::Array(v)
    };
    let number = |n: f64| match rule.kind {
        Some(Kind::ToggledDuration) => json!({"enabled": true, "seconds": n as i64}),
        _ if n.fract() == 0.0 => json!(n as i64),
        _ => json!(n),
    };
    Some(match &rule.assertion {
        Assertion::Equals(v) => v.clone(),
        Assertion::OneOf(vs) => vs.first()?.clone(),
        // A switched-off duration that already keeps the bound is only switched on.
        Assertion::Min(n) | Assertion::Max(n)
            if rule.kind == Some(Kind::ToggledDuration)
                && current
                    .and_then(|c| c.get("seconds"))
                    .and_then(Value::as_f64)
                    .is_some_and(|s| {
                        s > 0.0
                            && match &rule.assertion {
                                Assertion::Min(_) => s >= *n,
                                _ => s <= *n,
                            }
                    }) =>
        {
            let mut v = current?.clone();
            v["enabled"] = Value::Bool(true);
            v
        }
        Assertion::Min(n) | Assertion::Max(n) => number(*n),
        Assertion::Contains(v) => {
            current?.as_array()?;
            let mut s = set();
            s.push(v.clone());
            sorted(s)
        }
        Assertion::ContainsAny(vs) => {
            current?.as_array()?;
            let mut s = set();
            s.push(vs.first()?.clone());
            sorted(s)
        }
        Assertion::NotContains(v) => {
            current?.as_array()?;
            sorted(set().into_iter().filter(|x| x != v).collect())
        }
        Assertion::SubsetOf(vs) => {
            current?.as_array()?;
            sorted(set().into_iter().filter(|x| vs.contains(x)).collect())
        }
        Assertion::DisjointFrom(vs) => {
            current?.as_array()?;
            sorted(set().into_iter().filter(|x| !vs.contains(x)).collect())
        }
        Assertion::NotEquals(_)
        | Assertion::Matches(_)
        | Assertion::NotMatches(_)
        | Assertion::Exists(_)
        | Assertion::MinFromNow { .. } => return None,
    })
}

/// The current snapshot with the failing findings' rules made to pass where they name a value.
/// A setting the Platform config carries is marked as the Platform config's when the current
/// snapshot observed that document, so that the patch writes it.
pub fn policy_target(current: &Snapshot, policy: &Policy, findings: &[Finding]) -> PolicyTarget {
    let mut snapshot = current.clone();
    let mut without_value = Vec::new();
    let plapi_observed = crate::snapshot::normalize::platform::view(current).is_some();
    for f in findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.waiver.is_none())
    {
        let Some(rule) = policy.rule(&f.rule_id) else {
            continue;
        };
        let Ok(path) = Path::parse(&f.target) else {
            continue;
        };
        match value_for(rule, snapshot.get(&path)) {
            Some(v) => {
                set(&mut snapshot.settings, &path, v);
                if plapi_observed && raw_field(&path.pattern()).is_some() {
                    snapshot.provenance.insert(path.to_string(), Source::Plapi);
                }
            }
            None => without_value.push((
                f.rule_id.clone(),
                f.target.clone(),
                rule.remediation.clone(),
            )),
        }
    }
    PolicyTarget {
        snapshot,
        without_value,
    }
}

/// Sets the value at a path, making objects on the way.
fn set(root: &mut Value, path: &Path, value: Value) {
    let mut at = root;
    for seg in &path.0 {
        let (Seg::Field(k) | Seg::Key(k)) = seg;
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(o) = at else { return };
        at = o.entry(k.clone()).or_insert(Value::Null);
    }
    *at = value;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::load::Layers;

    fn pack() -> Policy {
        Layers {
            builtin: true,
            files: Vec::new(),
        }
        .load()
        .expect("the built-in pack loads")
    }

    #[test]
    fn assertions_name_their_passing_value() {
        let p = pack();
        let mut rule = p.rules[0].clone();
        rule.each = None;
        rule.kind = None;
        rule.assertion = Assertion::Equals(json!(true));
        assert_eq!(value_for(&rule, Some(&json!(false))), Some(json!(true)));
        rule.assertion = Assertion::Min(8.0);
        assert_eq!(value_for(&rule, Some(&json!(6))), Some(json!(8)));
        rule.kind = Some(Kind::ToggledDuration);
        rule.assertion = Assertion::Max(1800.0);
        assert_eq!(
            value_for(&rule, Some(&json!({"enabled": false, "seconds": 0}))),
            Some(json!({"enabled": true, "seconds": 1800}))
        );
        assert_eq!(
            value_for(&rule, Some(&json!({"enabled": false, "seconds": 900}))),
            Some(json!({"enabled": true, "seconds": 900})),
            "a stored duration within the bound is kept"
        );
        rule.kind = None;
        rule.assertion = Assertion::NotContains(json!("phone_code"));
        assert_eq!(
            value_for(&rule, Some(&json!(["phone_code", "totp"]))),
            Some(json!(["totp"]))
        );
        rule.assertion = Assertion::Contains(json!("totp"));
        assert_eq!(value_for(&rule, None), None, "no set to add to");
        rule.assertion = Assertion::Exists(true);
        assert_eq!(value_for(&rule, None), None);
    }
}
