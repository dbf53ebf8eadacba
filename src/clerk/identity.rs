//! Which instance the Platform config is read for. Its path takes an environment name
//! (`production`, `development`) or an instance id (`ins_…`); an environment name picks whichever
//! instance of that type the application has, which need not be the one the secret key or the
//! publishable key belongs to. So when the Backend API is read, its instance id (`GET
//! /v1/instance`) goes in the path; a configured instance that is not that one is refused. Without
//! the Backend API, the Frontend API's environment type must match the one the path names.

use serde_json::Value;

use super::{Error, Platform};

/// What `GET /v1/instance` says about the instance.
#[derive(Default)]
pub(super) struct Instance<'a> {
    pub id: Option<&'a str>,
    pub environment: Option<&'a str>,
}

impl<'a> Instance<'a> {
    pub fn of(body: &'a Value) -> Self {
        Instance {
            id: body
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| id.starts_with("ins_")),
            environment: body.get("environment_type").and_then(Value::as_str),
        }
    }
}

/// The instance segment of the Platform config path, given what the Backend API said.
pub(super) fn platform_path_instance(p: &Platform, ins: &Instance<'_>) -> Result<String, Error> {
    let origin = p
        .instance_origin
        .as_deref()
        .unwrap_or("the publishable key's environment");
    if p.instance.starts_with("ins_") {
        if let Some(id) = ins.id.filter(|id| *id != p.instance) {
            return Err(Error::Identity(format!(
                "the Platform API would read instance {} ({origin}), but the secret key belongs to instance {id} (GET /v1/instance): refusing to mix two instances' settings — set platform_instance to {id}, or use that instance's secret key",
                p.instance
            )));
        }
        return Ok(p.instance.clone());
    }
    if p.instance_origin.is_some()
        && let Some(env) = ins.environment.filter(|e| *e != p.instance)
    {
        return Err(Error::Identity(format!(
            "platform_instance asks for the {} instance ({origin}), but the secret key belongs to {}, a {env} instance (GET /v1/instance): refusing to mix two instances' settings",
            p.instance,
            ins.id.unwrap_or("an instance"),
        )));
    }
    Ok(ins.id.unwrap_or(&p.instance).to_owned())
}

/// The Frontend API's `display_config.instance_environment_type`.
pub(super) fn fapi_environment(environment: &Value) -> Option<String> {
    environment
        .pointer("/display_config/instance_environment_type")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Without the Backend API: the Platform config read for `instance` must be of the environment
/// the Frontend API reports (an `ins_…` id cannot be checked: the Frontend API has no id).
pub(super) fn check_against_frontend(
    instance: &str,
    environment: Option<String>,
) -> Result<(), Error> {
    match environment {
        Some(env) if !instance.starts_with("ins_") && env != instance => {
            Err(Error::Identity(format!(
                "the Frontend API describes a {env} instance, but the Platform config was read for the application's {instance} instance: refusing to mix two instances' settings — set platform_instance to the instance id (ins_…), or use matching keys"
            )))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::clerk::Api;
    use crate::recording::Source;

    fn platform(instance: &str, origin: Option<&str>) -> Platform {
        Platform {
            api: Api::new(Source::Plapi, "https://api.clerk.com", None, "k".into()).expect("valid"),
            application_id: "app_1".into(),
            instance: instance.into(),
            instance_origin: origin.map(str::to_owned),
        }
    }

    #[test]
    fn the_backend_apis_instance_id_goes_in_the_path() {
        let body = json!({"id": "ins_A", "environment_type": "production"});
        let ins = Instance::of(&body);
        let resolved = platform_path_instance(&platform("production", None), &ins);
        assert_eq!(resolved.ok().as_deref(), Some("ins_A"));
        let same = platform_path_instance(&platform("ins_A", Some("platform_instance")), &ins);
        assert_eq!(same.ok().as_deref(), Some("ins_A"));
        let other = platform_path_instance(&platform("ins_B", Some("platform_instance")), &ins)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            other.contains("ins_B") && other.contains("ins_A"),
            "{other}"
        );
        let env = platform_path_instance(&platform("development", Some("platform_instance")), &ins)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(env.contains("a production instance"), "{env}");
    }

    #[test]
    fn without_the_backend_api_the_frontend_apis_environment_must_match() {
        assert!(check_against_frontend("production", Some("production".into())).is_ok());
        assert!(check_against_frontend("production", None).is_ok());
        assert!(check_against_frontend("ins_A", Some("development".into())).is_ok());
        let err = check_against_frontend("production", Some("staging".into()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("a staging instance"), "{err}");
        assert_eq!(
            fapi_environment(
                &json!({"display_config": {"instance_environment_type": "development"}})
            )
            .as_deref(),
            Some("development")
        );
    }
}
