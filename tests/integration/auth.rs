//! `auth set|status|delete` and the keyring step of the credential lookup.

use crate::common::{code, live, output, stderr, stdout};
use crate::fake::{self, Data, Options};

/// A D-Bus address with nothing behind it: a machine without a Secret Service.
const NO_BUS: &str = "unix:path=/nonexistent/clerk-drift-test-bus";

#[test]
fn status_shows_sources_masked_never_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("platform.key");
    std::fs::write(&key_file, format!("{}\n", fake::PLATFORM_KEY)).expect("write");
    let o = output(
        live("http://127.0.0.1:9", dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
            .env_remove("CLERK_DRIFT_NO_KEYRING")
            .env("CLERK_PLATFORM_API_KEY_FILE", &key_file)
            .args(["auth", "status"]),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Instance: default (no clerk-drift.toml)"),
        "{out}"
    );
    assert!(
        out.contains("secret key:       sk_live_…0001  from environment variable CLERK_SECRET_KEY"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Platform API key: ak_…0002  from file {}",
            key_file.display()
        )),
        "{out}"
    );
    assert!(out.contains("OS keyring:       unavailable"), "{out}");
    assert!(
        !out.contains(fake::SECRET_KEY) && !out.contains(fake::PLATFORM_KEY),
        "{out}"
    );
}

#[test]
fn set_without_a_keyring_says_so_and_points_to_env_and_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live("http://127.0.0.1:9", dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
            .args(["auth", "set", "--instance", "prod"])
            .write_stdin(format!("{}\n", fake::SECRET_KEY)),
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("no OS keyring is available here"), "{err}");
    assert!(
        err.contains("CLERK_SECRET_KEY") && err.contains("--secret-key-file"),
        "{err}"
    );
    assert!(!err.contains(fake::SECRET_KEY), "{err}");
}

#[test]
fn set_rejects_a_value_that_is_not_a_secret_key_without_echoing_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = output(
        live("http://127.0.0.1:9", dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
            .args(["auth", "set"])
            .write_stdin("pk_live_CANARYnotAsecret\n"),
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(!err.contains("CANARY"), "{err}");
}

/// Against a real Secret Service: CI runs it under `dbus-run-session` with gnome-keyring
/// unlocked (`.ci/run`); it is ignored elsewhere because a developer's desktop keyring must not
/// be written by tests.
#[tokio::test]
#[ignore = "needs a Secret Service: run by .ci/run under dbus-run-session + gnome-keyring"]
async fn secret_service_round_trip_feeds_a_pull() {
    let server = fake::start(
        &Data::load(&crate::common::example("acme-prod")),
        Options::default(),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let instance = format!("ci-{}", std::process::id());
    let set = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_DRIFT_NO_KEYRING")
            .args(["auth", "set", "--instance", &instance])
            .write_stdin(format!("{}\n", fake::SECRET_KEY)),
    );
    assert_eq!(code(&set), 0, "{}", stderr(&set));

    let keyring_only = |cmd: &mut assert_cmd::Command| {
        cmd.env_remove("CLERK_DRIFT_NO_KEYRING")
            .env_remove("CLERK_SECRET_KEY")
            .args(["--instance", &instance]);
    };
    let mut status = live(&server.uri(), dir.path());
    status.args(["auth", "status"]);
    keyring_only(&mut status);
    let o = output(&mut status);
    assert!(
        stdout(&o).contains(&format!(
            "sk_live_…0001  from OS keyring (clerk-drift / {instance}/secret-key)"
        )),
        "{}",
        stdout(&o)
    );

    let mut pull = live(&server.uri(), dir.path());
    pull.args(["pull", "-q"]);
    keyring_only(&mut pull);
    let o = output(&mut pull);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("\"bapi\""),
        "the Backend API was read with the keyring key"
    );

    let del = output(
        live(&server.uri(), dir.path())
            .env_remove("CLERK_DRIFT_NO_KEYRING")
            .args(["auth", "delete", "--instance", &instance]),
    );
    assert_eq!(code(&del), 0, "{}", stderr(&del));
    assert!(
        stdout(&del).contains("Deleted the secret key"),
        "{}",
        stdout(&del)
    );
    let o = output(&mut status);
    assert!(
        stdout(&o).contains("secret key:       not set"),
        "{}",
        stdout(&o)
    );
}
