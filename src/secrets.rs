//! Credentials: the secret key and the Platform API key. Looked up in a fixed order — a file
//! (`--secret-key-file` / `CLERK_SECRET_KEY_FILE`), then the environment (`CLERK_SECRET_KEY`),
//! then the OS keyring (service `clerk-drift`) — and held only as `SecretString`. Never taken from
//! a command-line flag, never shown beyond a masked hint (`sk_live_…abcd`).

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

/// The keyring service name.
pub const SERVICE: &str = "clerk-drift";

/// Which credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SecretKey,
    PlatformKey,
}

impl Kind {
    pub fn env_var(self) -> &'static str {
        match self {
            Kind::SecretKey => "CLERK_SECRET_KEY",
            Kind::PlatformKey => "CLERK_PLATFORM_API_KEY",
        }
    }

    pub fn file_env_var(self) -> &'static str {
        match self {
            Kind::SecretKey => "CLERK_SECRET_KEY_FILE",
            Kind::PlatformKey => "CLERK_PLATFORM_API_KEY_FILE",
        }
    }

    pub fn file_flag(self) -> &'static str {
        match self {
            Kind::SecretKey => "--secret-key-file",
            Kind::PlatformKey => "--platform-key-file",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::SecretKey => "secret key",
            Kind::PlatformKey => "Platform API key",
        }
    }

    /// The keyring account for an instance: `prod/secret-key`.
    pub fn keyring_user(self, instance: &str) -> String {
        match self {
            Kind::SecretKey => format!("{instance}/secret-key"),
            Kind::PlatformKey => format!("{instance}/platform-api-key"),
        }
    }

    /// Rejects values that cannot be this kind of key. Messages never contain the value.
    pub fn validate(self, value: &str) -> Result<(), Error> {
        if value.is_empty() {
            return Err(Error::Invalid(format!("the {} is empty", self.label())));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::Invalid(format!(
                "the {} contains whitespace or control characters",
                self.label()
            )));
        }
        if self == Kind::SecretKey
            && !(value.starts_with("sk_live_") || value.starts_with("sk_test_"))
        {
            let hint = if value.starts_with("pk_") {
                " (this is a publishable key)"
            } else {
                ""
            };
            return Err(Error::Invalid(format!(
                "the secret key must start with `sk_live_` or `sk_test_`{hint}"
            )));
        }
        Ok(())
    }
}

/// Where a credential came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    Env(String),
    Keyring { user: String },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::File(p) => write!(f, "file {}", p.display()),
            Origin::Env(var) => write!(f, "environment variable {var}"),
            Origin::Keyring { user } => write!(f, "OS keyring ({SERVICE} / {user})"),
        }
    }
}

/// A credential and where it came from.
pub struct Credential {
    pub kind: Kind,
    pub value: SecretString,
    pub origin: Origin,
}

impl Credential {
    /// How messages name it: `CLERK_SECRET_KEY (environment variable CLERK_SECRET_KEY)`.
    pub fn describe(&self) -> String {
        format!("the {} from {}", self.kind.label(), self.origin)
    }

    pub fn masked(&self) -> String {
        mask(self.value.expose_secret())
    }
}

/// `sk_live_…abcd`: the key's type prefix (`sk_live_`, `ak_`) and its last four characters, the
/// latter only when the key is long enough that they reveal nothing useful.
pub fn mask(value: &str) -> String {
    let underscores: Vec<usize> = value.match_indices('_').map(|(i, _)| i).take(2).collect();
    let prefix_len = match underscores.as_slice() {
        [_, second] if *second < 8 => second + 1,
        [first, ..] if *first < 4 => first + 1,
        _ => 0,
    };
    let chars = value.chars().count();
    if chars < 20 {
        return format!("{}…", &value[..prefix_len.min(value.len())]);
    }
    let tail: String = value.chars().skip(chars - 4).collect();
    format!("{}…{tail}", &value[..prefix_len])
}

