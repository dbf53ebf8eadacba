//! Overrides on the record: one policy layer raising the severity and changing the title of a
//! built-in rule and disabling another is shown, with file:line and before → after, in every
//! format (text, JSON, Markdown, HTML and the evidence bundle, SARIF) and in `policy list` and
//! `policy explain`; the effective severity gates. Without an override nothing is added.

use std::path::Path;

use serde_json::{Value, json};

use crate::common::{self, code, example, stderr, stdout, write_file};

const LAYER: &str = r#"[[override]]
rule = "password.breach-detection"
severity = "critical"
title = "Breached passwords are refused (audit finding A-7)"

[[override]]
rule = "jwt.lifetime"
disable = true
reason = "templates are only used server-to-server behind mTLS"
"#;

/// The check/plan text block for the layer at `p`.
fn text_block(p: &str) -> String {
    format!(
        "\nOverrides:\n  OVERRIDE `password.breach-detection` by {p}:2\n           severity: high → critical\n           title: \"Breached passwords are rejected\" → \"Breached passwords are refused (audit finding A-7)\"\n  DISABLED `jwt.lifetime` by {p}:7: templates are only used server-to-server behind mTLS\n"
    )
}

/// The JSON `overrides` array (also each SARIF descriptor's `clerk-drift/overrides`).
fn json_overrides(p: &str) -> Value {
    json!([
        {
            "rule_id": "password.breach-detection",
            "by": format!("{p}:2"),
            "defined_in": "policies/clerk-hardening.toml",
            "changes": [
                { "field": "severity", "before": "high", "after": "critical" },
                { "field": "title", "before": "Breached passwords are rejected",
                  "after": "Breached passwords are refused (audit finding A-7)" },
            ],
        },
        {
            "rule_id": "jwt.lifetime",
            "by": format!("{p}:7"),
            "defined_in": "policies/clerk-hardening.toml",
            "reason": "templates are only used server-to-server behind mTLS",
            "changes": [{ "field": "status", "before": "enabled", "after": "disabled" }],
        },
    ])
}

fn markdown_section(p: &str) -> String {
    format!(
        "\n**Overrides**\n- rule `password.breach-detection` overridden by {p}:2\n  - severity: high → critical\n  - title: \"Breached passwords are rejected\" → \"Breached passwords are refused (audit finding A-7)\"\n- rule `jwt.lifetime` disabled by {p}:7: templates are only used server-to-server behind mTLS\n\n<sub>Policy: policies/clerk-hardening.toml + {p}</sub>\n"
    )
}

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(o)).expect("JSON report")
}

/// A recording with only the Frontend API's answer (of the drifted example).
fn fapi_only(dir: &Path) -> String {
    let rec = dir.join("fapi-only");
    std::fs::create_dir_all(rec.join("fapi")).expect("mkdir");
    std::fs::copy(
        example("acme-prod-drifted").join("fapi/environment.json"),
        rec.join("fapi/environment.json"),
    )
    .expect("copy");
    rec.display().to_string()
}

