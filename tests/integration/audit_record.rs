//! Every evidence report opens with who, what and when (the manifest's run record): the operator
//! even with `$USER` unset, the commit from CI or from the repository the audit runs in, the
//! Clerk ids, the Frontend API host, the environment and each policy layer with its hash; the
//! control matrix sorts naturally; archives verify; the trend has one point per period.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use sha2::Digest as _;

use crate::common::{self, TODAY, baseline, code, example, live, output, root, stderr, stdout};

const INSTANCE_ID: &str = "ins_2xAcmeProdInstance0000001";

/// clerk-drift in `cwd`, outside any CI and without `$USER`.
fn bare(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("clerk-drift").expect("binary builds");
    cmd.current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("CLERK_DRIFT_TODAY", TODAY)
        // No git repository above a temporary directory is looked for.
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir());
    for var in [
        "USER",
        "USERNAME",
        "LOGNAME",
        "GITHUB_SHA",
        "CI_COMMIT_SHA",
        "GITHUB_ACTOR",
        "GITLAB_USER_LOGIN",
        "GITHUB_SERVER_URL",
        "GITHUB_RUN_ID",
        "CI_JOB_URL",
        "CLERK_APPLICATION_ID",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Audits the drifted example against the shipped baseline into `out`, from `cwd`.
fn audit_example(cmd: &mut Command, out: &Path, extra: &[&str]) -> std::process::Output {
    let o = cmd
        .args(["audit", "--snapshot"])
        .arg(example("acme-prod-drifted"))
        .arg("--baseline")
        .arg(baseline())
        .args(["--period", "2026-Q4", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("runs");
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    o
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).expect("manifest"))
        .expect("JSON")
}

/// The header rows of report.md: label → value.
fn md_header(dir: &Path) -> BTreeMap<String, String> {
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(
        md.starts_with("# Clerk security configuration audit\n\n| | |\n|---|---|\n"),
        "{md}"
    );
    md.lines()
        .skip(4)
        .take_while(|l| l.starts_with("| **"))
        .filter_map(|l| {
            let l = l.strip_prefix("| **")?.strip_suffix(" |")?;
            let (k, v) = l.split_once("** | ")?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// The name the OS gives this process's user, read from /etc/passwd by the uid of a file we
/// create (independent of `$USER` and of `id`).
fn os_user_name(dir: &Path) -> String {
    use std::os::unix::fs::MetadataExt as _;
    let probe = dir.join("probe");
    std::fs::write(&probe, "").expect("probe");
    let uid = std::fs::metadata(&probe).expect("stat").uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").expect("/etc/passwd");
    passwd
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.get(2) == Some(&uid.as_str())).then(|| f[0].to_owned())
        })
        .expect("this user in /etc/passwd")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn the_header_names_who_what_and_when_with_user_unset_and_no_repository() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("2026-Q4");
    audit_example(&mut bare(tmp.path()), &out, &[]);
    let m = manifest(&out);
    let run = &m["run"];
    let user = os_user_name(tmp.path());
    assert_eq!(run["operator"]["user"], user.as_str(), "{run}");
    assert_eq!(
        run["operator"]["commit"],
        Value::Null,
        "not in CI, not in git"
    );
    assert_eq!(run["instance_id"], INSTANCE_ID);
    assert_eq!(run["fapi_host"], "clerk.acme.com");
    assert_eq!(run["environment"], "production");
    assert_eq!(run["application_id"], Value::Null);
    let pack = std::fs::read(root().join("policies/clerk-hardening.toml")).expect("pack");
    let pack_sha = sha256_hex(&pack);
    assert_eq!(
        run["policy_layers"],
        serde_json::json!([{"source": "built-in", "file": "policy/clerk-hardening.toml", "sha256": pack_sha}])
    );
    let h = md_header(&out);
    let created = run["created_at"].as_str().expect("created_at");
    let build = m["tool"]["commit"].as_str().expect("commit");
    let want: BTreeMap<String, String> = [
        ("Period", "2026-Q4".to_owned()),
        ("Run at (UTC)", created.to_owned()),
        (
            "Data collected at",
            "— (not recorded in the snapshot)".to_owned(),
        ),
        ("Operator", format!("user {user}")),
        (
            "Tool",
            format!(
                "clerk-drift {} · build `{build}`",
                env!("CARGO_PKG_VERSION")
            ),
        ),
        (
            "Commit audited",
            "— (not in CI and not in a git repository)".to_owned(),
        ),
        (
            "Clerk application",
            "— (not given: --app, platform_application_id or CLERK_APPLICATION_ID)".to_owned(),
        ),
        ("Instance", format!("`{INSTANCE_ID}`")),
        ("Frontend API host", "`clerk.acme.com`".to_owned()),
        ("Environment", "production".to_owned()),
        (
            "Current",
            format!("`{}`", example("acme-prod-drifted").display()),
        ),
        ("Baseline", format!("`{}`", baseline().display())),
        (
            "Policy layer 1",
            format!("the built-in pack → `policy/clerk-hardening.toml` sha256 `{pack_sha}`"),
        ),
        ("Exit code", "6".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(h, want);
    // The HTML shows the same rows, the ids as code.
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    for row in [
        format!("<tr><td>Instance</td><td><code>{INSTANCE_ID}</code></td></tr>"),
        "<tr><td>Frontend API host</td><td><code>clerk.acme.com</code></td></tr>".to_owned(),
        "<tr><td>Environment</td><td>production</td></tr>".to_owned(),
        format!("<tr><td>Operator</td><td>user {user}</td></tr>"),
        "<tr><td>Period</td><td>2026-Q4</td></tr>".to_owned(),
    ] {
        assert!(html.contains(&row), "{row}");
    }
    assert!(!html.contains('`'), "no Markdown backticks in the HTML");
}

#[test]
fn the_commit_comes_from_ci_else_from_the_repository_the_audit_runs_in() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // In CI: GITHUB_SHA (and GitLab's CI_COMMIT_SHA).
    for (var, sha) in [("GITHUB_SHA", "0123abcd"), ("CI_COMMIT_SHA", "4567cdef")] {
        let out = tmp.path().join(var);
        let mut cmd = bare(tmp.path());
        cmd.env(var, sha).env("USER", "ci-runner");
        audit_example(&mut cmd, &out, &[]);
        let run = &manifest(&out)["run"];
        assert_eq!(run["operator"]["commit"], sha);
        assert_eq!(run["operator"]["commit_source"], var);
        assert_eq!(run["operator"]["user"], "ci-runner", "$USER wins when set");
        assert_eq!(
            md_header(&out)["Commit audited"],
            format!("`{sha}` ({var})")
        );
    }
    // Not in CI: HEAD of the repository the audit runs in.
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repo)
            .output()
            .expect("git runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    };
    git(&["init", "-q"]);
    git(&["commit", "-q", "--allow-empty", "-m", "audit config"]);
    let head = git(&["rev-parse", "HEAD"]);
    let out = tmp.path().join("local");
    audit_example(&mut bare(&repo), &out, &[]);
    let run = &manifest(&out)["run"];
    assert_eq!(run["operator"]["commit"], head.as_str());
    assert_eq!(run["operator"]["commit_source"], "repository");
    assert_eq!(
        md_header(&out)["Commit audited"],
        format!("`{head}` (git rev-parse HEAD of the working directory)")
    );
}

/// A live audit with each set of APIs: the header has the ids the pull observed and the
/// application id the Platform API was addressed with; the current source is text and code,
/// never literal backticks.
#[tokio::test]
async fn a_live_audit_names_the_instance_it_pulled_with_each_set_of_apis() {
    let data = crate::fake::Data::load(&example("acme-prod"));
    let server = crate::fake::start(&data, crate::fake::Options::default()).await;
    for (without, app) in [
        (&[][..], Some(crate::fake::APP)),
        (&["--without", "platform"][..], Some(crate::fake::APP)),
        (
            &["--without", "platform", "--without", "backend"][..],
            Some(crate::fake::APP),
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cmd = live(&server.uri(), dir.path());
        cmd.args(["audit", "--out", "bundle", "--fail-on", "none"])
            .args(without);
        if without.len() > 2 {
            cmd.env_remove("CLERK_SECRET_KEY");
        }
        if !without.is_empty() {
            cmd.env_remove("CLERK_PLATFORM_API_KEY");
        }
        let o = output(&mut cmd);
        assert_eq!(code(&o), 0, "{without:?}: {}{}", stdout(&o), stderr(&o));
        let bundle = dir.path().join("bundle");
        let run = &manifest(&bundle)["run"];
        assert_eq!(run["application_id"], app.map_or(Value::Null, Value::from));
        // The Frontend API alone does not report the host: the publishable key's is the one.
        let host = if without.len() > 2 {
            "clerk.acme.test"
        } else {
            "clerk.acme.com"
        };
        assert_eq!(run["fapi_host"], host, "{without:?}");
        assert_eq!(run["environment"], "production", "{without:?}");
        let h = md_header(&bundle);
        assert_eq!(h["Current"], "live pull", "{without:?}");
        assert_eq!(h["Frontend API host"], format!("`{host}`"));
        assert_eq!(
            h["Instance"],
            match run["instance_id"].as_str() {
                Some(id) => format!("`{id}`"),
                None => "—".to_owned(),
            }
        );
    }
}

#[test]
fn controls_csv_is_sorted_naturally_with_titles_and_json_pointers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("b");
    audit_example(&mut bare(tmp.path()), &out, &[]);
    let csv = std::fs::read_to_string(out.join("controls.csv")).expect("csv");
    // RFC 4180: every line ends in CRLF.
    assert!(csv.ends_with("\r\n") && csv.matches('\n').count() == csv.matches("\r\n").count());
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "framework,control,control_title,rule,rule_title,severity,verdict,target,evidence,overridden_by"
        )
    );
    // The checklist items in order: 2 before 3 before 10 (as text, "10" sorted before "2").
    let checklist: Vec<&str> = csv
        .lines()
        .filter_map(|l| l.strip_prefix("checklist,"))
        .map(|l| l.split(',').next().unwrap_or_default())
        .collect();
    let mut dedup = checklist.clone();
    dedup.dedup();
    assert_eq!(
        dedup,
        [
            "2", "3", "4", "5", "6", "9", "10", "11", "12", "15", "16", "17", "18", "19"
        ]
    );
    // A row, exactly: its evidence is the finding's JSON pointer in findings.json.
    let row = csv
        .lines()
        .find(|l| l.starts_with("soc2,CC6.1,") && l.contains(",session.inactivity-timeout,"))
        .expect("the inactivity-timeout row");
    let pointer = row.rsplit(',').nth(1).expect("evidence");
    let findings: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("findings.json")).expect("findings"),
    )
    .expect("JSON");
    let index = pointer
        .strip_prefix("findings.json#")
        .expect("a pointer into findings.json");
    assert_eq!(
        findings.pointer(index).expect("resolves")["rule_id"],
        "session.inactivity-timeout"
    );
    assert_eq!(
        row,
        format!(
            "soc2,CC6.1,Logical access security over protected information assets,session.inactivity-timeout,{},medium,fail,session.inactivity_timeout,{pointer},",
            findings.pointer(index).expect("finding")["title"]
                .as_str()
                .expect("title")
        )
    );
    // The HTML matrix is in the same order.
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    let pos = |control: &str| {
        html.find(&format!("<tr><td>checklist</td><td>{control}</td>"))
            .expect(control)
    };
    assert!(pos("2") < pos("3") && pos("3") < pos("10") && pos("9") < pos("10"));
    assert!(
        html.find("<tr><td>iso27001</td><td>A.8.5</td>")
            .expect("A.8.5")
            < html
                .find("<tr><td>iso27001</td><td>A.8.31</td>")
                .expect("A.8.31")
    );
}

