//! `auth set | status | delete`: keys in the OS keyring, and where each credential comes from
//! (masked).

use std::sync::Arc;

use anyhow::{Context as _, Result};
use secrecy::SecretString;

use super::{discover_config, live, process_env};
use crate::cli::AuthCommand;
use crate::secrets::{self, Keyring, Kind};
use crate::{Outcome, Ui, exit};

pub(super) fn run(cmd: AuthCommand, ui: &Arc<dyn Ui>) -> Result<Outcome> {
    let kind_of = |platform: bool| {
        if platform {
            Kind::PlatformKey
        } else {
            Kind::SecretKey
        }
    };
    match cmd {
        AuthCommand::Set(a) => {
            let config = discover_config(a.config.as_deref())?;
            let name = live::instance_name(config.as_ref(), a.instance.as_deref())?;
            let kind = kind_of(a.platform);
            let value = ui
                .read_secret(&format!("{} for instance `{name}`: ", kind.label()))
                .context("reading the key")?;
            let value = SecretString::from(value.trim().to_owned());
            Keyring::System.set(kind, &name, &value)?;
            Ok(Outcome {
                stdout: format!(
                    "Stored the {} for instance `{name}` in the OS keyring ({} / {}).\n",
                    kind.label(),
                    secrets::SERVICE,
                    kind.keyring_user(&name)
                ),
                code: exit::CLEAN,
                ..Default::default()
            })
        }
        AuthCommand::Delete(a) => {
            let config = discover_config(a.config.as_deref())?;
            let name = live::instance_name(config.as_ref(), a.instance.as_deref())?;
            let kind = kind_of(a.platform);
            let deleted = Keyring::System.delete(kind, &name)?;
            let stdout = if deleted {
                format!(
                    "Deleted the {} for instance `{name}` from the OS keyring.\n",
                    kind.label()
                )
            } else {
                format!(
                    "No {} for instance `{name}` was stored in the OS keyring.\n",
                    kind.label()
                )
            };
            Ok(Outcome {
                stdout,
                code: exit::CLEAN,
                ..Default::default()
            })
        }
        AuthCommand::Status(a) => {
            let args = a.live;
            let config = discover_config(args.config.as_deref())?;
            let keyring = live::keyring_for(&args.credentials);
            // Every instance of clerk-drift.toml, unless --instance names one.
            let names: Vec<String> = match &config {
                Some(c) if args.instance.is_none() && c.instances.len() > 1 => {
                    c.instances.keys().cloned().collect()
                }
                _ => vec![live::instance_name(
                    config.as_ref(),
                    args.instance.as_deref(),
                )?],
            };
            let mut out = String::new();
            let mut code = exit::CLEAN;
            for name in &names {
                let instance = config.as_ref().and_then(|c| c.instances.get(name));
                out.push_str(&format!("Instance: {name}"));
                match &config {
                    Some(c) => out.push_str(&format!(" ({})\n", c.path.display())),
                    None => out.push_str(" (no clerk-drift.toml)\n"),
                }
                for (kind, file, configured) in [
                    (
                        Kind::SecretKey,
                        args.credentials.secret_key_file.as_deref(),
                        secrets::Configured {
                            env: instance.and_then(|i| i.secret_key_env.as_deref()),
                            file: instance.and_then(|i| i.secret_key_file.as_deref()),
                        },
                    ),
                    (
                        Kind::PlatformKey,
                        args.credentials.platform_key_file.as_deref(),
                        secrets::Configured {
                            env: instance.and_then(|i| i.platform_api_key_env.as_deref()),
                            file: instance.and_then(|i| i.platform_api_key_file.as_deref()),
                        },
                    ),
                ] {
                    let found =
                        secrets::find_for(kind, name, file, configured, &process_env, &keyring);
                    let line = match found {
                        Ok(Some(c)) => format!("{}  from {}", c.masked(), c.origin),
                        Ok(None) => match (configured.env, configured.file) {
                            (Some(var), _) => {
                                format!("not set (looked at {var}, as clerk-drift.toml says)")
                            }
                            (None, Some(f)) => format!(
                                "not set (looked at {}, as clerk-drift.toml says)",
                                f.display()
                            ),
                            (None, None) => format!(
                                "not set (looked at {}, {}, {}, the OS keyring)",
                                kind.file_flag(),
                                kind.file_env_var(),
                                kind.env_var()
                            ),
                        },
                        Err(e) => format!("error: {e}"),
                    };
                    out.push_str(&format!("  {:<18}{line}\n", format!("{}:", kind.label())));
                }
                if a.check && !prove(&args, config.as_ref(), name, &keyring, &mut out) {
                    code = exit::ERROR;
                }
            }
            let keyring_line = match keyring {
                Keyring::Disabled => "not consulted (--no-keyring)".to_owned(),
                _ => match keyring::Entry::store_status() {
                    Ok(()) => "available".to_owned(),
                    Err(e) => format!(
                        "unavailable ({e}); use the environment or --secret-key-file / --platform-key-file"
                    ),
                },
            };
            out.push_str(&format!("  {:<18}{keyring_line}\n", "OS keyring:"));
            Ok(Outcome {
                stdout: out,
                code,
                ..Default::default()
            })
        }
    }
}

/// `auth status --check` for one instance: one GET per credential found, each line naming the
/// instance it belongs to. False when one was refused or could not be proven.
fn prove(
    args: &crate::cli::LiveArgs,
    config: Option<&crate::config::Config>,
    name: &str,
    keyring: &Keyring,
    out: &mut String,
) -> bool {
    let mut one = args.clone();
    if config.is_some_and(|c| c.instances.contains_key(name)) {
        one.instance = Some(name.to_owned());
    }
    let resolved = match live::resolve(&one, config, &process_env, keyring) {
        Ok(r) => r,
        Err(e) => {
            out.push_str(&format!("  check:            error: {e:#}\n"));
            return false;
        }
    };
    if resolved.target.bapi.is_none() && resolved.target.plapi.is_none() {
        out.push_str("  check:            nothing to prove (no secret key, no Platform API key)\n");
        return true;
    }
    match crate::clerk::prove(&resolved.target) {
        Ok(results) => {
            let mut ok = true;
            for (source, r) in results {
                let what = match source {
                    crate::recording::Source::Plapi => "Platform API key",
                    _ => "secret key",
                };
                let line = match r {
                    Ok(_) => format!("accepted by the {} (instance {name})", source.api_name()),
                    Err(why) => {
                        ok = false;
                        format!("{why} — the {what} of instance {name}")
                    }
                };
                out.push_str(&format!("  {:<18}{line}\n", format!("check {what}:")));
            }
            ok
        }
        Err(e) => {
            out.push_str(&format!("  check:            error: {e}\n"));
            false
        }
    }
}
