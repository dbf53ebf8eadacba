//! `clerk-drift.toml`: named instances (publishable key, Platform application and instance,
//! baseline and policy paths) and `[pull]` tuning. Parsed with spans and validated once; every
//! problem is reported with file:line:col. Holds no secrets: keys live in the environment, a file
//! or the OS keyring (`secrets`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::clerk::keys::PublishableKey;
use crate::diag::{self, Diagnostic};
use crate::recording::Source;

/// The file looked for in the current directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "clerk-drift.toml";

/// A validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from.
    pub path: PathBuf,
    pub instances: BTreeMap<String, Instance>,
    pub pull: Pull,
    /// `[[ignore]]`: paths not tracked by `diff` and `plan`, each with a reason.
    pub ignore: Vec<crate::diff::IgnoreRule>,
    /// `[governance]`: the limits on waivers and attestations.
    pub governance: Governance,
}

/// `[governance]`: how far ahead a waiver may expire, and how long an attestation may hold. Set
/// here, never in the waiver or attestation files they limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Governance {
    pub max_waiver_days: i64,
    pub max_attestation_days: i64,
}

impl Default for Governance {
    fn default() -> Self {
        Governance {
            max_waiver_days: crate::policy::model::DEFAULT_MAX_WAIVER_DAYS,
            max_attestation_days: crate::snapshot::attest::DEFAULT_MAX_ATTESTATION_DAYS,
        }
    }
}

/// One `[instances.NAME]` table. Relative paths are resolved against the config file's folder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Instance {
    pub name: String,
    pub publishable_key: Option<String>,
    pub platform_application_id: Option<String>,
    /// `production`, `development` or an `ins_…` id.
    pub platform_instance: Option<String>,
    pub baseline: Option<PathBuf>,
    pub policy: Option<PathBuf>,
    pub waivers: Option<PathBuf>,
    pub attestations: Option<PathBuf>,
    /// `critical`, `high`, `medium`, `low`, `info` or `none` (as `--fail-on`).
    pub fail_on: Option<String>,
    pub require_observed: Option<bool>,
    /// APIs this instance is pulled without (`without = ["platform"]`, as `--without`).
    pub without: Vec<Source>,
    /// Where this instance's keys are: variable names and files, never values (`secrets`).
    pub secret_key_env: Option<String>,
    pub secret_key_file: Option<PathBuf>,
    pub platform_api_key_env: Option<String>,
    pub platform_api_key_file: Option<PathBuf>,
}

/// `[pull]`: HTTP tuning (see `clerk::Options`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pull {
    pub concurrency: Option<usize>,
    pub requests_per_10s: Option<usize>,
    pub timeout_seconds: Option<u64>,
    pub retries: Option<usize>,
    /// APIs every pull goes without (`without = ["platform"]`, as `--without`).
    pub without: Vec<Source>,
    /// `acknowledge_platform_scope = true`: the team knows the Platform key's scope; no warning.
    pub acknowledge_platform_scope: bool,
}

