//! Reading a whole BAPI list: the first page at Clerk's maximum `limit`, then — once
//! `total_count` is known — every remaining page concurrently. Accepts the bare-array and the
//! `{data, total_count}` shapes. A list that changes while it is read (total_count moves,
//! duplicates, gaps) is read once more, then reported: never a silently partial list.
//!
//! Entries stay raw JSON text ([`RawList`]): building `Value`s for 12,000 allowlist entries
//! costs more CPU than the round trip that fetched them. One pass over each entry finds its `id`
//! (for the repeat check) and whether any key names a secret; such entries are parsed, redacted
//! ([`super::redact`]) and written back before the page leaves the client.

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::Arc;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::task::JoinSet;

use super::client::{Api, Client, Failure};
use crate::recording::endpoints::PAGE_LIMIT;
use crate::recording::{FieldStr, Paging, RawList, RawPage, entry_string};

/// Why a list could not be read.
#[derive(Debug)]
pub enum ListError {
    /// A request failed (after its own retries).
    Request(Failure),
    /// The response is not a list.
    Shape(String),
    /// The list changed during the read, twice.
    Changed(String),
}

/// Reads the whole list; retries once if it changed during the read.
pub async fn read_all(
    client: Arc<Client>,
    api: Arc<Api>,
    path: &'static [&'static str],
    paging: Paging,
    label: String,
) -> Result<RawList, ListError> {
    match read_once(&client, &api, path, paging, &label).await {
        Err(ListError::Changed(_)) => match read_once(&client, &api, path, paging, &label).await {
            Err(ListError::Changed(why)) => Err(ListError::Changed(why)),
            other => other,
        },
        other => other,
    }
}

const SHAPE: &str = "expected an array or {\"data\": [...], \"total_count\": N}";

/// A list response, read and redacted.
enum Read {
    Page {
        page: Page,
        /// Hashes of the entries' `id`s, taken in the same pass.
        ids: Vec<u64>,
    },
    NotAList,
}

enum Page {
    Bare(RawPage),
    Envelope { data: RawPage, total: usize },
}

impl Page {
    fn data(&self) -> &RawPage {
        match self {
            Page::Bare(d) | Page::Envelope { data: d, .. } => d,
        }
    }
}

/// Reads a list response. Syntax errors are the client's (a cut-off body is retried); a wrong
/// shape is [`Read::NotAList`].
fn read_page(body: &[u8]) -> Result<Read, serde_json::Error> {
    let Ok(text) = std::str::from_utf8(body) else {
        // serde_json checks UTF-8 only inside strings and says where; anything else is a syntax
        // error it also places.
        return serde_json::from_slice::<IgnoredAny>(body)
            .and_then(|_| Err(serde::de::Error::custom("the body is not UTF-8")));
    };
    let (entries, total, levels_above) = match serde_json::from_str::<Shape<'_>>(text)? {
        Shape::Bare(entries) => (entries, None, 1),
        Shape::Envelope(entries, total) => (entries, total, 2),
        Shape::NotAList => return Ok(Read::NotAList),
    };
    let Ok((data, ids)) = own(text, &entries, levels_above) else {
        // An entry the scan accepted but a full parse does not (a number out of range): the
        // body fails as a parsed one would, with serde_json's own message and position.
        return serde_json::from_str::<Value>(text)
            .and_then(|_| Err(serde::de::Error::custom("an entry could not be read")));
    };
    let page = match total {
        Some(t) => Page::Envelope {
            data,
            total: usize::try_from(t).unwrap_or(usize::MAX),
        },
        // An envelope without a count: treat like a bare page.
        None => Page::Bare(data),
    };
    Ok(Read::Page { page, ids })
}

