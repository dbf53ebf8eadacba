//! What a failed request means, decided by Clerk's error code and not by the status alone: a
//! feature switched off (`403 …_not_enabled_in_instance`, `403 feature_not_enabled`) or not on
//! the plan (any `402`, `403 unsupported_subscription_plan_features`) is an answer about the
//! instance, recorded with the feature it names; a refused credential (any `401`, a `403` whose
//! code is about the key) stops that API; everything else is a failure that says what Clerk said.

use super::Error;
use super::client::{Api, ClerkError, Failure};
use crate::recording::{Disabled, Endpoint, Feature, PLAN_CODE, Source, endpoints};

/// A request that did not give a body.
pub(super) enum Outcome {
    /// A part the instance does not have: coverage, not a failure. The reason, and Clerk's
    /// answer when it named a feature that is off or not on the plan.
    Unavailable(String, Option<Disabled>),
    /// Not sent: a request it waits for failed, or the API's credential was refused.
    NotSent(String),
    /// Clerk refused the credential: `line` says which request, what Clerk said and which
    /// credential (by its source) to check.
    Refused {
        line: String,
        credential: String,
    },
    Failed(Error),
}

/// Whether `code` says a feature is switched off.
fn is_off_code(code: &str) -> bool {
    code.ends_with("_not_enabled_in_instance") || code == "feature_not_enabled"
}

/// Clerk's answer that the feature behind `endpoint` is off or not on the plan, when it is one.
/// `GET /v1/instance` is never one: every instance has it, and every other Backend read waits
/// for it.
fn feature_answer(f: &Failure, endpoint: &Endpoint) -> Option<Disabled> {
    if endpoint.file == endpoints::INSTANCE.file {
        return None;
    }
    let status = f.status?;
    let deciding = |e: &&ClerkError| e.code == PLAN_CODE || is_off_code(&e.code);
    let error = f.errors.iter().find(deciding);
    let answered = status == 402 || (status == 403 && error.is_some());
    if !answered {
        return None;
    }
    let error = error.or(f.errors.first());
    let named = error.and_then(|e| {
        Feature::named_by(&e.code)
            .or_else(|| e.param_name.as_deref().and_then(Feature::named_by))
            .or_else(|| {
                e.unsupported_features
                    .iter()
                    .find_map(|u| Feature::named_by(u))
            })
    });
    Some(Disabled {
        feature: named.or(endpoint.feature),
        status,
        code: error.map(|e| e.code.clone()).filter(|c| !c.is_empty()),
    })
}

/// The coverage reason for a feature answer: "Organizations are not enabled on this instance
/// (403 organization_not_enabled_in_instance)". Deterministic (no trace id): it is quoted in
/// snapshots.
fn reason(label: &str, d: &Disabled, f: &Failure) -> String {
    let subject = match d.feature {
        Some(feature) => feature.subject().to_owned(),
        None => format!("The feature behind {label} is"),
    };
    let state = if d.not_on_plan() {
        "not on this instance's plan"
    } else {
        "not enabled on this instance"
    };
    let mut answer = d.status.to_string();
    if let Some(code) = &d.code {
        answer.push(' ');
        answer.push_str(code);
    }
    let unsupported: Vec<&str> = f
        .errors
        .iter()
        .flat_map(|e| e.unsupported_features.iter().map(String::as_str))
        .collect();
    if !unsupported.is_empty() {
        answer.push_str(": ");
        answer.push_str(&unsupported.join(", "));
    }
    format!("{subject} {state} ({answer})")
}

