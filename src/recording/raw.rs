//! List bodies a live pull keeps as raw JSON text ([`RawList`]: pages of text with the place of
//! each entry), and reading one string field of an entry without parsing it ([`entry_string`]).
//! Building `Value`s for 12,000 allowlist entries costs more than the round trip that fetched
//! them, and a snapshot needs one field of each. Syntax only: what a field means is normalize's
//! business.

use std::fmt;
use std::ops::Range;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// The entries of a list as raw JSON text, page by page as they were read.
#[derive(Debug, Clone, Default)]
pub struct RawList {
    pages: Vec<RawPage>,
}

/// One page of a list: its text and where each entry is in it.
#[derive(Debug, Clone)]
pub struct RawPage {
    text: Box<str>,
    entries: Vec<Range<usize>>,
}

impl RawPage {
    /// `entries`: the byte range of each entry's JSON in `text`.
    pub fn new(text: Box<str>, entries: Vec<Range<usize>>) -> Self {
        RawPage { text, entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Each entry's JSON text (`null` for a range that is not one, which `new`'s callers never
    /// make).
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .map(|r| self.text.get(r.clone()).unwrap_or("null"))
    }
}

impl RawList {
    pub fn new(pages: Vec<RawPage>) -> Self {
        RawList { pages }
    }

    pub fn len(&self) -> usize {
        self.pages.iter().map(RawPage::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.iter().all(RawPage::is_empty)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.pages.iter().flat_map(RawPage::iter)
    }

    /// The list as a parsed array. Every entry is JSON the page parser accepted, within the same
    /// nesting limit, so parsing cannot fail; `null` would stand for an entry that could not be.
    pub(super) fn to_value(&self) -> Value {
        Value::Array(
            self.iter()
                .map(|e| serde_json::from_str(e).unwrap_or(Value::Null))
                .collect(),
        )
    }

    /// The string field `name` of every entry, in order. `Err(i)`: entry `i` is not an object or
    /// its field is neither a string nor null (the caller reports it from the parsed list).
    pub fn strings(&self, name: &str) -> Result<Vec<Option<String>>, usize> {
        let read = |first: usize, pages: &[RawPage]| -> Result<Vec<Option<String>>, usize> {
            pages
                .iter()
                .flat_map(RawPage::iter)
                .enumerate()
                .map(|(i, e)| match entry_string(e, name) {
                    FieldStr::Str(s) => Ok(Some(s)),
                    FieldStr::Absent => Ok(None),
                    FieldStr::Other => Err(first + i),
                })
                .collect()
        };
        // Long lists on two threads: 12,000 entries take ≈ 4.5 ms on one core.
        let pages = &self.pages;
        let half = pages.len() / 2;
        if self.len() < 4000 || std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
            return read(0, pages);
        }
        let (front, back) = pages.split_at(half);
        let front_len = front.iter().map(RawPage::len).sum();
        std::thread::scope(|scope| {
            let back = scope.spawn(|| read(front_len, back));
            let mut out = read(0, front)?;
            // A panic in `read` would be a bug; surface it here rather than lose it.
            out.extend(
                back.join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))?,
            );
            Ok(out)
        })
    }
}

/// What [`entry_string`] found for one field of a raw list entry.
#[derive(Debug, PartialEq, Eq)]
pub enum FieldStr {
    /// The entry is an object whose field is a string.
    Str(String),
    /// The entry is an object without the field, or with `null`.
    Absent,
    /// Anything else (the entry is not an object, or the field is not a string): the caller
    /// reports it from the parsed entry.
    Other,
}

/// The string field `name` of a raw list entry, without building the entry's `Value`: keys are
/// compared as they are read and every other value is skipped. A repeated key counts as its
/// last occurrence, as in a parsed `Value`.
pub fn entry_string(raw: &str, name: &str) -> FieldStr {
    let mut de = serde_json::Deserializer::from_str(raw);
    match FieldSeed(name).deserialize(&mut de) {
        Ok(Some(field)) if field.get().starts_with('"') => {
            serde_json::from_str(field.get()).map_or(FieldStr::Other, FieldStr::Str)
        }
        Ok(Some(field)) if field.get() == "null" => FieldStr::Absent,
        Ok(None) => FieldStr::Absent,
        Ok(Some(_)) | Err(_) => FieldStr::Other,
    }
}