/// Errors finding or storing a credential. None ever contains a credential.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("reading {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {why}")]
    File { path: PathBuf, why: String },
    #[error("{0}")]
    Invalid(String),
    #[error(
        "no OS keyring is available here ({why}). Use the environment (CLERK_SECRET_KEY, CLERK_PLATFORM_API_KEY) or a file (--secret-key-file, --platform-key-file) instead"
    )]
    NoKeyring { why: String },
    #[error("OS keyring: {0}")]
    Keyring(String),
    /// A variable that is set but empty: in CI an unset secret expands to `""`, and reading that
    /// as "no credential" would silently skip a whole API.
    #[error(
        "{0} is set but empty (an unset CI secret expands to \"\"): set it, or unset the variable to pull without it"
    )]
    Empty(String),
}

/// A variable's value, or `None` when it is unset; set but empty (or blank) is an error. For
/// every credential variable, the publishable key's included.
pub fn set_value(env: Env<'_>, var: &str) -> Result<Option<String>, Error> {
    match env(var) {
        Some(v) if v.trim().is_empty() => Err(Error::Empty(var.to_owned())),
        other => Ok(other),
    }
}

/// Reads process environment variables; injected so that tests need not mutate the environment.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The OS keyring, or none.
pub enum Keyring {
    /// The platform store (Secret Service, Keychain, Credential Manager), initialised once.
    System,
    /// Whatever `keyring_core` default store is set (tests: the mock store).
    Current,
    /// Not consulted (`--no-keyring`).
    Disabled,
}

impl Keyring {
    fn entry(&self, kind: Kind, instance: &str) -> Result<Option<keyring_core::Entry>, Error> {
        match self {
            Keyring::Disabled => Ok(None),
            Keyring::System => {
                if let Err(e) = keyring::Entry::store_status() {
                    return Err(Error::NoKeyring {
                        why: keyring_why(e),
                    });
                }
                entry(kind, instance).map(Some)
            }
            Keyring::Current => entry(kind, instance).map(Some),
        }
    }

    /// Reads a key; `Ok(None)` when there is no entry (or the keyring is disabled).
    pub fn get(&self, kind: Kind, instance: &str) -> Result<Option<SecretString>, Error> {
        let Some(entry) = self.entry(kind, instance)? else {
            return Ok(None);
        };
        match entry.get_password() {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(Error::Keyring(keyring_why(&e))),
        }
    }

    pub fn set(&self, kind: Kind, instance: &str, value: &SecretString) -> Result<(), Error> {
        kind.validate(value.expose_secret())?;
        let entry = self
            .entry(kind, instance)?
            .ok_or_else(|| Error::Keyring("the keyring is disabled (--no-keyring)".into()))?;
        entry
            .set_password(value.expose_secret())
            .map_err(|e| Error::Keyring(keyring_why(&e)))
    }

    /// Deletes a key; `Ok(false)` when there was none.
    pub fn delete(&self, kind: Kind, instance: &str) -> Result<bool, Error> {
        let Some(entry) = self.entry(kind, instance)? else {
            return Ok(false);
        };
        match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(Error::Keyring(keyring_why(&e))),
        }
    }
}

fn entry(kind: Kind, instance: &str) -> Result<keyring_core::Entry, Error> {
    keyring_core::Entry::new(SERVICE, &kind.keyring_user(instance)).map_err(|e| match e {
        keyring_core::Error::NoDefaultStore => Error::NoKeyring {
            why: "no credential store is configured".into(),
        },
        other => Error::Keyring(keyring_why(&other)),
    })
}

fn keyring_why(e: &keyring_core::Error) -> String {
    match e {
        keyring_core::Error::NoDefaultStore => {
            "no Secret Service / keychain could be reached".into()
        }
        other => other.to_string(),
    }
}

/// Where clerk-drift.toml says one instance's credential is (`secret_key_env`,
/// `secret_key_file`, `platform_api_key_env`, `platform_api_key_file`): names, never values.
#[derive(Debug, Clone, Copy, Default)]
pub struct Configured<'a> {
    pub env: Option<&'a str>,
    pub file: Option<&'a Path>,
}