/// The page as owned text with its entries' places; entries that hold a secret are replaced by
/// their redacted JSON.
fn own(
    text: &str,
    entries: &[&RawValue],
    levels_above: u8,
) -> Result<(RawPage, Vec<u64>), serde_json::Error> {
    let mut ids = Vec::with_capacity(entries.len());
    let mut secret = Vec::with_capacity(entries.len());
    for entry in entries {
        let seen = inspect(entry.get(), levels_above)?;
        secret.push(seen.secret);
        ids.extend(seen.id);
    }
    if !secret.contains(&true) {
        let base = text.as_ptr().addr();
        let places = entries
            .iter()
            .map(|e| {
                let start = e.get().as_ptr().addr().saturating_sub(base);
                start..start + e.get().len()
            })
            .collect();
        return Ok((RawPage::new(text.into(), places), ids));
    }
    let mut out = String::with_capacity(text.len());
    let mut places = Vec::with_capacity(entries.len());
    for (entry, secret) in entries.iter().zip(secret) {
        let start = out.len();
        if secret {
            let mut v: Value = serde_json::from_str(entry.get())?;
            super::redact(&mut v);
            out.push_str(&v.to_string());
        } else {
            out.push_str(entry.get());
        }
        places.push(start..out.len());
    }
    Ok((RawPage::new(out.into(), places), ids))
}

/// A list response's shape, entries borrowed.
enum Shape<'a> {
    Bare(Vec<&'a RawValue>),
    Envelope(Vec<&'a RawValue>, Option<u64>),
    NotAList,
}

impl<'de> serde::Deserialize<'de> for Shape<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShapeVisitor)
    }
}

/// The visitor methods for numbers, booleans and null, which all give `$value`.
macro_rules! other_kinds {
    ($value:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(SHAPE)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(Shape::Bare(elements(seq)?))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // As in a parsed object, a repeated key counts as its last occurrence.
        let (mut data, mut total) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "data" => data = Some(map.next_value_seed(DataSeed)?),
                "total_count" => total = map.next_value::<Value>()?.as_u64(),
                // Parsed, not skipped: a value a parse would reject must fail here too.
                _ => {
                    map.next_value::<Value>()?;
                }
            }
        }
        Ok(match data {
            Some(Some(entries)) => Shape::Envelope(entries, total),
            Some(None) | None => Shape::NotAList,
        })
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Shape::NotAList)
    }

    other_kinds!(Shape::NotAList);
}

/// The `data` of an envelope: its entries, or `None` when it is not an array.
struct DataSeed;

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = Option<Vec<&'de RawValue>>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DataSeed {
    type Value = Option<Vec<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        elements(seq).map(Some)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Parsed, not skipped, as in the envelope.
        while map.next_entry::<IgnoredAny, Value>()?.is_some() {}
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    other_kinds!(None);
}

fn elements<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<&'de RawValue>, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
    while let Some(entry) = seq.next_element::<&'de RawValue>()? {
        out.push(entry);
    }
    Ok(out)
}

/// What one pass over an entry saw.
#[derive(Debug, Default, PartialEq, Eq)]
struct Seen {
    /// Some key, at any depth, is one of [`super::is_secret_key`]'s.
    secret: bool,
    /// The hash of the entry's top-level string `id` (the last one, if repeated).
    id: Option<u64>,
}

/// One pass over an entry. Fails where parsing the page into a `Value` would and the page scan
/// does not: a number out of range, or nesting deeper than serde_json's limit of 127 levels,
/// of which the page itself takes `levels_above`.
fn inspect(entry: &str, levels_above: u8) -> Result<Seen, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(entry);
    Walk {
        top: true,
        id: false,
        levels: 127 - levels_above,
    }
    .deserialize(&mut de)
}

/// One hasher for every page, so that equal ids hash alike.
const ID_HASHER: BuildHasherDefault<DefaultHasher> = BuildHasherDefault::new();

/// Walks a JSON value for secret keys; also hashes the string of an entry's top-level `id`.
#[derive(Clone, Copy)]
struct Walk {
    /// The entry itself: its `id` key is the one hashed.
    top: bool,
    /// The value of that `id`.
    id: bool,
    /// How many more arrays or objects may nest here.
    levels: u8,
}

