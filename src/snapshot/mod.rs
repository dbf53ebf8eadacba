//! Snapshots: the recording layout, the normalized model and its schema, normalization, and
//! canonical reading and atomic writing.

pub mod attest;
pub mod io;
pub mod model;
pub mod normalize;
pub mod recording;
pub mod schema;

pub use model::{Snapshot, Source};
pub use normalize::normalize;
pub use recording::Recording;
