//! The exit-code contract (README "Exit codes", `--help`): `0` clean, `1` error or incomplete
//! data, otherwise a bitset of `2` drift, `4` policy violations at or above `--fail-on`, `8`
//! expired or invalid waivers. Every command composes its code here, from what it found; only
//! `main` exits.

pub const CLEAN: u8 = 0;
pub const ERROR: u8 = 1;
pub const DRIFT: u8 = 2;
pub const POLICY: u8 = 4;
pub const WAIVERS: u8 = 8;

/// What one run found, in the terms of the contract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Found {
    /// Data the run needed was not observed (a live pull with gaps, or a setting the baseline
    /// observed that the current snapshot does not).
    pub incomplete: bool,
    pub drift: bool,
    /// A failing finding at or above the `--fail-on` threshold that no waiver accepts.
    pub violations: bool,
    /// An expired or invalid waiver (or an unused one under `--deny-unused-waivers`).
    pub bad_waivers: bool,
}

impl Found {
    /// Incomplete data outranks every other finding: the rest cannot be trusted.
    pub fn code(self) -> u8 {
        if self.incomplete {
            return ERROR;
        }
        let mut code = CLEAN;
        if self.drift {
            code |= DRIFT;
        }
        if self.violations {
            code |= POLICY;
        }
        if self.bad_waivers {
            code |= WAIVERS;
        }
        code
    }
}

/// The exit code of several instances (`--all`): `1` if any could not be checked, else the union
/// of their bits.
pub fn combine(codes: impl IntoIterator<Item = u8>) -> u8 {
    let mut all = CLEAN;
    for code in codes {
        if code == ERROR {
            return ERROR;
        }
        all |= code;
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_finding_sets_its_bit() {
        assert_eq!(Found::default().code(), 0);
        let drift = Found {
            drift: true,
            ..Found::default()
        };
        assert_eq!(drift.code(), 2);
        let all = Found {
            drift: true,
            violations: true,
            bad_waivers: true,
            ..Found::default()
        };
        assert_eq!(all.code(), 14);
        let policy = Found {
            violations: true,
            ..Found::default()
        };
        assert_eq!(policy.code(), 4);
    }

    #[test]
    fn incomplete_data_is_an_error_whatever_else_was_found() {
        let found = Found {
            incomplete: true,
            drift: true,
            violations: true,
            bad_waivers: true,
        };
        assert_eq!(found.code(), ERROR);
    }

    #[test]
    fn instances_combine_to_the_union_unless_one_failed() {
        assert_eq!(combine([]), CLEAN);
        assert_eq!(combine([0, 2, 4]), 6);
        assert_eq!(combine([2, 8]), 10);
        assert_eq!(combine([6, 1, 0]), ERROR);
    }
}
