//! Machine output: the JSON report (`--format json`, docs/output.md).

use serde_json::Value;

use crate::common::{self, baseline, code, stderr, stdout};

fn json(o: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn plan_json_carries_every_drift_entry_and_finding_with_the_exit_code() {
    let o = common::plan_drifted(&["--format", "json"]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["command"], "plan");
    assert_eq!(doc["exit_code"], 6);
    assert_eq!(doc["tool"]["name"], "clerk-drift");
    let drift = doc["drift"].as_array().expect("drift");
    assert_eq!(
        drift.len(),
        19,
        "the 12 changes the planted edits make, and 7 observed values a switch moved (GitHub's settings now curated, the CAPTCHA widget type no longer)"
    );
    let timeout = drift
        .iter()
        .find(|d| d["path"] == "session.inactivity_timeout")
        .expect("inactivity timeout drifted");
    assert_eq!(timeout["kind"], "changed");
    assert_eq!(timeout["before"]["enabled"], true);
    assert_eq!(timeout["after"]["enabled"], false);
    assert_eq!(timeout["provenance"], "plapi");
    let findings = doc["findings"].as_array().expect("findings");
    let failing: Vec<&str> = findings
        .iter()
        .filter(|f| f["status"] == "fail")
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert_eq!(failing.len(), 9, "{failing:?}");
    assert!(failing.contains(&"session.inactivity-timeout"));
    let f = findings
        .iter()
        .find(|f| f["rule_id"] == "session.inactivity-timeout")
        .expect("finding");
    assert_eq!(f["severity"], "medium");
    assert!(
        f["controls"]["soc2"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert_eq!(doc["summary"]["findings"]["fail"], 9);
    assert_eq!(
        doc["summary"]["drift"]["changed"].as_u64().unwrap_or(0)
            + doc["summary"]["drift"]["added"].as_u64().unwrap_or(0)
            + doc["summary"]["drift"]["removed"].as_u64().unwrap_or(0),
        19
    );
    // Deterministic: same inputs, same bytes.
    assert_eq!(
        stdout(&common::plan_drifted(&["--format", "json"])),
        stdout(&o)
    );
}

#[test]
fn check_json_marks_waived_findings_and_writes_the_output_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = dir.path().join("w.toml");
    std::fs::write(&w, "[[waiver]]\nrule = \"lockout.threshold\"\nreason = \"load test\"\napproved_by = \"sre@acme.test\"\nexpires = 2026-12-01\n").expect("write");
    let out = dir.path().join("report.json");
    let o = assert_cmd::Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(common::root())
        .env("CLERK_DRIFT_TODAY", "2026-11-22")
        .args([
            "check",
            "examples/acme-prod-drifted",
            "--format",
            "json",
            "--waivers",
        ])
        .arg(&w)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "the report went to the file");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("report")).expect("JSON");
    let waived = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "lockout.threshold")
        .expect("lockout finding");
    assert_eq!(waived["status"], "waived");
    assert_eq!(waived["waiver"]["approved_by"], "sre@acme.test");
    assert_eq!(waived["waiver"]["expires"], "2026-12-01");
    assert_eq!(doc["summary"]["findings"]["waived"], 1);
    assert_eq!(doc["waivers"]["expiring"].as_array().map(Vec::len), Some(1));
    assert!(doc.get("drift").is_none(), "check has no drift section");
}

#[test]
fn diff_json_names_why_a_setting_is_no_longer_observed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("no-plapi");
    for (rel, body) in common::json_files(&common::example("acme-prod")) {
        if !rel.starts_with("plapi") {
            common::write_recording(&rec, &[(rel, body)]);
        }
    }
    let o = common::run(&[
        "diff",
        baseline().to_str().expect("utf-8"),
        rec.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "lost coverage is incomplete data (not drift)");
    let doc = json(&o);
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(
        doc["coverage"],
        serde_json::json!({"baseline_sources": ["fapi", "bapi", "plapi"],
            "current_sources": ["fapi", "bapi"], "baseline_only": 13, "current_only": 0})
    );
    let lost = doc["drift"]
        .as_array()
        .expect("drift")
        .iter()
        .find(|d| d["path"] == "session.inactivity_timeout")
        .expect("inactivity timeout no longer observed");
    assert_eq!(lost["kind"], "unobserved");
    assert_eq!(
        lost["provenance"], "plapi",
        "where the baseline had it from"
    );
    assert!(
        lost["reason"]
            .as_str()
            .is_some_and(|r| r.contains("plapi/config.json not recorded")),
        "{lost}"
    );
}