/// A configuration that could not be read or did not validate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("reading {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{rendered}{path}: {count} error(s) in the configuration", path = .path.display())]
    Invalid {
        path: PathBuf,
        count: usize,
        rendered: String,
    },
    #[error("{0}")]
    Select(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    instances: BTreeMap<String, Spanned<RawInstance>>,
    #[serde(default)]
    pull: Option<RawPull>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
    #[serde(default)]
    governance: Option<RawGovernance>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGovernance {
    max_waiver_days: Option<Spanned<i64>>,
    max_attestation_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    path: Spanned<String>,
    reason: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstance {
    publishable_key: Option<Spanned<String>>,
    platform_application_id: Option<Spanned<String>>,
    platform_instance: Option<Spanned<String>>,
    baseline: Option<String>,
    policy: Option<String>,
    waivers: Option<String>,
    attestations: Option<String>,
    fail_on: Option<Spanned<String>>,
    require_observed: Option<bool>,
    without: Option<Vec<Spanned<String>>>,
    secret_key_env: Option<Spanned<String>>,
    secret_key_file: Option<Spanned<String>>,
    platform_api_key_env: Option<Spanned<String>>,
    platform_api_key_file: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPull {
    // Signed, so that a negative number is one more value error reported with the others.
    concurrency: Option<Spanned<i64>>,
    requests_per_10s: Option<Spanned<i64>>,
    timeout_seconds: Option<Spanned<i64>>,
    retries: Option<Spanned<i64>>,
    without: Option<Vec<Spanned<String>>>,
    acknowledge_platform_scope: Option<bool>,
}

/// The names `without` takes, as `--without`.
pub const API_NAMES: [(&str, Source); 3] = [
    ("frontend", Source::Fapi),
    ("backend", Source::Bapi),
    ("platform", Source::Plapi),
];

/// What a key of clerk-drift.toml holds: the shape every mistake is checked against in one run
/// ([`shape_errors`]) before the file is read into its types (which would stop at the first).
#[derive(Clone, Copy)]
enum Want {
    Str,
    Bool,
    Int,
    Strs,
    Table(&'static [(&'static str, Want)]),
    /// A table of named tables (`[instances.NAME]`).
    Named(&'static [(&'static str, Want)]),
    /// An array of tables (`[[ignore]]`), each with every key of its spec.
    Tables(&'static [(&'static str, Want)]),
}

impl Want {
    fn words(self) -> &'static str {
        match self {
            Want::Str => "a string",
            Want::Bool => "true or false",
            Want::Int => "a whole number",
            Want::Strs => "a list of strings",
            Want::Table(_) | Want::Named(_) => "a table",
            Want::Tables(_) => "a list of tables ([[…]])",
        }
    }
}

const INSTANCE_SHAPE: &[(&str, Want)] = &[
    ("publishable_key", Want::Str),
    ("platform_application_id", Want::Str),
    ("platform_instance", Want::Str),
    ("baseline", Want::Str),
    ("policy", Want::Str),
    ("waivers", Want::Str),
    ("attestations", Want::Str),
    ("fail_on", Want::Str),
    ("require_observed", Want::Bool),
    ("without", Want::Strs),
    ("secret_key_env", Want::Str),
    ("secret_key_file", Want::Str),
    ("platform_api_key_env", Want::Str),
    ("platform_api_key_file", Want::Str),
];
const PULL_SHAPE: &[(&str, Want)] = &[
    ("concurrency", Want::Int),
    ("requests_per_10s", Want::Int),
    ("timeout_seconds", Want::Int),
    ("retries", Want::Int),
    ("without", Want::Strs),
    ("acknowledge_platform_scope", Want::Bool),
];
const IGNORE_SHAPE: &[(&str, Want)] = &[("path", Want::Str), ("reason", Want::Str)];
const GOVERNANCE_SHAPE: &[(&str, Want)] = &[
    ("max_waiver_days", Want::Int),
    ("max_attestation_days", Want::Int),
];
const FILE_SHAPE: &[(&str, Want)] = &[
    ("instances", Want::Named(INSTANCE_SHAPE)),
    ("pull", Want::Table(PULL_SHAPE)),
    ("ignore", Want::Tables(IGNORE_SHAPE)),
    ("governance", Want::Table(GOVERNANCE_SHAPE)),
];

/// Every unknown key, wrongly typed value and missing `[[ignore]]` key of a parsed file, each
/// with its span; empty when the file has the shape [`Raw`] reads.
fn shape_errors(doc: &toml::de::DeTable<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    shape_table(doc, FILE_SHAPE, &mut out);
    // In file order (the parsed tables are sorted by key).
    out.sort_by_key(|d| d.span.start);
    out
}