/// Whether a raw list entry has a top-level key that `keep` accepts, read without building the
/// entry's `Value`: keys are tested as they are read and every value is skipped. `true` too for
/// an object without keys and for anything that is not an object (the caller then parses it and
/// sees for itself).
pub fn entry_keeps_a_key(raw: &str, keep: &mut dyn FnMut(&str) -> bool) -> bool {
    let mut de = serde_json::Deserializer::from_str(raw);
    AnyKey(keep).deserialize(&mut de).unwrap_or(true)
}

/// Whether some key of an object passes the test (or the object has none).
struct AnyKey<'k>(&'k mut dyn FnMut(&str) -> bool);

impl<'de> DeserializeSeed<'de> for AnyKey<'_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AnyKey<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut keys = 0;
        while let Some(kept) = map.next_key_seed(KeyTest(&mut *self.0))? {
            if kept {
                return Ok(true);
            }
            keys += 1;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(keys == 0)
    }
}

/// One key through the test (escaped or not).
struct KeyTest<'k, 'f>(&'k mut (dyn FnMut(&str) -> bool + 'f));

impl<'de> DeserializeSeed<'de> for KeyTest<'_, '_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyTest<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        Ok((self.0)(key))
    }
}

/// Finds one field of a JSON object, borrowing its raw text; not an object is an error.
struct FieldSeed<'n>(&'n str);

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(is_it) = map.next_key_seed(KeyIs(self.0))? {
            if is_it {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Whether an object key equals the one sought (escaped or not).
struct KeyIs<'n>(&'n str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the parsed path sees: the field of an object entry.
    fn parsed(text: &str, name: &str) -> FieldStr {
        let v: Value = serde_json::from_str(text).expect("JSON");
        match v.as_object().map(|m| m.get(name)) {
            Some(None | Some(Value::Null)) => FieldStr::Absent,
            Some(Some(Value::String(s))) => FieldStr::Str(s.clone()),
            _ => FieldStr::Other,
        }
    }

    #[test]
    fn a_raw_field_reads_as_the_parsed_one() {
        for text in [
            r#"{"identifier": "a@x.test", "id": "alid_1"}"#,
            r#"{"id": "x", "nested": {"identifier": "inner"}, "identifier": "outer"}"#,
            r#"{"identifier": "caf\u00e9 \"q\" \\ /"}"#,
            r#"{"identi\u0066ier": "escaped key"}"#,
            r#"{"identifier": "first", "identifier": "last"}"#,
            r#"{"identifier": null}"#,
            r#"{"other": [1, {"identifier": "no"}]}"#,
            r#"{}"#,
            r#"{"identifier": 3}"#,
            r#"{"identifier": ["a"]}"#,
            r#"{"identifier": {"a": "b"}}"#,
            r#"{"identifier": true}"#,
            r#"["identifier", "a"]"#,
            r#""identifier""#,
            "null",
            "1.5",
        ] {
            assert_eq!(
                entry_string(text, "identifier"),
                parsed(text, "identifier"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_raw_entry_keeps_a_key_as_its_parsed_keys_say() {
        let mut not_id = |k: &str| k != "id" && k != "identifier";
        for (text, keeps) in [
            (r#"{"id": "a", "identifier": "x@y.test"}"#, false),
            (
                r#"{"id": "a", "identifier": "x", "identifier_type": "email"}"#,
                true,
            ),
            (r#"{"i\u0064": {"nested": 1}, "identifier": [1, 2]}"#, false),
            (r#"{"id": "a", "note": null}"#, true),
            ("{}", true),
            ("[1]", true),
            ("null", true),
        ] {
            assert_eq!(entry_keeps_a_key(text, &mut not_id), keeps, "{text}");
        }
    }
}
