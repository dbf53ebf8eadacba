//! Redaction of the two documents whose key names mislead the generic redaction ([`super::redact`],
//! by key name): a JSON Web Key Set, whose private members have one-letter names (`d`, `p`, `q`,
//! `dp`, `dq`, `qi`, `k`, `oth`), and the Platform config's JSON Schema, whose `client_secret` is a
//! property's schema (`{"type": "string", "x-clerk-sensitive": true}`), not a secret. Public key
//! material (`n`, `e`, `x`, `y`, `x5c`) is kept: it is public by design.

use serde_json::Value;

use super::{is_secret_key, redact, redact_all};

/// RFC 7518 §6.2.2, §6.3.2, §6.4: the members of a private or symmetric JWK. A JWKS endpoint
/// serves public keys only, but the Backend API's schema allows private ones: should one ever
/// come back, it is redacted before anything keeps it.
pub(crate) const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

/// Redacts every private member of each key in `{"keys": [...]}`.
pub(super) fn redact_private_jwk_members(jwks: &mut Value) {
    let Some(keys) = jwks.get_mut("keys").and_then(Value::as_array_mut) else {
        return;
    };
    for key in keys.iter_mut().filter_map(Value::as_object_mut) {
        for (name, value) in key.iter_mut() {
            if PRIVATE_JWK_MEMBERS.contains(&name.as_str()) {
                redact_all(value);
            }
        }
    }
}

/// Parses the config schema and redacts it as a schema ([`redact_schema`]).
pub(super) fn parse_schema(body: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice(body).map(|mut v| {
        redact_schema(&mut v, false);
        v
    })
}

/// Keywords whose value is a map from names to schemas.
const SCHEMA_MAPS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keywords whose value is one schema.
const SCHEMA_ONE: [&str; 11] = [
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "additionalItems",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value is instance data (what a config may hold).
const VALUES: [&str; 5] = ["default", "const", "examples", "example", "enum"];

/// Redacts a JSON Schema: property names are names, never secrets; the values a schema quotes
/// (`default`, `const`, `examples`) go through the generic redaction, and are redacted whole
/// under a property that is sensitive (a secret's name, or `x-clerk-sensitive: true`). Any
/// other keyword's value goes through the generic redaction.
fn redact_schema(schema: &mut Value, named_secret: bool) {
    let Value::Object(node) = schema else {
        return;
    };
    let sensitive =
        named_secret || node.get("x-clerk-sensitive").and_then(Value::as_bool) == Some(true);
    for (keyword, value) in node.iter_mut() {
        let keyword = keyword.as_str();
        if SCHEMA_MAPS.contains(&keyword) {
            if let Value::Object(named) = value {
                for (name, child) in named.iter_mut() {
                    redact_schema(child, is_secret_key(name));
                }
            }
        } else if SCHEMA_ONE.contains(&keyword) {
            // `items` of a secret list holds secrets too.
            redact_schema(value, sensitive && keyword == "items");
        } else if SCHEMA_LISTS.contains(&keyword) {
            if let Value::Array(list) = value {
                list.iter_mut().for_each(|s| redact_schema(s, sensitive));
            }
        } else if (VALUES.contains(&keyword) && sensitive && keyword != "enum")
            || is_secret_key(keyword)
        {
            redact_all(value);
        } else {
            redact(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clerk::REDACTED;
    use serde_json::json;

    #[test]
    fn a_jwks_keeps_public_keys_and_loses_private_members() {
        let mut jwks = json!({"keys": [
            {"kid": "ins_1", "alg": "RS256", "use": "sig", "kty": "RSA", "n": "0vx7", "e": "AQAB"},
            {"kid": "k2", "alg": "RS256", "use": "sig", "kty": "RSA", "n": "n2", "e": "AQAB",
             "d": "CANARY-d", "p": "CANARY-p", "q": "CANARY-q", "dp": "CANARY", "dq": "CANARY",
             "qi": "CANARY"},
            {"kid": "k3", "alg": "HS256", "use": "sig", "kty": "oct", "k": "CANARY-k"},
        ]});
        redact_private_jwk_members(&mut jwks);
        assert!(!jwks.to_string().contains("CANARY"), "{jwks}");
        assert_eq!(jwks["keys"][0]["n"], "0vx7");
        assert_eq!(jwks["keys"][0]["e"], "AQAB");
        assert_eq!(jwks["keys"][1]["d"], REDACTED);
        assert_eq!(jwks["keys"][2]["kid"], "k3");
        // Not a key set: left alone.
        let mut other = json!({"d": "x"});
        redact_private_jwk_members(&mut other);
        assert_eq!(other, json!({"d": "x"}));
    }

    #[test]
    fn a_schema_keeps_its_secret_properties_types_and_loses_quoted_secrets() {
        let body = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": {"connection_oauth_google": {"type": "object", "properties": {
                "client_id": {"type": "string", "default": ""},
                "client_secret": {"type": "string", "x-clerk-sensitive": true,
                                  "default": "CANARY-1"},
                "api_token": {"type": "string", "x-clerk-sensitive": true,
                              "examples": ["CANARY-2"]},
                "scopes": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
            }, "default": {"client_secret": "CANARY-3", "enabled": false}}}
        });
        let mut v = parse_schema(body.to_string().as_bytes()).expect("parses");
        assert!(!v.to_string().contains("CANARY"), "{v}");
        let google = &v["properties"]["connection_oauth_google"];
        assert_eq!(google["properties"]["client_secret"]["type"], "string");
        assert_eq!(google["properties"]["api_token"]["type"], "string");
        assert_eq!(google["default"]["enabled"], false);
        assert_eq!(
            google["properties"]["scopes"]["items"]["enum"],
            json!(["a", "b"])
        );
        // Idempotent.
        let again = v.clone();
        redact_schema(&mut v, false);
        assert_eq!(v, again);
    }
}