fn shape_table(table: &toml::de::DeTable<'_>, spec: &[(&str, Want)], out: &mut Vec<Diagnostic>) {
    let known: Vec<&str> = spec.iter().map(|(k, _)| *k).collect();
    for (key, value) in table {
        let name: &str = key.get_ref();
        match spec.iter().find(|(k, _)| *k == name) {
            Some((_, want)) => shape_value(name, value, *want, out),
            None => {
                let d = Diagnostic::new(key.span(), format!("unknown key `{name}`"));
                out.push(match crate::diag::closest(name, known.iter().copied()) {
                    Some(best) => d.help(format!(
                        "did you mean `{best}`? (this table holds: {})",
                        known.join(", ")
                    )),
                    None => d.help(format!("this table holds: {}", known.join(", "))),
                });
            }
        }
    }
}

fn shape_value(
    key: &str,
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    want: Want,
    out: &mut Vec<Diagnostic>,
) {
    use toml::de::DeValue;
    let wrong = |out: &mut Vec<Diagnostic>, v: &toml::Spanned<DeValue<'_>>, what: &str| {
        out.push(Diagnostic::new(
            v.span(),
            format!("`{key}` takes {what}, found {}", v.get_ref().type_str()),
        ));
    };
    match (want, value.get_ref()) {
        (Want::Str, DeValue::String(_)) | (Want::Bool, DeValue::Boolean(_)) => {}
        (Want::Int, DeValue::Integer(_)) => {}
        (Want::Strs, DeValue::Array(items)) => {
            for item in items {
                if !matches!(item.get_ref(), DeValue::String(_)) {
                    wrong(out, item, "strings only");
                }
            }
        }
        (Want::Table(spec), DeValue::Table(t)) => shape_table(t, spec, out),
        (Want::Named(spec), DeValue::Table(t)) => {
            for (_, entry) in t {
                match entry.get_ref() {
                    DeValue::Table(inner) => shape_table(inner, spec, out),
                    _ => wrong(out, entry, "a table per name"),
                }
            }
        }
        (Want::Tables(spec), DeValue::Array(items)) => {
            for item in items {
                let DeValue::Table(inner) = item.get_ref() else {
                    wrong(out, item, "tables");
                    continue;
                };
                shape_table(inner, spec, out);
                for (k, _) in spec {
                    if !inner.keys().any(|have| have.get_ref().as_ref() == *k) {
                        out.push(Diagnostic::new(
                            item.span(),
                            format!("`[[{key}]]` needs `{k}`"),
                        ));
                    }
                }
            }
        }
        _ => wrong(out, value, want.words()),
    }
}

/// A TOML syntax error, or a value the types refuse that the shape check let through (a number
/// too large), in the file's words: no Rust type names. (Unknown keys and wrong types are
/// reported by [`shape_errors`] first, all at once.)
fn toml_diagnostic(e: &toml::de::Error) -> Diagnostic {
    let mut message = e.message().trim().to_owned();
    for (rust, words) in [
        ("expected usize", "expected a whole number (0 or more)"),
        ("expected u64", "expected a whole number (0 or more)"),
        ("expected u32", "expected a whole number (0 or more)"),
        ("expected i64", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        ("expected a sequence", "expected a list ([...])"),
        ("expected a map", "expected a table"),
    ] {
        message = message.replace(rust, words);
    }
    Diagnostic::new(e.span().unwrap_or(0..0), message)
}

/// Whether an ignore glob can match a snapshot path: some schema path matches it once its
/// literal keys (`[supabase]`) are read as any key; anything below `observed` (whatever an
/// endpoint returned) is valid.
pub fn known_glob(pattern: &str) -> bool {
    if pattern == "observed"
        || pattern.starts_with("observed.")
        || pattern.starts_with("**")
        || crate::snapshot::groups::is_name_pattern(pattern)
    {
        return true;
    }
    let generic = regex::Regex::new(r"\[[^\]*][^\]]*\]")
        .map(|re| re.replace_all(pattern, "[*]").into_owned())
        .unwrap_or_else(|_| pattern.to_owned());
    let Ok(rule) = crate::diff::IgnoreRule::new(&generic, "") else {
        return false;
    };
    crate::snapshot::schema::NODES
        .iter()
        .any(|n| crate::path::Path::parse(n.pattern).is_ok_and(|p| rule.matches(&p)))
}

/// Help for an ignore glob that matches nothing: the nearest schema path.
pub fn glob_help(pattern: &str) -> String {
    match crate::diag::closest(
        pattern,
        crate::snapshot::schema::NODES.iter().map(|n| n.pattern),
    ) {
        Some(best) => format!("did you mean `{best}`? (`clerk-drift schema` lists every path)"),
        None => "`clerk-drift schema` lists every path; anything below `observed.` is accepted"
            .to_owned(),
    }
}

/// `text` with the secret part of every Clerk key in it (`sk_live_…`, `sk_test_…`, `ak_…`)
/// replaced by `*`, byte for byte, so that diagnostics keep their spans.
fn mask_keys(text: &str) -> String {
    let Ok(re) = regex::Regex::new(r"\b(sk_live_|sk_test_|ak_)([A-Za-z0-9_\-]+)") else {
        return text.to_owned();
    };
    re.replace_all(text, |c: &regex::Captures<'_>| {
        format!("{}{}", &c[1], "*".repeat(c[2].len()))
    })
    .into_owned()
}

