//! The control matrix as auditors sort it: the order of framework controls (natural: checklist
//! item 2 before 10, `A.8.5` before `A.8.31`), the titles of the controls the built-in pack
//! references, and `controls.csv` — one row per control × finding with the rule, its severity and
//! verdict, the setting and where the evidence is (`findings.json#/findings/N`), and one per
//! control × disabled rule; how a disabled rule bears on a control's verdict ([`with_disabled`]).

use std::cmp::Ordering;
use std::fmt::Write as _;

use super::Report;
use super::json::status_name;
use crate::policy::Policy;

/// Compares two control ids (or framework names) naturally: runs of digits by their value, the
/// rest as text, so `2` < `10`, `CC6.2` < `CC6.10`, `A.8.5` < `A.8.31`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let (ca, ra) = chunk(a);
        let (cb, rb) = chunk(b);
        let digits = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
        let ord = if digits(ca) && digits(cb) {
            let (ta, tb) = (ca.trim_start_matches('0'), cb.trim_start_matches('0'));
            ta.len()
                .cmp(&tb.len())
                .then_with(|| ta.cmp(tb))
                .then_with(|| ca.len().cmp(&cb.len()))
        } else {
            ca.cmp(cb)
        };
        if ord != Ordering::Equal {
            return ord;
        }
        (a, b) = (ra, rb);
    }
}

/// The leading run of digits, or of non-digits, and the rest.
fn chunk(s: &str) -> (&str, &str) {
    let digit = s.starts_with(|c: char| c.is_ascii_digit());
    let end = s
        .find(|c: char| c.is_ascii_digit() != digit)
        .unwrap_or(s.len());
    s.split_at(end)
}

/// The title of a control the built-in pack references; empty for one it does not know (a
/// framework or control of a team's own policy). Short titles in our words for SOC 2 (the
/// criteria have no official titles), ISO/IEC 27001:2022 Annex A control names, the hardening
/// checklist's items and Clerk's `clerk security audit` checks; NIST SP 800-63B-4 section
/// headings word for word as the final revision 4 (2025) has them (so §2.1.3, §2.2.3 and §5.2
/// are each *Reauthentication*: the control id says which); and for OWASP ASVS 5.0, whose
/// requirements have no titles, a short summary of the requirement's 5.0 text. Two tests keep the
/// pack and this list in step: every control the pack references has a title, and every title
/// belongs to one.
pub fn title(framework: &str, control: &str) -> &'static str {
    CATALOG
        .iter()
        .find(|(f, c, _)| *f == framework && *c == control)
        .map_or("", |(_, _, t)| t)
}

