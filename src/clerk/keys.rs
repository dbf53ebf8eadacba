//! Publishable-key decoding: `pk_live_`/`pk_test_` + unpadded base64 of `<fapi host>$`
//! (clerk/javascript `packages/shared/src/keys.ts`, `parsePublishableKey`). Pure; no I/O.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// The instance environment a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvType {
    Production,
    Development,
}

impl EnvType {
    /// The Platform API's name for the instance (`…/instances/{production|development}/config`).
    pub fn as_str(self) -> &'static str {
        match self {
            EnvType::Production => "production",
            EnvType::Development => "development",
        }
    }
}

/// A decoded publishable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishableKey {
    pub env: EnvType,
    /// Frontend API host, e.g. `clerk.example.com`.
    pub fapi_host: String,
}

/// Why a publishable key was rejected. Publishable keys are public, but the messages still only
/// show its prefix: a secret key pasted by mistake must not be echoed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("publishable key must start with `pk_live_` or `pk_test_`{hint}")]
    Prefix { hint: &'static str },
    #[error("publishable key `{prefix}…` is not base64 after its prefix")]
    Base64 { prefix: &'static str },
    #[error(
        "publishable key `{prefix}…` does not decode to a Frontend API host ending in `$` (such as `clerk.example.com$`)"
    )]
    Host { prefix: &'static str },
}

// Clerk encodes without padding, but older keys carry it: accept both.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl PublishableKey {
    pub fn parse(key: &str) -> Result<Self, KeyError> {
        let key = key.trim();
        let (prefix, env) = if key.starts_with("pk_live_") {
            ("pk_live_", EnvType::Production)
        } else if key.starts_with("pk_test_") {
            ("pk_test_", EnvType::Development)
        } else {
            let hint = if key.starts_with("sk_") {
                " (this looks like a secret key: never put it in a config file or flag)"
            } else {
                ""
            };
            return Err(KeyError::Prefix { hint });
        };
        let bytes = LENIENT
            .decode(&key[prefix.len()..])
            .map_err(|_| KeyError::Base64 { prefix })?;
        let text = String::from_utf8(bytes).map_err(|_| KeyError::Host { prefix })?;
        // Exactly one trailing `$`, and a host with a dot and nothing URL-like in it
        // (`isValidDecodedPublishableKey`).
        let host = text
            .strip_suffix('$')
            .filter(|h| !h.is_empty() && !h.contains('$') && h.contains('.'))
            .filter(|h| {
                h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            })
            .ok_or(KeyError::Host { prefix })?;
        Ok(PublishableKey {
            env,
            fapi_host: host.to_owned(),
        })
    }

    /// Builds a key for `host` (tests and examples).
    pub fn encode(env: EnvType, host: &str) -> String {
        let prefix = match env {
            EnvType::Production => "pk_live_",
            EnvType::Development => "pk_test_",
        };
        let body = base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("{host}$"));
        format!("{prefix}{body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_live_and_test_keys() {
        // The docs' example: `clerk.example.com$` → base64.
        let k = PublishableKey::parse("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k").expect("valid");
        assert_eq!(k.env, EnvType::Production);
        assert_eq!(k.fapi_host, "clerk.example.com");
        let k = PublishableKey::parse("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k").expect("valid");
        assert_eq!(k.env, EnvType::Development);
    }

    #[test]
    fn accepts_padding_and_round_trips() {
        for host in [
            "a.b",
            "ab.cd",
            "abc.de",
            "clerk.acme-corp.com",
            "127.0.0.1:8080",
        ] {
            let key = PublishableKey::encode(EnvType::Development, host);
            assert_eq!(PublishableKey::parse(&key).expect("valid").fapi_host, host);
            let padded = format!("{key}{}", "=".repeat((4 - (key.len() - 8) % 4) % 4));
            assert_eq!(
                PublishableKey::parse(&padded).expect("padded").fapi_host,
                host
            );
        }
    }

    #[test]
    fn rejects_malformed_keys() {
        let cases = [
            ("Y2xlcmsuZXhhbXBsZS5jb20k", "must start with"),
            ("sk_live_abc", "looks like a secret key"),
            ("pk_live_!!!", "not base64"),
            // `clerk.example.com` without the `$`
            ("pk_live_Y2xlcmsuZXhhbXBsZS5jb20", "ending in `$`"),
            // `localhost$`: no dot
            ("pk_test_bG9jYWxob3N0JA", "ending in `$`"),
            // `a.b/x$`: not a bare host
            ("pk_test_YS5iL3gk", "ending in `$`"),
        ];
        for (key, want) in cases {
            let err = PublishableKey::parse(key).expect_err(key).to_string();
            assert!(err.contains(want), "{key}: {err}");
            assert!(!err.contains("abc"), "echoed the key: {err}");
        }
    }
}
