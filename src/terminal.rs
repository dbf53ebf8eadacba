//! The binary's terminal: progress, the `--verbose` request log and warnings on standard error,
//! and the no-echo secret prompt — the side of [`clerk_drift::Ui`] that prints. Binary-only.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clerk_drift::clerk::{Event, Observer};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Standard-error UI: a progress bar that appears only for pulls longer than a second on a
/// terminal, `--verbose` request logs, and warnings.
pub struct Terminal {
    quiet: bool,
    verbose: bool,
    bar: ProgressBar,
    started: Mutex<Option<Instant>>,
}

impl Terminal {
    pub fn new(quiet: bool, verbose: bool) -> Self {
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

    /// Clears the progress indicator before the outcome is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
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

    fn ask(&self, prompt: &str) -> std::io::Result<Option<String>> {
        use std::io::Write as _;
        self.bar.suspend(|| {
            let mut err = std::io::stderr().lock();
            write!(err, "{prompt}")?;
            err.flush()
        })?;
        let mut line = String::new();
        Ok((std::io::stdin().read_line(&mut line)? > 0).then_some(line))
    }
}
