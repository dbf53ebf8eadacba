//! Readable plans (issue 15, item 4): curated settings first with the rules they break, other
//! (observed) settings by group, cosmetic groups folded in text and complete in JSON, and
//! `[[ignore]]` dropping a group with its reason. The snapshots are hand-made
//! (tests/fixtures/plans): a baseline and a current snapshot whose settings hold an `observed`
//! subtree from all three APIs; the Frontend-API-only and no-`observed` cases are cut from them.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::common::{code, root, stderr, stdout};

/// Which APIs the snapshots were read from.
#[derive(Clone, Copy)]
enum Apis {
    /// No `observed` section at all: the plan reads as before.
    None,
    Fapi,
    All,
}

/// Writes the fixture pair, cut to `apis`, as `baseline.json` and `current.json` in `dir`.
fn pair(dir: &Path, apis: Apis) {
    for name in ["baseline", "current"] {
        let from = root().join(format!("tests/fixtures/plans/{name}.json"));
        let mut snap: Value =
            serde_json::from_str(&std::fs::read_to_string(&from).expect("fixture")).expect("json");
        let settings = snap["settings"].as_object_mut().expect("settings");
        match apis {
            Apis::None => {
                settings.remove("observed");
            }
            Apis::Fapi => {
                let observed = settings["observed"].as_object_mut().expect("observed");
                observed.remove("bapi");
                observed.remove("plapi");
                let sources = snap["coverage"]["sources"]
                    .as_object_mut()
                    .expect("sources");
                sources.remove("bapi");
                sources.remove("plapi");
            }
            Apis::All => {}
        }
        std::fs::write(
            dir.join(format!("{name}.json")),
            serde_json::to_string_pretty(&snap).expect("text"),
        )
        .expect("write");
    }
}

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("clerk-drift")
        .expect("binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CLERK_DRIFT_TODAY", "2026-11-26")
        .args(args)
        .output()
        .expect("runs")
}

fn setup(apis: Apis) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_path_buf();
    pair(&d, apis);
    (dir, d)
}

const CURATED: &str = "password\n  ~ password.breach_detection: true -> false\nsession\n  ~ session.multi_session: false -> true\n";

#[test]
fn diff_with_all_three_apis_lists_curated_first_then_groups_with_cosmetic_ones_folded() {
    let (_dir, d) = setup(Apis::All);
    let o = run_in(&d, &["diff", "baseline.json", "current.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "{CURATED}\n\
             Other settings (observed, not in the curated vocabulary):\n\
             bapi instance — 1 change\n\
             \x20 ~ observed.bapi.instance.development_origin: \"\" -> \"http://localhost:3000\"\n\
             fapi display_config — 6 changes\n\
             \x20 ~ observed.fapi.display_config.preferred_sign_in_strategy: \"password\" -> \"otp\"\n\
             \x20 cosmetic: 5 changes (branding, logos, theme); all listed in --format json\n\
             cosmetic: plapi branding — 1 change (branding); all listed in --format json\n\
             plapi paths — 1 change\n\
             \x20 ~ observed.plapi.paths.home: null -> \"/home\"\n\
             \n(5 unchanged settings hidden)\n\
             \nDrift: 11 changed, 0 added, 0 removed (9 in other settings, 6 of them cosmetic) · 0 no longer observed\n"
        )
    );
}

#[test]
fn diff_with_the_frontend_api_only_groups_its_settings() {
    let (_dir, d) = setup(Apis::Fapi);
    let o = run_in(&d, &["diff", "baseline.json", "current.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "{CURATED}\n\
             Other settings (observed, not in the curated vocabulary):\n\
             fapi display_config — 6 changes\n\
             \x20 ~ observed.fapi.display_config.preferred_sign_in_strategy: \"password\" -> \"otp\"\n\
             \x20 cosmetic: 5 changes (branding, logos, theme); all listed in --format json\n\
             \n(3 unchanged settings hidden)\n\
             \nDrift: 8 changed, 0 added, 0 removed (6 in other settings, 5 of them cosmetic) · 0 no longer observed\n"
        )
    );
}

#[test]
fn without_observed_settings_the_diff_reads_as_before() {
    let (_dir, d) = setup(Apis::None);
    let o = run_in(&d, &["diff", "baseline.json", "current.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "{CURATED}  (1 unchanged settings hidden)\n\nDrift: 2 changed, 0 added, 0 removed · 0 no longer observed\n"
        )
    );
}

