//! clerk-drift keeps a Clerk instance's security configuration honest. The library is one
//! one-way flow, a module per stage, each knowing only the stages before it:
//!
//! ```text
//! collect (clerk) → normalize (snapshot) → diff / evaluate (policy) → report → evidence
//! ```
//!
//! [`commands`] sits on top: one file per command, resolving flags, clerk-drift.toml and the
//! environment, calling the stages, and returning an [`Outcome`] whose exit code follows
//! [`exit`]. The library never prints: `main` prints the outcome and exits.

pub mod baseline;
pub mod clerk;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub mod diff;
pub mod duration;
pub mod evidence;
pub mod exit;
pub mod fsx;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod jsonx;
pub mod path;
pub mod policy;
pub mod recording;
pub mod remedy;
pub mod report;
pub mod secrets;
pub mod snapshot;

pub use commands::run;

/// What a command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub code: u8,
    /// `stdout` is human text that may carry styles (ANSI escapes written by the
    /// [`report::text`] renderers): the binary writes it through `anstream`, which strips them
    /// unless colour is wanted. When false, `stdout` is written as it is.
    pub styled: bool,
}

/// What the library needs from the terminal: progress and request logs (as a
/// [`clerk::Observer`]), warnings, and a no-echo secret prompt. The binary implements it on
/// standard error; tests use [`NoUi`].
pub trait Ui: clerk::Observer {
    fn warn(&self, message: &str);
    /// Reads one secret line: a no-echo prompt on a terminal, else standard input.
    fn read_secret(&self, prompt: &str) -> std::io::Result<String>;
    /// Asks a question (`init`): the prompt on standard error, one answer line from standard
    /// input; `None` at the end of the input (and from a UI with no input, as here).
    fn ask(&self, _prompt: &str) -> std::io::Result<Option<String>> {
        Ok(None)
    }
    /// A live pull begins (one [`Ui::pulled`] follows it, whatever the pull's result).
    fn pulling(&self) {}
    /// A live pull returned (whatever its result): a progress indicator stops and clears once
    /// every pull begun has returned and no request is in flight, rather than ticking on while
    /// the run evaluates and renders.
    fn pulled(&self) {}
}

/// A [`Ui`] that shows nothing and has no secrets to give.
pub struct NoUi;

impl clerk::Observer for NoUi {
    fn event(&self, _: &clerk::Event) {}
}

impl Ui for NoUi {
    fn warn(&self, _: &str) {}
    fn read_secret(&self, _: &str) -> std::io::Result<String> {
        Err(std::io::Error::other("no terminal"))
    }
}
