//! Rendering results for people and machines. Each format is one file; this module holds what
//! they share: the [`Report`] of a run. The human form of a value is
//! [`crate::snapshot::schema::display_value`]. The Markdown and HTML formats are laid out by the
//! templates in `templates/`, through the one environment and escapers of `templates.rs`. Reports
//! read the diff and the findings; nothing but the command layer (and the binary) imports them.

pub mod controls;
pub mod header;
pub mod html;
pub mod json;
pub mod junit;
mod locate;
pub mod markdown;
pub mod overrides;
pub mod sarif;
mod templates;
pub mod text;

/// Everything a run produced, for the machine and Markdown formats.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    pub command: &'static str,
    pub current: &'a str,
    pub baseline: Option<&'a str>,
    pub snapshot: &'a crate::snapshot::Snapshot,
    pub drift: Option<&'a crate::diff::Drift>,
    /// Baseline snapshot (provenance of removed entries).
    pub baseline_snapshot: Option<&'a crate::snapshot::Snapshot>,
    pub policy: Option<(
        &'a crate::policy::Policy,
        &'a [crate::policy::Finding],
        &'a crate::policy::waivers::Review,
    )>,
    pub exit_code: u8,
}