/// Whether `value` looks like a Clerk key rather than a name.
fn looks_like_a_key(value: &str) -> bool {
    ["sk_live_", "sk_test_", "ak_"]
        .iter()
        .any(|p| value.starts_with(p))
}

/// `secret_key_env` and `platform_api_key_env`: an environment variable's name, never a key.
fn key_env(
    field: &str,
    value: Option<Spanned<String>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let value = value?;
    let name = value.get_ref();
    if looks_like_a_key(name) {
        diags.push(
            Diagnostic::new(value.span(), format!("{field} holds what looks like a key, not a variable's name"))
                .help("clerk-drift.toml holds no secrets: name the variable that holds the key (e.g. CLERK_SECRET_KEY_PROD), and rotate this key: it is in the file's history"),
        );
        return None;
    }
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        diags.push(
            Diagnostic::new(
                value.span(),
                format!("{field} `{name}` is not an environment variable's name"),
            )
            .help("use letters, digits and `_`, e.g. CLERK_SECRET_KEY_PROD"),
        );
        return None;
    }
    Some(value.into_inner())
}

/// `secret_key_file` and `platform_api_key_file`: a path, never a key.
fn key_file(
    field: &str,
    value: Option<Spanned<String>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let value = value?;
    if looks_like_a_key(value.get_ref()) || value.get_ref().trim().is_empty() {
        diags.push(
            Diagnostic::new(
                value.span(),
                format!("{field} must be the path of a file holding the key"),
            )
            .help("clerk-drift.toml holds no secrets: if this is a key, remove it and rotate it"),
        );
        return None;
    }
    Some(value.into_inner())
}

/// `without = [...]`: API names, each checked.
fn without(list: Option<Vec<Spanned<String>>>, diags: &mut Vec<Diagnostic>) -> Vec<Source> {
    let mut out = Vec::new();
    for name in list.unwrap_or_default() {
        match API_NAMES
            .iter()
            .find(|(n, _)| *n == name.get_ref().as_str())
        {
            Some((_, source)) => {
                if !out.contains(source) {
                    out.push(*source);
                }
            }
            None => diags.push(
                Diagnostic::new(name.span(), format!("unknown API `{}`", name.get_ref()))
                    .help("use \"frontend\", \"backend\" or \"platform\""),
            ),
        }
    }
    out
}

