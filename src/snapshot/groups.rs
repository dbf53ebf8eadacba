//! How a setting path is grouped in a plan (docs/output.md, "Groups"): a curated setting belongs
//! to its section (`session`); an observed one (`observed.<api>.…`, a value Clerk returned that
//! the curated vocabulary does not carry) to its source and first meaningful segments
//! (`fapi display_config`, `plapi auth_email`, `bapi jwt_templates[supabase]`). Some observed
//! values only change how Clerk's pages look: [`COSMETIC`] lists them, each with its reason.
//! A group name, or `cosmetic`, is also an ignore pattern ([`ignore_names`]). Pure: paths in,
//! names out.

use std::sync::LazyLock;

use crate::path::{Path, Seg};

/// The top-level field that holds every observed (not curated) value.
pub const OBSERVED: &str = "observed";

/// Observed containers too large to be one group: they group one level deeper
/// (`fapi user_settings.social`, `fapi user_settings.attributes`).
const SPLIT: &[(&str, &str)] = &[("fapi", "user_settings")];

/// Where a setting belongs in a plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Group {
    /// The group's name as plans print it: a curated section (`session`), or an observed
    /// group (`fapi display_config`).
    pub name: String,
    /// The path every setting of the group lies under (`observed.fapi.display_config`): as an
    /// ignore pattern, it drops the group.
    pub prefix: Path,
    /// Whether the group is of the curated vocabulary.
    pub curated: bool,
}

/// Whether `path` lies in the observed section (not the curated vocabulary).
pub fn is_observed(path: &Path) -> bool {
    matches!(path.0.first(), Some(Seg::Field(f)) if f == OBSERVED)
}

/// The group of `path`: its section when curated; when observed, `observed.<api>` and the next
/// segment (two under a [`SPLIT`] container), with the entry key that follows if any.
pub fn group_of(path: &Path) -> Group {
    if !is_observed(path) {
        let prefix = Path(path.0.iter().take(1).cloned().collect());
        return Group {
            name: prefix.to_string(),
            prefix,
            curated: true,
        };
    }
    let segs = &path.0;
    let text = |s: Option<&Seg>| match s {
        Some(Seg::Field(f) | Seg::Key(f)) => f.clone(),
        None => String::new(),
    };
    let source = text(segs.get(1));
    let mut end = segs.len().min(3);
    if end == 3 && SPLIT.contains(&(source.as_str(), text(segs.get(2)).as_str())) {
        end = segs.len().min(4);
    }
    if matches!(segs.get(end), Some(Seg::Key(_))) {
        end += 1;
    }
    let prefix = Path(segs[..end].to_vec());
    let name = match end {
        0 | 1 => OBSERVED.to_owned(),
        2 => source,
        _ => format!("{source} {}", Path(segs[2..end].to_vec())),
    };
    Group {
        name,
        prefix,
        curated: false,
    }
}

/// An observed value that only changes how Clerk's pages look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cosmetic {
    /// What it matches: `*` within one segment, `[*]` any entry key; a pattern covers
    /// everything below the paths it matches.
    pub pattern: &'static str,
    /// `branding`, `logos` or `theme`: what a plan's collapsed line names.
    pub category: &'static str,
    /// Why it is cosmetic (docs/output.md lists this table).
    pub reason: &'static str,
}