const CATALOG: &[(&str, &str, &str)] = &[
    (
        "soc2",
        "A1.2",
        "Environmental protections, backup and recovery",
    ),
    (
        "soc2",
        "CC6.1",
        "Logical access security over protected information assets",
    ),
    ("soc2", "CC6.2", "Registration and authorization of users"),
    (
        "soc2",
        "CC6.3",
        "Role-based access: granting, changing and removing access",
    ),
    (
        "soc2",
        "CC6.6",
        "Protection against threats from outside the system boundaries",
    ),
    (
        "soc2",
        "CC6.7",
        "Restricted transmission and movement of information",
    ),
    (
        "soc2",
        "CC6.8",
        "Prevention and detection of unauthorized or malicious software",
    ),
    (
        "soc2",
        "CC7.2",
        "Monitoring of system components for anomalies",
    ),
    ("soc2", "CC8.1", "Change management"),
    (
        "soc2",
        "P4.1",
        "Use of personal information limited to the stated objectives",
    ),
    ("soc2", "P4.3", "Secure disposal of personal information"),
    ("soc2", "PI1.3", "Processing integrity: system processing"),
    ("iso27001", "A.5.16", "Identity management"),
    ("iso27001", "A.5.17", "Authentication information"),
    ("iso27001", "A.5.18", "Access rights"),
    (
        "iso27001",
        "A.5.19",
        "Information security in supplier relationships",
    ),
    ("iso27001", "A.5.34", "Privacy and protection of PII"),
    ("iso27001", "A.8.2", "Privileged access rights"),
    ("iso27001", "A.8.3", "Information access restriction"),
    ("iso27001", "A.8.4", "Access to source code"),
    ("iso27001", "A.8.5", "Secure authentication"),
    ("iso27001", "A.8.7", "Protection against malware"),
    ("iso27001", "A.8.16", "Monitoring activities"),
    ("iso27001", "A.8.20", "Networks security"),
    ("iso27001", "A.8.24", "Use of cryptography"),
    ("iso27001", "A.8.26", "Application security requirements"),
    (
        "iso27001",
        "A.8.31",
        "Separation of development, test and production environments",
    ),
    ("nist_800_63b", "2.1", "Authentication Assurance Level 1"),
    ("nist_800_63b", "2.1.3", "Reauthentication"),
    ("nist_800_63b", "2.2.1", "Permitted Authenticator Types"),
    (
        "nist_800_63b",
        "2.2.2",
        "Authenticator and Verifier Requirements",
    ),
    ("nist_800_63b", "2.2.3", "Reauthentication"),
    ("nist_800_63b", "3.1.1.1", "Password Authenticators"),
    ("nist_800_63b", "3.1.1.2", "Password Verifiers"),
    (
        "nist_800_63b",
        "3.1.3.3",
        "Authentication Using the Public Switched Telephone Network",
    ),
    ("nist_800_63b", "3.2.2", "Rate Limiting (Throttling)"),
    ("nist_800_63b", "3.2.5", "Phishing Resistance"),
    ("nist_800_63b", "5.2", "Reauthentication"),
    (
        "asvs",
        "6.2.3",
        "Password change requires the current and new password",
    ),
    (
        "asvs",
        "6.6.1",
        "SMS and phone OTPs only to a validated number, with stronger methods offered and the risks explained",
    ),
    (
        "asvs",
        "7.5.1",
        "Full re-authentication before changing account attributes that affect authentication",
    ),
    ("asvs", "13.4.2", "Debug modes disabled in production"),
    (
        "asvs",
        "14.2.1",
        "Sensitive data only in the HTTP body or headers, never in the URL or query string",
    ),
    (
        "checklist",
        "2",
        "Production runs on a live instance, never a test instance",
    ),
    (
        "checklist",
        "3",
        "Allowed origins list the production domains exactly",
    ),
    (
        "checklist",
        "4",
        "Secret key rotated on departures and suspected leaks",
    ),
    ("checklist", "5", "Session inactivity timeout"),
    (
        "checklist",
        "6",
        "Sessions revoked on password, email and MFA changes",
    ),
    ("checklist", "9", "Webhook signatures verified"),
    (
        "checklist",
        "10",
        "Webhook secret from the environment, never in code",
    ),
    ("checklist", "11", "Idempotent webhook handlers"),
    (
        "checklist",
        "12",
        "Personal data deleted when a user is deleted",
    ),
    ("checklist", "15", "Cross-organization isolation tested"),
    (
        "checklist",
        "16",
        "JWT templates carry only necessary claims, no needless PII",
    ),
    (
        "checklist",
        "17",
        "Short expiry for client-side JWT templates",
    ),
    ("checklist", "18", "JWT templates carry an audience claim"),
    ("checklist", "19", "Alerts on failed-login spikes"),
    (
        "clerk_audit",
        "allowlist-on-sign-in",
        "Allowlist enforced on sign-in",
    ),
    (
        "clerk_audit",
        "block-disposable-email",
        "Disposable email addresses blocked",
    ),
    (
        "clerk_audit",
        "block-email-subaddresses",
        "Email subaddresses blocked",
    ),
    ("clerk_audit", "bot-protection", "Bot protection"),
    (
        "clerk_audit",
        "breach-detection",
        "Breached-password detection",
    ),
    (
        "clerk_audit",
        "breach-detection-sign-in",
        "Breach detection on sign-in",
    ),
    ("clerk_audit", "device-trust", "Device trust"),
    (
        "clerk_audit",
        "email-link-same-client",
        "Email links completed on the same client",
    ),
    ("clerk_audit", "email-verification", "Email verification"),
    (
        "clerk_audit",
        "lockout-threshold",
        "Lockout threshold of at most 10 attempts",
    ),
    ("clerk_audit", "mfa", "MFA available"),
    ("clerk_audit", "mfa-required", "MFA required"),
    (
        "clerk_audit",
        "oauth-custom-credentials",
        "OAuth providers on custom credentials",
    ),
    ("clerk_audit", "passkeys", "Passkeys"),
    (
        "clerk_audit",
        "password-min-length",
        "Password minimum length of at least 8",
    ),
    ("clerk_audit", "passwordless-auth", "Passwordless option"),
    ("clerk_audit", "phone-verification", "Phone verification"),
    ("clerk_audit", "session-lifetime", "Session lifetime"),
    ("clerk_audit", "user-lockout", "User lockout"),
];

