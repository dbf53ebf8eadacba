//! Secrets from the fixtures never reach a snapshot or any output.

use serde_json::Value;

use crate::common::*;

fn collect_secrets(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "client_secret"
                    && let Some(s) = v.as_str().filter(|s| !s.is_empty())
                {
                    out.push(s.to_owned());
                }
                collect_secrets(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_secrets(i, out)),
        _ => {}
    }
}

#[test]
fn no_client_secret_from_the_examples_appears_in_any_output() {
    let mut secrets = Vec::new();
    for name in ["acme-prod", "acme-prod-drifted"] {
        for (_, body) in json_files(&example(name)) {
            collect_secrets(&body, &mut secrets);
        }
    }
    assert!(
        secrets.iter().any(|s| s.contains("CANARY")),
        "the examples must carry canary secrets: {secrets:?}"
    );
    let outputs = [
        (run(&["snapshot", "--from-dir", "examples/acme-prod"]), 0),
        (
            run(&["snapshot", "--from-dir", "examples/acme-prod-drifted"]),
            0,
        ),
        (
            run(&[
                "plan",
                "--snapshot",
                "examples/acme-prod-drifted",
                "--baseline",
                "examples/acme-prod",
                "--verbose",
            ]),
            6,
        ),
        (
            run(&["check", "examples/acme-prod-drifted", "--verbose"]),
            4,
        ),
        (
            run(&["diff", "examples/acme-prod", "examples/acme-prod-drifted"]),
            2,
        ),
        // Every report format, with recordings on both sides (the raw bodies hold the canaries).
        (
            run(&[
                "plan",
                "--snapshot",
                "examples/acme-prod-drifted",
                "--baseline",
                "examples/acme-prod",
                "--format",
                "json",
            ]),
            6,
        ),
        (
            run(&[
                "plan",
                "--snapshot",
                "examples/acme-prod-drifted",
                "--baseline",
                "examples/acme-prod",
                "--format",
                "markdown",
            ]),
            6,
        ),
        (
            run(&[
                "plan",
                "--snapshot",
                "examples/acme-prod-drifted",
                "--baseline",
                "examples/acme-prod",
                "--format",
                "sarif",
            ]),
            6,
        ),
        (
            run(&[
                "plan",
                "--snapshot",
                "examples/acme-prod-drifted",
                "--baseline",
                "examples/acme-prod",
                "--format",
                "junit",
            ]),
            6,
        ),
        (
            run(&[
                "diff",
                "examples/acme-prod",
                "examples/acme-prod-drifted",
                "--format",
                "json",
            ]),
            2,
        ),
    ];
    // Each command did its job: a failure would sweep an error message, not the output.
    for (i, (o, expected)) in outputs.iter().enumerate() {
        assert_eq!(code(o), *expected, "command #{i}: {}", stderr(o));
    }
    let shipped = std::fs::read_to_string(baseline()).expect("baseline");
    for secret in &secrets {
        assert!(
            !shipped.contains(secret.as_str()),
            "baseline leaks {secret}"
        );
        for (o, _) in &outputs {
            assert!(
                !stdout(o).contains(secret.as_str()) && !stderr(o).contains(secret.as_str()),
                "output leaks {secret}"
            );
        }
    }
    let snap: Value = serde_json::from_slice(&outputs[0].0.stdout).expect("snapshot JSON");
    assert_eq!(
        snap["settings"]["oauth_providers"]["google"]["client_secret"],
        "present"
    );
}
