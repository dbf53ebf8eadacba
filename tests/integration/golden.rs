//! Golden files (insta) of every report format for the shipped drifted example. A change to any
//! format shows up as a reviewed diff of `tests/integration/snapshots/`.

use crate::common::{self, code, stderr, stdout};

fn plan(format: &str) -> String {
    let o = common::plan_drifted(&["--format", format]);
    assert_eq!(code(&o), 6, "{format}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn plan_text() {
    insta::assert_snapshot!(plan("text"));
}

#[test]
fn plan_markdown() {
    insta::assert_snapshot!(plan("markdown"));
}

#[test]
fn plan_json() {
    insta::assert_snapshot!(plan("json"));
}

#[test]
fn plan_sarif() {
    insta::assert_snapshot!(plan("sarif"));
}

#[test]
fn plan_junit() {
    insta::assert_snapshot!(plan("junit"));
}