#[test]
fn markdown_report_and_step_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").expect("write");
    let o = assert_cmd::Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(common::root())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(common::PLAN_DRIFTED)
        .args(["--format", "markdown", "--step-summary"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let md = stdout(&o);
    assert!(
        md.starts_with("## clerk-drift plan: ❌ drift, policy violations (exit 6)"),
        "{md}"
    );
    assert!(
        md.contains("| ~ | `session.inactivity_timeout` | `30m` | `disabled` |"),
        "{md}"
    );
    assert!(
        md.contains("| fail | medium | `session.inactivity-timeout` |"),
        "{md}"
    );
    // A pipe inside a cell is escaped, so the table keeps its columns.
    assert!(md.contains(r"email_address\|phone_number"), "{md}");
    for line in md.lines().filter(|l| l.starts_with("| fail")) {
        assert_eq!(
            line.matches(" | ").count() - line.matches(r"\| ").count(),
            4,
            "{line}"
        );
    }
    let appended = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        appended.starts_with("earlier step\n## clerk-drift plan"),
        "appended, not replaced"
    );
    assert_eq!(&appended["earlier step\n".len()..], md, "the same Markdown");

    // Text output with --step-summary still writes the Markdown summary.
    std::fs::write(&summary, "").expect("truncate");
    let o = assert_cmd::Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(common::root())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "examples/acme-prod", "--step-summary"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("Policy "), "{}", stdout(&o));
    let md = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        md.starts_with("## clerk-drift check: ✅ clean (exit 0)"),
        "{md}"
    );
}

#[test]
fn junit_parses_back_with_one_case_per_rule_and_target() {
    let o = common::plan_drifted(&["--format", "junit"]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let xml = stdout(&o);
    assert_eq!(
        stdout(&common::plan_drifted(&["--format", "junit"])),
        xml,
        "deterministic"
    );
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suite = |name: &str| {
        root.children()
            .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some(name))
            .unwrap_or_else(|| panic!("suite {name}"))
    };
    let drift = suite("drift");
    assert_eq!(drift.attribute("tests"), Some("19"));
    assert_eq!(drift.attribute("failures"), Some("19"));
    let policy = suite("policy");
    let cases: Vec<_> = policy
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(
        policy.attribute("tests").map(str::to_owned),
        Some(cases.len().to_string())
    );
    let failures: Vec<_> = cases
        .iter()
        .filter_map(|c| {
            c.children()
                .find(|n| n.has_tag_name("failure"))
                .map(|f| (c, f))
        })
        .collect();
    assert_eq!(failures.len(), 9);
    let (case, failure) = failures
        .iter()
        .find(|(c, _)| c.attribute("classname") == Some("session.inactivity-timeout"))
        .expect("timeout failure");
    assert_eq!(
        case.attribute("name"),
        Some("session.inactivity-timeout session.inactivity_timeout")
    );
    assert_eq!(failure.attribute("type"), Some("medium"));
    assert_eq!(
        failure.attribute("message"),
        Some("found disabled, expected at most 1h")
    );
    let skipped = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
        .count();
    assert_eq!(
        policy.attribute("skipped").map(str::to_owned),
        Some(skipped.to_string())
    );
}

