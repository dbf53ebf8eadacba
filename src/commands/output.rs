//! Where a report goes: the chosen format (`--format`), standard output or the `--output` file
//! (written atomically), and the `--step-summary` copy in `$GITHUB_STEP_SUMMARY`.

use anyhow::{Context as _, Result};

use super::process_env;
use crate::cli::{Format, ReportArgs};
use crate::{Outcome, report};

/// The report in the chosen format (`text` is already rendered); with `--step-summary`, the
/// Markdown form is also appended to `$GITHUB_STEP_SUMMARY`.
pub(super) fn render(text: String, r: &report::Report<'_>, args: &ReportArgs) -> Result<String> {
    if args.step_summary
        && let Some(path) = process_env("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening $GITHUB_STEP_SUMMARY ({path})"))?;
        let markdown = report::markdown::render_within(r, args.markdown_limit.step_summary(), None);
        f.write_all(markdown.as_bytes())
            .with_context(|| format!("appending to $GITHUB_STEP_SUMMARY ({path})"))?;
    }
    Ok(match args.format {
        Format::Text => text,
        Format::Json => report::json::render(r),
        Format::Markdown => report::markdown::render_within(r, args.markdown_limit.budget(), None),
        Format::Junit => report::junit::render(r),
        Format::Sarif => report::sarif::render(r),
    })
}

/// Standard output, or the `--output` file (written atomically).
pub(super) fn emit(text: String, code: u8, args: &ReportArgs) -> Result<Outcome> {
    match &args.output {
        Some(path) => {
            // A file gets the text without the styles the text renderers put in.
            let text = match args.format {
                Format::Text => report::text::plain(&text),
                _ => text,
            };
            super::preflight::output_file(path, "-o")?;
            crate::fsx::write_atomic(path, text.as_bytes())?;
            Ok(Outcome {
                stdout: String::new(),
                code,
                styled: false,
            })
        }
        None => Ok(Outcome {
            stdout: text,
            code,
            styled: args.format == Format::Text,
        }),
    }
}
