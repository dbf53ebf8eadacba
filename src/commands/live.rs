//! Live data for commands: resolves the instance (clerk-drift.toml, flags, Clerk's environment
//! variables, credentials) into a `clerk::Target`, pulls it, and optionally records the raw
//! responses. The glue between configuration and the `clerk` module; no HTTP here.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::clerk::keys::{EnvType, PublishableKey};
use crate::clerk::{self, Api, Observer, Platform, Target};
use crate::cli::{CredentialArgs, LiveArgs};
use crate::config::{Config, Instance};
use crate::recording::{LAYOUT, Source};
use crate::secrets::{self, Env, Keyring, Kind};

/// Default base URLs (overridable with Clerk's environment variables).
pub const BACKEND_API_URL: &str = "https://api.clerk.com";
pub const PLATFORM_API_URL: &str = "https://api.clerk.com";

/// Whether this run has shown [`PLATFORM_SCOPE_WARNING`].
static SCOPE_WARNED: AtomicBool = AtomicBool::new(false);

/// The once-per-run warning for Platform API use (not under `--quiet`, nor when clerk-drift.toml
/// says `acknowledge_platform_scope = true` under `[pull]`).
pub const PLATFORM_SCOPE_WARNING: &str = "the Platform API config read needs a key with the `applications:manage` scope, which can also change the instance: use a dedicated key for clerk-drift and keep it out of shared CI secrets";

/// The instance a command works on.
pub struct Resolved {
    pub target: Target,
    pub opts: clerk::Options,
    /// The `[instances.NAME]` table, when a config file named one.
    pub instance: Option<Instance>,
    /// Things the user should know before the pull (skipped sources, scope warning).
    pub warnings: Vec<String>,
    /// Whole APIs skipped for want of a credential, which nobody said to go without: one line
    /// each, naming the API and what would enable it (see [`refuse_missing`]).
    pub missing: Vec<String>,
}

/// The instance name used for keyring entries: `--instance`, the config's only instance, or
/// `default`.
pub fn instance_name(config: Option<&Config>, flag: Option<&str>) -> Result<String> {
    if let Some(i) = config.map(|c| c.instance(flag)).transpose()?.flatten() {
        return Ok(i.name.clone());
    }
    Ok(flag.unwrap_or("default").to_owned())
}

/// The OS keyring, unless `--no-keyring` (or `CLERK_DRIFT_NO_KEYRING`) says not to consult it.
pub fn keyring_for(args: &CredentialArgs) -> Keyring {
    if args.no_keyring {
        Keyring::Disabled
    } else {
        Keyring::System
    }
}

