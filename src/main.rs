//! The binary: parse arguments, run, print, and map the outcome to the exit code. The only place
//! that prints or exits; it also owns the terminal side of [`clerk_drift::Ui`] (progress, request
//! log, warnings, the no-echo prompt), all on standard error.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use clerk_drift::clerk::{Event, Observer};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Pulls parse megabytes of JSON into many small allocations; see docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Standard-error UI: a progress bar that appears only for pulls longer than a second on a
/// terminal, `--verbose` request logs, and warnings.
struct Terminal {
    quiet: bool,
    verbose: bool,
    bar: ProgressBar,
    started: Mutex<Option<Instant>>,
}

impl Terminal {
    fn new(quiet: bool, verbose: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} pulling from Clerk: {pos}/{len} requests {elapsed}",
        ) {
            bar.set_style(style);
        }
        Terminal {
            quiet,
            verbose,
            bar,
            started: Mutex::new(None),
        }
    }

    fn say(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }
}

impl Observer for Terminal {
    fn event(&self, event: &Event) {
        match event {
            Event::Log(line) if self.verbose => self.say(&format!("clerk-drift: {line}")),
            Event::Retry { request, why, wait } if self.verbose => self.say(&format!(
                "clerk-drift: {request}: {why}; retrying in {} ms",
                wait.as_millis()
            )),
            Event::Progress { done, started } => {
                self.bar.set_length(u64::from(*started));
                self.bar.set_position(u64::from(*done));
                let mut first = self.started.lock().unwrap_or_else(|e| e.into_inner());
                let t0 = *first.get_or_insert_with(Instant::now);
                if !self.quiet
                    && self.bar.is_hidden()
                    && t0.elapsed() > Duration::from_secs(1)
                    && std::io::stderr().is_terminal()
                {
                    self.bar.set_draw_target(ProgressDrawTarget::stderr());
                    self.bar.enable_steady_tick(Duration::from_millis(120));
                }
            }
            _ => {}
        }
    }
}

impl clerk_drift::Ui for Terminal {
    fn warn(&self, message: &str) {
        self.say(&format!("warning: {message}"));
    }

    fn read_secret(&self, prompt: &str) -> std::io::Result<String> {
        if std::io::stdin().is_terminal() {
            rpassword::prompt_password(prompt)
        } else {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok(line)
        }
    }
}

/// Writes all of `text` and flushes.
fn print(mut out: impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn main() -> ExitCode {
    let cli = clerk_drift::cli::Cli::parse();
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
    terminal.bar.finish_and_clear();
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
            eprintln!("error: {err:#}");
            ExitCode::from(clerk_drift::exit::ERROR)
        }
    }
}
