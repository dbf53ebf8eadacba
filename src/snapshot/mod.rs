//! Snapshots: the normalized model and its schema, normalization of a [`crate::recording`], and
//! canonical reading and atomic writing, and how settings group in a plan (`groups`). Reads
//! recordings; never the collector (`clerk`).

pub mod attest;
pub mod groups;
pub mod io;
pub mod model;
pub mod normalize;
pub mod schema;

pub use model::{Snapshot, Source};
pub use normalize::normalize;
