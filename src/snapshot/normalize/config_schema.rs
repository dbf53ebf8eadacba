//! The Platform config's JSON Schema (`plapi/config_schema.json`, `GET …/config/schema`)
//! reduced to a set: one string per leaf property, `auth_email.used_for_sign_up: boolean`, so
//! that a key Clerk adds, removes or retypes is one element added or removed. Paths are dotted
//! property names; `[]` stands for an array's items, `*` for the values of a map
//! (`additionalProperties`, `patternProperties`). After the path: the type (several joined by
//! `|`, sorted; OpenAPI's `nullable` adds `null`; `any` when the schema says nothing), then any
//! `format(…)`, `enum(…)` (sorted), `const(…)`, `readOnly` and `sensitive`
//! (`x-clerk-sensitive`). Descriptions, defaults, titles and length limits are left out: they
//! are documentation, and would make every wording change a drift. Local `$ref`s (`#/$defs/…`,
//! `#/definitions/…`) are followed; one that refers to itself ends as `recursive(…)`.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Nesting below which a schema is not walked (the deepest config key is a few levels down).
const MAX_DEPTH: usize = 32;

/// The canonical set: a sorted JSON array of strings, one per leaf property.
/// Whether an edit at `ptr` (a JSON pointer into the schema document) changes what is compared:
/// the keywords [`reduce`] reads (`type`, `nullable`, `format`, `enum`, `const`, `readOnly`,
/// `x-clerk-sensitive`, property names, `$ref`s) below the root's `properties`/`$defs`/
/// `definitions`. Documentation keywords (`description`, `title`, `default`, `examples`,
/// `$comment`, length and range limits) and the document's own header (`$schema`, `$id`, its
/// `type`) are left out by design (docs/snapshot.md, "Volatile fields").
pub fn compared(ptr: &str) -> bool {
    const READ: [&str; 8] = [
        "type",
        "nullable",
        "format",
        "enum",
        "const",
        "readOnly",
        "x-clerk-sensitive",
        "$ref",
    ];
    let segs: Vec<&str> = ptr.split('/').skip(1).collect();
    if !matches!(
        segs.first(),
        Some(&("properties" | "$defs" | "definitions"))
    ) {
        return false;
    }
    // The last keyword: `enum`'s values sit one level below it.
    let keyword = segs
        .iter()
        .rev()
        .find(|s| s.parse::<usize>().is_err())
        .copied()
        .unwrap_or_default();
    READ.contains(&keyword)
}

pub fn reduce(body: &Value) -> Value {
    let mut walk = Walk {
        root: body,
        leaves: BTreeSet::new(),
        refs: Vec::new(),
    };
    if let Some(props) = body.get("properties").and_then(Value::as_object) {
        for (name, schema) in props {
            walk.schema(schema, name, 0);
        }
    }
    Value::Array(walk.leaves.into_iter().map(Value::String).collect())
}