/// Observed values that are cosmetic. Links are not (`display_config.logo_link_url`, the
/// redirect URLs, `support_email`): where a page sends people is not how it looks.
pub const COSMETIC: &[Cosmetic] = &[
    Cosmetic {
        pattern: "observed.fapi.display_config.theme",
        category: "theme",
        reason: "colours, fonts and spacing of Clerk's hosted pages and components",
    },
    Cosmetic {
        pattern: "observed.fapi.display_config.logo_image",
        category: "logos",
        reason: "the logo image shown on Clerk's pages",
    },
    Cosmetic {
        pattern: "observed.fapi.display_config.logo_image_url",
        category: "logos",
        reason: "the logo image shown on Clerk's pages",
    },
    Cosmetic {
        pattern: "observed.fapi.display_config.logo_url",
        category: "logos",
        reason: "the logo image shown on Clerk's pages",
    },
    Cosmetic {
        pattern: "observed.fapi.display_config.favicon_*",
        category: "logos",
        reason: "the favicon of Clerk's pages",
    },
    Cosmetic {
        pattern: "observed.fapi.display_config.application_name",
        category: "branding",
        reason: "the application name shown on Clerk's pages and in its emails",
    },
    Cosmetic {
        pattern: "observed.fapi.display_config.branded",
        category: "branding",
        reason: "whether Clerk's pages show the \"Secured by Clerk\" badge",
    },
    Cosmetic {
        pattern: "observed.plapi.branding",
        category: "branding",
        reason: "the Platform config's logo, favicon and Clerk badge",
    },
    Cosmetic {
        pattern: "observed.bapi.enterprise_connections[*].logo_public_url",
        category: "logos",
        reason: "the identity provider's logo on the sign-in button",
    },
];

/// The [`COSMETIC`] entry `path` falls under, if any (never for a curated path).
pub fn cosmetic(path: &Path) -> Option<&'static Cosmetic> {
    if !is_observed(path) {
        return None;
    }
    static PARSED: LazyLock<Vec<(Path, &'static Cosmetic)>> = LazyLock::new(|| {
        COSMETIC
            .iter()
            .filter_map(|c| Path::parse(c.pattern).ok().map(|p| (p, c)))
            .collect()
    });
    PARSED
        .iter()
        .find(|(p, _)| {
            p.0.len() <= path.0.len() && p.0.iter().zip(&path.0).all(|(p, s)| seg_matches(p, s))
        })
        .map(|(_, c)| *c)
}

/// One pattern segment against one path segment: `[*]` is any key (or field: an observed list
/// may be keyed either way), `*` in a field any run of characters.
fn seg_matches(pattern: &Seg, seg: &Seg) -> bool {
    match (pattern, seg) {
        (Seg::Key(p), Seg::Key(_) | Seg::Field(_)) if p == "*" => true,
        (Seg::Key(p), Seg::Key(s)) => p == s,
        (Seg::Field(p), Seg::Field(s)) => match p.split_once('*') {
            Some((head, tail)) => {
                s.len() >= head.len() + tail.len() && s.starts_with(head) && s.ends_with(tail)
            }
            None => p == s,
        },
        _ => false,
    }
}

/// Whether an ignore pattern is written as a name rather than a path: `cosmetic`, or a group of
/// other settings (`fapi display_config`: a source, a space, its segments).
pub fn is_name_pattern(pattern: &str) -> bool {
    pattern == "cosmetic"
        || ["fapi ", "bapi ", "plapi "].iter().any(|api| {
            pattern
                .strip_prefix(api)
                .is_some_and(|rest| !rest.trim().is_empty())
        })
}

