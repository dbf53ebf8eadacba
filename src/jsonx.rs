//! Small JSON helpers every stage that parses JSON shares (the collector, the recording, snapshot
//! files): serde_json error messages without their position, and the name of a value's type
//! for "expected …, found …" messages. Pure functions; no I/O, no knowledge of any stage.

use serde_json::Value;

/// A serde_json error without its trailing " at line L column C": callers print the position
/// up front, as `file:line:col`.
pub fn error_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

/// `a string`, `an object`, …: what a value is, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