struct Walk<'a> {
    root: &'a Value,
    leaves: BTreeSet<String>,
    /// The `$ref`s being followed, to stop at one that refers to itself.
    refs: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    fn schema(&mut self, schema: &'a Value, path: &str, depth: usize) {
        let Some(node) = schema.as_object() else {
            // `true`/`false` schemas: anything, or nothing.
            self.leaves
                .insert(format!("{path}: {}", bool_schema(schema)));
            return;
        };
        if depth > MAX_DEPTH {
            self.leaves.insert(format!("{path}: too deep"));
            return;
        }
        // Whether something below this path describes it (then it is no leaf of its own).
        let mut children = false;
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            children = true;
            self.follow(reference, path, depth);
        }
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            children |= !props.is_empty();
            for (name, child) in props {
                self.schema(child, &format!("{path}.{name}"), depth + 1);
            }
        }
        for map in [node.get("additionalProperties")]
            .into_iter()
            .flatten()
            .filter(|s| s.is_object())
            .chain(
                node.get("patternProperties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(Map::values),
            )
        {
            children = true;
            self.schema(map, &format!("{path}.*"), depth + 1);
        }
        for items in node
            .get("items")
            .into_iter()
            .chain(
                node.get("prefixItems")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
            .filter(|s| !s.is_array())
        {
            children = true;
            self.schema(items, &format!("{path}[]"), depth + 1);
        }
        // Branches with structure are walked at this path; scalar ones only add their types.
        let mut types = types_of(node);
        for keyword in ["allOf", "anyOf", "oneOf"] {
            for branch in node
                .get(keyword)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if is_structured(branch) {
                    children = true;
                    self.schema(branch, path, depth + 1);
                } else if let Some(b) = branch.as_object() {
                    types.extend(types_of(b));
                }
            }
        }
        if children {
            // A structured property that may also be a scalar (`["object", "null"]`) says so.
            if types.iter().all(|t| t == "object" || t == "array") {
                return;
            }
            if node.contains_key("properties") {
                types.insert("object".into());
            }
            if node.contains_key("items") {
                types.insert("array".into());
            }
        }
        let mut leaf = format!("{path}: {}", summary_of_types(&types));
        if let Some(format) = node.get("format").and_then(Value::as_str) {
            leaf.push_str(&format!(" format({format})"));
        }
        if let Some(values) = node.get("enum").and_then(Value::as_array) {
            let values: BTreeSet<String> = values.iter().map(scalar).collect();
            let values: Vec<String> = values.into_iter().collect();
            leaf.push_str(&format!(" enum({})", values.join("|")));
        }
        if let Some(value) = node.get("const") {
            leaf.push_str(&format!(" const({})", scalar(value)));
        }
        if node.get("readOnly").and_then(Value::as_bool) == Some(true) {
            leaf.push_str(" readOnly");
        }
        if node.get("x-clerk-sensitive").and_then(Value::as_bool) == Some(true) {
            leaf.push_str(" sensitive");
        }
        self.leaves.insert(leaf);
    }

    /// Walks a local `$ref` target at `path`.
    fn follow(&mut self, reference: &'a str, path: &str, depth: usize) {
        if self.refs.contains(&reference) {
            self.leaves
                .insert(format!("{path}: recursive({reference})"));
            return;
        }
        let target = reference
            .strip_prefix('#')
            .and_then(|pointer| self.root.pointer(pointer));
        match target {
            Some(target) => {
                self.refs.push(reference);
                self.schema(target, path, depth + 1);
                self.refs.pop();
            }
            None => {
                self.leaves.insert(format!("{path}: ref({reference})"));
            }
        }
    }
}

/// A subschema that has properties, items or a map of values of its own.
fn is_structured(schema: &Value) -> bool {
    schema.as_object().is_some_and(|s| {
        [
            "properties",
            "items",
            "patternProperties",
            "$ref",
            "allOf",
            "anyOf",
            "oneOf",
        ]
        .iter()
        .any(|k| s.contains_key(*k))
            || s.get("additionalProperties").is_some_and(Value::is_object)
    })
}

/// The node's own `type` (a name or a list), with OpenAPI's `nullable`.
fn types_of(node: &Map<String, Value>) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = match node.get("type") {
        Some(Value::String(t)) => BTreeSet::from([t.clone()]),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => BTreeSet::new(),
    };
    if node.get("nullable").and_then(Value::as_bool) == Some(true) {
        out.insert("null".into());
    }
    out
}

fn summary_of_types(types: &BTreeSet<String>) -> String {
    if types.is_empty() {
        return "any".into();
    }
    types
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("|")
}

/// `true` allows anything, `false` nothing.
fn bool_schema(schema: &Value) -> &'static str {
    match schema {
        Value::Bool(false) => "never",
        _ => "any",
    }
}

