//! Where a setting is written in a snapshot file: the line (and column) of its key, found by a
//! small scanner over the file's actual bytes (any JSON layout, canonical or not), for SARIF
//! regions. A setting the file does not hold is located at its nearest ancestor that it does.

use crate::path::{Path, Seg};

/// A JSON value with the position where it starts (for an object member: where its key starts).
#[derive(Debug)]
struct Node {
    line: usize,
    column: usize,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    String(String),
    Other,
}

/// A 1-based line and column (in UTF-16 code units, as SARIF's `columnKind` says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The parsed positions of a snapshot file.
pub struct Lines {
    root: Option<Node>,
}

impl Lines {
    /// Scans `text`; a text that is not JSON locates nothing.
    pub fn new(text: &str) -> Lines {
        let mut s = Scanner {
            chars: text.chars().collect(),
            at: 0,
            line: 1,
            column: 1,
        };
        let root = s.value().filter(|_| {
            s.space();
            s.at == s.chars.len()
        });
        Lines { root }
    }

    /// The position of `target` (a setting path) under the snapshot's `settings`, or of its
    /// nearest ancestor the file holds; `None` when the file has no `settings` or the target is
    /// not a setting path.
    pub fn setting(&self, target: &str) -> Option<Position> {
        let path = Path::parse(target).ok()?;
        let mut node = member(self.root.as_ref()?, "settings")?;
        for seg in &path.0 {
            let next = match (seg, &node.kind) {
                (Seg::Field(name) | Seg::Key(name), Kind::Object(_)) => member(node, name),
                (Seg::Key(key), Kind::Array(items)) => items
                    .iter()
                    .find(|n| matches!(&n.kind, Kind::String(s) if s == key)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        Some(Position {
            line: node.line,
            column: node.column,
        })
    }
}

fn member<'a>(node: &'a Node, name: &str) -> Option<&'a Node> {
    match &node.kind {
        Kind::Object(members) => members.iter().find(|(k, _)| k == name).map(|(_, n)| n),
        _ => None,
    }
}

struct Scanner {
    chars: Vec<char>,
    at: usize,
    line: usize,
    column: usize,
}

impl Scanner {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += c.len_utf16();
        }
        Some(c)
    }

    fn space(&mut self) {
        while self
            .peek()
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            self.bump();
        }
    }

    fn value(&mut self) -> Option<Node> {
        self.space();
        let (line, column) = (self.line, self.column);
        let kind = match self.peek()? {
            '{' => {
                self.bump();
                let mut members = Vec::new();
                self.space();
                if self.peek() == Some('}') {
                    self.bump();
                } else {
                    loop {
                        self.space();
                        let (kline, kcolumn) = (self.line, self.column);
                        let key = self.string()?;
                        self.space();
                        (self.bump()? == ':').then_some(())?;
                        let mut value = self.value()?;
                        (value.line, value.column) = (kline, kcolumn);
                        members.push((key, value));
                        self.space();
                        match self.bump()? {
                            ',' => continue,
                            '}' => break,
                            _ => return None,
                        }
                    }
                }
                Kind::Object(members)
            }
            '[' => {
                self.bump();
                let mut items = Vec::new();
                self.space();
                if self.peek() == Some(']') {
                    self.bump();
                } else {
                    loop {
                        items.push(self.value()?);
                        self.space();
                        match self.bump()? {
                            ',' => continue,
                            ']' => break,
                            _ => return None,
                        }
                    }
                }
                Kind::Array(items)
            }
            '"' => Kind::String(self.string()?),
            _ => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))
                {
                    self.bump();
                }
                Kind::Other
            }
        };
        Some(Node { line, column, kind })
    }

    /// A JSON string (at its opening quote), unescaped.
    fn string(&mut self) -> Option<String> {
        (self.bump()? == '"').then_some(())?;
        let mut out = String::new();
        loop {
            match self.bump()? {
                '"' => return Some(out),
                '\\' => match self.bump()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'u' => {
                        let unit = |s: &mut Scanner| -> Option<u32> {
                            let hex: String = (0..4).filter_map(|_| s.bump()).collect();
                            u32::from_str_radix(&hex, 16).ok()
                        };
                        let high = unit(self)?;
                        let code = if (0xD800..0xDC00).contains(&high) {
                            // A surrogate pair: `\uD83D\uDE00`.
                            (self.bump()? == '\\' && self.bump()? == 'u').then_some(())?;
                            let low = unit(self)?;
                            0x10000 + ((high - 0xD800) << 10) + (low.checked_sub(0xDC00)?)
                        } else {
                            high
                        };
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    c => out.push(c),
                },
                c => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_keys_set_elements_and_the_nearest_ancestor() {
        let text = "{\n  \"settings\": {\n    \"session\": {\n      \"lifetime\": 1,\n      \"x\": \"a\\\"b\"\n    },\n    \"jwt_templates\": {\n      \"supa base\": { \"claims\": {} }\n    },\n    \"origins\": [\n      \"https://a\",\n      \"https://b\"\n    ]\n  }\n}\n";
        let lines = Lines::new(text);
        let at = |t: &str| lines.setting(t).map(|p| (p.line, p.column));
        assert_eq!(at("session.lifetime"), Some((4, 7)));
        assert_eq!(at("session.x"), Some((5, 7)));
        assert_eq!(at("jwt_templates[\"supa base\"].claims"), Some((8, 22)));
        assert_eq!(at("origins[\"https://b\"]"), Some((12, 7)));
        // Not in the file: its nearest ancestor.
        assert_eq!(at("origins[\"https://c\"]"), Some((10, 5)));
        assert_eq!(at("session.missing.deeper"), Some((3, 5)));
        assert_eq!(at("nowhere"), Some((2, 3)));
        assert_eq!(Lines::new("{").setting("session"), None);
        assert_eq!(Lines::new("{}").setting("session"), None);
    }
}