#[test]
fn check_shows_every_override_and_the_effective_severity_gates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write_file(dir.path(), "team.toml", LAYER);
    let fapi = fapi_only(dir.path());
    // All three APIs (the drifted recording), then only the Frontend API: the same record, and
    // the raised severity gates at `--fail-on critical` where the built-in `high` does not.
    for current in ["examples/acme-prod-drifted", fapi.as_str()] {
        let o = common::run(&["check", current, "--policy", &p, "--fail-on", "critical"]);
        let out = stdout(&o);
        assert_eq!(code(&o), 4, "{current}: {out}{}", stderr(&o));
        assert!(out.ends_with(&text_block(&p)), "{current}: {out}");
        assert!(
            out.contains(
                "  FAIL    critical password.breach-detection                     password.breach_detection: found false, expected true\n"
            ),
            "{current}: {out}"
        );
        assert!(!out.contains("jwt.lifetime "), "disabled: {out}");

        let o = common::run(&[
            "check",
            current,
            "--policy",
            &p,
            "--fail-on",
            "critical",
            "--format",
            "json",
        ]);
        assert_eq!(code(&o), 4);
        let doc = json_of(&o);
        assert_eq!(doc["overrides"], json_overrides(&p), "{current}");
        assert_eq!(
            doc["disabled"],
            json!([{ "rule_id": "jwt.lifetime", "by": format!("{p}:7"),
                     "reason": "templates are only used server-to-server behind mTLS" }])
        );
        let breach: Vec<&Value> = doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule_id"] == "password.breach-detection")
            .collect();
        assert_eq!(breach.len(), 1);
        assert_eq!(breach[0]["severity"], "critical");
        assert_eq!(
            breach[0]["title"],
            "Breached passwords are refused (audit finding A-7)"
        );

        let o = common::run(&[
            "check",
            current,
            "--policy",
            &p,
            "--fail-on",
            "critical",
            "--format",
            "markdown",
        ]);
        assert_eq!(code(&o), 4);
        let md = stdout(&o);
        assert!(md.ends_with(&markdown_section(&p)), "{current}: {md}");

        // Without the layer: the built-in severity does not gate, and nothing is added.
        let o = common::run(&["check", current, "--fail-on", "critical"]);
        assert_eq!(code(&o), 0, "{current}: {}", stdout(&o));
        assert!(!stdout(&o).contains("Overrides"), "{}", stdout(&o));
        for format in ["json", "markdown", "sarif"] {
            let o = common::run(&["check", current, "--format", format]);
            let out = stdout(&o);
            assert!(!out.contains("overrides"), "{format}: {out}");
            assert!(!out.contains("Overrides"), "{format}: {out}");
        }
    }
}