/// Resolves what to pull from; `config` is the clerk-drift.toml the command read.
pub fn resolve(
    args: &LiveArgs,
    config: Option<&Config>,
    env: Env<'_>,
    keyring: &Keyring,
) -> Result<Resolved> {
    let instance = match config {
        Some(c) => c.instance(args.instance.as_deref())?.cloned(),
        None => None,
    };
    let name = instance_name(config, args.instance.as_deref())?;
    let mut warnings = Vec::new();
    let mut missing = Vec::new();
    let mut target = Target::default();
    let without = without(args, config, instance.as_ref());
    let left_out = |source: Source| without.iter().find(|(s, _)| *s == source).map(|(_, w)| w);

    // Publishable key: flag, then the config, then CLERK_PUBLISHABLE_KEY. The config outranks the
    // environment so that `--instance prod` never pulls whatever key happens to be exported.
    let (pk_text, pk_origin) = if let Some(k) = &args.credentials.publishable_key {
        (Some(k.clone()), "--publishable-key".to_owned())
    } else if let Some(k) = instance.as_ref().and_then(|i| i.publishable_key.clone()) {
        (Some(k), format!("publishable_key of [instances.{name}]"))
    } else {
        (
            secrets::set_value(env, "CLERK_PUBLISHABLE_KEY")?,
            "CLERK_PUBLISHABLE_KEY".to_owned(),
        )
    };
    let pk = match pk_text {
        Some(text) => Some(PublishableKey::parse(&text).with_context(|| pk_origin.clone())?),
        None => None,
    };
    let env_type = pk.as_ref().map(|k| k.env);

    // Frontend API: public, from the publishable key's host.
    let fapi_url = env("CLERK_FRONTEND_API_URL")
        .filter(|u| !u.is_empty())
        .or_else(|| pk.as_ref().map(|k| format!("https://{}", k.fapi_host)));
    match fapi_url {
        _ if left_out(Source::Fapi).is_some() => {
            let why = format!("left out ({})", left_out(Source::Fapi).map_or("", |w| w));
            skip(&mut target, Source::Fapi, &why);
        }
        Some(url) => {
            target.fapi = Some(
                Api::new(Source::Fapi, &url, None, "the publishable key".into())
                    .context("Frontend API URL")?,
            );
        }
        None => {
            let why = "no publishable key: set CLERK_PUBLISHABLE_KEY, --publishable-key, or publishable_key in clerk-drift.toml";
            missing.push(format!("Frontend API: {why}"));
            skip(&mut target, Source::Fapi, why);
        }
    }

    // Backend API: the secret key.
    let secret = match left_out(Source::Bapi) {
        Some(w) => {
            skip(&mut target, Source::Bapi, &format!("left out ({w})"));
            None
        }
        None => secrets::find_for(
            Kind::SecretKey,
            &name,
            args.credentials.secret_key_file.as_deref(),
            secrets::Configured {
                env: instance.as_ref().and_then(|i| i.secret_key_env.as_deref()),
                file: instance.as_ref().and_then(|i| i.secret_key_file.as_deref()),
            },
            env,
            keyring,
        )?,
    };
    match secret {
        Some(cred) => {
            use secrecy::ExposeSecret as _;
            let sk_env = if cred.value.expose_secret().starts_with("sk_live_") {
                EnvType::Production
            } else {
                EnvType::Development
            };
            if let Some(pk_env) = env_type.filter(|e| *e != sk_env) {
                bail!(
                    "{} is for a {} instance but the publishable key ({pk_origin}) is for a {} instance: they must belong to the same instance",
                    cred.describe(),
                    sk_env.as_str(),
                    pk_env.as_str()
                );
            }
            let base = env("CLERK_BACKEND_API_URL")
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| BACKEND_API_URL.to_owned());
            let describe = cred.describe();
            target.bapi = Some(
                Api::new(Source::Bapi, &base, Some(cred.value), describe)
                    .context("Backend API URL (CLERK_BACKEND_API_URL)")?,
            );
        }
        None if left_out(Source::Bapi).is_some() => {}
        None => {
            let why = match instance.as_ref().and_then(|i| i.secret_key_env.as_deref()) {
                Some(var) => format!("no secret key: set {var} (secret_key_env of [instances.{name}])"),
                None => "no secret key: set CLERK_SECRET_KEY or CLERK_SECRET_KEY_FILE, pass --secret-key-file, or run `clerk-drift auth set`".to_owned(),
            };
            missing.push(format!("Backend API: {why}"));
            skip(&mut target, Source::Bapi, &why);
            warnings.push("Backend API skipped: no secret key (domains, JWT templates, allowed origins, allowlist and other resources stay unobserved)".into());
        }
    }

    // Platform API: optional (private beta); needs a key and an application id.
    let platform_key = match left_out(Source::Plapi) {
        Some(w) => {
            skip(&mut target, Source::Plapi, &format!("left out ({w})"));
            None
        }
        None => secrets::find_for(
            Kind::PlatformKey,
            &name,
            args.credentials.platform_key_file.as_deref(),
            secrets::Configured {
                env: instance
                    .as_ref()
                    .and_then(|i| i.platform_api_key_env.as_deref()),
                file: instance
                    .as_ref()
                    .and_then(|i| i.platform_api_key_file.as_deref()),
            },
            env,
            keyring,
        )?,
    };
    let app = args
        .credentials
        .app
        .clone()
        .or_else(|| {
            instance
                .as_ref()
                .and_then(|i| i.platform_application_id.clone())
        })
        .or_else(|| env("CLERK_APPLICATION_ID").filter(|a| !a.is_empty()));
    match (platform_key, app) {
        _ if left_out(Source::Plapi).is_some() => {}
        (Some(cred), Some(app)) => {
            let configured = instance.as_ref().and_then(|i| i.platform_instance.clone());
            let (ins, instance_origin) = match configured {
                Some(i) => (i, Some(format!("platform_instance of [instances.{name}]"))),
                None => match env_type {
                    Some(e) => (e.as_str().to_owned(), None),
                    None => bail!(
                        "the Platform API needs to know the instance: set platform_instance in clerk-drift.toml or a publishable key (pk_live_ → production, pk_test_ → development)"
                    ),
                },
            };
            // An environment name that is not the publishable key's would read another instance.
            if let Some(pk_env) = env_type
                && (ins == "production" || ins == "development")
                && ins != pk_env.as_str()
            {
                bail!(
                    "platform_instance of [instances.{name}] is `{ins}` but the publishable key ({pk_origin}) is for a {} instance: the Platform config must be the same instance's — nothing was read",
                    pk_env.as_str()
                );
            }
            let base = env("CLERK_PLATFORM_API_URL")
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| PLATFORM_API_URL.to_owned());
            let describe = cred.describe();
            target.plapi = Some(Platform {
                api: Api::new(Source::Plapi, &base, Some(cred.value), describe)
                    .context("Platform API URL (CLERK_PLATFORM_API_URL)")?,
                application_id: app,
                instance: ins,
                instance_origin,
            });
            let acknowledged = config.is_some_and(|c| c.pull.acknowledge_platform_scope);
            if !args.quiet && !acknowledged {
                warnings.push(PLATFORM_SCOPE_WARNING.to_owned());
            }
        }
        (Some(_), None) => {
            // CI expands an unset secret to "": name the empty variable rather than skip.
            secrets::set_value(env, "CLERK_APPLICATION_ID")?;
            let why = "a Platform API key is set but no application id: pass --app, set CLERK_APPLICATION_ID, or platform_application_id in clerk-drift.toml";
            warnings.push(format!("Platform API skipped: {why}"));
            missing.push(format!("Platform API: {why}"));
            skip(&mut target, Source::Plapi, why);
        }
        (None, _) => {
            missing.push(match instance.as_ref().and_then(|i| i.platform_api_key_env.as_deref()) {
                Some(var) => format!("Platform API: no Platform API key: set {var} (platform_api_key_env of [instances.{name}])"),
                None => "Platform API: no Platform API key: set CLERK_PLATFORM_API_KEY or CLERK_PLATFORM_API_KEY_FILE (a key with the `applications:manage` scope; Platform API access is a private beta) and CLERK_APPLICATION_ID or --app".to_owned(),
            });
            skip(
                &mut target,
                Source::Plapi,
                "no Platform API key (CLERK_PLATFORM_API_KEY; Platform API access is a private beta)",
            );
        }
    }
    if target.fapi.is_none() && target.bapi.is_none() && target.plapi.is_none() {
        bail!(
            "nothing to pull: set CLERK_PUBLISHABLE_KEY (Frontend API), CLERK_SECRET_KEY (Backend API) and optionally CLERK_PLATFORM_API_KEY with --app, or name an instance in clerk-drift.toml"
        );
    }

    let mut opts = clerk::Options::for_env(env_type);
    let pull_cfg = config.map(|c| c.pull.clone()).unwrap_or_default();
    if let Some(n) = args.concurrency.or(pull_cfg.concurrency) {
        opts.concurrency = n.max(1);
    }
    if let Some(n) = args.rate_limit.or(pull_cfg.requests_per_10s) {
        opts.requests_per_window = n.max(1);
    }
    if let Some(s) = args.timeout.or(pull_cfg.timeout_seconds) {
        opts.timeout = Duration::from_secs(s.max(1));
    }
    if let Some(r) = pull_cfg.retries {
        opts.retries = r;
    }
    Ok(Resolved {
        target,
        opts,
        instance,
        warnings,
        missing,
    })
}

