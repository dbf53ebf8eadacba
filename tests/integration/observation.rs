//! Total observation (issue 15): edit one value at a time in the recording of a hardened instance
//! (examples/acme-prod, with and without the Platform config) and check that the diff against the
//! unedited snapshot reports the edit. Every leaf of every endpoint file is edited (a list at its
//! first entry; booleans flipped, numbers + 1, strings changed, nulls made strings), except
//! volatile fields (`snapshot::normalize::observed::VOLATILE`, never compared by design) and
//! secrets (compared as present/absent only, by design), and in the Platform config's JSON Schema
//! the keywords that only document it (`snapshot::normalize::config_schema::compared`: the schema
//! is compared as its set of typed property paths, by design). An edited recording normalization refuses
//! (a known field of the wrong type) counts as reported: the tool stops and names the field.

use clerk_drift::diff::diff;
use clerk_drift::recording::{LAYOUT, Recording, is_secret_key};
use clerk_drift::snapshot::normalize::config_schema;
use clerk_drift::snapshot::normalize::observed::is_volatile;
use clerk_drift::snapshot::{self, io};
use serde_json::Value;

use crate::common::*;

type Files = Vec<(std::path::PathBuf, Value)>;

fn layout_file(rel: &std::path::Path) -> &'static str {
    let rel = rel.to_str().expect("utf-8").replace('\\', "/");
    LAYOUT
        .iter()
        .find(|e| e.file == rel)
        .map(|e| e.file)
        .expect("layout file")
}

fn recording(files: &Files) -> Recording {
    let mut rec = Recording::new("edited");
    for (rel, body) in files {
        let file = layout_file(rel);
        let endpoint = LAYOUT.iter().find(|e| e.file == file).expect("endpoint");
        rec.insert(endpoint, body.clone(), rel).expect("valid body");
    }
    rec
}

/// JSON pointers of the leaves to edit: every scalar, lists at their first entry, nothing below a
/// volatile or secret key.
fn leaves(file: &str, v: &Value, ptr: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                if is_volatile(file, k) || is_secret_key(k) {
                    continue;
                }
                let seg = k.replace('~', "~0").replace('/', "~1");
                leaves(file, x, format!("{ptr}/{seg}"), out);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                leaves(file, first, format!("{ptr}/0"), out);
            }
        }
        _ if file == "plapi/config_schema.json" && !config_schema::compared(&ptr) => {}
        _ => out.push(ptr),
    }
}

fn edit(v: &mut Value) {
    *v = match v {
        Value::Bool(b) => Value::Bool(!*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::from(i + 1),
            (None, Some(f)) => Value::from(f + 1.0),
            _ => Value::from(1),
        },
        Value::String(s) => Value::from(format!("{s}-edited")),
        _ => Value::from("edited"),
    };
}

struct Coverage {
    edits: usize,
    reported: usize,
    refused: usize,
    missed: Vec<String>,
}

fn measure(files: &Files) -> Coverage {
    let unedited = recording(files);
    let base = snapshot::normalize(&unedited).expect("the example normalizes");
    let mut c = Coverage {
        edits: 0,
        reported: 0,
        refused: 0,
        missed: Vec::new(),
    };
    for (rel, body) in files {
        let file = layout_file(rel);
        let endpoint = LAYOUT.iter().find(|e| e.file == file).expect("endpoint");
        let mut ptrs = Vec::new();
        leaves(file, body, String::new(), &mut ptrs);
        for ptr in ptrs {
            let mut edited_body = body.clone();
            edit(edited_body.pointer_mut(&ptr).expect("leaf"));
            let mut edited = unedited.clone();
            edited
                .insert(endpoint, edited_body, rel)
                .expect("valid body");
            c.edits += 1;
            match snapshot::normalize(&edited) {
                Err(_) => {
                    c.refused += 1;
                    c.reported += 1;
                }
                Ok(s) if diff(&base, &s).has_drift() => c.reported += 1,
                Ok(_) => c.missed.push(format!("{file}{ptr}")),
            }
        }
    }
    c
}

#[test]
fn at_least_99_percent_of_single_value_edits_are_reported_with_and_without_the_platform_config() {
    let all = json_files(&example("acme-prod"));
    let without: Files = all
        .iter()
        .filter(|(rel, _)| !layout_file(rel).starts_with("plapi/"))
        .cloned()
        .collect();
    // The two recordings on two threads: each measurement normalizes hundreds of recordings.
    let results = std::thread::scope(|scope| {
        let with = scope.spawn(|| measure(&all));
        let alone = measure(&without);
        [
            ("with plapi", with.join().expect("measured")),
            ("without plapi", alone),
        ]
    });
    for (name, c) in results {
        let share = c.reported as f64 / c.edits as f64;
        eprintln!(
            "{name}: {} of {} edits reported ({:.2} %; {} of them refused as malformed), missed {}:",
            c.reported,
            c.edits,
            share * 100.0,
            c.refused,
            c.missed.len()
        );
        for m in &c.missed {
            eprintln!("  missed {m}");
        }
        assert!(
            share >= 0.99,
            "{name}: {:.2} % reported, missed {:?}",
            share * 100.0,
            c.missed
        );
    }
}

#[test]
fn reversed_arrays_normalize_to_the_same_bytes() {
    let files = json_files(&example("acme-prod"));
    let mut reversed = files.clone();
    for (_, body) in &mut reversed {
        map_arrays(body, &mut |items| items.reverse());
    }
    let a = io::to_canonical(&snapshot::normalize(&recording(&files)).expect("normalizes"))
        .expect("renders");
    let b = io::to_canonical(&snapshot::normalize(&recording(&reversed)).expect("normalizes"))
        .expect("renders");
    assert_eq!(a, b);
    assert!(a.contains("\"observed\""));
}