fn verify(path: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["evidence", "verify", path.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    common::run(&args)
}

/// An archive's members: name → bytes, in order.
type Members = Vec<(String, Vec<u8>)>;

/// Rewrites the archive at `path` with `edit` applied to its members (name → bytes).
fn rewrite(path: &Path, edit: impl FnOnce(&mut Members)) {
    let file = std::fs::File::open(path).expect("archive");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut members = Vec::new();
    for e in tar.entries().expect("entries") {
        let mut e = e.expect("entry");
        let name = e.path().expect("path").display().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut bytes).expect("read");
        members.push((name, bytes));
    }
    edit(&mut members);
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut b = tar::Builder::new(gz);
    for (name, bytes) in &members {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        if name.contains("..") {
            // Written byte for byte: the tar crate refuses to write `..` through set_path.
            let raw = name.as_bytes();
            h.as_old_mut().name[..raw.len()].copy_from_slice(raw);
            h.set_cksum();
            b.append(&h, bytes.as_slice()).expect("append");
        } else {
            b.append_data(&mut h, name, bytes.as_slice())
                .expect("append");
        }
    }
    let bytes = b
        .into_inner()
        .and_then(flate2::write::GzEncoder::finish)
        .expect("finish");
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(&bytes))
        .expect("write");
}