/// `controls.csv`'s columns (the last, `overridden_by`, names the `[[override]]` tables —
/// `file:line`, `; `-separated — that changed or disabled the rule; empty when none did).
pub const CSV_HEADER: &str = "framework,control,control_title,rule,rule_title,severity,verdict,target,evidence,overridden_by\r\n";

/// The `file:line` of each `[[override]]` that changed rule `id` (not one that disabled it),
/// `; `-separated; none when no layer overrode it.
pub fn overridden_by(policy: &Policy, id: &str) -> Option<String> {
    let by: Vec<&str> = policy
        .overrides_of(id)
        .filter(|o| o.disabled.is_none())
        .map(|o| o.by.as_str())
        .collect();
    (!by.is_empty()).then(|| by.join("; "))
}

/// A control's verdict and its label when `disabled` of its rules are disabled: a control with a
/// disabled rule is never a pass — a pass (or waived, or not applicable) becomes `partial`, and
/// the label counts the disabled rules (`partial (1 rule disabled)`, `fail (2 rules disabled)`).
pub fn with_disabled(verdict: &'static str, disabled: usize) -> (&'static str, String) {
    if disabled == 0 {
        return (verdict, verdict.replace('_', " "));
    }
    let verdict = if matches!(verdict, "fail" | "unknown") {
        verdict
    } else {
        "partial"
    };
    let rules = if disabled == 1 { "rule" } else { "rules" };
    (verdict, format!("{verdict} ({disabled} {rules} disabled)"))
}

/// A `controls.csv` row: framework, control, rule, target and order (the sort keys), then the
/// fields after the control.
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, usize, [String; 8]);

/// `controls.csv`: one row per control a finding's rule maps to, and one per control a disabled
/// rule maps to (verdict `disabled`, no setting, the evidence the `[[override]]`'s `file:line`),
/// sorted by framework, then control (naturally), rule and target; lines end in CRLF (RFC 4180).
/// `findings` names the JSON report in the bundle; a finding's evidence is its JSON pointer there.
pub fn csv(r: &Report<'_>, findings_file: &str) -> String {
    let mut csv = String::from(CSV_HEADER);
    let Some((policy, findings, _)) = r.policy else {
        return csv;
    };
    let mut rows: Vec<Row<'_>> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let Some(rule) = policy.rule(&f.rule_id) else {
            continue;
        };
        for (framework, ids) in &rule.controls {
            for id in ids {
                rows.push((
                    framework,
                    id,
                    &f.rule_id,
                    &f.target,
                    i,
                    [
                        title(framework, id).to_owned(),
                        f.rule_id.clone(),
                        rule.title.clone(),
                        f.severity.as_str().to_owned(),
                        status_name(f).to_owned(),
                        f.target.clone(),
                        format!("{findings_file}#/findings/{i}"),
                        overridden_by(policy, &f.rule_id).unwrap_or_default(),
                    ],
                ));
            }
        }
    }
    for (o, rule) in policy.disabled() {
        for (framework, ids) in &rule.controls {
            for id in ids {
                rows.push((
                    framework,
                    id,
                    &rule.id,
                    "",
                    usize::MAX,
                    [
                        title(framework, id).to_owned(),
                        rule.id.clone(),
                        rule.title.clone(),
                        rule.severity.as_str().to_owned(),
                        "disabled".to_owned(),
                        String::new(),
                        o.by.clone(),
                        o.by.clone(),
                    ],
                ));
            }
        }
    }
    rows.sort_by(|a, b| {
        natural_cmp(a.0, b.0)
            .then_with(|| natural_cmp(a.1, b.1))
            .then_with(|| a.2.cmp(b.2))
            .then_with(|| natural_cmp(a.3, b.3))
            .then_with(|| a.4.cmp(&b.4))
    });
    for (framework, control, _, _, _, rest) in rows {
        let line: Vec<String> = [framework, control]
            .into_iter()
            .chain(rest.iter().map(String::as_str))
            .map(field)
            .collect();
        let _ = write!(csv, "{}\r\n", line.join(","));
    }
    csv
}

