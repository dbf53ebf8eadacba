//! End-to-end tests of the real binary. One test binary, as ripgrep and zizmor do.

mod archetypes;
mod architecture;
mod auth;
mod baseline;
mod ci;
mod common;
mod crash;
mod errors;
mod evidence;
mod examples;
mod fake;
mod faults;
mod features;
mod fuzz_corpora;
mod golden;
mod hygiene;
mod output;
mod policy;
mod properties;
mod pull;
mod rules;
mod secrets;
mod views;