/// Whether ignore `pattern` names `path` by group rather than by glob: `cosmetic` (every
/// [`COSMETIC`] value) or an observed group's name as plans print it (`fapi display_config`,
/// everything under it).
pub fn ignore_names(pattern: &str, path: &Path) -> bool {
    if !is_observed(path) {
        return false;
    }
    if pattern == "cosmetic" {
        return cosmetic(path).is_some();
    }
    pattern.contains(' ') && group_of(path).name == pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Path {
        Path::parse(s).expect("path")
    }

    fn name(s: &str) -> (String, String, bool) {
        let g = group_of(&p(s));
        (g.name, g.prefix.to_string(), g.curated)
    }

    #[test]
    fn curated_settings_group_by_section() {
        assert_eq!(
            name("session.inactivity_timeout"),
            ("session".into(), "session".into(), true)
        );
        assert_eq!(
            name("jwt_templates[supabase].lifetime"),
            ("jwt_templates".into(), "jwt_templates".into(), true)
        );
        assert!(!is_observed(&p("observed_by.x")));
    }

    #[test]
    fn observed_settings_group_by_source_and_first_segments() {
        let cases = [
            (
                "observed.fapi.display_config.theme.general.color",
                "fapi display_config",
                "observed.fapi.display_config",
            ),
            (
                "observed.plapi.auth_email.immutable",
                "plapi auth_email",
                "observed.plapi.auth_email",
            ),
            (
                "observed.bapi.jwt_templates[supabase].allowed_clock_skew",
                "bapi jwt_templates[supabase]",
                "observed.bapi.jwt_templates[supabase]",
            ),
            (
                "observed.fapi.user_settings.attributes.phone_number.used_for_second_factor",
                "fapi user_settings.attributes",
                "observed.fapi.user_settings.attributes",
            ),
            (
                "observed.fapi.user_settings.social[oauth_google].enabled",
                "fapi user_settings.social[oauth_google]",
                "observed.fapi.user_settings.social[oauth_google]",
            ),
            (
                "observed.fapi.client_debug_mode",
                "fapi client_debug_mode",
                "observed.fapi.client_debug_mode",
            ),
            // A whole source or section added or lost at once.
            ("observed.plapi", "plapi", "observed.plapi"),
            ("observed", "observed", "observed"),
        ];
        for (path, group, prefix) in cases {
            assert_eq!(
                name(path),
                (group.to_owned(), prefix.to_owned(), false),
                "{path}"
            );
        }
    }

    #[test]
    fn cosmetic_values_are_branding_theme_and_logos_never_links_or_curated() {
        let category = |s: &str| cosmetic(&p(s)).map(|c| c.category);
        assert_eq!(
            category("observed.fapi.display_config.theme.general.color"),
            Some("theme")
        );
        assert_eq!(
            category("observed.fapi.display_config.favicon_image_url"),
            Some("logos")
        );
        assert_eq!(
            category("observed.fapi.display_config.logo_image_url"),
            Some("logos")
        );
        assert_eq!(
            category("observed.fapi.display_config.application_name"),
            Some("branding")
        );
        assert_eq!(
            category("observed.plapi.branding.show_clerk_branding"),
            Some("branding")
        );
        assert_eq!(
            category("observed.bapi.enterprise_connections[okta].logo_public_url"),
            Some("logos")
        );
        for not in [
            "observed.fapi.display_config.logo_link_url",
            "observed.fapi.display_config.after_sign_in_url",
            "observed.fapi.display_config.captcha_oauth_bypass",
            "observed.fapi.display_config.support_email",
            "observed.fapi.display_config",
            "observed.fapi.display_config.themes",
            "observed.plapi.auth_email.immutable",
            "observed.bapi.enterprise_connections[okta].domains",
        ] {
            assert_eq!(category(not), None, "{not}");
        }
        assert_eq!(category("display_config.theme"), None, "curated: never");
        for c in COSMETIC {
            assert!(
                Path::parse(c.pattern).is_ok_and(|p| is_observed(&p)),
                "{}",
                c.pattern
            );
        }
    }

    #[test]
    fn docs_list_every_cosmetic_value_with_its_reason() {
        let docs = include_str!("../../docs/output.md");
        for c in COSMETIC {
            let last = c.pattern.rsplit('.').next().unwrap_or(c.pattern);
            assert!(
                docs.contains(c.reason) && docs.contains(last),
                "docs/output.md's cosmetic table lacks `{}` ({})",
                c.pattern,
                c.reason
            );
        }
    }

    #[test]
    fn ignore_patterns_name_a_group_or_every_cosmetic_value() {
        let theme = p("observed.fapi.display_config.theme.general.color");
        let bypass = p("observed.fapi.display_config.captcha_oauth_bypass");
        assert!(ignore_names("cosmetic", &theme));
        assert!(!ignore_names("cosmetic", &bypass));
        assert!(ignore_names("fapi display_config", &theme));
        assert!(ignore_names("fapi display_config", &bypass));
        assert!(!ignore_names("fapi auth_config", &bypass));
        assert!(
            !ignore_names("session", &p("session.multi_session")),
            "curated sections are ignored by path"
        );
        assert!(!ignore_names("fapi", &bypass), "a group name has its api");
    }
}
