//! TOML → spanned raw tables: each `[[rule]]`, `[[override]]` and `[[waiver]]` deserialized on
//! its own with spans kept, and every structural problem (syntax, unknown key, wrong type,
//! unknown top-level key) as a diagnostic. It checks shapes only: meaning (paths, severities,
//! assertions) is the validator's ([`super::validate`]).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::Diagnostic;

/// A policy file's tables, each well-formed one deserialized.
#[derive(Default)]
pub(super) struct RawPolicy {
    pub(super) rule: Vec<RawRule>,
    /// Ids of `[[rule]]` tables that did not deserialize.
    pub(super) broken_ids: Vec<String>,
    pub(super) overrides: Vec<RawOverride>,
    pub(super) waiver: Vec<RawWaiver>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWaiver {
    pub(super) rule: Spanned<String>,
    #[serde(default)]
    pub(super) target: Option<Spanned<String>>,
    pub(super) reason: Spanned<String>,
    #[serde(default)]
    pub(super) approved_by: Option<Spanned<String>>,
    pub(super) expires: Spanned<toml::Value>,
}

/// Declares a raw TOML table with the given fields plus every assertion key, all spanned.
/// (`#[serde(flatten)]` would lose both `deny_unknown_fields` and the spans.)
macro_rules! with_assertions {
    ($name:ident { $($(#[$attr:meta])* $field:ident : $ty:ty,)* }) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct $name {
            $($(#[$attr])* pub(super) $field: $ty,)*
            #[serde(default)] equals: Option<Spanned<toml::Value>>,
            #[serde(default)] not_equals: Option<Spanned<toml::Value>>,
            #[serde(default)] one_of: Option<Spanned<toml::Value>>,
            #[serde(default)] min: Option<Spanned<toml::Value>>,
            #[serde(default)] max: Option<Spanned<toml::Value>>,
            #[serde(default)] matches: Option<Spanned<toml::Value>>,
            #[serde(default)] not_matches: Option<Spanned<toml::Value>>,
            #[serde(default)] contains: Option<Spanned<toml::Value>>,
            #[serde(default)] not_contains: Option<Spanned<toml::Value>>,
            #[serde(default)] contains_any: Option<Spanned<toml::Value>>,
            #[serde(default)] exists: Option<Spanned<toml::Value>>,
            #[serde(default)] subset_of: Option<Spanned<toml::Value>>,
            #[serde(default)] disjoint_from: Option<Spanned<toml::Value>>,
            #[serde(default)] min_from_now: Option<Spanned<toml::Value>>,
        }

        impl $name {
            /// The assertion keys that are set, in declaration order.
            pub(super) fn assertions(&self) -> Vec<(&'static str, &Spanned<toml::Value>)> {
                [
                    ("equals", &self.equals),
                    ("not_equals", &self.not_equals),
                    ("one_of", &self.one_of),
                    ("min", &self.min),
                    ("max", &self.max),
                    ("matches", &self.matches),
                    ("not_matches", &self.not_matches),
                    ("contains", &self.contains),
                    ("not_contains", &self.not_contains),
                    ("contains_any", &self.contains_any),
                    ("exists", &self.exists),
                    ("subset_of", &self.subset_of),
                    ("disjoint_from", &self.disjoint_from),
                    ("min_from_now", &self.min_from_now),
                ]
                .into_iter()
                .filter_map(|(name, v)| v.as_ref().map(|v| (name, v)))
                .collect()
            }
        }
    };
}

with_assertions!(RawRule {
    id: Spanned<String>,
    title: Spanned<String>,
    severity: Spanned<String>,
    #[serde(default)] path: Option<Spanned<String>>,
    #[serde(default)] each: Option<Spanned<String>>,
    #[serde(default)] any: Option<Spanned<String>>,
    #[serde(default)] none: Option<Spanned<String>>,
    #[serde(default)] message: Option<String>,
    #[serde(default)] rationale: Option<String>,
    #[serde(default)] remediation: Option<String>,
    #[serde(default)] controls: BTreeMap<String, Vec<String>>,
    #[serde(default)] when: Option<Spanned<RawConditions>>,
    #[serde(default)] when_any: Option<Spanned<RawConditions>>,
    #[serde(default, rename = "where")] filter: Option<Spanned<RawCondition>>,
});

with_assertions!(RawOverride {
    rule: Spanned<String>,
    #[serde(default)] severity: Option<Spanned<String>>,
    #[serde(default)] title: Option<Spanned<String>>,
    #[serde(default)] disable: Option<Spanned<bool>>,
    #[serde(default)] reason: Option<String>,
});

with_assertions!(RawCondition {
    path: Spanned<String>,
});

/// `when` and `when_any`: one condition table, or an array of them. An element of an array keeps
/// its own span; a single table is located by the key's value.
pub(super) struct RawConditions(pub(super) Vec<(Option<std::ops::Range<usize>>, RawCondition)>);

impl<'de> Deserialize<'de> for RawConditions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = RawConditions;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a condition table `{ path = \"…\", <assertion> }` or an array of them")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawConditions, A::Error> {
                let one =
                    RawCondition::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(RawConditions(vec![(None, one)]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawConditions, A::Error> {
                let mut all = Vec::new();
                while let Some(c) = seq.next_element::<Spanned<RawCondition>>()? {
                    let span = c.span();
                    all.push((Some(span), c.into_inner()));
                }
                Ok(RawConditions(all))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// The keys a rule may hold, for help text.
const RULE_KEYS: &str = "id, title, severity, path, each/any/none, where, when (one condition or an array, all must hold), when_any (an array, one must hold), message, rationale, remediation, controls, and one of equals, not_equals, one_of, min, max, matches, not_matches, contains, not_contains, contains_any, exists, subset_of, disjoint_from, min_from_now; a policy file also holds [[override]] (rule, severity, title, disable, reason, or one assertion) and [[waiver]] (rule, target, reason, approved_by, expires)";

/// Deserializes each `[[rule]]`, `[[override]]` and `[[waiver]]` table on its own, so that every
/// malformed table is reported, not only the first. `Some(diagnostics)` when any failed.
pub(super) fn parse_raw(text: &str) -> Result<(RawPolicy, Vec<Diagnostic>), Vec<Diagnostic>> {
    use toml::de::{DeTable, DeValue, ValueDeserializer};
    let mut raw = RawPolicy::default();
    let doc = DeTable::parse(text).map_err(|e| vec![toml_diagnostic(&e)])?;
    let mut diags = Vec::new();
    fn each<'i, T: serde::de::DeserializeOwned>(
        value: &Spanned<DeValue<'i>>,
        key: &str,
        out: &mut Vec<T>,
        diags: &mut Vec<Diagnostic>,
        broken: &mut Vec<String>,
    ) {
        let DeValue::Array(items) = value.get_ref() else {
            diags.push(
                Diagnostic::new(value.span(), format!("`{key}` must be an array of tables"))
                    .help(format!("write each one as a [[{key}]] table")),
            );
            return;
        };
        for item in items {
            match T::deserialize(ValueDeserializer::from(item.clone())) {
                Ok(t) => out.push(t),
                Err(e) => {
                    diags.push(toml_diagnostic(&e));
                    // Remember the id of a malformed rule, so that overrides and waivers of it
                    // are not also reported as naming an unknown rule.
                    if let DeValue::Table(t) = item.get_ref()
                        && let Some(id) = t.iter().find_map(|(k, v)| match v.get_ref() {
                            DeValue::String(s) if k.get_ref().as_ref() == "id" => {
                                Some(s.as_ref().to_owned())
                            }
                            _ => None,
                        })
                    {
                        broken.push(id);
                    }
                }
            }
        }
    }
    for (key, value) in doc.get_ref() {
        match key.get_ref().as_ref() {
            "rule" => each(value, "rule", &mut raw.rule, &mut diags, &mut raw.broken_ids),
            "override" => each(value, "override", &mut raw.overrides, &mut diags, &mut Vec::new()),
            "waiver" => each(value, "waiver", &mut raw.waiver, &mut diags, &mut Vec::new()),
            // The horizon limits the waivers; the files holding them must not set it.
            "max_waiver_days" => diags.push(
                Diagnostic::new(
                    key.span(),
                    "`max_waiver_days` cannot be set in a policy or waiver file: it limits the waivers these files hold",
                )
                .help("set it under [governance] in clerk-drift.toml (default 90 days)"),
            ),
            other => diags.push(
                Diagnostic::new(key.span(), format!("unknown top-level key `{other}`"))
                    .help("a policy file holds [[rule]], [[override]] and [[waiver]] tables"),
            ),
        }
    }
    Ok((raw, diags))
}

fn toml_diagnostic(e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_owned();
    let mut d = Diagnostic::new(e.span().unwrap_or(0..0), message.clone());
    if message.starts_with("unknown field") {
        d = d.help(format!("a rule holds: {RULE_KEYS}"));
    } else if message.starts_with("invalid type") {
        d = d.help("check the value's type against docs/policy.md");
    } else if message.starts_with("missing field") {
        d = d.help("see docs/policy.md for the required keys");
    }
    d
}