/// Turns a failed request into an answer (a feature off or not on the plan, `404` on an optional
/// part), a refused credential, or an error that names what to fix. `not_found` explains a `404`
/// of a required read (the Platform config: the application has no such instance).
pub(super) fn classify(
    api: &Api,
    endpoint: &Endpoint,
    label: &str,
    f: Failure,
    not_found: Option<&str>,
) -> Outcome {
    if f.not_sent {
        return Outcome::NotSent(f.message.replacen("not sent", "not read", 1));
    }
    let clerk = f
        .clerk
        .as_deref()
        .map(|c| format!(": {c}"))
        .unwrap_or_default();
    if f.credential_refused() {
        let why = if f.status == Some(401) {
            "Clerk did not accept it".to_owned()
        } else {
            format!(
                "it is valid but not allowed to read this{}",
                if api.source == Source::Plapi {
                    " (the config read needs the `applications:manage` scope)"
                } else {
                    ""
                }
            )
        };
        return Outcome::Refused {
            line: format!(
                "{label}: {}{clerk} — check {}: {why}",
                f.message, api.credential
            ),
            credential: api.credential.clone(),
        };
    }
    if let Some(d) = feature_answer(&f, endpoint) {
        return Outcome::Unavailable(reason(label, &d, &f), Some(d));
    }
    if f.status == Some(404) && endpoint.optional {
        return Outcome::Unavailable(
            format!("{label} answered 404 Not Found (not available on this instance)"),
            None,
        );
    }
    let hint = match f.status {
        Some(404) => not_found.map(|n| format!(" — {n}")).unwrap_or_default(),
        Some(429) => {
            " — rate limited; retries exhausted (lower [pull] requests_per_10s)".to_owned()
        }
        None | Some(500..) if f.retryable => " (retries exhausted)".to_owned(),
        _ => String::new(),
    };
    Outcome::Failed(Error::Request {
        api: api.source.api_name(),
        request: label.to_owned(),
        status: f.status,
        detail: format!("{}{clerk}{hint}", f.message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::endpoints::{
        ENTERPRISE_CONNECTIONS, INSTANCE, JWT_TEMPLATES, ORGANIZATION_ROLES, PLATFORM_CONFIG,
        SAML_CONNECTIONS,
    };

    fn api(source: Source) -> Api {
        Api::new(
            source,
            "https://api.clerk.com",
            None,
            "the secret key from environment variable CLERK_SECRET_KEY".into(),
        )
        .expect("valid")
    }

    fn failure(status: u16, code: &str) -> Failure {
        Failure {
            status: Some(status),
            message: format!("{status}"),
            clerk: Some(format!("{code}: words")),
            errors: vec![ClerkError {
                code: code.into(),
                ..ClerkError::default()
            }],
            ..Failure::default()
        }
    }

    fn unavailable(o: Outcome) -> (String, Option<Disabled>) {
        match o {
            Outcome::Unavailable(why, d) => (why, d),
            Outcome::Failed(e) => panic!("failed: {e}"),
            Outcome::Refused { line, .. } => panic!("refused: {line}"),
            Outcome::NotSent(why) => panic!("not sent: {why}"),
        }
    }

    #[test]
    fn a_feature_that_is_off_is_an_answer_that_names_it() {
        let bapi = api(Source::Bapi);
        let (why, d) = unavailable(classify(
            &bapi,
            &ORGANIZATION_ROLES,
            "GET /v1/organization_roles",
            failure(403, "organization_not_enabled_in_instance"),
            None,
        ));
        assert_eq!(
            why,
            "Organizations are not enabled on this instance (403 organization_not_enabled_in_instance)"
        );
        let d = d.expect("a feature answer");
        assert!(d.proves_off(Feature::Organizations));
        // The code names the feature, whatever the endpoint.
        let (_, d) = unavailable(classify(
            &bapi,
            &JWT_TEMPLATES,
            "GET /v1/jwt_templates",
            failure(403, "organization_not_enabled_in_instance"),
            None,
        ));
        assert_eq!(d.and_then(|d| d.feature), Some(Feature::Organizations));
        // `feature_not_enabled`: the endpoint's feature.
        let (why, _) = unavailable(classify(
            &bapi,
            &ENTERPRISE_CONNECTIONS,
            "GET /v1/enterprise_connections",
            failure(403, "feature_not_enabled"),
            None,
        ));
        assert_eq!(
            why,
            "Enterprise SSO is not enabled on this instance (403 feature_not_enabled)"
        );
    }

    #[test]
    fn not_on_the_plan_is_an_answer_too() {
        let bapi = api(Source::Bapi);
        let mut f = failure(403, PLAN_CODE);
        f.errors[0].unsupported_features = vec!["saml".into()];
        let (why, d) = unavailable(classify(
            &bapi,
            &SAML_CONNECTIONS,
            "GET /v1/saml_connections",
            f,
            None,
        ));
        assert_eq!(
            why,
            "Enterprise SSO is not on this instance's plan (403 unsupported_subscription_plan_features: saml)"
        );
        assert!(d.is_some_and(|d| d.not_on_plan()));
        // Any 402, even without a body.
        let (why, _) = unavailable(classify(
            &bapi,
            &JWT_TEMPLATES,
            "GET /v1/jwt_templates",
            Failure {
                status: Some(402),
                ..Failure::default()
            },
            None,
        ));
        assert_eq!(
            why,
            "The feature behind GET /v1/jwt_templates is not on this instance's plan (402)"
        );
    }

    #[test]
    fn credentials_and_other_403s_stay_errors() {
        let bapi = api(Source::Bapi);
        let refused = classify(
            &bapi,
            &ORGANIZATION_ROLES,
            "GET /v1/organization_roles",
            failure(403, "authorization_invalid"),
            None,
        );
        let Outcome::Refused { line, .. } = refused else {
            panic!("a credential refusal")
        };
        assert!(
            line.contains("check the secret key from environment variable CLERK_SECRET_KEY"),
            "{line}"
        );
        let quota = classify(
            &bapi,
            &ORGANIZATION_ROLES,
            "GET /v1/organization_roles",
            failure(403, "quota_exceeded"),
            None,
        );
        let Outcome::Failed(e) = quota else {
            panic!("an error")
        };
        let text = e.to_string();
        assert!(
            text.contains("quota_exceeded") && !text.contains("secret key"),
            "{text}"
        );
        // The gate is never an answer.
        assert!(matches!(
            classify(
                &bapi,
                &INSTANCE,
                "GET /v1/instance",
                failure(402, "x"),
                None
            ),
            Outcome::Failed(_)
        ));
        // A Platform 404 says what is missing.
        let Outcome::Failed(e) = classify(
            &api(Source::Plapi),
            &PLATFORM_CONFIG,
            "GET /v1/platform/…",
            failure(404, "resource_not_found"),
            Some("application app_1 has no instance ins_2"),
        ) else {
            panic!("an error")
        };
        assert!(
            e.to_string()
                .ends_with("— application app_1 has no instance ins_2"),
            "{e}"
        );
    }
}
