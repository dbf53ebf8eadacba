//! SARIF that code scanning maps (issue 17): each result on the line of its setting in the
//! baseline file, named relative to the repository root (`%SRCROOT%`) whatever path was given,
//! `file://` outside it, no file for a live run without one, the built-in pack not presented as a
//! file, readable rule names, and `automationDetails.id` naming the instance.

use serde_json::Value;

use crate::common::{self, code, stderr, stdout};
use crate::fake::{self, Data, Options};

fn sarif(o: &std::process::Output) -> Value {
    let log: Value =
        serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)));
    let errors: Vec<String> = crate::output::sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    log
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

/// The result of `rule` (its first).
fn result<'a>(log: &'a Value, rule: &str) -> &'a Value {
    results(log)
        .iter()
        .find(|r| r["ruleId"] == rule)
        .unwrap_or_else(|| panic!("no result for {rule}"))
}

/// The 1-based line of the first line containing each of `steps` in turn, one after the other
/// (a section's key, then a key inside it), read from the file itself.
fn line_of(text: &str, steps: &[&str]) -> u64 {
    let mut from = 0;
    for step in steps {
        from += text
            .lines()
            .skip(from)
            .position(|l| l.contains(step))
            .expect(step);
        from += 1;
    }
    from as u64
}

#[test]
fn each_result_is_on_the_line_of_its_setting_in_the_baseline() {
    let text = std::fs::read_to_string(common::baseline()).expect("baseline");
    let o = common::plan_drifted(&["--format", "sarif"]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let log = sarif(&o);
    for (rule, steps, column) in [
        (
            "session.inactivity-timeout",
            &["    \"session\": {", "\"inactivity_timeout\": {"][..],
            7,
        ),
        (
            "lockout.threshold",
            &["    \"attack_protection\": {", "\"max_attempts\": 5"][..],
            9,
        ),
        (
            "jwt.lifetime",
            &[
                "    \"jwt_templates\": {",
                "\"supabase\": {",
                "\"lifetime\": 60",
            ][..],
            9,
        ),
        (
            "jwt.audience",
            &[
                "    \"jwt_templates\": {",
                "\"supabase\": {",
                "\"claims\": {",
                "\"aud\":",
            ][..],
            11,
        ),
        // Not in the baseline (the origin was added): its nearest ancestor, the list.
        (
            "origins.https-only",
            &["    \"instance\": {", "\"allowed_origins\": ["][..],
            7,
        ),
    ] {
        let r = result(&log, rule);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], line_of(&text, steps), "{rule}");
        assert_eq!(region["startColumn"], column, "{rule}");
        let line = text
            .lines()
            .nth(line_of(&text, steps) as usize - 1)
            .expect("line");
        assert_eq!(
            line.len() - line.trim_start().len() + 1,
            column,
            "{rule}: {line}"
        );
    }
    // Every result is inside the file, none on line 1 (the opening brace).
    for r in results(&log) {
        let line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .expect("line");
        assert!(line > 1 && line as usize <= text.lines().count(), "{r}");
    }
}

#[test]
fn artifact_uris_are_relative_to_the_repository_root_whatever_path_was_given() {
    let relative = sarif(&common::plan_drifted(&["--format", "sarif"]));
    let run = &relative["runs"][0];
    let location = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "baselines/acme-prod.json");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
    assert_eq!(
        run["automationDetails"]["id"],
        "clerk-drift/plan/acme-prod/"
    );
    // An absolute path and a `../` path give the same log.
    let absolute = common::baseline().display().to_string();
    let o = common::run(&[
        "plan",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--baseline",
        &absolute,
        "--format",
        "sarif",
    ]);
    assert_eq!(sarif(&o), relative);
    let o = assert_cmd::Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(common::root().join("docs"))
        .args(["plan", "--snapshot", "../examples/acme-prod-drifted"])
        .args([
            "--baseline",
            "../baselines/acme-prod.json",
            "--format",
            "sarif",
        ])
        .env("CLERK_DRIFT_TODAY", common::TODAY)
        .output()
        .expect("runs");
    assert_eq!(sarif(&o), relative);
    // Outside any repository: an absolute file:// URI, no base id.
    let dir = tempfile::tempdir().expect("tempdir");
    let outside = dir.path().join("my baseline.json");
    std::fs::copy(common::baseline(), &outside).expect("copy");
    let o = common::run(&[
        "plan",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--baseline",
        &outside.display().to_string(),
        "--format",
        "sarif",
    ]);
    let log = sarif(&o);
    let location =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let real = std::fs::canonicalize(&outside).expect("real path");
    let expected = format!("file://{}", real.display().to_string().replace(' ', "%20"));
    assert_eq!(location["uri"], expected.as_str());
    assert!(location["uriBaseId"].is_null());
    assert!(log["runs"][0]["originalUriBaseIds"].is_null());
}

