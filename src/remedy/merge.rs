//! RFC 7386 JSON merge patches: [`apply`] (the RFC's algorithm) and [`diff`] (the smallest
//! patch that turns one document into another, where a merge patch can say it). Pure.

use serde_json::{Map, Value};

/// Applies a merge patch to a document (RFC 7386 §2, `MergePatch(Target, Patch)`).
pub fn apply(target: &Value, patch: &Value) -> Value {
    let Value::Object(p) = patch else {
        return patch.clone();
    };
    let mut out = match target {
        Value::Object(t) => t.clone(),
        _ => Map::new(),
    };
    for (k, v) in p {
        if v.is_null() {
            out.remove(k);
        } else {
            let merged = apply(out.get(k).unwrap_or(&Value::Null), v);
            out.insert(k.clone(), merged);
        }
    }
    Value::Object(out)
}

/// The merge patch that turns `from` into `to`: only the members that differ; `null` for a member
/// `to` does not have or holds as `null` (Clerk's Platform API clears a key by `null` when the
/// patch is sent with `destructive=true`, `clerk config patch --destructive`). `None` when nothing
/// differs. A `null` member of `to` that `from` does not have is left out (see [`unwritable`]).
pub fn diff(from: &Value, to: &Value) -> Option<Value> {
    match (from, to) {
        (Value::Object(f), Value::Object(t)) => {
            let mut out = Map::new();
            for (k, fv) in f {
                match t.get(k) {
                    None => {
                        out.insert(k.clone(), Value::Null);
                    }
                    Some(Value::Null) if !fv.is_null() => {
                        out.insert(k.clone(), Value::Null);
                    }
                    Some(Value::Null) => {}
                    Some(tv) => {
                        if let Some(d) = diff(fv, tv) {
                            out.insert(k.clone(), d);
                        }
                    }
                }
            }
            for (k, tv) in t {
                if !f.contains_key(k) && !tv.is_null() {
                    out.insert(k.clone(), strip_nulls(tv));
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ if from == to => None,
        (_, Value::Object(_)) => Some(strip_nulls(to)),
        _ => Some(to.clone()),
    }
}

/// JSON pointers of the `null` members of `to` that [`diff`]'s patch cannot write: those `from`
/// does not have (a patch's `null` clears a key; it cannot add one that holds `null`). Where
/// `from` has another value, the patch's `null` clears it.
pub fn unwritable(from: &Value, to: &Value) -> Vec<String> {
    fn walk(from: Option<&Value>, to: &Value, ptr: &mut String, out: &mut Vec<String>) {
        let Value::Object(t) = to else { return };
        for (k, tv) in t {
            let fv = from.and_then(|f| f.get(k));
            let len = ptr.len();
            ptr.push('/');
            ptr.push_str(&crate::snapshot::normalize::platform::escape(k));
            match tv {
                Value::Null if fv.is_none() => out.push(ptr.clone()),
                Value::Object(_) => walk(fv.filter(|v| v.is_object()), tv, ptr, out),
                _ => {}
            }
            ptr.truncate(len);
        }
    }
    let mut out = Vec::new();
    walk(Some(from), to, &mut String::new(), &mut out);
    out
}

/// An object as a patch value: its `null` members left out (a patch cannot write them).
fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.clone(), strip_nulls(x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// JSON pointers of the leaves a patch writes or deletes, in document order.
pub fn leaves(patch: &Value) -> Vec<String> {
    fn walk(v: &Value, ptr: &mut String, out: &mut Vec<String>) {
        match v {
            Value::Object(o) if !o.is_empty() => {
                for (k, x) in o {
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&crate::snapshot::normalize::platform::escape(k));
                    walk(x, ptr, out);
                    ptr.truncate(len);
                }
            }
            _ => out.push(ptr.clone()),
        }
    }
    let mut out = Vec::new();
    walk(patch, &mut String::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// RFC 7386 Appendix A, every example.
    #[test]
    fn rfc_7386_appendix_a() {
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": "b", "b": "c"}),
                json!({"a": null}),
                json!({"b": "c"}),
            ),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (
                json!({"a": [{"b": "c"}]}),
                json!({"a": [1]}),
                json!({"a": [1]}),
            ),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a": "b"}), json!(["c"]), json!(["c"])),
            (json!({"a": "foo"}), json!(null), json!(null)),
            (json!({"a": "foo"}), json!("bar"), json!("bar")),
            (
                json!({"e": null}),
                json!({"a": 1}),
                json!({"e": null, "a": 1}),
            ),
            (
                json!([1, 2]),
                json!({"a": "b", "c": null}),
                json!({"a": "b"}),
            ),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (target, patch, result) in cases {
            assert_eq!(apply(&target, &patch), result, "{target} + {patch}");
        }
    }

    /// RFC 7386 §3's example.
    #[test]
    fn rfc_7386_section_3() {
        let target = json!({"title": "Goodbye!", "author": {"givenName": "John", "familyName": "Doe"},
            "tags": ["example", "sample"], "content": "This will be unchanged"});
        let patch = json!({"title": "Hello!", "phoneNumber": "+01-123-456-7890",
            "author": {"familyName": null}, "tags": ["example"]});
        let result = json!({"title": "Hello!", "author": {"givenName": "John"},
            "tags": ["example"], "content": "This will be unchanged", "phoneNumber": "+01-123-456-7890"});
        assert_eq!(apply(&target, &patch), result);
        assert_eq!(diff(&target, &result), Some(patch));
    }

    #[test]
    fn diff_then_apply_gives_the_target() {
        let from = json!({"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": {"f": true}});
        let to = json!({"a": {"b": 2, "c": [1, 2]}, "e": "now a string", "g": {"h": null, "i": 1}});
        let patch = diff(&from, &to).expect("differs");
        assert_eq!(
            patch,
            json!({"a": {"b": 2}, "d": null, "e": "now a string", "g": {"i": 1}})
        );
        assert_eq!(
            apply(&from, &patch),
            json!({"a": {"b": 2, "c": [1, 2]}, "e": "now a string", "g": {"i": 1}})
        );
        assert_eq!(diff(&to, &to), None);
        assert_eq!(leaves(&patch), ["/a/b", "/d", "/e", "/g/i"]);
        assert_eq!(unwritable(&from, &to), ["/g/h"]);
        // A `null` over a value is written (it clears the key, with `--destructive`).
        assert_eq!(
            diff(&json!({"k": "x"}), &json!({"k": null})),
            Some(json!({"k": null}))
        );
        assert_eq!(
            unwritable(&json!({"k": "x"}), &json!({"k": null})),
            Vec::<String>::new()
        );
        assert_eq!(
            diff(&json!({"k": null}), &json!({})),
            Some(json!({"k": null}))
        );
        assert_eq!(
            unwritable(&json!({"k": null}), &json!({"k": null})),
            Vec::<String>::new()
        );
    }
}
