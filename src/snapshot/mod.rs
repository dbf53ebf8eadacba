//! Snapshots: the normalized model and its schema, normalization of a [`crate::recording`], and
//! canonical reading and atomic writing. Reads recordings; never the collector (`clerk`).

pub mod attest;
pub mod io;
pub mod model;
pub mod normalize;
pub mod schema;

pub use model::{Snapshot, Source};
pub use normalize::normalize;
