//! Setting paths: the dotted vocabulary shared by the snapshot, the diff and the policy.
//!
//! A path is a list of segments: struct fields (`session.inactivity_timeout`) and identity keys of
//! collections or set elements (`jwt_templates[supabase]`, `instance.allowed_origins["http://x"]`).
//! Keys made only of `[A-Za-z0-9_.:@-]` print bare; anything else prints as a JSON string.
//! This module owns parsing and printing only; what a path means lives in `snapshot::schema`.

use std::fmt;

/// One step in a [`Path`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// A named field of a struct-like object.
    Field(String),
    /// The identity key of a collection entry or set element; `*` in a pattern means "any".
    Key(String),
}

/// A parsed setting path.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(pub Vec<Seg>);

/// Why a path string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path `{input}` at byte {offset}: {reason}")]
pub struct ParseError {
    pub input: String,
    pub offset: usize,
    pub reason: &'static str,
}

impl Path {
    pub fn root() -> Self {
        Path(Vec::new())
    }

    pub fn field(&self, name: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Field(name.to_owned()));
        p
    }

    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_owned()));
        p
    }

    pub fn join(&self, other: &Path) -> Self {
        let mut p = self.clone();
        p.0.extend(other.0.iter().cloned());
        p
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The schema pattern of this path: every key replaced by `*`.
    pub fn pattern(&self) -> String {
        let generic = Path(
            self.0
                .iter()
                .map(|s| match s {
                    Seg::Field(f) => Seg::Field(f.clone()),
                    Seg::Key(_) => Seg::Key("*".to_owned()),
                })
                .collect(),
        );
        generic.to_string()
    }

    /// True when `self` equals `prefix` or lies below it.
    pub fn starts_with(&self, prefix: &Path) -> bool {
        self.0.len() >= prefix.0.len() && self.0[..prefix.0.len()] == prefix.0[..]
    }

    /// Parses `a.b[key].c["quoted key"]`.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let err = |offset, reason| ParseError {
            input: input.to_owned(),
            offset,
            reason,
        };
        let bytes = input.as_bytes();
        let mut segs = Vec::new();
        let mut i = 0;
        let mut expect_field = true;
        while i < bytes.len() {
            match bytes[i] {
                b'.' => {
                    if expect_field {
                        return Err(err(i, "empty field name"));
                    }
                    expect_field = true;
                    i += 1;
                }
                b'[' => {
                    if segs.is_empty() && expect_field && i != 0 {
                        return Err(err(i, "empty field name"));
                    }
                    if expect_field && !segs.is_empty() {
                        return Err(err(i, "empty field name"));
                    }
                    i += 1;
                    if bytes.get(i) == Some(&b'"') {
                        // A JSON string literal up to the matching quote.
                        let start = i;
                        let mut j = i + 1;
                        while j < bytes.len() && bytes[j] != b'"' {
                            if bytes[j] == b'\\' {
                                j += 1;
                            }
                            j += 1;
                        }
                        if j >= bytes.len() {
                            return Err(err(start, "unterminated quoted key"));
                        }
                        let key: String = serde_json::from_str(&input[start..=j])
                            .map_err(|_| err(start, "invalid quoted key"))?;
                        i = j + 1;
                        if bytes.get(i) != Some(&b']') {
                            return Err(err(i, "expected `]` after quoted key"));
                        }
                        segs.push(Seg::Key(key));
                    } else {
                        let start = i;
                        while i < bytes.len() && bytes[i] != b']' {
                            i += 1;
                        }
                        if i >= bytes.len() {
                            return Err(err(start, "unterminated `[`"));
                        }
                        if start == i {
                            return Err(err(start, "empty key"));
                        }
                        segs.push(Seg::Key(input[start..i].to_owned()));
                    }
                    i += 1;
                    expect_field = false;
                }
                _ => {
                    if !expect_field {
                        return Err(err(i, "expected `.` or `[`"));
                    }
                    let start = i;
                    while i < bytes.len() && bytes[i] != b'.' && bytes[i] != b'[' {
                        if bytes[i] == b']' || bytes[i] == b'"' {
                            return Err(err(i, "unexpected character"));
                        }
                        i += 1;
                    }
                    segs.push(Seg::Field(input[start..i].to_owned()));
                    expect_field = false;
                }
            }
        }
        if expect_field && !segs.is_empty() {
            return Err(err(input.len(), "path ends with `.`"));
        }
        Ok(Path(segs))
    }
}

fn is_bare(key: &str) -> bool {
    !key.is_empty()
        && key.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'@' | b'-' | b'*')
        })
}

fn is_bare_field(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'@'))
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, seg) in self.0.iter().enumerate() {
            match seg {
                // A field that would not survive `parse` (a claim named `a.b`) prints as a key.
                Seg::Field(name) if is_bare_field(name) => {
                    if n > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(name)?;
                }
                Seg::Field(name) | Seg::Key(name) => {
                    if is_bare(name) && !matches!(seg, Seg::Field(_)) {
                        write!(f, "[{name}]")?;
                    } else {
                        let quoted = serde_json::to_string(name).map_err(|_| fmt::Error)?;
                        write!(f, "[{quoted}]")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Paths serialize as their printed form.
impl serde::Serialize for Path {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        for s in [
            "session.inactivity_timeout",
            "jwt_templates[supabase].claims.aud",
            "instance.allowed_origins[\"http://staging.example.com\"]",
            "instance.domains[example.com].proxy_url",
            "jwt_templates[*].lifetime",
        ] {
            let p = Path::parse(s).expect(s);
            assert_eq!(p.to_string(), s);
        }
    }

    #[test]
    fn keys_and_fields_are_distinct() {
        let p = Path::parse("a[b].c").expect("parses");
        assert_eq!(
            p.0,
            vec![
                Seg::Field("a".into()),
                Seg::Key("b".into()),
                Seg::Field("c".into())
            ]
        );
        assert_eq!(p.pattern(), "a[*].c");
    }

    #[test]
    fn odd_field_names_print_quoted_and_reparse_as_keys() {
        let p = Path::root().field("claims").field("https://x.io/role");
        assert_eq!(p.to_string(), "claims[\"https://x.io/role\"]");
    }

    #[test]
    fn rejects_malformed_paths() {
        for s in ["a..b", "a.", ".a", "a[", "a[]", "a[\"x", "a]b", "a[x]b"] {
            assert!(Path::parse(s).is_err(), "{s} should not parse");
        }
    }
}