/// The APIs to go without, each with who said so: `--without`, the instance's `without`,
/// `[pull] without`.
fn without(
    args: &LiveArgs,
    config: Option<&Config>,
    instance: Option<&Instance>,
) -> Vec<(Source, String)> {
    let name = |s: Source| {
        crate::config::API_NAMES
            .iter()
            .find(|(_, x)| *x == s)
            .map_or("", |(n, _)| *n)
    };
    let mut out: Vec<(Source, String)> = Vec::new();
    let flags = args.without.iter().map(|a| {
        let s = a.source();
        (s, format!("--without {}", name(s)))
    });
    let of_instance = instance.into_iter().flat_map(|i| {
        i.without
            .iter()
            .map(|s| (*s, format!("without of [instances.{}]", i.name)))
    });
    let of_pull = config.into_iter().flat_map(|c| {
        c.pull
            .without
            .iter()
            .map(|s| (*s, "[pull] without".to_owned()))
    });
    for (s, who) in flags.chain(of_instance).chain(of_pull) {
        if !out.iter().any(|(x, _)| *x == s) {
            out.push((s, who));
        }
    }
    out
}

/// Refuses a pull that would skip whole APIs nobody said to go without (`check`, `plan`,
/// `audit`): their settings would all be `unknown` and the run would look clean. One line per
/// API, then how to say it is intended. Nothing is sent.
pub fn refuse_missing(resolved: &Resolved, instance_flag: Option<&str>) -> Result<()> {
    if resolved.missing.is_empty() {
        return Ok(());
    }
    let apis: Vec<&str> = resolved
        .missing
        .iter()
        .filter_map(|l| {
            crate::config::API_NAMES
                .iter()
                .find(|(_, s)| l.starts_with(s.api_name()))
                .map(|(n, _)| *n)
        })
        .collect();
    let flags: Vec<String> = apis.iter().map(|a| format!("--without {a}")).collect();
    let list = apis
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let table = match (&resolved.instance, instance_flag) {
        (Some(i), _) => format!("[instances.{}]", i.name),
        (None, Some(n)) => format!("[instances.{n}]"),
        (None, None) => "[pull]".to_owned(),
    };
    bail!(
        "the live pull would skip {} whole API(s), and every setting only they report would be unknown; nothing was sent:\n  - {}\nIf that is intended, say so: pass {}, or add `without = [{list}]` to {table} in clerk-drift.toml (--allow-partial accepts any skipped API).",
        resolved.missing.len(),
        resolved.missing.join("\n  - "),
        flags.join(" "),
    )
}

