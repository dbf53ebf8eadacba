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

fn main() -> ExitCode {
    let cli = clerk_drift::cli::Cli::parse();
    let (quiet, verbose) = cli.stderr_flags();
    let colour = match cli.color {
        clerk_drift::cli::ColorWhen::Always => true,
        clerk_drift::cli::ColorWhen::Never => false,
        // A terminal, unless NO_COLOR (or CLICOLOR=0) says otherwise; CLICOLOR_FORCE forces it.
        clerk_drift::cli::ColorWhen::Auto => !matches!(
            anstream::AutoStream::choice(&std::io::stdout()),
            anstream::ColorChoice::Never
        ),
    };
    let terminal = Arc::new(Terminal::new(quiet, verbose));
    let ui: Arc<dyn clerk_drift::Ui> = terminal.clone();
    let result = clerk_drift::run(cli, &ui);
    terminal.finish();
    match result {
        Ok(outcome) => {
            let text = if outcome.styled && colour {
                clerk_drift::report::text::colorize(&outcome.stdout)
            } else {
                outcome.stdout
            };
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::from(clerk_drift::exit::ERROR);
            }
            ExitCode::from(outcome.code)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(clerk_drift::exit::ERROR)
        }
    }
}