/// [`find`], unless clerk-drift.toml names the instance's own source: then the flag's file, else
/// that file, else that variable — and nothing else (in a fleet, Clerk's default variables and
/// the keyring belong to no instance in particular). `Ok(None)` when the named source is unset.
pub fn find_for(
    kind: Kind,
    instance: &str,
    file_flag: Option<&Path>,
    configured: Configured<'_>,
    env: Env<'_>,
    keyring: &Keyring,
) -> Result<Option<Credential>, Error> {
    if file_flag.is_some() || (configured.env.is_none() && configured.file.is_none()) {
        return find(kind, instance, file_flag, env, keyring);
    }
    if let Some(path) = configured.file {
        return read_file(kind, path).map(Some);
    }
    let Some(var) = configured.env else {
        return Ok(None);
    };
    let Some(value) = set_value(env, var)? else {
        return Ok(None);
    };
    let value = value.trim();
    kind.validate(value)
        .map_err(|e| Error::Invalid(format!("{var}: {e}")))?;
    Ok(Some(Credential {
        kind,
        value: SecretString::from(value.to_owned()),
        origin: Origin::Env(var.to_owned()),
    }))
}

/// A credential from a file, surrounding whitespace trimmed.
fn read_file(kind: Kind, path: &Path) -> Result<Credential, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let value = text.trim();
    kind.validate(value).map_err(|e| Error::File {
        path: path.to_path_buf(),
        why: e.to_string(),
    })?;
    Ok(Credential {
        kind,
        value: SecretString::from(value.to_owned()),
        origin: Origin::File(path.to_path_buf()),
    })
}

