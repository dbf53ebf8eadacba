//! The fuzz targets' bodies, shared by `fuzz/` (cargo-fuzz / libFuzzer) and by the regression
//! test that replays the kept corpora in `cargo test` (`tests/integration/fuzz_corpora.rs`).
//! Behind the `fuzzing` feature: a harness that panics by design, never part of the binary.
//!
//! Each function takes arbitrary bytes and drives one input path of the tool the way the
//! commands do. Rejections are expected and fine; a panic is a bug. Where a value survives, the
//! target also checks what must hold for it (a snapshot written and read back is the same
//! snapshot, a decoded key re-encodes to itself, ...), so the fuzzer hunts wrong answers too.

use std::collections::BTreeSet;

use arbitrary::Unstructured;
use serde_json::{Map, Value};

use crate::clerk::keys::PublishableKey;
use crate::policy::{self, Policy};
use crate::recording::Recording;
use crate::snapshot::attest::Attestations;
use crate::snapshot::{self, Snapshot};

/// What the targets evaluate against: the shipped example's baseline snapshot.
pub fn example_snapshot() -> Snapshot {
    snapshot::io::from_text(
        include_str!("../baselines/acme-prod.json"),
        "baselines/acme-prod.json",
    )
    .unwrap_or_else(|e| panic!("the shipped baseline must parse: {e:#}"))
}

/// The built-in pack, parsed once (the targets layer on and evaluate with clones of it).
static PACK: std::sync::LazyLock<Policy> = std::sync::LazyLock::new(|| {
    Policy::parse(policy::BUILTIN, policy::BUILTIN_NAME)
        .unwrap_or_else(|e| panic!("the built-in pack must parse: {e}"))
});

/// A fixed "today" for waiver and attestation expiry, so a corpus replays the same way.
fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 22)
}

/// Policy files: parsed alone and layered on the built-in pack (overrides, waivers, rules), then
/// evaluated against `snapshot` with waivers applied, as `check` does.
pub fn policy(data: &[u8], snapshot: &Snapshot) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Policy::parse(text, "fuzz.toml");
    let Ok(mut layered) = PACK.clone().layer(text, "fuzz.toml") else {
        return;
    };
    if let Ok(now) = today().to_zoned(jiff::tz::TimeZone::UTC) {
        layered.set_now(now.timestamp());
    }
    let mut findings = policy::evaluate(&layered, snapshot);
    let review = policy::waivers::apply(&mut findings, &layered, today());
    let _ = review.is_bad(true);
}

/// Attestation files: parsed, then applied to `snapshot`; an applied snapshot must still write
/// and read back.
pub fn attestations(data: &[u8], snapshot: &Snapshot) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(attested) = Attestations::parse(text, "fuzz.toml") else {
        return;
    };
    let mut snap = snapshot.clone();
    if attested.apply(&mut snap, today()).is_ok() {
        round_trip(&snap);
    }
}

/// Snapshot and baseline files as `diff`, `check` and `plan` read them.
pub fn snapshot_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(snap) = snapshot::io::from_text(text, "fuzz.json") {
        round_trip(&snap);
        let _ = crate::diff::diff(&snap, &snap);
    }
}

/// Writing a snapshot and reading it back gives the same snapshot, byte for byte.
fn round_trip(snap: &Snapshot) {
    let Ok(text) = snapshot::io::to_canonical(snap) else {
        panic!("an in-memory snapshot must serialize");
    };
    match snapshot::io::from_text(&text, "round-trip.json") {
        Ok(back) => {
            let again = snapshot::io::to_canonical(&back).unwrap_or_default();
            if let Some((n, (a, b))) = text
                .lines()
                .zip(again.lines())
                .enumerate()
                .find(|(_, (a, b))| a != b)
            {
                panic!(
                    "a written snapshot reads back differently, line {}: `{a}` → `{b}`",
                    n + 1
                );
            }
            assert_eq!(
                again.len(),
                text.len(),
                "a written snapshot reads back differently"
            );
        }
        Err(e) => panic!("a written snapshot does not read back: {e:#}"),
    }
}