/// An enum or const value: strings as they are, anything else as JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Shaped like `PlatformConfigSchemaResponse` (platform/beta.yml) with properties typed as
    /// clerk/cli's `ConfigSchemaProperty` (type, description, default, enum, readOnly,
    /// properties, required, x-clerk-sensitive), over keys of a real config document
    /// (shared/clerk-openapi/fixtures/platform-config.*).
    fn sample() -> Value {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://api.clerk.com/v1/platform/config/schema",
            "type": "object",
            "properties": {
                "auth_email": {"type": "object", "description": "Email address settings",
                    "properties": {
                        "used_for_sign_up": {"type": "boolean", "default": true,
                                             "description": "Collect an email at sign-up"},
                        "sign_in_strategies": {"type": "array", "items": {
                            "type": "string", "enum": ["email_link", "email_code"]}},
                        "immutable": {"type": "boolean"}}},
                "auth_attack_protection": {"type": "object", "properties": {
                    "enumeration_protection": {"type": "string",
                                               "enum": ["strict", "none", "bulk"]},
                    "user_lockout": {"type": "object", "properties": {
                        "max_attempts": {"type": "integer", "minimum": 1},
                        "enabled": {"type": "boolean"}}}}},
                "connection_oauth_google": {"type": ["object", "null"], "properties": {
                    "client_id": {"type": "string"},
                    "client_secret": {"type": "string", "x-clerk-sensitive": true}}},
                "connections_oauth_custom": {"type": "object", "additionalProperties": {
                    "$ref": "#/$defs/custom_provider"}},
                "session": {"type": "object", "nullable": true, "properties": {
                    "claims": {"type": "object"}}},
                "config_version": {"type": "string", "readOnly": true},
            },
            "$defs": {"custom_provider": {"type": "object", "properties": {
                "name": {"type": "string"}, "discovery_url": {"type": "string", "format": "uri"}}}},
        })
    }

    fn reduced(v: &Value) -> Vec<String> {
        reduce(v)
            .as_array()
            .expect("an array")
            .iter()
            .map(|s| s.as_str().expect("strings").to_owned())
            .collect()
    }

    #[test]
    fn one_sorted_string_per_leaf_property() {
        assert_eq!(
            reduced(&sample()),
            [
                "auth_attack_protection.enumeration_protection: string enum(bulk|none|strict)",
                "auth_attack_protection.user_lockout.enabled: boolean",
                "auth_attack_protection.user_lockout.max_attempts: integer",
                "auth_email.immutable: boolean",
                "auth_email.sign_in_strategies[]: string enum(email_code|email_link)",
                "auth_email.used_for_sign_up: boolean",
                "config_version: string readOnly",
                "connection_oauth_google.client_id: string",
                "connection_oauth_google.client_secret: string sensitive",
                "connection_oauth_google: null|object",
                "connections_oauth_custom.*.discovery_url: string format(uri)",
                "connections_oauth_custom.*.name: string",
                "session.claims: object",
                "session: null|object",
            ]
        );
    }

    #[test]
    fn a_key_added_removed_or_retyped_is_one_element() {
        let before = reduced(&sample());
        let mut edited = sample();
        let email = &mut edited["properties"]["auth_email"]["properties"];
        email["immutable"] = json!({"type": "string", "enum": ["never", "after_verification"]});
        email["used_for_second_factor"] = json!({"type": "boolean"});
        edited["properties"]
            .as_object_mut()
            .expect("object")
            .remove("config_version");
        let after = reduced(&edited);
        let gone: Vec<&String> = before.iter().filter(|s| !after.contains(s)).collect();
        let new: Vec<&String> = after.iter().filter(|s| !before.contains(s)).collect();
        assert_eq!(
            gone,
            [
                "auth_email.immutable: boolean",
                "config_version: string readOnly"
            ]
        );
        assert_eq!(
            new,
            [
                "auth_email.immutable: string enum(after_verification|never)",
                "auth_email.used_for_second_factor: boolean"
            ]
        );
        // Wording and defaults are not drift.
        let mut reworded = sample();
        reworded["properties"]["auth_email"]["properties"]["used_for_sign_up"]["description"] =
            json!("Other words");
        reworded["properties"]["auth_email"]["properties"]["used_for_sign_up"]["default"] =
            json!(false);
        assert_eq!(reduced(&reworded), before);
    }

    #[test]
    fn canonical_whatever_the_order_and_safe_on_odd_schemas() {
        let mut shuffled = sample();
        if let Some(e) =
            shuffled["properties"]["auth_attack_protection"]["properties"]["enumeration_protection"]
                ["enum"]
                .as_array_mut()
        {
            e.reverse();
        }
        assert_eq!(reduce(&shuffled), reduce(&sample()));
        // Not a schema, or no properties: an empty set.
        assert_eq!(reduce(&json!([1, 2])), json!([]));
        assert_eq!(reduce(&json!({"type": "object"})), json!([]));
        // A self-referring $ref ends; a dangling one is named; true/false schemas.
        let odd = json!({"properties": {
            "tree": {"$ref": "#/$defs/node"}, "gone": {"$ref": "#/$defs/missing"},
            "free": true, "none": false, "any": {}},
            "$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}}});
        assert_eq!(
            reduced(&odd),
            [
                "any: any",
                "free: any",
                "gone: ref(#/$defs/missing)",
                "none: never",
                "tree.child: recursive(#/$defs/node)",
            ]
        );
    }

    #[test]
    fn the_examples_schema_reduces_to_its_config_keys() {
        // examples/acme-prod's schema (scripts/make-examples.py renders it from the config).
        let schema: Value = serde_json::from_str(include_str!(
            "../../../examples/acme-prod/plapi/config_schema.json"
        ))
        .expect("JSON");
        let leaves = reduced(&schema);
        for leaf in [
            "auth_email.used_for_sign_up: boolean",
            "auth_attack_protection.enumeration_protection: string enum(bulk|none|strict)",
            "connection_oauth_google.client_secret: string sensitive",
            "auth_email.sign_in_strategies[]: string",
        ] {
            assert!(leaves.iter().any(|l| l == leaf), "{leaf} in {leaves:?}");
        }
        let mut sorted = leaves.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, leaves, "sorted, no repeats");
    }
}