pub fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("tests/schemas/sarif-schema-2.1.0.json"))
            .expect("schema copy"),
    )
    .expect("schema JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

#[test]
fn sarif_validates_against_the_official_schema_with_suppressions_for_waivers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = dir.path().join("w.toml");
    std::fs::write(&w, "[[waiver]]\nrule = \"jwt.lifetime\"\ntarget = \"jwt_templates[supabase]\"\nreason = \"vendor needs 1 h\"\napproved_by = \"ciso@acme.test\"\nexpires = 2026-12-31\n").expect("write");
    let o = assert_cmd::Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(common::root())
        .env("CLERK_DRIFT_TODAY", "2026-11-22")
        .args(common::PLAN_DRIFTED)
        .args(["--format", "sarif", "--waivers"])
        .arg(&w)
        .output()
        .expect("runs");
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let log = json(&o);
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    // The validator is not vacuous: a wrong version or an unknown property is caught.
    let mut bad = log.clone();
    bad["version"] = Value::from("2.0.0");
    assert!(validator.iter_errors(&bad).next().is_some());
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["bogus"] = Value::from(1);
    assert!(validator.iter_errors(&bad).next().is_some());

    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "clerk-drift");
    assert!(driver["version"].as_str().is_some() && driver["informationUri"].as_str().is_some());
    let rules = driver["rules"].as_array().expect("rules");
    for rule in rules {
        for key in ["helpUri", "help", "fullDescription", "shortDescription"] {
            assert!(!rule[key].is_null(), "rule {} lacks {key}", rule["id"]);
        }
    }
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 9, "8 failing + 1 waived");
    for r in results {
        assert!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some()
        );
        assert_eq!(
            rules[r["ruleIndex"].as_u64().expect("index") as usize]["id"],
            r["ruleId"]
        );
    }
    let waived = results
        .iter()
        .find(|r| r["ruleId"] == "jwt.lifetime")
        .expect("waived result");
    assert_eq!(waived["suppressions"][0]["status"], "accepted");
    assert!(
        waived["suppressions"][0]["justification"]
            .as_str()
            .is_some_and(|j| j.contains("vendor needs 1 h"))
    );
    // Fingerprints depend on rule and target only: stable across runs and messages.
    let again = json(
        &assert_cmd::Command::cargo_bin("clerk-drift")
            .expect("binary")
            .current_dir(common::root())
            .args(["check", "examples/acme-prod-drifted", "--format", "sarif"])
            .output()
            .expect("runs"),
    );
    let fp = |log: &Value, rule: &str| {
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["ruleId"] == rule)
            .map(|r| r["partialFingerprints"].clone())
    };
    assert_eq!(
        fp(&log, "session.inactivity-timeout"),
        fp(&again, "session.inactivity-timeout")
    );
    assert!(validator.iter_errors(&again).next().is_none());
}