/// Structure-aware: `data` drives edits of a real recording (the mutator's base, the shipped
/// example's responses) — values replaced by arbitrary JSON built from the keys and strings Clerk's responses
/// use, entries added and removed, whole files dropped — and the result is normalized, written,
/// read back, diffed against `baseline` and evaluated with the built-in pack.
pub fn recording(data: &[u8], mutator: &Mutator, baseline: &Snapshot) {
    let rec = mutator.mutate(data);
    let Ok(snap) = snapshot::normalize(&rec) else {
        return;
    };
    round_trip(&snap);
    let _ = crate::diff::diff(baseline, &snap);
    let _ = policy::evaluate(&PACK, &snap);
}

/// Edits of a base recording driven by fuzzer bytes (see [`recording`]); also the generator of
/// the property tests' variations.
pub struct Mutator {
    base: Recording,
    vocabulary: Vocabulary,
}

impl Mutator {
    pub fn new(base: Recording) -> Self {
        let vocabulary = Vocabulary::of(&base);
        Mutator { base, vocabulary }
    }

    /// The base with the edits `data` describes.
    pub fn mutate(&self, data: &[u8]) -> Recording {
        let mut u = Unstructured::new(data);
        let mut rec = self.base.clone();
        let files: Vec<&'static str> = rec.files().collect();
        let edits = u.int_in_range(0..=12u8).unwrap_or(0);
        for _ in 0..edits {
            let Ok(file) = u.choose(&files) else { break };
            if u.ratio(1, 16).unwrap_or(false) {
                rec.remove(file);
                continue;
            }
            if let Some(body) = rec.get_mut(file) {
                edit(&mut u, body, &self.vocabulary, 0);
            }
        }
        rec
    }
}

/// List pages as a live pull reads them (raw entries, redacted in one pass): the same entries,
/// count, redaction and ids as parsing the page into a `Value` and redacting that.
pub fn list_page(data: &[u8]) {
    crate::clerk::lists::check_against_parsed(data);
}

/// Publishable keys: a key that decodes re-encodes to the same key.
pub fn publishable_key(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = PublishableKey::parse(text) {
        let again = PublishableKey::encode(key.env, &key.fapi_host);
        match PublishableKey::parse(&again) {
            Ok(back) => assert_eq!(back.fapi_host, key.fapi_host),
            Err(e) => panic!("a re-encoded key does not decode: {e}"),
        }
    }
}

/// Durations (`30m`, `7d`, ...) as policies write them; a parsed duration read back from its
/// human form is the same number of seconds.
pub fn duration(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(seconds) = crate::duration::parse_seconds(text) {
        let human = crate::duration::humanize(seconds);
        if let Ok(back) = crate::duration::parse_seconds(&human) {
            assert_eq!(
                back, seconds,
                "`{text}` → {seconds} s → `{human}` → {back} s"
            );
        }
    }
}

/// `clerk-drift.toml`.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = crate::config::Config::parse(text, std::path::Path::new("fuzz.toml")) {
        let _ = config.instance(None);
        let _ = config.instance(Some("prod"));
    }
}

/// The keys and strings of a recording, so arbitrary values look like Clerk's.
struct Vocabulary {
    keys: Vec<String>,
    strings: Vec<String>,
}

impl Vocabulary {
    fn of(rec: &Recording) -> Self {
        let mut keys = BTreeSet::new();
        let mut strings = BTreeSet::new();
        fn walk(v: &Value, keys: &mut BTreeSet<String>, strings: &mut BTreeSet<String>) {
            match v {
                Value::Object(m) => {
                    for (k, child) in m {
                        keys.insert(k.clone());
                        walk(child, keys, strings);
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, keys, strings)),
                Value::String(s) if s.len() < 80 => {
                    strings.insert(s.clone());
                }
                _ => {}
            }
        }
        rec.files()
            .filter_map(|f| rec.get(f))
            .for_each(|b| walk(b, &mut keys, &mut strings));
        for tricky in [
            "",
            "0",
            "-1",
            "true",
            "null",
            "1e309",
            "NaN",
            "P1D",
            "30m",
            "*",
            "**",
            "[",
            "\u{0}",
            "é",
            "\u{202e}",
            "https://",
            "http://127.0.0.1",
            "..",
            "a.b.c",
            "2026-02-30",
        ] {
            strings.insert(tricky.to_owned());
        }
        Vocabulary {
            keys: keys.into_iter().collect(),
            strings: strings.into_iter().collect(),
        }
    }

