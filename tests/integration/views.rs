//! One instance, three views: the same recording with all three APIs, without the Platform API
//! (`plapi/` removed) and with the Frontend API alone (`bapi/` removed too). `diff` between any
//! two views reports no changed setting (never the drift bit) and a coverage note. Towards fewer
//! APIs the settings no longer observed are incomplete data (exit 1, as the exit-code contract
//! says); towards more APIs the newly observed ones are informational (exit 0). A real change of
//! value is still drift whatever the views.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{code, example, json_files, run, stderr, stdout, write_recording};

/// One view of a recording: its name, the sources it reads, and which files it keeps.
type View = (&'static str, &'static [&'static str], fn(&Path) -> bool);

const VIEWS: [View; 3] = [
    ("all-three", &["fapi", "bapi", "plapi"], |_| true),
    ("no-platform", &["fapi", "bapi"], |p| {
        !p.starts_with("plapi")
    }),
    ("frontend-only", &["fapi"], |p| p.starts_with("fapi")),
];

/// Writes each view of `files` under `dir` and snapshots it with `snapshot --from-dir … -o`;
/// returns (view name, sources, snapshot file).
fn snapshots(
    dir: &Path,
    files: &[(PathBuf, Value)],
) -> Vec<(&'static str, &'static [&'static str], PathBuf)> {
    VIEWS
        .iter()
        .map(|(name, sources, keep)| {
            let rec = dir.join(name);
            let kept: Vec<_> = files.iter().filter(|(p, _)| keep(p)).cloned().collect();
            write_recording(&rec, &kept);
            let out = dir.join(format!("{name}.json"));
            let o = run(&[
                "snapshot",
                "--from-dir",
                rec.to_str().expect("utf-8"),
                "-o",
                out.to_str().expect("utf-8"),
            ]);
            assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
            (*name, *sources, out)
        })
        .collect()
}

/// Diffs every ordered pair of views, in text and JSON: no changed setting, only coverage
/// entries, the coverage note naming each side's sources, and exit 1 exactly when the current
/// side observes less than the baseline (0 otherwise).
fn every_pair_agrees(label: &str, files: &[(PathBuf, Value)]) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let snaps = snapshots(tmp.path(), files);
    for (a, a_sources, a_file) in &snaps {
        for (b, b_sources, b_file) in &snaps {
            if a == b {
                continue;
            }
            let pair = format!("{label}: {a} -> {b}");
            // VIEWS runs from the most sources to the fewest.
            let fewer = b_sources.len() < a_sources.len();
            let expected = i32::from(fewer);
            let (af, bf) = (
                a_file.to_str().expect("utf-8"),
                b_file.to_str().expect("utf-8"),
            );
            let text = run(&["diff", af, bf]);
            assert_eq!(
                code(&text),
                expected,
                "{pair}\n{}{}",
                stdout(&text),
                stderr(&text)
            );
            let out = stdout(&text);
            assert!(
                out.starts_with("No drift: the current settings match the baseline.\n"),
                "{pair}\n{out}"
            );
            let note = format!(
                "Coverage note (not drift): baseline read from {}, current snapshot from {};",
                a_sources.join(" + "),
                b_sources.join(" + ")
            );
            assert!(out.contains(&note), "{pair}\n{out}");
            assert!(
                out.contains("Drift: 0 changed, 0 added, 0 removed"),
                "{pair}\n{out}"
            );

            let o = run(&["diff", af, bf, "--format", "json"]);
            assert_eq!(code(&o), expected, "{pair}: {}", stderr(&o));
            let doc: Value = serde_json::from_slice(&o.stdout).expect("JSON");
            assert_eq!(doc["exit_code"], expected, "{pair}");
            let summary = &doc["summary"]["drift"];
            assert_eq!(
                (&summary["changed"], &summary["added"], &summary["removed"]),
                (&json!(0), &json!(0), &json!(0)),
                "{pair}: {summary}"
            );
            let kinds: Vec<&str> = doc["drift"]
                .as_array()
                .expect("drift")
                .iter()
                .filter_map(|d| d["kind"].as_str())
                .collect();
            assert!(
                kinds
                    .iter()
                    .all(|k| *k == "unobserved" || *k == "newly_observed"),
                "{pair}: {kinds:?}"
            );
            let coverage = &doc["coverage"];
            assert_eq!(coverage["baseline_sources"], json!(a_sources), "{pair}");
            assert_eq!(coverage["current_sources"], json!(b_sources), "{pair}");
            // Fewer APIs lose settings, more gain them; never both.
            let (lost, gained) = (
                coverage["baseline_only"].as_u64().expect("count"),
                coverage["current_only"].as_u64().expect("count"),
            );
            assert_eq!(
                (lost > 0, gained > 0),
                (fewer, !fewer),
                "{pair}: {lost} lost, {gained} gained"
            );
            assert_eq!(lost + gained, kinds.len() as u64, "{pair}");
        }
    }
}

#[test]
fn each_shipped_example_reads_the_same_through_every_view() {
    for name in ["acme-prod", "acme-prod-drifted"] {
        every_pair_agrees(name, &json_files(&example(name)));
    }
}

/// Sets `value` at the JSON pointer `ptr` of the file `rel`.
fn set(files: &mut [(PathBuf, Value)], rel: &str, ptr: &str, value: Value) {
    let (_, body) = files
        .iter_mut()
        .find(|(p, _)| p == Path::new(rel))
        .unwrap_or_else(|| panic!("{rel} in the recording"));
    *body
        .pointer_mut(ptr)
        .unwrap_or_else(|| panic!("{rel} has {ptr}")) = value;
}

#[test]
fn an_instance_without_organizations_reads_the_same_through_every_view() {
    // Organizations off in every source, as Clerk reports a feature that is off: the Frontend
    // API empties the verified-domain settings, the other sources keep what was last chosen,
    // and the organization role and permission lists are not recorded.
    let mut files: Vec<_> = json_files(&example("acme-prod"))
        .into_iter()
        .filter(|(p, _)| {
            !p.ends_with("organization_roles.json") && !p.ends_with("organization_permissions.json")
        })
        .collect();
    let env = "fapi/environment.json";
    set(
        &mut files,
        env,
        "/organization_settings/enabled",
        json!(false),
    );
    set(
        &mut files,
        env,
        "/organization_settings/domains",
        json!({"enabled": false, "enrollment_modes": [], "default_role": ""}),
    );
    for (rel, base) in [
        ("bapi/organization_settings.json", ""),
        ("plapi/config.json", "/organization_settings"),
    ] {
        set(&mut files, rel, &format!("{base}/enabled"), json!(false));
        set(
            &mut files,
            rel,
            &format!("{base}/domains_enabled"),
            json!(false),
        );
    }
    every_pair_agrees("organizations off", &files);

    let tmp = tempfile::tempdir().expect("tempdir");
    let snaps = snapshots(tmp.path(), &files);
    for (name, _, file) in &snaps {
        let snap: Value =
            serde_json::from_slice(&std::fs::read(file).expect("snapshot")).expect("JSON");
        let orgs = &snap["settings"]["organizations"];
        assert_eq!(orgs["enabled"], json!(false), "{name}");
        assert_eq!(orgs["domains"]["enrollment_modes"], json!([]), "{name}");
        assert_eq!(orgs["domains"]["default_role"], Value::Null, "{name}");
        assert!(
            snap["conflicts"].as_array().is_some_and(Vec::is_empty),
            "{name}: {}",
            snap["conflicts"]
        );
    }
}

#[test]
fn a_real_change_is_drift_whatever_the_views() {
    // The hardened instance with all three APIs against the drifted one through the Frontend
    // API alone, and the other way round: every edit the Frontend API can see is still drift.
    // Towards fewer APIs the run is also incomplete, and exit 1 (error or incomplete data)
    // outranks the bitset; towards more APIs it is drift alone.
    let tmp = tempfile::tempdir().expect("tempdir");
    let before = snapshots(
        &tmp.path().join("before"),
        &json_files(&example("acme-prod")),
    );
    let after = snapshots(
        &tmp.path().join("after"),
        &json_files(&example("acme-prod-drifted")),
    );
    for ((base, base_sources), (current, current_sources), exit) in [
        (
            (&before[0].2, "fapi + bapi + plapi"),
            (&after[2].2, "fapi"),
            1,
        ),
        (
            (&before[2].2, "fapi"),
            (&after[0].2, "fapi + bapi + plapi"),
            2,
        ),
    ] {
        let o = run(&[
            "diff",
            base.to_str().expect("utf-8"),
            current.to_str().expect("utf-8"),
        ]);
        let text = stdout(&o);
        assert_eq!(code(&o), exit, "{text}{}", stderr(&o));
        drifted_lines_and_note(&text, base_sources, current_sources);
    }
}

fn drifted_lines_and_note(text: &str, base_sources: &str, current_sources: &str) {
    for line in [
        "~ attack_protection.lockout.max_attempts: 5 -> 100",
        "~ password.breach_detection: true -> false",
        "~ sign_up.captcha.enabled: true -> false",
        "~ sign_up.captcha.widget_type: \"smart\" -> null",
        "+ sign_in.identifiers[oauth_github]",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let note = format!(
        "Coverage note (not drift): baseline read from {base_sources}, current snapshot from {current_sources};"
    );
    assert!(text.contains(&note), "{text}");
}
