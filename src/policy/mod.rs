//! Policies: the validated model (`model`), built from TOML rules over snapshot paths (`cfg`),
//! evaluated against a snapshot (`eval`), with waivers applied (`waivers`). Pure: no I/O, and
//! nothing from the reports (they read findings, never the other way round).
//! The built-in pack `policies/clerk-hardening.toml` is embedded in the binary.

pub mod cfg;
pub mod eval;
pub mod load;
pub mod model;
pub mod waivers;

pub use eval::{Finding, Status, evaluate};
pub use model::{
    Assertion, Condition, FieldChange, Override, Policy, Quantifier, Rule, Severity, Waiver,
};

/// File name shown for the built-in pack in messages.
pub const BUILTIN_NAME: &str = "policies/clerk-hardening.toml";
/// The built-in pack.
pub const BUILTIN: &str = include_str!("../../policies/clerk-hardening.toml");