#[test]
fn rules_have_readable_names_and_the_builtin_pack_is_not_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layer = common::write_file(
        dir.path(),
        "extra.toml",
        "[[rule]]\nid = \"acme.lockout-strict\"\ntitle = \"Lockout after 3\"\nseverity = \"high\"\npath = \"attack_protection.lockout.max_attempts\"\nmax = 3\n",
    );
    let o = common::plan_drifted(&["--format", "sarif", "--policy", &layer]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let log = sarif(&o);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let by_id = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(
        by_id("session.inactivity-timeout")["name"],
        "SessionInactivityTimeout"
    );
    assert_eq!(by_id("acme.lockout-strict")["name"], "AcmeLockoutStrict");
    for rule in rules {
        assert_ne!(rule["name"], rule["id"]);
    }
    assert_eq!(
        by_id("session.inactivity-timeout")["properties"]["origin"],
        "built-in pack (policies/clerk-hardening.toml, embedded in clerk-drift)"
    );
    // A built-in rule's result points at no file of the pack; a layer's rule at its file.
    assert!(result(&log, "session.inactivity-timeout")["relatedLocations"].is_null());
    let related = &result(&log, "acme.lockout-strict")["relatedLocations"][0];
    let uri = related["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .expect("uri");
    assert!(
        uri.starts_with("file://") && uri.ends_with("/extra.toml"),
        "{uri}"
    );
}

/// A live `check` has no snapshot file: its results are placed on clerk-drift.toml (code scanning
/// needs a file), and the instance named; a live `plan`
/// points at its baseline. With all three APIs and with the Frontend API alone.
#[tokio::test]
async fn a_live_run_never_points_at_a_file_that_does_not_exist() {
    let server = fake::start(
        &Data::load(&common::example("acme-prod")),
        Options::default(),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("clerk-drift.toml"),
        format!(
            "[instances.prod]\npublishable_key = \"{}\"\nbaseline = \"baseline.json\"\nfail_on = \"none\"\n",
            common::PUBLISHABLE_KEY
        ),
    )
    .expect("config");
    // A rule that fails on the fake instance, so that there are results to locate.
    common::write_file(
        d,
        "policy.toml",
        "[[rule]]\nid = \"acme.development-only\"\ntitle = \"t\"\nseverity = \"low\"\npath = \"instance.environment\"\nequals = \"development\"\n",
    );
    let only_fapi: &[&str] = &["--without", "backend", "--without", "platform"];
    for without in [&[][..], only_fapi] {
        let run = |args: &[&str]| {
            let mut cmd = common::live(&server.uri(), d);
            if !without.is_empty() {
                cmd.env_remove("CLERK_SECRET_KEY")
                    .env_remove("CLERK_PLATFORM_API_KEY");
            }
            cmd.args(args).args(without).output().expect("runs")
        };
        let o = run(&[
            "check",
            "-q",
            "--format",
            "sarif",
            "--policy",
            "policy.toml",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let log = sarif(&o);
        assert_eq!(
            log["runs"][0]["automationDetails"]["id"],
            "clerk-drift/check/prod/"
        );
        assert!(!results(&log).is_empty(), "{without:?}");
        // No snapshot file: code scanning needs a file, so clerk-drift.toml at its
        // `[instances.prod]` line (line 1 here), besides the logical location.
        for r in results(&log) {
            let physical = &r["locations"][0]["physicalLocation"];
            assert_eq!(
                physical["artifactLocation"]["uri"], "clerk-drift.toml",
                "{r}"
            );
            assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert_eq!(physical["region"]["startLine"], 1);
            assert!(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].is_string());
        }
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
        // The policy layer is a file (in the directory clerk-drift ran in: the root).
        let related = &result(&log, "acme.development-only")["relatedLocations"][0];
        let at = &related["physicalLocation"]["artifactLocation"];
        assert_eq!(
            (&at["uri"], &at["uriBaseId"]),
            (&"policy.toml".into(), &"%SRCROOT%".into())
        );
        let o = run(&["pull", "-q", "-o", "baseline.json"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let o = run(&["plan", "-q", "--format", "sarif", "--policy", "policy.toml"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let log = sarif(&o);
        assert_eq!(
            log["runs"][0]["automationDetails"]["id"],
            "clerk-drift/plan/prod/"
        );
        // Outside a git work tree, the repository root is the directory clerk-drift ran in.
        assert!(!results(&log).is_empty(), "{without:?}");
        for r in results(&log) {
            let at = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(at["uri"], "baseline.json");
            assert_eq!(at["uriBaseId"], "%SRCROOT%");
        }
        assert!(d.join("baseline.json").is_file());
    }
}

/// A recording directory as the baseline and the snapshot: every result is placed on a raw file
/// of the recording that exists — all three APIs: `plapi/config.json`; the Frontend API alone:
/// `fapi/environment.json` — at line 1. The multitool validation is in `.ci/run`.
#[test]
fn a_recording_places_results_on_its_raw_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fapi_only = dir.path().join("fapi-only");
    std::fs::create_dir_all(fapi_only.join("fapi")).expect("mkdir");
    std::fs::copy(
        common::root().join("examples/acme-prod-drifted/fapi/environment.json"),
        fapi_only.join("fapi/environment.json"),
    )
    .expect("copy");
    let fapi_only = fapi_only.display().to_string();
    for (recording, file) in [
        (
            "examples/acme-prod-drifted",
            "examples/acme-prod-drifted/plapi/config.json",
        ),
        (fapi_only.as_str(), "fapi/environment.json"),
    ] {
        let o = common::run_on("2026-11-22", &["check", recording, "--format", "sarif"]);
        let log = sarif(&o);
        assert!(!results(&log).is_empty(), "{recording}");
        for r in results(&log) {
            let physical = &r["locations"][0]["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().expect("uri");
            assert!(uri.ends_with(file), "{recording}: {uri}");
            assert_eq!(physical["region"]["startLine"], 1);
        }
    }
    let o = common::run_on(
        "2026-11-22",
        &[
            "plan",
            "--snapshot",
            "examples/acme-prod-drifted",
            "--baseline",
            "examples/acme-prod",
            "--format",
            "sarif",
        ],
    );
    let log = sarif(&o);
    let physical = &results(&log)[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "examples/acme-prod/plapi/config.json"
    );
}