#[test]
fn plan_sarif_and_the_evidence_bundle_carry_the_overrides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write_file(dir.path(), "team.toml", LAYER);
    let o = common::plan_drifted(&["--policy", &p]);
    let out = stdout(&o);
    assert_eq!(code(&o), 6, "{out}{}", stderr(&o));
    assert!(out.contains(&text_block(&p)), "{out}");

    let o = common::plan_drifted(&["--policy", &p, "--format", "sarif"]);
    assert_eq!(code(&o), 6);
    let log = json_of(&o);
    assert!(
        crate::output::sarif_validator().is_valid(&log),
        "SARIF validates"
    );
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let expected = json_overrides(&p);
    let breach = rules
        .iter()
        .find(|r| r["id"] == "password.breach-detection")
        .expect("descriptor");
    assert_eq!(
        breach["properties"]["clerk-drift/overrides"],
        json!([expected[0]])
    );
    assert_eq!(breach["properties"]["severity"], "critical");
    assert_eq!(
        breach["shortDescription"]["text"],
        "Breached passwords are refused (audit finding A-7)"
    );
    // The disabled rule keeps a descriptor, switched off, with its override: no result.
    let jwt = rules
        .iter()
        .find(|r| r["id"] == "jwt.lifetime")
        .expect("descriptor");
    assert_eq!(jwt["defaultConfiguration"], json!({ "enabled": false }));
    assert_eq!(jwt["name"], "JwtLifetime");
    assert_eq!(jwt["helpUri"], breach["helpUri"]);
    assert_eq!(
        jwt["properties"]["clerk-drift/overrides"],
        json!([expected[1]])
    );
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().all(|r| r["ruleId"] != "jwt.lifetime"));
    // Only overridden rules carry the property.
    assert_eq!(
        rules
            .iter()
            .filter(|r| r["properties"].get("clerk-drift/overrides").is_some())
            .count(),
        2
    );

    // The evidence bundle: findings.json, report.md and report.html.
    let bundle = dir.path().join("2026-Q4");
    let o = common::run(&[
        "audit",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--baseline",
        common::baseline().to_str().expect("utf-8"),
        "--period",
        "2026-Q4",
        "--policy",
        &p,
        "--out",
        bundle.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let findings: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("findings.json")).expect("findings"))
            .expect("JSON");
    assert_eq!(findings["overrides"], expected);
    let md = std::fs::read_to_string(bundle.join("report.md")).expect("report.md");
    assert!(md.contains(&markdown_section(&p)), "{md}");
    let html = std::fs::read_to_string(bundle.join("report.html")).expect("report.html");
    let rows = format!(
        "<h2>Overrides</h2>\n<p>Rules a policy layer changed or disabled; the findings above judge each rule as changed.</p>\n\
         <table><thead><tr><th>Rule</th><th>Overridden by</th><th>Before → after</th><th>Reason</th></tr></thead>\n\
         <tr><td><code>password.breach-detection</code><br><small>defined in <code>policies/clerk-hardening.toml</code></small></td><td><code>{p}:2</code></td><td>severity: high → critical<br>title: &quot;Breached passwords are rejected&quot; → &quot;Breached passwords are refused (audit finding A-7)&quot;</td><td></td></tr>\n\
         <tr><td><code>jwt.lifetime</code><br><small>defined in <code>policies/clerk-hardening.toml</code></small></td><td><code>{p}:7</code></td><td>status: enabled → disabled</td><td>templates are only used server-to-server behind mTLS</td></tr>\n\
         </table>\n"
    );
    assert!(html.contains(&rows), "{html}");
    // The control matrix keeps the disabled rule, marked, and its control is no pass; the
    // overridden rule is marked too.
    assert!(
        html.contains(&format!(
            "<tr><td>checklist</td><td>17</td><td>Short expiry for client-side JWT templates</td><td><code>jwt.clock-skew</code><br><code>jwt.lifetime</code> <small>(disabled by {p}:7)</small></td><td class=\"partial\">partial (1 rule disabled)</td>"
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<tr><td>clerk_audit</td><td>breach-detection</td><td>Breached-password detection</td><td><code>password.breach-detection</code> <small>(overridden by {p}:2)</small></td>"
        )),
        "{html}"
    );
    // controls.csv: a row per control of the disabled rule, and the override's file:line.
    let csv = std::fs::read_to_string(bundle.join("controls.csv")).expect("controls.csv");
    let breach = format!(
        "Breached passwords are refused (audit finding A-7),critical,fail,password.breach_detection,findings.json#/findings/25,{p}:2"
    );
    let rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.contains(",jwt.lifetime,") || l.contains(",password.breach-detection,"))
        .collect();
    assert_eq!(
        rows,
        [
            format!(
                "checklist,17,Short expiry for client-side JWT templates,jwt.lifetime,JWT templates expire within 60 seconds,medium,disabled,,{p}:7,{p}:7"
            ),
            format!(
                "clerk_audit,breach-detection,Breached-password detection,password.breach-detection,{breach}"
            ),
            format!(
                "iso27001,A.5.17,Authentication information,password.breach-detection,{breach}"
            ),
            format!(
                "iso27001,A.8.5,Secure authentication,jwt.lifetime,JWT templates expire within 60 seconds,medium,disabled,,{p}:7,{p}:7"
            ),
            format!("nist_800_63b,3.1.1.2,Password Verifiers,password.breach-detection,{breach}"),
            format!(
                "soc2,CC6.1,Logical access security over protected information assets,jwt.lifetime,JWT templates expire within 60 seconds,medium,disabled,,{p}:7,{p}:7"
            ),
            format!(
                "soc2,CC6.1,Logical access security over protected information assets,password.breach-detection,{breach}"
            ),
        ],
        "{csv}"
    );

    // Without an override the bundle's reports have no such section.
    let plain = dir.path().join("plain");
    let o = common::run(&[
        "audit",
        "--snapshot",
        "examples/acme-prod-drifted",
        "--baseline",
        common::baseline().to_str().expect("utf-8"),
        "--period",
        "2026-Q4",
        "--out",
        plain.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    for file in ["findings.json", "report.md", "report.html"] {
        let text = std::fs::read_to_string(plain.join(file)).expect("report");
        assert!(
            !text.contains("Overrides") && !text.contains("\"overrides\""),
            "{file}"
        );
    }
}

#[test]
fn policy_list_and_explain_show_the_effective_rule_and_what_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write_file(dir.path(), "team.toml", LAYER);
    let o = common::run(&["policy", "list", "--policy", &p]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(" password.breach-detection "))
        .expect("listed");
    assert_eq!(
        &lines[at..at + 2],
        [
            "critical password.breach-detection                     Breached passwords are refused (audit finding A-7)",
            &format!(
                "         ↳ overridden by {p}:2: severity: high → critical; title: \"Breached passwords are rejected\" → \"Breached passwords are refused (audit finding A-7)\""
            ),
        ]
    );
    let at = lines
        .iter()
        .position(|l| l.contains(" jwt.lifetime "))
        .expect("listed");
    assert_eq!(
        &lines[at..at + 2],
        [
            &format!(
                "-        jwt.lifetime                                  disabled by {p}:7: templates are only used server-to-server behind mTLS"
            ),
            "         ↳ was medium: JWT templates expire within 60 seconds",
        ]
    );
    assert_eq!(
        lines.last().copied(),
        Some(
            format!(
                "59 rule(s) from policies/clerk-hardening.toml + {p}, 1 overridden, 1 disabled"
            )
            .as_str()
        )
    );

    let o = common::run(&[
        "policy",
        "explain",
        "password.breach-detection",
        "--policy",
        &p,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(&format!(
            "password.breach-detection — Breached passwords are refused (audit finding A-7)\n\
             severity: critical    defined in: policies/clerk-hardening.toml\n\
             overridden by {p}:2:\n  severity: high → critical\n  \
             title: \"Breached passwords are rejected\" → \"Breached passwords are refused (audit finding A-7)\"\n\
             reads: `password.breach_detection`\n"
        )),
        "{}",
        stdout(&o)
    );
    let o = common::run(&["policy", "explain", "jwt.lifetime", "--policy", &p]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(&format!(
            "jwt.lifetime — JWT templates expire within 60 seconds\n\
             severity: medium    defined in: policies/clerk-hardening.toml\n\
             DISABLED by {p}:7: templates are only used server-to-server behind mTLS — it produces no finding\n\
             reads: `lifetime` of every entry of `jwt_templates`\n"
        )),
        "{}",
        stdout(&o)
    );

    // No override: no marks, the summary line as before.
    let o = common::run(&["policy", "list"]);
    let out = stdout(&o);
    assert!(!out.contains('↳') && !out.contains("overridden"), "{out}");
    assert!(
        out.ends_with("\n60 rule(s) from policies/clerk-hardening.toml\n"),
        "{out}"
    );
    let o = common::run(&["policy", "explain", "password.breach-detection"]);
    assert!(
        stdout(&o).starts_with(
            "password.breach-detection — Breached passwords are rejected\n\
             severity: high    defined in: policies/clerk-hardening.toml\nreads: "
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_override_that_sets_a_bad_title_or_nothing_is_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write_file(
        dir.path(),
        "bad.toml",
        "[[override]]\nrule = \"jwt.lifetime\"\ntitle = \"  \"\n\n[[override]]\nrule = \"jwt.audience\"\ndisable = false\n",
    );
    let o = common::run(&["policy", "lint", &p]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml:3:9: a rule's `title` is one non-empty line"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:6:8: override of `jwt.audience` changes nothing"),
        "{err}"
    );
    assert!(err.contains("2 error(s)"), "{err}");
}

#[test]
fn markdown_escapes_an_overrides_reason_and_title() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write_file(
        dir.path(),
        "team.toml",
        "[[override]]\nrule = \"password.breach-detection\"\ntitle = \"<b>Breached</b> & rejected\"\nreason = \"see A-7 <!-- the rest\"\n\n[[override]]\nrule = \"jwt.lifetime\"\ndisable = true\nreason = \"<!-- hidden\"\n",
    );
    let o = common::plan_drifted(&["--policy", &p, "--format", "markdown"]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let out = stdout(&o);
    let expected = format!(
        "\n**Overrides**\n- rule `password.breach-detection` overridden by {p}:2: see A-7 &lt;!-- the rest\n  - title: \"Breached passwords are rejected\" → \"&lt;b&gt;Breached&lt;/b&gt; &amp; rejected\"\n- rule `jwt.lifetime` disabled by {p}:7: &lt;!-- hidden\n"
    );
    assert!(out.contains(&expected), "{out}");
    assert!(!out.contains("<!--") && !out.contains("<b>"), "{out}");
}
