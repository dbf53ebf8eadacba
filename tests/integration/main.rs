//! End-to-end tests of the real binary. One test binary, as ripgrep and zizmor do.

mod archetypes;
mod architecture;
mod attestations;
mod auth;
mod baseline;
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
mod plans;
mod policy;
mod properties;
mod pull;
mod reads;
mod rules;
mod secrets;
mod views;
mod waivers;
