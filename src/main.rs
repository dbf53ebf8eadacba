//! The binary: parse arguments, run, print, and map the outcome to the exit code. The only place
//! that prints or exits; the terminal side of [`clerk_drift::Ui`] (progress, request log,
//! warnings, the no-echo prompt, all on standard error) is in `terminal.rs`.

mod terminal;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use terminal::Terminal;

/// Pulls parse megabytes of JSON into many small allocations; see docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Writes all of `text` and flushes.
fn print(mut out: impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn main() -> ExitCode {
    let cli = match clerk_drift::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` are answers (exit 0); every usage error is an error (exit 1,
        // never clap's 2, which is the drift bit).
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                clerk_drift::exit::ERROR
            } else {
                clerk_drift::exit::CLEAN
            });
        }
    };
    let (quiet, verbose) = cli.stderr_flags();
    let colour = match cli.color {
        clerk_drift::cli::ColorWhen::Always => anstream::ColorChoice::Always,
        clerk_drift::cli::ColorWhen::Never => anstream::ColorChoice::Never,
        // A terminal, unless NO_COLOR (or CLICOLOR=0) says otherwise; CLICOLOR_FORCE forces it.
        clerk_drift::cli::ColorWhen::Auto => anstream::ColorChoice::Auto,
    };
    let terminal = Arc::new(Terminal::new(quiet, verbose));
    let ui: Arc<dyn clerk_drift::Ui> = terminal.clone();
    let result = clerk_drift::run(cli, &ui);
    terminal.finish();
    match result {
        Ok(outcome) => {
            let stdout = std::io::stdout().lock();
            // Styled text keeps its styles only when colour is wanted (anstream strips them
            // otherwise); anything else (JSON, Markdown, a snapshot) is written as it is.
            let written = if outcome.styled {
                print(anstream::AutoStream::new(stdout, colour), &outcome.stdout)
            } else {
                print(stdout, &outcome.stdout)
            };
            match written {
                Ok(()) => ExitCode::from(outcome.code),
                Err(_) => ExitCode::from(clerk_drift::exit::ERROR),
            }
        }
        Err(err) => {
            // A rendered diagnostic (clerk-drift.toml, a policy) already says `error:`.
            let text = format!("{err:#}");
            if text.starts_with("error: ") {
                eprintln!("{text}");
            } else {
                eprintln!("error: {text}");
            }
            ExitCode::from(clerk_drift::exit::ERROR)
        }
    }
}