fn skip(target: &mut Target, source: Source, why: &str) {
    for e in LAYOUT.iter().filter(|e| e.source == source) {
        target.skipped.insert(e.file, why.to_owned());
    }
}

/// A pull's result, ready for the commands.
pub struct Live {
    pub snapshot: crate::snapshot::Snapshot,
    pub gaps: Vec<String>,
    pub instance: Option<Instance>,
    /// Per endpoint: calls, statuses and time (filled by the caller's call log).
    pub calls: serde_json::Value,
}

/// Resolves, pulls, records (`record`), and normalizes. `whole` refuses a pull that would skip
/// an API nobody said to go without ([`refuse_missing`]), unless `--allow-partial`.
#[allow(clippy::too_many_arguments)]
pub fn pull(
    args: &LiveArgs,
    config: Option<&Config>,
    env: Env<'_>,
    keyring: &Keyring,
    observer: Arc<dyn Observer>,
    warn: &dyn Fn(&str),
    record: Option<&Path>,
    whole: bool,
) -> Result<Live> {
    let resolved = resolve(args, config, env, keyring)?;
    if whole && !args.allow_partial {
        refuse_missing(&resolved, args.instance.as_deref())?;
    }
    for w in &resolved.warnings {
        // The scope warning once per run, however many instances it pulls.
        if w == PLATFORM_SCOPE_WARNING && SCOPE_WARNED.swap(true, Ordering::Relaxed) {
            continue;
        }
        warn(w);
    }
    let pulled = clerk::pull(resolved.target, resolved.opts, observer, args.allow_partial)?;
    if let Some(dir) = record {
        pulled
            .recording
            .write(dir)
            .with_context(|| format!("recording to {}", dir.display()))?;
    }
    let snapshot = crate::snapshot::normalize(&pulled.recording)?;
    Ok(Live {
        snapshot,
        gaps: pulled.gaps,
        instance: resolved.instance,
        calls: serde_json::Value::Null,
    })
}
