//! OAuth providers: the Frontend API's `user_settings.social` and the Platform config's
//! `connection_oauth_<provider>` / `connections_oauth_custom`, reconciled into one keyed
//! collection. Client secrets become `present`/`absent`; client ids only say whether the
//! credentials are custom or Clerk's shared ones.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{Builder, Error, insert, parse};
use crate::recording::endpoints::{ENVIRONMENT, PLATFORM_CONFIG};
use crate::snapshot::model::Source;

/// Provider key → (enabled, normalized fields), as one source reports them.
type Providers = BTreeMap<String, (bool, Map<String, Value>)>;

impl Builder<'_> {
    /// Enabled OAuth providers from FAPI `user_settings.social` and PLAPI
    /// `connection_oauth_<p>` / `connections_oauth_custom`. The set of enabled providers comes
    /// from the most authoritative source present; a provider another source disagrees about is
    /// recorded as a conflict on its entry path.
    pub(super) fn oauth_providers(&mut self) -> Result<(), Error> {
        let fapi = self.fapi_providers()?;
        let plapi = self.plapi_providers()?;
        let (Some(primary), primary_source) = (match (&plapi, &fapi) {
            (Some(p), _) => (Some(p), Source::Plapi),
            (None, Some(f)) => (Some(f), Source::Fapi),
            (None, None) => (None, Source::Fapi),
        }) else {
            return Ok(());
        };
        let base = parse("oauth_providers");
        let enabled: BTreeSet<&String> = primary
            .iter()
            .filter(|(_, (on, _))| *on)
            .map(|(k, _)| k)
            .collect();
        insert(&mut self.settings, &base, json!({}));
        self.provenance.insert(base.to_string(), primary_source);
        for key in &enabled {
            insert(&mut self.settings, &base.key(key), json!({}));
        }
        for (source, providers) in [(Source::Fapi, &fapi), (Source::Plapi, &plapi)] {
            let Some(providers) = providers else { continue };
            for (key, (on, fields)) in providers {
                let entry = base.key(key);
                if source != primary_source && *on != enabled.contains(key) {
                    let c = self.conflicts.entry(entry.to_string()).or_default();
                    c.insert(source, json!({ "enabled": on }));
                    c.insert(primary_source, json!({ "enabled": enabled.contains(key) }));
                }
                if !enabled.contains(key) {
                    continue;
                }
                for (field, value) in fields {
                    self.set(&entry.field(field), value.clone(), source);
                }
            }
        }
        Ok(())
    }

    /// FAPI: provider key → (enabled, fields).
    fn fapi_providers(&self) -> Result<Option<Providers>, Error> {
        let Some(env) = self.rec.get(ENVIRONMENT.file) else {
            return Ok(None);
        };
        let Some(social) = env.pointer("/user_settings/social") else {
            return Ok(None);
        };
        let Some(social) = social.as_object() else {
            return Err(self.err(
                ENVIRONMENT.file,
                "/user_settings/social",
                "an object",
                social,
            ));
        };
        let mut out = BTreeMap::new();
        for (name, p) in social {
            let key = name.strip_prefix("oauth_").unwrap_or(name).to_owned();
            let ptr = format!("/user_settings/social/{name}");
            let obj = p
                .as_object()
                .ok_or_else(|| self.err(ENVIRONMENT.file, &ptr, "an object", p))?;
            let mut fields = Map::new();
            let mut enabled = false;
            for (from, to) in [
                ("enabled", ""),
                ("authenticatable", "authenticatable"),
                ("block_email_subaddresses", "block_email_subaddresses"),
            ] {
                match obj.get(from) {
                    None | Some(Value::Null) => {}
                    Some(Value::Bool(v)) if to.is_empty() => enabled = *v,
                    Some(Value::Bool(v)) => {
                        fields.insert(to.to_owned(), Value::Bool(*v));
                    }
                    Some(other) => {
                        return Err(self.err(
                            ENVIRONMENT.file,
                            &format!("{ptr}/{from}"),
                            "a boolean",
                            other,
                        ));
                    }
                }
            }
            out.insert(key, (enabled, fields));
        }
        Ok(Some(out))
    }

    /// PLAPI: provider key → (enabled, fields). Secrets become `present`/`absent`.
    fn plapi_providers(&self) -> Result<Option<Providers>, Error> {
        let Some(cfg) = self
            .rec
            .get(PLATFORM_CONFIG.file)
            .and_then(Value::as_object)
        else {
            return Ok(None);
        };
        let mut out = BTreeMap::new();
        let mut any = false;
        let mut entries: Vec<(String, String, &Value, bool)> = Vec::new();
        for (name, p) in cfg {
            if let Some(provider) = name.strip_prefix("connection_oauth_") {
                any = true;
                entries.push((provider.to_owned(), format!("/{name}"), p, false));
            }
        }
        if let Some(custom) = cfg.get("connections_oauth_custom") {
            any = true;
            match custom {
                Value::Null => {}
                Value::Object(map) => {
                    for (name, p) in map {
                        let ptr = format!(
                            "/connections_oauth_custom/{}",
                            name.replace('~', "~0").replace('/', "~1")
                        );
                        entries.push((format!("custom_{name}"), ptr, p, true));
                    }
                }
                other => {
                    return Err(self.err(
                        PLATFORM_CONFIG.file,
                        "/connections_oauth_custom",
                        "an object",
                        other,
                    ));
                }
            }
        }
        if !any {
            return Ok(None);
        }
        for (key, ptr, p, custom) in entries {
            // `connection_oauth_enstall: null` appears in real dumps: a provider not configured.
            let obj = match p {
                Value::Null => {
                    out.insert(key, (false, Map::new()));
                    continue;
                }
                Value::Object(o) => o,
                other => {
                    return Err(self.err(PLATFORM_CONFIG.file, &ptr, "an object or null", other));
                }
            };
            let boolean = |f: &str| -> Result<Option<bool>, Error> {
                match obj.get(f) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::Bool(b)) => Ok(Some(*b)),
                    Some(other) => Err(self.err(
                        PLATFORM_CONFIG.file,
                        &format!("{ptr}/{f}"),
                        "a boolean",
                        other,
                    )),
                }
            };
            let string = |f: &str| -> Result<Option<&str>, Error> {
                match obj.get(f) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s.as_str())),
                    Some(other) => Err(self.err(
                        PLATFORM_CONFIG.file,
                        &format!("{ptr}/{f}"),
                        "a string",
                        other,
                    )),
                }
            };
            let enabled = boolean("enabled")?.unwrap_or(false);
            let mut fields = Map::new();
            for f in ["authenticatable", "block_email_subaddresses"] {
                if let Some(v) = boolean(f)? {
                    fields.insert(f.to_owned(), Value::Bool(v));
                }
            }
            // An empty client id means Clerk's shared development credentials (the check
            // `clerk security audit` calls oauth-custom-credentials).
            if obj.contains_key("client_id") {
                let custom_creds = string("client_id")?.is_some_and(|s| !s.is_empty());
                fields.insert(
                    "credentials".into(),
                    json!(if custom_creds { "custom" } else { "shared" }),
                );
            }
            if obj.contains_key("client_secret") {
                let present = string("client_secret")?.is_some_and(|s| !s.is_empty());
                fields.insert(
                    "client_secret".into(),
                    json!(if present { "present" } else { "absent" }),
                );
            }
            if custom {
                if let Some(url) = string("discovery_url")? {
                    fields.insert("discovery_url".into(), json!(url));
                }
                if let Some(v) = boolean("requires_pkce")? {
                    fields.insert("requires_pkce".into(), Value::Bool(v));
                }
            }
            out.insert(key, (enabled, fields));
        }
        Ok(Some(out))
    }
}
