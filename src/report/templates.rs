//! The one template environment of the Markdown and HTML reports, and their escaping: the
//! sources in `src/report/templates/`, compiled once, with HTML auto-escaping through [`esc`]
//! (so every value printed into `report.html` is escaped the same way) and the Markdown filters
//! `code` ([`code`]), `cell` ([`cell`]) and `html` ([`esc`], for the HTML inside it). Templates only lay out: every decision and every
//! computed string comes from the view structs of `markdown.rs` and `html.rs`; this module knows
//! nothing of reports.

use std::sync::LazyLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

/// The Markdown report.
pub const MARKDOWN: &str = "report.md.j2";
/// The audit report; `.html` turns auto-escaping on.
pub const HTML: &str = "report.html.j2";

/// Built on first use. The templates are fixed at build time and the tests render every one of
/// them, so a failure here is a bug in this crate, not something a user can cause.
static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| match environment() {
    Ok(env) => env,
    Err(e) => panic!("the embedded report templates do not compile: {e:#}"),
});

fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    // Block tags on their own lines leave no trace; `{% … +%}` keeps a newline where one is wanted.
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    // A misspelt field is an error in the tests, not an empty cell in someone's report.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // minijinja's own HTML escaper also writes `/` as `&#x2f;` and `'` as `&#x27;`; ours leaves
    // `/` alone and writes `&#39;`, as the report always has.
    env.set_formatter(|out, state, value| {
        if *state.auto_escape() == AutoEscape::Html && !value.is_safe() {
            out.write_str(&esc(&value.to_string()))?;
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.add_filter("code", code);
    env.add_filter("cell", cell);
    // HTML text inside the Markdown report (a `<details>` block's `<summary>`).
    env.add_filter("html", esc);
    // Free text in Markdown outside code spans (an override's reason, a title it set).
    env.add_filter("text", text);
    env.add_template(MARKDOWN, include_str!("templates/report.md.j2"))?;
    env.add_template(HTML, include_str!("templates/report.html.j2"))?;
    Ok(env)
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a GFM table cell: the table parser turns `\|` back into `|`, even inside code
/// spans; other backslashes are left alone so that code spans show them as they are.
pub(crate) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Free text for a Markdown line: `&`, `<` and `>` as character references, so that neither
/// `<b>` nor `<!--` becomes HTML (GitHub shows the characters), and a line break as a space.
pub(crate) fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\r', '\n'], " ")
}

/// A Markdown code span; a backtick inside would end it, so it becomes `'`.
pub fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

/// Renders an embedded template with `view` as its context. Like compiling, rendering fails only
/// on a bug in this crate (a field the view lacks): the tests render every branch.
pub fn render(name: &str, view: impl serde::Serialize) -> String {
    let rendered = ENV
        .get_template(name)
        .and_then(|t| t.render(Value::from(Serde(view))));
    match rendered {
        Ok(text) => text,
        Err(e) => panic!("the embedded template {name} failed to render: {e:#}"),
    }
}
