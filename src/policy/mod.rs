//! Policies: TOML rules over snapshot paths (`cfg`), and their evaluation (`eval`).
//! The built-in pack `policies/clerk-hardening.toml` is embedded in the binary.

pub mod cfg;
pub mod eval;
pub mod load;
pub mod waivers;

pub use cfg::{Assertion, Policy, Rule, Severity, Waiver};
pub use eval::{Finding, Status, evaluate};

/// File name shown for the built-in pack in messages.
pub const BUILTIN_NAME: &str = "policies/clerk-hardening.toml";
/// The built-in pack.
pub const BUILTIN: &str = include_str!("../../policies/clerk-hardening.toml");