    fn key(&self, u: &mut Unstructured) -> String {
        if u.ratio(1, 8).unwrap_or(false) {
            return u.arbitrary::<String>().unwrap_or_default();
        }
        u.choose(&self.keys).cloned().unwrap_or_default()
    }

    fn string(&self, u: &mut Unstructured) -> String {
        if u.ratio(1, 4).unwrap_or(false) {
            return u.arbitrary::<String>().unwrap_or_default();
        }
        u.choose(&self.strings).cloned().unwrap_or_default()
    }
}

/// Replaces a value somewhere inside `v` (descending while `data` says so), or adds / removes an
/// entry of an object or array on the way.
fn edit(u: &mut Unstructured, v: &mut Value, vocab: &Vocabulary, depth: usize) {
    // A response body keeps its shape (a list stays an array, an object an object), as
    // `Recording` guarantees for everything it holds; what is inside is fair game.
    let descend = depth == 0 || (depth < 12 && u.ratio(4, 5).unwrap_or(false));
    match v {
        Value::Array(items) if depth == 0 && items.is_empty() => {
            items.push(arbitrary_value(u, vocab, depth + 1));
        }
        Value::Object(map) if depth == 0 && map.is_empty() => {
            map.insert(vocab.key(u), arbitrary_value(u, vocab, depth + 1));
        }
        Value::Object(map) if descend && !map.is_empty() => {
            match u.int_in_range(0..=9u8).unwrap_or(0) {
                0 => {
                    let key = vocab.key(u);
                    let value = arbitrary_value(u, vocab, depth);
                    map.insert(key, value);
                }
                1 => {
                    let keys: Vec<String> = map.keys().cloned().collect();
                    if let Ok(k) = u.choose(&keys) {
                        map.remove(k);
                    }
                }
                _ => {
                    let keys: Vec<String> = map.keys().cloned().collect();
                    if let Ok(k) = u.choose(&keys)
                        && let Some(child) = map.get_mut(k)
                    {
                        edit(u, child, vocab, depth + 1);
                    }
                }
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            match u.int_in_range(0..=9u8).unwrap_or(0) {
                0 => {
                    // Duplicate an entry: lists with repeated ids or identifiers.
                    if let Ok(i) = u.choose_index(items.len()) {
                        let copy = items[i].clone();
                        items.push(copy);
                    }
                }
                1 => {
                    if let Ok(i) = u.choose_index(items.len()) {
                        items.remove(i);
                    }
                }
                _ => {
                    if let Ok(i) = u.choose_index(items.len()) {
                        edit(u, &mut items[i], vocab, depth + 1);
                    }
                }
            }
        }
        _ => *v = arbitrary_value(u, vocab, depth),
    }
}

fn arbitrary_value(u: &mut Unstructured, vocab: &Vocabulary, depth: usize) -> Value {
    let limit = if depth > 8 { 5 } else { 7 };
    match u.int_in_range(0..=limit).unwrap_or(0) {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary().unwrap_or(false)),
        2 => {
            let n: i64 = match u.int_in_range(0..=3u8).unwrap_or(0) {
                0 => i64::MAX,
                1 => i64::MIN,
                2 => u.int_in_range(-5..=100_000).unwrap_or(0),
                _ => u.arbitrary().unwrap_or(0),
            };
            Value::from(n)
        }
        3 => Value::from(u.arbitrary::<u64>().unwrap_or(u64::MAX)),
        4 => serde_json::Number::from_f64(u.arbitrary().unwrap_or(0.5))
            .map_or(Value::Null, Value::Number),
        5 => Value::String(vocab.string(u)),
        6 => {
            let n = u.int_in_range(0..=4u8).unwrap_or(0);
            Value::Array(
                (0..n)
                    .map(|_| arbitrary_value(u, vocab, depth + 1))
                    .collect(),
            )
        }
        _ => {
            let n = u.int_in_range(0..=5u8).unwrap_or(0);
            let mut map = Map::new();
            for _ in 0..n {
                let key = vocab.key(u);
                let value = arbitrary_value(u, vocab, depth + 1);
                map.insert(key, value);
            }
            Value::Object(map)
        }
    }
}