#[test]
fn a_plan_shows_the_rules_each_curated_change_breaks_before_the_other_settings() {
    let (_dir, d) = setup(Apis::All);
    let o = run_in(
        &d,
        &[
            "plan",
            "--snapshot",
            "current.json",
            "--baseline",
            "baseline.json",
        ],
    );
    // Drift (2) and a high violation (4).
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    let out = stdout(&o);
    let drift = out
        .split_once("\nPolicy ")
        .map(|(head, _)| head)
        .unwrap_or_default();
    assert_eq!(
        drift,
        "Plan: current.json (current) against baseline.json (baseline)\n\n\
         password\n\
         \x20 ~ password.breach_detection: true -> false\n\
         \x20     ↳ now fails `password.breach-detection` (high): found false, expected true\n\
         session\n\
         \x20 ~ session.multi_session: false -> true\n\
         \n\
         Other settings (observed, not in the curated vocabulary):\n\
         bapi instance — 1 change\n\
         \x20 ~ observed.bapi.instance.development_origin: \"\" -> \"http://localhost:3000\"\n\
         fapi display_config — 6 changes\n\
         \x20 ~ observed.fapi.display_config.preferred_sign_in_strategy: \"password\" -> \"otp\"\n\
         \x20 cosmetic: 5 changes (branding, logos, theme); all listed in --format json\n\
         cosmetic: plapi branding — 1 change (branding); all listed in --format json\n\
         plapi paths — 1 change\n\
         \x20 ~ observed.plapi.paths.home: null -> \"/home\"\n\
         \n(5 unchanged settings hidden)\n\
         \nDrift: 11 changed, 0 added, 0 removed (9 in other settings, 6 of them cosmetic) · 0 no longer observed\n"
    );
}

#[test]
fn json_lists_every_change_with_its_group_and_whether_it_is_cosmetic() {
    let (_dir, d) = setup(Apis::All);
    let o = run_in(
        &d,
        &["diff", "baseline.json", "current.json", "--format", "json"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let entries: Vec<(String, String, bool)> = doc["drift"]
        .as_array()
        .expect("drift")
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap_or_default().to_owned(),
                e["group"].as_str().unwrap_or_default().to_owned(),
                e["cosmetic"].as_bool().expect("cosmetic is a bool"),
            )
        })
        .collect();
    let want = [
        (
            "observed.bapi.instance.development_origin",
            "bapi instance",
            false,
        ),
        (
            "observed.fapi.display_config.application_name",
            "fapi display_config",
            true,
        ),
        (
            "observed.fapi.display_config.branded",
            "fapi display_config",
            true,
        ),
        (
            "observed.fapi.display_config.favicon_image_url",
            "fapi display_config",
            true,
        ),
        (
            "observed.fapi.display_config.logo_image_url",
            "fapi display_config",
            true,
        ),
        (
            "observed.fapi.display_config.preferred_sign_in_strategy",
            "fapi display_config",
            false,
        ),
        (
            "observed.fapi.display_config.theme.general.color",
            "fapi display_config",
            true,
        ),
        (
            "observed.plapi.branding.show_clerk_branding",
            "plapi branding",
            true,
        ),
        ("observed.plapi.paths.home", "plapi paths", false),
        ("password.breach_detection", "password", false),
        ("session.multi_session", "session", false),
    ];
    assert_eq!(
        entries,
        want.map(|(p, g, c)| (p.to_owned(), g.to_owned(), c))
    );
    assert_eq!(
        doc["summary"]["drift"],
        serde_json::json!({"other_settings": 9, "cosmetic": 6, "changed": 11, "added": 0,
                           "removed": 0, "unobserved": 0, "newly_observed": 0, "ignored": 0,
                           "disagreement": 0})
    );
}