/// A CSV field, quoted when it needs to be (RFC 4180: a comma, a quote or a line break).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_sort_naturally() {
        let mut ids = vec![
            "10", "2", "A.8.31", "A.8.5", "CC6.10", "CC6.2", "A.5.16", "19", "3.1.1.2", "3.1.1.10",
            "02",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "2", "02", "3.1.1.2", "3.1.1.10", "10", "19", "A.5.16", "A.8.5", "A.8.31", "CC6.2",
                "CC6.10"
            ]
        );
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
        assert_eq!(natural_cmp("a", "a1"), Ordering::Less);
    }

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("soc2"), "soc2");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\r"), "\"cr\r\"");
    }

    #[test]
    fn every_control_of_the_built_in_pack_has_a_title() {
        let pack = crate::policy::Policy::parse(crate::policy::BUILTIN, "pack").expect("pack");
        let mut missing = Vec::new();
        for rule in &pack.rules {
            for (framework, ids) in &rule.controls {
                for id in ids {
                    if title(framework, id).is_empty() {
                        missing.push(format!("{framework} {id} ({})", rule.id));
                    }
                }
            }
        }
        assert_eq!(missing, Vec::<String>::new());
    }

    #[test]
    fn every_title_belongs_to_a_control_of_the_built_in_pack() {
        let pack = crate::policy::Policy::parse(crate::policy::BUILTIN, "pack").expect("pack");
        let unused: Vec<String> = CATALOG
            .iter()
            .filter(|(f, c, _)| {
                !pack.rules.iter().any(|r| {
                    r.controls
                        .iter()
                        .any(|(rf, ids)| rf == f && ids.iter().any(|id| id == c))
                })
            })
            .map(|(f, c, _)| format!("{f} {c}"))
            .collect();
        assert_eq!(unused, Vec::<String>::new());
    }

    #[test]
    fn revision_4_and_5_0_titles() {
        // NIST SP 800-63B-4 (final, 2025) headings word for word; ASVS 5.0 summaries.
        assert_eq!(
            title("nist_800_63b", "2.2.1"),
            "Permitted Authenticator Types"
        );
        assert_eq!(
            title("nist_800_63b", "2.2.2"),
            "Authenticator and Verifier Requirements"
        );
        assert_eq!(title("nist_800_63b", "3.2.2"), "Rate Limiting (Throttling)");
        assert_eq!(title("nist_800_63b", "3.2.5"), "Phishing Resistance");
        assert_eq!(title("nist_800_63b", "5.2"), "Reauthentication");
        assert_eq!(
            title("asvs", "13.4.2"),
            "Debug modes disabled in production"
        );
        // Unknown frameworks and controls stay untitled.
        assert_eq!(title("asvs", "1.1.1"), "");
        assert_eq!(title("team", "2.2.1"), "");
    }
}