#[test]
fn completions_and_man_page_come_from_the_same_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let o = common::run(&["completions", shell]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let script = stdout(&o);
        for word in ["plan", "pull", "fail-on", "attestations"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let o = common::run(&["man"]);
    assert_eq!(code(&o), 0);
    let man = stdout(&o);
    assert!(
        man.starts_with(".ie") || man.contains(".TH clerk-drift"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(
        man.contains("expired or invalid waivers"),
        "the exit-code table is in the man page"
    );
}

/// Regression: a JWT template deleted and re-created with the same content gets a new id and new
/// timestamps; that is not drift (ids live in `meta`, which is never compared).
#[test]
fn a_recreated_jwt_template_is_not_drift() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = common::json_files(&common::example("acme-prod"));
    for (rel, body) in &mut files {
        if rel.ends_with("jwt_templates.json") {
            let items = if body.is_array() {
                body.as_array_mut()
            } else {
                body.get_mut("data").and_then(Value::as_array_mut)
            }
            .expect("templates");
            for t in items {
                t["id"] = Value::from(format!(
                    "jtmp_recreated_{}",
                    t["name"].as_str().unwrap_or("")
                ));
                t["created_at"] = Value::from(1_800_000_000_000_i64);
                t["updated_at"] = Value::from(1_800_000_000_000_i64);
            }
        }
    }
    common::write_recording(dir.path(), &files);
    let o = common::run(&[
        "diff",
        baseline().to_str().expect("utf-8"),
        dir.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("No drift"), "{}", stdout(&o));
}

#[test]
fn ignored_paths_are_listed_with_their_reason_not_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        "[[ignore]]\npath = \"sign_in.*\"\nreason = \"managed by the identity team\"\n",
    )
    .expect("config");
    let b = baseline().display().to_string();
    let drifted = common::example("acme-prod-drifted").display().to_string();
    let run_here = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("clerk-drift")
            .expect("binary")
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("runs")
    };
    let o = run_here(&[
        "plan",
        "--snapshot",
        &drifted,
        "--baseline",
        &b,
        "--ignore",
        "jwt_templates[*].claims",
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Ignored (not tracked, not drift):"), "{text}");
    assert!(text.contains("+ sign_in.identifiers[oauth_github]  [ignored by `sign_in.*`: managed by the identity team (clerk-drift.toml:2)]"), "{text}");
    assert!(text.contains("- jwt_templates[supabase].claims.aud (was \"authenticated\")  [ignored by `jwt_templates[*].claims`: --ignore]"), "{text}");
    assert!(
        text.contains("Drift: 6 changed, 4 added, 5 removed (7 in other settings, 0 of them cosmetic) · 0 no longer observed · 4 ignored"),
        "{text}"
    );
    // Ignoring every drifted path leaves no drift bit.
    let o = run_here(&["diff", &b, &drifted, "--ignore", "**", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let doc = json(&o);
    assert_eq!(doc["summary"]["drift"]["ignored"], 19);
    assert_eq!(doc["drift"].as_array().map(Vec::len), Some(0));
    // An ignore without a reason is refused.
    std::fs::write(
        dir.path().join("clerk-drift.toml"),
        "[[ignore]]\npath = \"sign_in.*\"\nreason = \"\"\n",
    )
    .expect("config");
    let o = run_here(&["diff", &b, &drifted]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("clerk-drift.toml:3:10: an ignored path needs a `reason`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_in_machine_formats() {
    let run_with = |extra: &[&str]| {
        assert_cmd::Command::cargo_bin("clerk-drift")
            .expect("binary")
            .current_dir(common::root())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .args(common::PLAN_DRIFTED)
            .args(extra)
            .output()
            .expect("runs")
    };
    let esc = |o: &std::process::Output| stdout(o).contains('\u{1b}');
    assert!(!esc(&run_with(&[])), "auto: not a terminal here");
    let always = run_with(&["--color", "always"]);
    assert!(esc(&always));
    assert_eq!(code(&always), 6);
    assert!(!esc(&run_with(&["--color", "always", "--format", "json"])));
    assert!(!esc(&run_with(&["--color", "never"])));
}

/// A source disagreement (the Frontend API alone now says SMS is a second factor; the Platform
/// config, which wins, says not) is drift: one `≠` line, counted in every summary, exit 2.
#[test]
fn a_source_disagreement_is_drift_counted_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = dir.path().join("disagreeing");
    for (rel, mut body) in common::json_files(&common::example("acme-prod")) {
        if rel.ends_with("environment.json") {
            body["user_settings"]["attributes"]["phone_number"]["used_for_second_factor"] =
                Value::Bool(true);
        }
        common::write_recording(&rec, &[(rel, body)]);
    }
    let (b, r) = (baseline().display().to_string(), rec.display().to_string());
    let o = common::run(&["diff", &b, &r, "--color", "never"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains(
            "mfa\n  ≠ mfa.sms_second_factor: sources disagree: plapi false, fapi true (baseline: agreed)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Drift: 0 changed, 0 added, 0 removed, 1 source disagreement(s) · 0 no longer observed"
        ),
        "{text}"
    );
    let o = common::run(&["diff", &b, &r, "--format", "markdown"]);
    assert_eq!(code(&o), 2);
    let md = stdout(&o);
    assert!(
        md.contains("### Drift: 0 changed, 0 added, 0 removed, 1 source disagreement(s)\n"),
        "{md}"
    );
    assert!(
        md.contains("| ≠ | `mfa.sms_second_factor` |  | `{\"fapi\":true,\"plapi\":false}` |"),
        "{md}"
    );
    let o = common::run(&["diff", &b, &r, "--format", "json"]);
    let doc = json(&o);
    assert_eq!(doc["summary"]["drift"]["disagreement"], 1);
    assert_eq!(doc["drift"][0]["kind"], "disagreement");
    assert_eq!(
        doc["drift"][0]["after"],
        serde_json::json!({"fapi": true, "plapi": false})
    );
}

/// `--output FORMAT=FILE` (repeatable): every file holds exactly what `--format FORMAT` prints,
/// standard output keeps the text, the exit code is the run's; without any `--output`, standard
/// output alone (the feature off).
#[test]
fn several_outputs_from_one_plan_match_each_format_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = |name: &str| dir.path().join(name).display().to_string();
    let (sarif, junit, md) = (at("a.sarif"), at("a.xml"), at("out/a.md"));
    let o = common::plan_drifted(&[
        "--output",
        &format!("sarif={sarif}"),
        "--output",
        &format!("junit={junit}"),
        "-o",
        &format!("markdown={md}"),
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let alone = common::plan_drifted(&[]);
    assert_eq!(code(&alone), 6);
    assert_eq!(stdout(&o), stdout(&alone), "text on standard output");
    for (format, file) in [("sarif", &sarif), ("junit", &junit), ("markdown", &md)] {
        let reference = common::plan_drifted(&["--format", format]);
        assert_eq!(code(&reference), 6);
        assert_eq!(
            std::fs::read_to_string(file).expect("written"),
            stdout(&reference),
            "{format}"
        );
    }
    // `text=FILE` is the text without styles, even when standard output is coloured; a plain
    // -o FILE still takes the --format report instead of standard output, beside FORMAT=FILE.
    let (text, json_file) = (at("plan.txt"), at("plan.json"));
    let o = common::run(&[
        "--color",
        "always",
        "plan",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--baseline",
        "baselines/acme-prod.json",
        "--format",
        "json",
        "-o",
        &json_file,
        "--output",
        &format!("text={text}"),
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "the plain -o FILE took the report");
    assert_eq!(
        std::fs::read_to_string(&json_file).expect("json"),
        stdout(&common::plan_drifted(&["--format", "json"]))
    );
    let text = std::fs::read_to_string(&text).expect("text");
    assert_eq!(text, stdout(&alone));
    assert!(!text.contains('\u{1b}'), "no styles in a file");
}

/// `check` and `diff` take the same outputs.
#[test]
fn check_and_diff_take_several_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = |name: &str| dir.path().join(name).display().to_string();
    let runs: [(&[&str], &str); 2] = [
        (&["check", "examples/acme-prod-drifted"], "check"),
        (
            &[
                "diff",
                "baselines/acme-prod.json",
                "examples/acme-prod-drifted",
            ],
            "diff",
        ),
    ];
    for (args, name) in runs {
        let (sarif, json_file) = (at(&format!("{name}.sarif")), at(&format!("{name}.json")));
        let mut with: Vec<&str> = args.to_vec();
        let (s, j) = (format!("sarif={sarif}"), format!("json={json_file}"));
        with.extend(["-o", &s, "-o", &j]);
        let o = common::run(&with);
        let alone = common::run(args);
        assert_eq!(code(&o), code(&alone), "{name}: {}", stderr(&o));
        assert_eq!(stdout(&o), stdout(&alone), "{name}");
        for (format, file) in [("sarif", &sarif), ("json", &json_file)] {
            let mut reference: Vec<&str> = args.to_vec();
            reference.extend(["--format", format]);
            assert_eq!(
                std::fs::read_to_string(file).expect("written"),
                stdout(&common::run(&reference)),
                "{name} {format}"
            );
        }
    }
}

/// A word before `=` that is not a format is refused (a typo never becomes a file named
/// `sarf=x.sarif`), naming the formats; `./NAME=x` and a path with `=` are plain files.
#[test]
fn an_unknown_format_prefix_is_refused_and_a_path_with_equals_is_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (value, says) in [
        (
            "sarf=x.sarif",
            "`sarf` is not a report format: FORMAT=FILE takes text, json, markdown, junit or sarif (did you mean `sarif=x.sarif`?); for a file named `sarf=x.sarif`, write `./sarf=x.sarif`",
        ),
        (
            "html=x.html",
            "`html` is not a report format: FORMAT=FILE takes text, json, markdown, junit or sarif; for a file named `html=x.html`, write `./html=x.html`",
        ),
        ("SARIF=x", "(did you mean `sarif=x`?)"),
        ("sarif=", "`sarif=`: name a file after `sarif=`"),
    ] {
        let o = common::live("http://127.0.0.1:9", dir.path())
            .args(["check", "-o", value])
            .output()
            .expect("runs");
        assert_eq!(code(&o), 1, "{value}");
        assert!(stderr(&o).contains(says), "{value}: {}", stderr(&o));
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
    }
    let o = assert_cmd::Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", &common::example("acme-prod").display().to_string()])
        .args([
            "--fail-on",
            "none",
            "-o",
            "./html=x",
            "-o",
            "./sub=dir/a=b.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 1, "two plain files: {}", stderr(&o));
    assert!(
        stderr(&o).contains("-o ./html=x and -o ./sub=dir/a=b.json: at most one plain -o FILE")
    );
    let o = assert_cmd::Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", &common::example("acme-prod").display().to_string()])
        .args([
            "--fail-on",
            "none",
            "-o",
            "./html=x",
            "-o",
            "json=sub=dir/a=b.json",
        ])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let alone = common::run(&["check", "examples/acme-prod", "--fail-on", "none"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("html=x")).expect("plain file"),
        stdout(&alone)
    );
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("sub=dir/a=b.json")).expect("json file"),
    )
    .expect("JSON");
    assert_eq!(doc["command"], "check");
}

/// Two outputs naming one file (also through `.`, `..`) are refused before anything is written.
#[test]
fn duplicate_output_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let at = |name: &str| dir.path().join(name).display().to_string();
    for (a, b, says) in [
        (
            format!("sarif={}", at("r")),
            format!("junit={}", at("./r")),
            format!(
                "--output sarif={} and --output junit={} name the same file",
                at("r"),
                at("./r")
            ),
        ),
        (
            format!("sarif={}", at("r")),
            at("sub/../r"),
            format!(
                "--output sarif={} and -o {} name the same file",
                at("r"),
                at("sub/../r")
            ),
        ),
        (
            format!("json={}", at("r")),
            format!("json={}", at("r")),
            format!(
                "--output json={} and --output json={} name the same file",
                at("r"),
                at("r")
            ),
        ),
    ] {
        let o = common::plan_drifted(&["-o", &a, "-o", &b]);
        assert_eq!(code(&o), 1, "{a} {b}");
        assert!(stderr(&o).contains(&says), "{}", stderr(&o));
        assert_eq!(stdout(&o), "");
        assert!(!dir.path().join("r").exists());
    }
}

/// Paths of the requests the fake received.
async fn requests(server: &wiremock::MockServer) -> Vec<String> {
    let mut paths: Vec<String> = server
        .received_requests()
        .await
        .expect("recording on")
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    paths.sort();
    paths
}

/// A live plan with several outputs pulls once: the same requests as a plan without any, with
/// all three APIs and with the Frontend API alone; the files hold what `--format` prints.
#[tokio::test]
async fn several_outputs_of_a_live_plan_come_from_one_pull() {
    use crate::fake::{self, Data, Options};
    let data = Data::load(&common::example("acme-prod"));
    let only_fapi: &[&str] = &["--without", "backend", "--without", "platform"];
    for without in [&[][..], only_fapi] {
        let server = fake::start(&data, Options::default()).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let live = |args: &[&str]| {
            let mut cmd = common::live(&server.uri(), d);
            if !without.is_empty() {
                cmd.env_remove("CLERK_SECRET_KEY")
                    .env_remove("CLERK_PLATFORM_API_KEY");
            }
            cmd.args(args).args(without).output().expect("runs")
        };
        let o = live(&["pull", "-q", "-o", "baseline.json"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        server.reset().await;
        fake::mount(&server, &data, Options::default()).await;
        let plan = [
            "plan",
            "-q",
            "--baseline",
            "baseline.json",
            "--fail-on",
            "none",
        ];
        let alone = live(&plan);
        assert_eq!(code(&alone), 0, "{}", stderr(&alone));
        let one_pull = requests(&server).await;
        assert!(!one_pull.is_empty());
        server.reset().await;
        fake::mount(&server, &data, Options::default()).await;
        let mut args = plan.to_vec();
        args.extend([
            "-o",
            "sarif=r/x.sarif",
            "-o",
            "junit=r/x.xml",
            "-o",
            "markdown=r/x.md",
            "-o",
            "json=r/x.json",
        ]);
        let o = live(&args);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(
            requests(&server).await,
            one_pull,
            "one pull for every output"
        );
        assert_eq!(stdout(&o), stdout(&alone));
        for (format, file) in [("sarif", "x.sarif"), ("junit", "x.xml"), ("json", "x.json")] {
            let mut args = plan.to_vec();
            args.extend(["--format", format]);
            let reference = live(&args);
            assert_eq!(
                std::fs::read_to_string(d.join("r").join(file)).expect("written"),
                stdout(&reference),
                "{format}"
            );
        }
    }
}

/// An output that cannot be written (a directory, a directory under a file, a second plain FILE,
/// a duplicate) fails before any request, for `check`, `plan` and `plan --all`.
#[tokio::test]
async fn a_bad_output_fails_before_any_request() {
    use crate::fake::{self, Data, Options};
    let server = fake::start(
        &Data::load(&common::example("acme-prod")),
        Options::default(),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("a-dir")).expect("dir");
    std::fs::write(d.join("a-file"), "x").expect("file");
    std::fs::write(d.join("baseline.json"), common::unaccepted_baseline()).expect("baseline");
    std::fs::write(
        d.join("clerk-drift.toml"),
        format!(
            "[instances.a]\npublishable_key = \"{}\"\nbaseline = \"baseline.json\"\n",
            common::PUBLISHABLE_KEY
        ),
    )
    .expect("config");
    let commands: [&[&str]; 3] = [
        &["check"],
        &["plan", "--baseline", "baseline.json"],
        &["plan", "--all"],
    ];
    for command in commands {
        for (outputs, says) in [
            (
                &["-o", "sarif=a-dir"][..],
                "--output sarif=a-dir: is a directory",
            ),
            (&["-o", "junit=a-file/x.xml"][..], "a-file"),
            (
                &["-o", "json=ok.json", "-o", "markdown=a-dir"][..],
                "--output markdown=a-dir: is a directory",
            ),
            (
                &["-o", "sarif=x", "-o", "junit=x"][..],
                "--output sarif=x and --output junit=x name the same file",
            ),
        ] {
            let o = common::live(&server.uri(), d)
                .args(command)
                .args(outputs)
                .output()
                .expect("runs");
            assert_eq!(code(&o), 1, "{command:?} {outputs:?}");
            assert!(
                stderr(&o).contains(says),
                "{command:?} {outputs:?}: {}",
                stderr(&o)
            );
        }
    }
    assert_eq!(
        requests(&server).await,
        Vec::<String>::new(),
        "nothing was sent"
    );
    assert!(!d.join("ok.json").exists() && !d.join("x").exists());
}

/// `plan --all` with several outputs: the fleet's reports, as `--format` prints them, from the
/// same pulls (one per instance) as a run without outputs.
#[tokio::test]
async fn a_fleet_plan_writes_several_outputs_from_one_pull_each() {
    use crate::fake::{self, Data, Options};
    let data = Data::load(&common::example("acme-prod"));
    let server = fake::start(&data, Options::default()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("baseline.json"), common::unaccepted_baseline()).expect("baseline");
    let instance = |name: &str| {
        format!(
            "[instances.{name}]\npublishable_key = \"{}\"\nbaseline = \"baseline.json\"\nfail_on = \"none\"\n",
            common::PUBLISHABLE_KEY
        )
    };
    std::fs::write(
        d.join("clerk-drift.toml"),
        format!("{}\n{}", instance("a"), instance("b")),
    )
    .expect("config");
    let live = |args: &[&str]| {
        common::live(&server.uri(), d)
            .args(["plan", "--all", "-q"])
            .args(args)
            .output()
            .expect("runs")
    };
    let alone = live(&[]);
    let pulls = requests(&server).await;
    server.reset().await;
    fake::mount(&server, &data, Options::default()).await;
    let o = live(&[
        "-o",
        "sarif=f.sarif",
        "-o",
        "junit=f.xml",
        "-o",
        "json=f.json",
    ]);
    assert_eq!(code(&o), code(&alone), "{}", stderr(&o));
    assert_eq!(requests(&server).await, pulls, "one pull per instance");
    assert_eq!(stdout(&o), stdout(&alone));
    assert!(stdout(&o).contains("═══ instance b ═══"));
    for (format, file) in [("sarif", "f.sarif"), ("junit", "f.xml"), ("json", "f.json")] {
        assert_eq!(
            std::fs::read_to_string(d.join(file)).expect("written"),
            stdout(&live(&["--format", format])),
            "{format}"
        );
    }
}

#[test]
fn a_report_to_a_fifo_is_written_into_it_never_replacing_it() {
    use std::os::unix::fs::FileTypeExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("report.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(&fifo).expect("read the fifo"))
    };
    let target = format!("json={}", fifo.display());
    let o = common::plan_drifted(&["--output", &target]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let text = reader.join().expect("reader");
    let doc: Value = serde_json::from_str(&text).expect("the JSON report came through the fifo");
    assert_eq!(doc["exit_code"], 6);
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type();
    assert!(kind.is_fifo(), "the fifo was not replaced by a file");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("report.pipe")]);
}

#[test]
fn dash_as_an_output_file_is_refused_naming_standard_output() {
    let o = common::plan_drifted(&["--output", "json=-"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("--output json=-: `-` is not a file here; standard output already gets the --format report"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}

/// Every output is refused, before anything is read further or written, when it names an input
/// of the run or another output — also through a symbolic link to the file — and no directory
/// an output would have needed is left behind.
#[test]
fn outputs_naming_an_input_or_each_other_are_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let base = d.join("base.json");
    std::fs::copy(common::baseline(), &base).expect("copy the baseline");
    let before = std::fs::read(&base).expect("read");
    let snap = common::root().join("examples/acme-prod-drifted");
    let (b, s) = (base.display().to_string(), snap.display().to_string());
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", "--snapshot", &s, "--baseline", &b];
        args.extend_from_slice(extra);
        common::run_on("2026-11-22", &args)
    };
    let save = d.join("sub/../base.json").display().to_string();
    let o = plan(&["--save-plan", &save]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!("--save-plan {save}: is the baseline this run reads ({save}); writing the report there would replace it")),
        "{}",
        stderr(&o)
    );
    let sarif = format!("sarif={b}");
    let o = plan(&["-o", &sarif]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("is the baseline this run reads"),
        "{}",
        stderr(&o)
    );
    let x = d.join("x.json").display().to_string();
    let (sp, js) = ("--save-plan", format!("json={x}"));
    let o = plan(&[sp, &x, "-o", &js]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!(
            "--output json={x} and --save-plan {x} name the same file"
        )),
        "{}",
        stderr(&o)
    );
    std::os::unix::fs::symlink(d.join("x.sarif"), d.join("link.sarif")).expect("symlink");
    std::fs::write(d.join("x.sarif"), "").expect("write");
    let (a, l) = (
        format!("sarif={}", d.join("x.sarif").display()),
        format!("json={}", d.join("link.sarif").display()),
    );
    let o = plan(&["-o", &a, "-o", &l]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("name the same file"), "{}", stderr(&o));
    let via = format!("json={}", d.join("new/../x.sarif").display());
    let o = plan(&["-o", &a, "-o", &via]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("name the same file"), "{}", stderr(&o));
    assert!(
        !d.join("new").exists(),
        "no directory left behind by a refused run"
    );
    assert!(!d.join("sub").exists());
    assert_eq!(
        std::fs::read(&base).expect("read"),
        before,
        "the baseline is untouched"
    );
    assert_eq!(std::fs::read(d.join("x.sarif")).expect("read"), b"");
}