/// Looks a credential up: file (flag, then `*_FILE` variable), environment, keyring.
/// `Ok(None)` when none of them has it.
pub fn find(
    kind: Kind,
    instance: &str,
    file_flag: Option<&Path>,
    env: Env<'_>,
    keyring: &Keyring,
) -> Result<Option<Credential>, Error> {
    let file = match file_flag {
        Some(f) => Some(f.to_path_buf()),
        None => set_value(env, kind.file_env_var())?.map(PathBuf::from),
    };
    if let Some(path) = file {
        return read_file(kind, &path).map(Some);
    }
    if let Some(value) = set_value(env, kind.env_var())? {
        let value = value.trim();
        kind.validate(value)
            .map_err(|e| Error::Invalid(format!("{}: {e}", kind.env_var())))?;
        return Ok(Some(Credential {
            kind,
            value: SecretString::from(value.to_owned()),
            origin: Origin::Env(kind.env_var().to_owned()),
        }));
    }
    match keyring.get(kind, instance) {
        Ok(Some(value)) => {
            kind.validate(value.expose_secret())
                .map_err(|e| Error::Invalid(format!("the OS keyring entry for {instance}: {e}")))?;
            Ok(Some(Credential {
                kind,
                value,
                origin: Origin::Keyring {
                    user: kind.keyring_user(instance),
                },
            }))
        }
        Ok(None) => Ok(None),
        // The keyring is the last resort: without one, the credential is simply not set.
        Err(Error::NoKeyring { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const CANARY: &str = "sk_test_CANARYsecret0123456789abcd";

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    /// The mock store is process-global: set it once; tests use distinct instance names.
    fn mock_keyring() -> Keyring {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            if let Ok(store) = keyring_core::mock::Store::new() {
                keyring_core::set_default_store(store);
            }
        });
        Keyring::Current
    }

    #[test]
    fn a_variable_set_but_empty_is_an_error_naming_it() {
        let keyring = Keyring::Disabled;
        for (var, value) in [
            ("CLERK_SECRET_KEY", ""),
            ("CLERK_SECRET_KEY", "  "),
            ("CLERK_SECRET_KEY_FILE", ""),
        ] {
            let env = env_of(&[(var, value)]);
            let Err(err) = find(Kind::SecretKey, "empty", None, &env, &keyring) else {
                panic!("{var}={value:?}: set but empty must be an error");
            };
            assert_eq!(
                err.to_string(),
                format!(
                    "{var} is set but empty (an unset CI secret expands to \"\"): set it, or unset the variable to pull without it"
                )
            );
        }
        // Unset is simply "not set".
        let env = env_of(&[]);
        assert!(matches!(
            find(Kind::PlatformKey, "empty", None, &env, &keyring),
            Ok(None)
        ));
    }

    #[test]
    fn masks_keep_only_prefix_and_tail() {
        assert_eq!(mask(CANARY), "sk_test_…abcd");
        assert_eq!(mask("ak_0123456789abcdefghij"), "ak_…ghij");
        assert_eq!(mask("sk_live_short"), "sk_live_…");
        assert_eq!(mask("x"), "…");
    }

    #[test]
    fn lookup_order_is_file_then_env_then_keyring() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("key");
        std::fs::write(&file, "sk_live_fromfile0123456789\n")?;
        let keyring = mock_keyring();
        keyring.set(
            Kind::SecretKey,
            "order",
            &SecretString::from("sk_live_fromkeyring012345"),
        )?;

        let env = env_of(&[("CLERK_SECRET_KEY", "sk_live_fromenv0123456789")]);
        let c = find(Kind::SecretKey, "order", Some(&file), &env, &keyring)?.ok_or("none")?;
        assert_eq!(c.origin, Origin::File(file.clone()));
        assert_eq!(c.value.expose_secret(), "sk_live_fromfile0123456789");

        let env_file = env_of(&[
            ("CLERK_SECRET_KEY_FILE", file.to_str().ok_or("path")?),
            ("CLERK_SECRET_KEY", "sk_live_fromenv0123456789"),
        ]);
        let c = find(Kind::SecretKey, "order", None, &env_file, &keyring)?.ok_or("none")?;
        assert_eq!(c.origin, Origin::File(file));

        let c = find(Kind::SecretKey, "order", None, &env, &keyring)?.ok_or("none")?;
        assert_eq!(c.origin, Origin::Env("CLERK_SECRET_KEY".to_owned()));

        let c = find(Kind::SecretKey, "order", None, &env_of(&[]), &keyring)?.ok_or("none")?;
        assert_eq!(c.value.expose_secret(), "sk_live_fromkeyring012345");
        assert!(matches!(c.origin, Origin::Keyring { .. }));

        assert!(
            find(
                Kind::SecretKey,
                "order",
                None,
                &env_of(&[]),
                &Keyring::Disabled
            )?
            .is_none()
        );
        assert!(find(Kind::PlatformKey, "order", None, &env_of(&[]), &keyring)?.is_none());
        Ok(())
    }

    #[test]
    fn keyring_set_get_delete_per_instance_and_kind() -> Result<(), Box<dyn std::error::Error>> {
        let keyring = mock_keyring();
        keyring.set(
            Kind::PlatformKey,
            "kprod",
            &SecretString::from("ak_platform0123456789"),
        )?;
        assert!(keyring.get(Kind::SecretKey, "kprod")?.is_none());
        assert!(keyring.get(Kind::PlatformKey, "staging")?.is_none());
        let got = keyring.get(Kind::PlatformKey, "kprod")?.ok_or("missing")?;
        assert_eq!(got.expose_secret(), "ak_platform0123456789");
        assert!(keyring.delete(Kind::PlatformKey, "kprod")?);
        assert!(!keyring.delete(Kind::PlatformKey, "kprod")?);
        assert!(keyring.get(Kind::PlatformKey, "kprod")?.is_none());
        // A wrong value is refused before it is stored, without echoing it.
        let err = keyring
            .set(
                Kind::SecretKey,
                "kprod",
                &SecretString::from("pk_live_CANARY"),
            )
            .err()
            .ok_or("accepted a publishable key")?
            .to_string();
        assert!(
            err.contains("publishable key") && !err.contains("CANARY"),
            "{err}"
        );
        Ok(())
    }

    #[test]
    fn bad_values_are_named_by_source_never_echoed() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("key");
        std::fs::write(&file, "not-a-key CANARY")?;
        let err = find(
            Kind::SecretKey,
            "x",
            Some(&file),
            &env_of(&[]),
            &Keyring::Disabled,
        )
        .err()
        .ok_or("accepted")?
        .to_string();
        assert!(err.contains(&file.display().to_string()), "{err}");
        assert!(!err.contains("CANARY"), "{err}");
        let env = env_of(&[("CLERK_SECRET_KEY", "CANARY")]);
        let err = find(Kind::SecretKey, "x", None, &env, &Keyring::Disabled)
            .err()
            .ok_or("accepted")?
            .to_string();
        assert!(
            err.contains("CLERK_SECRET_KEY") && !err.contains("CANARY"),
            "{err}"
        );
        let missing = dir.path().join("missing");
        let err = find(
            Kind::SecretKey,
            "x",
            Some(&missing),
            &env_of(&[]),
            &Keyring::Disabled,
        )
        .err()
        .ok_or("accepted")?;
        assert!(err.to_string().contains("missing"), "{err}");
        Ok(())
    }
}
