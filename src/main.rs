//! The binary: parse arguments, run, print, and map the outcome to the exit code. The only place
//! that prints or exits.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = clerk_drift::cli::Cli::parse();
    match clerk_drift::run(cli) {
        Ok(outcome) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(outcome.stdout.as_bytes())
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