#[test]
fn archives_verify_and_name_every_tampered_missing_or_extra_member() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let key = tmp.path().join("audit");
    assert_eq!(
        code(&common::run(&["keygen", key.to_str().expect("utf-8")])),
        0
    );
    let other = tmp.path().join("other");
    assert_eq!(
        code(&common::run(&["keygen", other.to_str().expect("utf-8")])),
        0
    );
    let out = tmp.path().join("2026-Q4");
    let sign = key.with_extension("key").display().to_string();
    audit_example(
        &mut bare(tmp.path()),
        &out,
        &["--archive", "--sign-key", &sign],
    );
    let archive = tmp.path().join("2026-Q4.tar.gz");
    let pristine = std::fs::read(&archive).expect("archive");
    // The bundle directory goes away: the archive verifies on its own.
    std::fs::remove_dir_all(&out).expect("rm");
    let o = verify(&archive, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let listed = {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(pristine.as_slice()));
        let mut sums = String::new();
        for e in tar.entries().expect("entries") {
            let mut e = e.expect("entry");
            if e.path().expect("path").ends_with("SHA256SUMS") {
                std::io::Read::read_to_string(&mut e, &mut sums).expect("sums");
            }
        }
        sums.lines().count()
    };
    assert!(listed >= 10, "{listed}");
    assert_eq!(
        stdout(&o),
        format!(
            "ok: {} — {listed} file(s), every hash matches; signed (pass --pubkey to check the signature)\n",
            archive.display()
        )
    );
    let o = verify(
        &archive,
        &[
            "--pubkey",
            key.with_extension("pub").to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).ends_with("; the signature verifies\n"),
        "{}",
        stdout(&o)
    );
    let o = verify(
        &archive,
        &[
            "--pubkey",
            other.with_extension("pub").to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!(
            "error: {}: the evidence bundle does not verify:\n  - the signature in manifest.json.minisig does not verify with {}\n",
            archive.display(),
            other.with_extension("pub").display()
        )
    );

    let expect_fail = |edit: &dyn Fn(&mut Members), lines: &str| {
        std::fs::write(&archive, &pristine).expect("restore");
        rewrite(&archive, |m| edit(m));
        let o = verify(&archive, &[]);
        assert_eq!(code(&o), 1, "{lines}");
        assert_eq!(
            stderr(&o),
            format!(
                "error: {}: the evidence bundle does not verify:\n{lines}",
                archive.display()
            )
        );
    };
    // A member changed by one byte.
    expect_fail(
        &|m| {
            let f = m
                .iter_mut()
                .find(|(n, _)| n == "2026-Q4/report.md")
                .expect("report.md");
            f.1[0] ^= 1;
        },
        "  - altered: report.md\n",
    );
    // A member missing, another added.
    expect_fail(
        &|m| {
            m.retain(|(n, _)| n != "2026-Q4/controls.csv");
            m.push(("2026-Q4/extra.txt".to_owned(), b"slipped in".to_vec()));
        },
        "  - removed: controls.csv\n  - added: extra.txt\n",
    );
    // The signature removed is a missing signature only when asked to check it.
    std::fs::write(&archive, &pristine).expect("restore");
    rewrite(&archive, |m| m.retain(|(n, _)| !n.ends_with(".minisig")));
    let o = verify(
        &archive,
        &[
            "--pubkey",
            key.with_extension("pub").to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).ends_with("  - manifest.json.minisig is missing: the bundle is not signed\n"),
        "{}",
        stderr(&o)
    );
    // A member outside the bundle is refused before anything is read, and nothing is written.
    std::fs::write(&archive, &pristine).expect("restore");
    rewrite(&archive, |m| {
        m.push(("../evil.txt".to_owned(), b"x".to_vec()))
    });
    let o = verify(&archive, &[]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!(
            "error: {}: member `../evil.txt` is outside the bundle: refused (nothing was extracted)\n",
            archive.display()
        )
    );
    assert!(!tmp.path().join("evil.txt").exists() && !root().join("evil.txt").exists());
    // Not an archive at all.
    std::fs::write(&archive, b"not gzip").expect("write");
    let o = verify(&archive, &[]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).starts_with(&format!(
            "error: reading {} as a .tar.gz archive",
            archive.display()
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn two_bundles_of_the_same_period_are_one_point_the_latest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run_audit = |snapshot: &str, period: &str, dir: &str| {
        let out = tmp.path().join(dir);
        let o = common::run(&[
            "audit",
            "--snapshot",
            snapshot,
            "--baseline",
            baseline().to_str().expect("utf-8"),
            "--period",
            period,
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        assert!(matches!(code(&o), 0 | 6), "{}", stderr(&o));
        std::fs::read_to_string(out.join("report.html")).expect("report")
    };
    run_audit("examples/acme-prod", "2026-Q3", "q3-first");
    // Run times are whole seconds: the rerun is a later second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run_audit("examples/acme-prod-drifted", "2026-Q3", "q3-rerun");
    let html = run_audit("examples/acme-prod", "2026-Q4", "q4");
    assert!(html.contains("Posture over time (2 audits)"), "{html}");
    let svg = &html[html.find("<svg").expect("svg")..html.find("</svg>").expect("end")];
    assert_eq!(svg.matches(">2026-Q3</text>").count(), 1, "{svg}");
    // The Q3 point is the rerun's (the drifted example: 4 critical/high failures).
    assert!(
        svg.contains("<title>critical + high failures: 4</title>"),
        "{svg}"
    );
    // This run replaces an earlier bundle of its own period.
    let html = run_audit("examples/acme-prod", "2026-Q3", "q3-third");
    assert!(html.contains("Posture over time (2 audits)"), "{html}");
    let svg = &html[html.find("<svg").expect("svg")..html.find("</svg>").expect("end")];
    assert_eq!(svg.matches(">2026-Q3</text>").count(), 1, "{svg}");
    assert_eq!(
        svg.matches("<title>critical + high failures: 0</title>")
            .count(),
        2,
        "Q3 is this run's (clean), Q4 the clean one: {svg}"
    );
}