impl Walk {
    fn inner<E: serde::de::Error>(self) -> Result<Walk, E> {
        match self.levels.checked_sub(1) {
            Some(levels) => Ok(Walk {
                top: false,
                id: false,
                levels,
            }),
            None => Err(E::custom("recursion limit exceeded")),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk {
    type Value = Seen;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Seen, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk {
    type Value = Seen;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Seen, A::Error> {
        let inner = self.inner()?;
        let mut seen = Seen::default();
        while let Some(key) = map.next_key_seed(KeyKind)? {
            match key {
                Key::Secret => {
                    map.next_value_seed(inner)?;
                    seen.secret = true;
                }
                Key::Id if self.top => {
                    let value = map.next_value_seed(Walk { id: true, ..inner })?;
                    seen.secret |= value.secret;
                    seen.id = value.id;
                }
                Key::Id | Key::Other => {
                    seen.secret |= map.next_value_seed(inner)?.secret;
                }
            }
        }
        Ok(seen)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seen, A::Error> {
        let inner = self.inner()?;
        let mut seen = Seen::default();
        while let Some(element) = seq.next_element_seed(inner)? {
            seen.secret |= element.secret;
        }
        Ok(seen)
    }

    fn visit_str<E>(self, s: &str) -> Result<Seen, E> {
        Ok(Seen {
            secret: false,
            id: self.id.then(|| ID_HASHER.hash_one(s)),
        })
    }

    other_kinds!(Seen::default());
}

enum Key {
    Secret,
    Id,
    Other,
}

struct KeyKind;

impl<'de> DeserializeSeed<'de> for KeyKind {
    type Value = Key;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyKind {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        Ok(if super::is_secret_key(key) {
            Key::Secret
        } else if key == "id" {
            Key::Id
        } else {
            Key::Other
        })
    }
}

/// A page and the hashes of its entries' ids.
async fn fetch(
    client: &Client,
    api: &Api,
    path: &[&str],
    paging: Paging,
    offset: usize,
    label: &str,
) -> Result<(Page, Vec<u64>), ListError> {
    let url = api.url(path, &paging.query(offset));
    let label = if offset == 0 {
        label.to_owned()
    } else {
        format!("{label}?offset={offset}")
    };
    match client.get_parsed(api, url, &label, read_page).await {
        Ok(Read::Page { page, ids }) => Ok((page, ids)),
        Ok(Read::NotAList) => Err(ListError::Shape(SHAPE.into())),
        Err(f) => Err(ListError::Request(f)),
    }
}

async fn read_once(
    client: &Arc<Client>,
    api: &Arc<Api>,
    path: &'static [&'static str],
    paging: Paging,
    label: &str,
) -> Result<RawList, ListError> {
    let pages_allowed = paging.pages();
    let (first, mut ids) = fetch(client, api, path, paging, 0, label).await?;
    let pages = match first {
        Page::Envelope { data, total } if data.len() >= total || !pages_allowed => {
            if data.len() != total {
                return Err(ListError::Changed(format!(
                    "a response held {} entries but total_count is {total}",
                    data.len()
                )));
            }
            vec![data]
        }
        Page::Envelope { data, total } => {
            // Clerk may serve fewer than `limit` per page: step by what it served.
            let step = data.len();
            if step == 0 {
                return Err(ListError::Changed(format!(
                    "the first page is empty but total_count is {total}"
                )));
            }
            let mut set = JoinSet::new();
            for offset in (step..total).step_by(step) {
                let (client, api, label) = (client.clone(), api.clone(), label.to_owned());
                set.spawn(async move {
                    let p = fetch(&client, &api, path, paging, offset, &label).await;
                    (offset, p)
                });
            }
            let mut pages = vec![(0, data)];
            while let Some(joined) = set.join_next().await {
                let (offset, p) =
                    joined.map_err(|e| ListError::Shape(format!("a page task failed: {e}")))?;
                let (p, page_ids) = p?;
                ids.extend(page_ids);
                match p {
                    Page::Envelope { data, total: t } if t == total => pages.push((offset, data)),
                    Page::Envelope { total: t, .. } => {
                        return Err(ListError::Changed(format!(
                            "total_count moved from {total} to {t}"
                        )));
                    }
                    Page::Bare(_) => {
                        return Err(ListError::Shape(
                            "a later page lost the {data, total_count} envelope".into(),
                        ));
                    }
                }
            }
            pages.sort_by_key(|(o, _)| *o);
            let read: usize = pages.iter().map(|(_, d)| d.len()).sum();
            if read != total {
                return Err(ListError::Changed(format!(
                    "read {read} entries but total_count is {total}"
                )));
            }
            pages.into_iter().map(|(_, d)| d).collect()
        }
        Page::Bare(first) => {
            // No count: keep reading while pages come back full.
            let (mut read, mut last) = (first.len(), first.len());
            let mut pages = vec![first];
            while pages_allowed && last >= PAGE_LIMIT {
                let (more, page_ids) = fetch(client, api, path, paging, read, label).await?;
                ids.extend(page_ids);
                last = more.data().len();
                read += last;
                pages.push(match more {
                    Page::Bare(d) | Page::Envelope { data: d, .. } => d,
                });
            }
            pages
        }
    };
    let list = RawList::new(pages);
    check_unique(&list, ids)?;
    Ok(list)
}

/// Entries with an `id` must not repeat: a repeat means pages shifted under us. `ids` are the
/// hashes of the entries' ids: when no two are equal no id repeats; equal hashes are confirmed
/// (or not: a collision) on the ids themselves.
fn check_unique(list: &RawList, mut ids: Vec<u64>) -> Result<(), ListError> {
    ids.sort_unstable();
    if ids.windows(2).all(|w| w[0] != w[1]) {
        return Ok(());
    }
    let mut seen = HashSet::with_capacity(list.len());
    for entry in list.iter() {
        let FieldStr::Str(id) = entry_string(entry, "id") else {
            continue;
        };
        if !seen.insert(id.clone()) {
            return Err(ListError::Changed(format!(
                "entry `{id}` was returned twice (pages shifted)"
            )));
        }
    }
    Ok(())
}

/// Reads `body` as a list page both ways — the raw path above, and a parsed `Value` redacted
/// whole, as the client does for single objects — and panics where they disagree: accepting,
/// the shape, the count, any entry, the id hashes. The `list_page` fuzz target runs it; a test
/// oracle, so behind the `fuzzing` feature.
#[cfg(feature = "fuzzing")]
pub fn check_against_parsed(body: &[u8]) {
    let read = read_page(body);
    let parsed = serde_json::from_slice::<Value>(body);
    let (mut value, read) = match (parsed, read) {
        (Err(_), Err(_)) => return,
        (Ok(v), Ok(r)) => (v, r),
        (p, r) => panic!(
            "parsed: {:?}; raw: {:?}",
            p.map(|_| "accepted"),
            r.map(|_| "accepted")
        ),
    };
    super::redact(&mut value);
    let expected = match value {
        Value::Array(items) => Some((items, None)),
        Value::Object(mut map) => match map.remove("data") {
            Some(Value::Array(items)) => {
                let total = map.get("total_count").and_then(Value::as_u64);
                Some((
                    items,
                    total.map(|t| usize::try_from(t).unwrap_or(usize::MAX)),
                ))
            }
            _ => None,
        },
        _ => None,
    };
    let (page, ids) = match (expected, read) {
        (None, Read::NotAList) => return,
        (Some((items, total)), Read::Page { page, ids }) => {
            let got_total = match &page {
                Page::Bare(_) => None,
                Page::Envelope { total, .. } => Some(*total),
            };
            assert_eq!(got_total, total, "total_count");
            let got: Vec<Value> = page
                .data()
                .iter()
                .map(|e| serde_json::from_str(e).unwrap_or_else(|err| panic!("{err}: {e}")))
                .collect();
            assert_eq!(got, items, "entries");
            (items, ids)
        }
        (e, _) => panic!("shape: parsed says list = {}", e.is_some()),
    };
    let mut want: Vec<u64> = page
        .iter()
        .filter_map(|i| i.get("id").and_then(Value::as_str))
        .map(|id| ID_HASHER.hash_one(id))
        .collect();
    let mut got = ids;
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want, "id hashes");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Result<Read, serde_json::Error> {
        read_page(text.as_bytes())
    }

    fn texts(page: &RawPage) -> Vec<&str> {
        page.iter().collect()
    }

    #[test]
    fn pages_accept_both_shapes() {
        let bare =
            |t| matches!(read(t), Ok(Read::Page { page: Page::Bare(d), .. }) if d.len() == 2);
        assert!(bare(r#"[1, {"a": [2]}]"#));
        assert!(bare(r#"{"data": [1, 2]}"#));
        assert!(bare(r#"{"total_count": "x", "data": [1, 2]}"#));
        let Ok(Read::Page {
            page: Page::Envelope { total: 3, data },
            ..
        }) = read(r#"{"total_count": 3, "other": {"x": []}, "data": [1, {"b": "\u00e9"}]}"#)
        else {
            panic!("an envelope")
        };
        assert_eq!(texts(&data), ["1", r#"{"b": "\u00e9"}"#]);
        for not_a_list in [
            r#"{"items": []}"#,
            r#"{"data": {"a": 1}, "total_count": 1}"#,
            r#"{"data": "x"}"#,
            r#"{"data": null}"#,
            r#""x""#,
            "3",
            "null",
        ] {
            assert!(
                matches!(read(not_a_list), Ok(Read::NotAList)),
                "{not_a_list}"
            );
        }
        // A later `data` wins, as in a parsed object.
        assert!(matches!(
            read(r#"{"data": 1, "data": [1, 2]}"#),
            Ok(Read::Page { .. })
        ));
        assert!(matches!(
            read(r#"{"data": [1], "data": 1}"#),
            Ok(Read::NotAList)
        ));
        // Syntax errors stay errors (the client retries a cut-off body), UTF-8 included.
        assert!(read(r#"{"data": [1, 2"#).is_err());
        assert!(read(r#"[{"a": 1}"#).is_err());
        assert!(read_page(b"[\"\xff\"]").is_err());
        assert!(read_page(b"[1]\xff").is_err());
    }

    #[test]
    fn entries_are_redacted_like_parsed_bodies() {
        let page = r#"[{"id": "a", "client_secret": "CANARY", "n": [{"token": "T"}]},
                       {"id": "b", "name": "secret", "list": ["secret_key"]},
                       {"id": {"secret": "S"}}, ["x", {"private_key": "P"}], 5]"#;
        let Ok(Read::Page {
            page: Page::Bare(data),
            ids,
        }) = read(page)
        else {
            panic!("a page")
        };
        let mut expected: Value = serde_json::from_str(page).expect("JSON");
        crate::clerk::redact(&mut expected);
        let got: Vec<Value> = data
            .iter()
            .map(|e| serde_json::from_str(e).expect("an entry"))
            .collect();
        assert_eq!(Value::Array(got), expected);
        let all = texts(&data).concat();
        for secret in ["CANARY", "\"T\"", "\"S\"", "\"P\""] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
        // Entries without a secret keep their exact text.
        assert_eq!(
            texts(&data)[1],
            r#"{"id": "b", "name": "secret", "list": ["secret_key"]}"#
        );
        // String ids only: "a" and "b".
        assert_eq!(ids.len(), 2);
    }

    #[test]
    fn raw_and_parsed_agree() {
        let deep = |n| format!("[{}{}]", "[".repeat(n), "]".repeat(n));
        let deep_envelope = |n| format!(r#"{{"data": {}, "total_count": 1}}"#, deep(n));
        let deep_secret = |n| format!(r#"[{{"token": {}}}]"#, deep(n));
        for body in [
            r#"[{"id": "a", "client_secret": "x"}, {"id": "a"}, 1, null, [{"token": "t"}]]"#,
            r#"{"data": [{"id": "b", "nested": {"secret_key": {"k": "v"}}}], "total_count": 1}"#,
            r#"{"data": [1], "total_count": -1}"#,
            r#"{"data": [1], "total_count": 1.0}"#,
            r#"{"data": [1], "total_count": 18446744073709551615}"#,
            r#"{"total_count": 2, "data": [], "data": [{"i\u0064": "\ud83d\ude00"}]}"#,
            r#"{"data": {"client_secret": "x"}}"#,
            r#"[1e400]"#,
            r#"[1.0000000000000001e-5, -0, 12345678901234567890123]"#,
            r#"[" "#,
            "",
            "[1] x",
            &deep(125),
            &deep(126),
            &deep(127),
            &deep(200),
            &deep_envelope(123),
            &deep_envelope(124),
            &deep_envelope(125),
            &deep_secret(123),
            &deep_secret(124),
            &deep_secret(125),
            r#"{"data": [], "meta": [1e400]}"#,
            r#"{"data": {"a": [1e400]}}"#,
            r#"[{"secret": 1e400}]"#,
            r#"[{"id": 1e400}]"#,
            r#"[{"id": "x", "id": [1e999]}]"#,
        ] {
            check_against_parsed(body.as_bytes());
        }
    }

    #[test]
    fn one_pass_sees_ids_and_secrets() {
        let id = |s: &str| Some(ID_HASHER.hash_one(s));
        assert_eq!(
            inspect(r#"{"id": "a", "x": {"id": "b"}}"#, 1).expect("JSON"),
            Seen {
                secret: false,
                id: id("a")
            }
        );
        assert_eq!(
            inspect(r#"{"id": "a", "id": "c"}"#, 1).expect("JSON").id,
            id("c")
        );
        assert_eq!(
            inspect(r#"{"i\u0064": "a\n"}"#, 1).expect("JSON").id,
            id("a\n")
        );
        assert_eq!(inspect(r#"{"id": 1}"#, 1).expect("JSON"), Seen::default());
        assert_eq!(
            inspect(r#"[{"id": "a"}]"#, 1).expect("JSON"),
            Seen::default()
        );
        assert!(
            inspect(r#"{"a": [{"b": {"refresh_token": null}}]}"#, 1)
                .expect("JSON")
                .secret
        );
        assert!(inspect(r#"{"sec\u0072et": 1}"#, 1).expect("JSON").secret);
        assert!(
            inspect(r#"{"id": [{"token": "t"}]}"#, 1)
                .expect("JSON")
                .secret
        );
        assert!(
            !inspect(r#"{"a": "client_secret"}"#, 1)
                .expect("JSON")
                .secret
        );
    }

    fn list(values: &[Value]) -> RawList {
        let text = Value::Array(values.to_vec()).to_string();
        let Ok(Read::Page { page, .. }) = read(&text) else {
            panic!("a page")
        };
        RawList::new(vec![page.data().clone()])
    }

    fn ids(values: &[Value]) -> Vec<u64> {
        let Ok(Read::Page { ids, .. }) = read(&Value::Array(values.to_vec()).to_string()) else {
            panic!("a page")
        };
        ids
    }

    #[test]
    fn duplicates_are_a_change() {
        let ok = [
            json!({"id": "a"}),
            json!({"id": "b"}),
            json!({"x": 1}),
            json!([1]),
        ];
        assert!(check_unique(&list(&ok), ids(&ok)).is_ok());
        let dup = [json!({"id": "a"}), json!({"x": 1}), json!({"id": "a"})];
        assert!(
            matches!(check_unique(&list(&dup), ids(&dup)), Err(ListError::Changed(m)) if m.contains("`a`"))
        );
    }

    #[test]
    fn a_hash_collision_is_not_a_repeat() {
        let ok = [json!({"id": "a"}), json!({"id": "b"})];
        assert!(check_unique(&list(&ok), vec![7, 7]).is_ok());
    }
}