impl Config {
    /// `--config FILE`, else `./clerk-drift.toml` when it exists, else none.
    pub fn discover(explicit: Option<&Path>) -> Result<Option<Config>, Error> {
        match explicit {
            Some(path) => Config::load(path).map(Some),
            None => {
                let path = Path::new(DEFAULT_FILE);
                if path.is_file() {
                    Config::load(path).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
        let origin = path.display().to_string();
        // The snippets quote the file: a key written into it is masked there, never repeated.
        let shown = mask_keys(text);
        let fail = |diags: Vec<Diagnostic>| Error::Invalid {
            path: path.to_path_buf(),
            count: diags.len(),
            rendered: diag::render(&origin, &shown, &diags),
        };
        // Every structural mistake at once; a syntax error is reported by the read below.
        if let Ok(doc) = toml::de::DeTable::parse(text) {
            let shape = shape_errors(doc.get_ref());
            if !shape.is_empty() {
                return Err(fail(shape));
            }
        }
        let raw: Raw = toml::from_str(text).map_err(|e| fail(vec![toml_diagnostic(&e)]))?;
        let base = path.parent().unwrap_or(Path::new(""));
        let resolve = |p: String| {
            let p = PathBuf::from(p);
            if p.is_absolute() { p } else { base.join(p) }
        };
        let mut diags = Vec::new();
        let mut instances = BTreeMap::new();
        for (name, table) in raw.instances {
            let span = table.span();
            let inst = table.into_inner();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                diags.push(
                    Diagnostic::new(span.clone(), format!("invalid instance name `{name}`"))
                        .help("names use letters, digits, `-`, `_` and `.`"),
                );
            }
            if let Some(key) = &inst.publishable_key
                && let Err(e) = PublishableKey::parse(key.get_ref())
            {
                diags.push(Diagnostic::new(key.span(), e.to_string()).help(
                        "copy the publishable key (pk_live_… or pk_test_…) from the Dashboard's API keys page",
                    ));
            }
            if let Some(app) = &inst.platform_application_id
                && (app.get_ref().trim().is_empty() || app.get_ref().contains('/'))
            {
                diags.push(Diagnostic::new(
                    app.span(),
                    "platform_application_id must be an application id such as `app_…`",
                ));
            }
            if let Some(f) = &inst.fail_on
                && !["critical", "high", "medium", "low", "info", "none"]
                    .contains(&f.get_ref().as_str())
            {
                diags.push(
                    Diagnostic::new(f.span(), format!("invalid fail_on `{}`", f.get_ref()))
                        .help("use critical, high, medium, low, info or none"),
                );
            }
            if let Some(ins) = &inst.platform_instance {
                let v = ins.get_ref();
                if !(v == "production" || v == "development" || valid_ins_id(v)) {
                    diags.push(
                        Diagnostic::new(ins.span(), format!("invalid platform_instance `{v}`"))
                            .help("use `production`, `development` or an instance id `ins_…`"),
                    );
                }
            }
            instances.insert(
                name.clone(),
                Instance {
                    name,
                    publishable_key: inst.publishable_key.map(Spanned::into_inner),
                    platform_application_id: inst.platform_application_id.map(Spanned::into_inner),
                    platform_instance: inst.platform_instance.map(Spanned::into_inner),
                    baseline: inst.baseline.map(resolve),
                    policy: inst.policy.map(resolve),
                    waivers: inst.waivers.map(resolve),
                    attestations: inst.attestations.map(resolve),
                    fail_on: inst.fail_on.map(Spanned::into_inner),
                    require_observed: inst.require_observed,
                    without: without(inst.without, &mut diags),
                    secret_key_env: key_env("secret_key_env", inst.secret_key_env, &mut diags),
                    secret_key_file: key_file("secret_key_file", inst.secret_key_file, &mut diags)
                        .map(resolve),
                    platform_api_key_env: key_env(
                        "platform_api_key_env",
                        inst.platform_api_key_env,
                        &mut diags,
                    ),
                    platform_api_key_file: key_file(
                        "platform_api_key_file",
                        inst.platform_api_key_file,
                        &mut diags,
                    )
                    .map(resolve),
                },
            );
        }
        let mut pull = Pull::default();
        if let Some(p) = raw.pull {
            // Each number with its floor: every one below it is reported with the other
            // mistakes of the file.
            let mut number = |field: &str, value: Option<Spanned<i64>>, floor: i64| {
                let v = value?;
                if *v.get_ref() < floor {
                    diags.push(Diagnostic::new(
                        v.span(),
                        format!("{field} must be at least {floor}"),
                    ));
                    return None;
                }
                Some(*v.get_ref())
            };
            let concurrency = number("concurrency", p.concurrency, 1);
            let requests_per_10s = number("requests_per_10s", p.requests_per_10s, 1);
            let timeout_seconds = number("timeout_seconds", p.timeout_seconds, 1);
            let retries = number("retries", p.retries, 0);
            pull = Pull {
                concurrency: concurrency.and_then(|n| usize::try_from(n).ok()),
                requests_per_10s: requests_per_10s.and_then(|n| usize::try_from(n).ok()),
                timeout_seconds: timeout_seconds.and_then(|n| u64::try_from(n).ok()),
                retries: retries.and_then(|n| usize::try_from(n).ok()),
                without: without(p.without, &mut diags),
                acknowledge_platform_scope: p.acknowledge_platform_scope.unwrap_or(false),
            };
        }
        let mut ignore = Vec::new();
        for i in raw.ignore {
            let (line, _) = diag::line_col(text, i.path.span().start);
            if i.reason.get_ref().trim().is_empty() {
                diags.push(
                    Diagnostic::new(i.reason.span(), "an ignored path needs a `reason`")
                        .help("say why the team does not track it; plans list it with the reason"),
                );
                continue;
            }
            match crate::diff::IgnoreRule::new(
                i.path.get_ref(),
                &format!("{} ({}:{line})", i.reason.get_ref().trim(), path.display()),
            ) {
                Ok(_) if !known_glob(i.path.get_ref()) => diags.push(
                    Diagnostic::new(
                        i.path.span(),
                        format!("`{}` matches no snapshot path", i.path.get_ref()),
                    )
                    .help(glob_help(i.path.get_ref())),
                ),
                Ok(rule) => ignore.push(rule),
                Err(e) => diags.push(Diagnostic::new(i.path.span(), e)),
            }
        }
        let mut governance = Governance::default();
        if let Some(g) = raw.governance {
            for (field, value, out) in [
                (
                    "max_waiver_days",
                    g.max_waiver_days,
                    &mut governance.max_waiver_days,
                ),
                (
                    "max_attestation_days",
                    g.max_attestation_days,
                    &mut governance.max_attestation_days,
                ),
            ] {
                match value {
                    Some(v) if *v.get_ref() < 1 => diags.push(Diagnostic::new(
                        v.span(),
                        format!("{field} must be at least 1 (days)"),
                    )),
                    Some(v) => *out = v.into_inner(),
                    None => {}
                }
            }
        }
        if !diags.is_empty() {
            return Err(fail(diags));
        }
        Ok(Config {
            path: path.to_path_buf(),
            instances,
            pull,
            ignore,
            governance,
        })
    }

    /// `--instance NAME`, or the only instance, or none when the file defines no instance.
    pub fn instance(&self, name: Option<&str>) -> Result<Option<&Instance>, Error> {
        if name.is_none() && self.instances.is_empty() {
            return Ok(None);
        }
        self.select(name).map(Some)
    }

    /// `--instance NAME`, or the only instance.
    pub fn select(&self, name: Option<&str>) -> Result<&Instance, Error> {
        let names = || {
            self.instances
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match name {
            Some(n) => self.instances.get(n).ok_or_else(|| {
                Error::Select(format!(
                    "{}: no instance `{n}` (instances: {})",
                    self.path.display(),
                    names()
                ))
            }),
            None if self.instances.len() == 1 => Ok(self
                .instances
                .values()
                .next()
                .ok_or_else(|| Error::Select(String::new()))?),
            None if self.instances.is_empty() => Err(Error::Select(format!(
                "{} defines no [instances.NAME] table",
                self.path.display()
            ))),
            None => Err(Error::Select(format!(
                "{} defines several instances ({}): pick one with --instance",
                self.path.display(),
                names()
            ))),
        }
    }
}

fn valid_ins_id(v: &str) -> bool {
    v.strip_prefix("ins_")
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[instances.prod]
publishable_key = "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"
platform_application_id = "app_123"
platform_instance = "production"
baseline = "baselines/prod.json"
policy = "/etc/clerk/policy.toml"

[instances.dev]
publishable_key = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k"

[pull]
concurrency = 8
requests_per_10s = 40
"#;

    #[test]
    fn parses_instances_and_resolves_paths() -> Result<(), Error> {
        let c = Config::parse(GOOD, Path::new("conf/clerk-drift.toml"))?;
        let prod = c.select(Some("prod"))?;
        assert_eq!(
            prod.baseline,
            Some(PathBuf::from("conf/baselines/prod.json"))
        );
        assert_eq!(prod.policy, Some(PathBuf::from("/etc/clerk/policy.toml")));
        assert_eq!(prod.platform_instance.as_deref(), Some("production"));
        assert_eq!(c.pull.concurrency, Some(8));
        let err = c
            .select(None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("several instances (dev, prod)"), "{err}");
        let err = c
            .select(Some("qa"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("no instance `qa`"), "{err}");
        Ok(())
    }

    #[test]
    fn without_names_apis() -> Result<(), Error> {
        let c = Config::parse(
            "[instances.prod]\nwithout = [\"platform\", \"backend\"]\n[pull]\nwithout = [\"frontend\"]\n",
            Path::new("c.toml"),
        )?;
        assert_eq!(c.select(None)?.without, [Source::Plapi, Source::Bapi]);
        assert_eq!(c.pull.without, [Source::Fapi]);
        let err = Config::parse("[pull]\nwithout = [\"plapi\"]\n", Path::new("c.toml"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("c.toml:2:12: unknown API `plapi`"), "{err}");
        Ok(())
    }

    #[test]
    fn one_instance_is_the_default() -> Result<(), Error> {
        let c = Config::parse("[instances.only]\n", Path::new("c.toml"))?;
        assert_eq!(c.select(None)?.name, "only");
        Ok(())
    }

    #[test]
    fn errors_point_at_the_value() {
        let text = "[instances.prod]\npublishable_key = \"pk_live_nope\"\nplatform_instance = \"staging\"\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("c.toml:2:19: publishable key"), "{err}");
        assert!(
            err.contains("c.toml:3:21: invalid platform_instance `staging`"),
            "{err}"
        );
        assert!(err.contains("2 error(s)"), "{err}");
        let err = Config::parse(
            "[instances.prod]\nsecret_key = \"x\"\n",
            Path::new("c.toml"),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("c.toml:2:1: unknown key `secret_key`"),
            "{err}"
        );
    }

    #[test]
    fn a_key_in_the_file_is_never_quoted() {
        let text = "[instances.a]\nsecret_key_env = \"sk_live_CANARY123\"\nplatform_api_key_env = \"ak_CANARY456\"\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("secret_key_env holds what looks like a key"),
            "{err}"
        );
        assert!(err.contains("sk_live_*********"), "{err}");
        assert!(!err.contains("CANARY"), "{err}");
        assert_eq!(mask_keys("x sk_test_ab-c y"), "x sk_test_**** y");
    }

    #[test]
    fn governance_limits_default_and_are_validated() -> Result<(), Error> {
        assert_eq!(
            Config::parse("", Path::new("c.toml"))?.governance,
            Governance::default()
        );
        let c = Config::parse(
            "[governance]\nmax_waiver_days = 30\nmax_attestation_days = 90\n",
            Path::new("c.toml"),
        )?;
        assert_eq!(
            c.governance,
            Governance {
                max_waiver_days: 30,
                max_attestation_days: 90
            }
        );
        let err = Config::parse(
            "[governance]\nmax_waiver_days = 0\nmax_attestation_days = -1\n",
            Path::new("c.toml"),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("c.toml:2:19: max_waiver_days must be at least 1 (days)"),
            "{err}"
        );
        assert!(
            err.contains("c.toml:3:24: max_attestation_days must be at least 1 (days)"),
            "{err}"
        );
        Ok(())
    }
}