#[test]
fn markdown_follows_the_same_order_and_folds_cosmetic_changes() {
    let (_dir, d) = setup(Apis::All);
    let o = run_in(
        &d,
        &[
            "diff",
            "baseline.json",
            "current.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "## clerk-drift diff: ❌ drift (exit 2)\n\n\
         **Current:** `current.json` · **Baseline:** `baseline.json`\n\n\
         ### Drift: 11 changed, 0 added, 0 removed\n\n\
         | | Setting | Before | After |\n|---|---|---|---|\n\
         | ~ | `password.breach_detection` | `true` | `false` |\n\
         | ~ | `session.multi_session` | `false` | `true` |\n\n\
         **Other settings (observed, not in the curated vocabulary):** 9\n\n\
         | `bapi instance` | Setting | Before | After |\n|---|---|---|---|\n\
         | ~ | `observed.bapi.instance.development_origin` | `\"\"` | `\"http://localhost:3000\"` |\n\n\
         | `fapi display_config` | Setting | Before | After |\n|---|---|---|---|\n\
         | ~ | `observed.fapi.display_config.preferred_sign_in_strategy` | `\"password\"` | `\"otp\"` |\n\n\
         - cosmetic: `fapi display_config` — 5 change(s) (branding, logos, theme); all listed in `--format json`\n\n\
         - cosmetic: `plapi branding` — 1 change(s) (branding); all listed in `--format json`\n\n\
         | `plapi paths` | Setting | Before | After |\n|---|---|---|---|\n\
         | ~ | `observed.plapi.paths.home` | `null` | `\"/home\"` |\n\n"
    );
}

#[test]
fn ignore_drops_a_group_by_name_path_or_as_cosmetic_and_counts_it_with_its_reason() {
    let (_dir, d) = setup(Apis::All);
    std::fs::write(
        d.join("clerk-drift.toml"),
        "[[ignore]]\npath = \"fapi display_config\"\nreason = \"marketing owns the sign-in page\"\n\n\
         [[ignore]]\npath = \"cosmetic\"\nreason = \"branding is not security\"\n",
    )
    .expect("config");
    let o = run_in(
        &d,
        &[
            "diff",
            "baseline.json",
            "current.json",
            "--ignore",
            "observed.plapi.paths",
        ],
    );
    assert_eq!(code(&o), 2, "curated drift remains: {}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "{CURATED}\n\
             Other settings (observed, not in the curated vocabulary):\n\
             bapi instance — 1 change\n\
             \x20 ~ observed.bapi.instance.development_origin: \"\" -> \"http://localhost:3000\"\n\
             \n(13 unchanged settings hidden)\n\
             \nIgnored (not tracked, not drift):\n\
             \x20 fapi display_config — 6 changes  [ignored by `fapi display_config`: marketing owns the sign-in page (clerk-drift.toml:2)]\n\
             \x20 plapi branding — 1 change  [ignored by `cosmetic`: branding is not security (clerk-drift.toml:6)]\n\
             \x20 plapi paths — 1 change  [ignored by `observed.plapi.paths`: --ignore]\n\
             \nDrift: 3 changed, 0 added, 0 removed (1 in other settings, 0 of them cosmetic) · 0 no longer observed · 8 ignored\n"
        )
    );
    // Markdown counts the ignored groups the same way.
    std::fs::write(
        d.join("clerk-drift.toml"),
        "[[ignore]]\npath = \"cosmetic\"\nreason = \"branding is not security\"\n",
    )
    .expect("config");
    let o = run_in(
        &d,
        &[
            "diff",
            "baseline.json",
            "current.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let md = stdout(&o);
    assert!(
        md.ends_with(
            "**Ignored (not tracked):** 6\n\
             - `fapi display_config` — 5 change(s) — ignored by `cosmetic`: branding is not security (clerk-drift.toml:2)\n\
             - `plapi branding` — 1 change(s) — ignored by `cosmetic`: branding is not security (clerk-drift.toml:2)\n\n"
        ),
        "{md}"
    );
    assert!(
        !md.contains("- cosmetic:"),
        "nothing cosmetic is left: {md}"
    );

    // A change of branding only: drift, folded; ignored as `cosmetic`, no drift at all.
    let mut snap: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("current.json")).expect("read"))
            .expect("json");
    snap["settings"]["observed"]["fapi"]["display_config"]["theme"]["general"]["color"] =
        Value::from("#00ff00");
    std::fs::write(d.join("rebranded.json"), snap.to_string()).expect("write");
    std::fs::remove_file(d.join("clerk-drift.toml")).expect("rm");
    let o = run_in(&d, &["diff", "current.json", "rebranded.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "\nOther settings (observed, not in the curated vocabulary):\n\
         cosmetic: fapi display_config — 1 change (theme); all listed in --format json\n\
         \n(15 unchanged settings hidden)\n\
         \nDrift: 1 changed, 0 added, 0 removed (1 in other settings, 1 of them cosmetic) · 0 no longer observed\n"
    );
    let o = run_in(
        &d,
        &[
            "diff",
            "current.json",
            "rebranded.json",
            "--ignore",
            "cosmetic",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "No drift: the current settings match the baseline.\n\
         \nIgnored (not tracked, not drift):\n\
         \x20 fapi display_config — 1 change  [ignored by `cosmetic`: --ignore]\n\
         \nDrift: 0 changed, 0 added, 0 removed · 0 no longer observed · 1 ignored\n"
    );
}
