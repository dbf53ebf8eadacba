//! `evidence verify DIR|ARCHIVE` and `keygen PREFIX`: check an evidence bundle (every hash, and the
//! signature with `--pubkey`); make a minisign key pair for signing bundles.

use std::path::Path;

use anyhow::{Result, bail};

use crate::{Outcome, evidence};

pub(super) fn verify(dir: &Path, pubkey: Option<&Path>) -> Result<Outcome> {
    let v = evidence::verify(dir, pubkey)?;
    if v.ok() {
        let n = v.listed;
        return Ok(Outcome {
            stdout: format!(
                "ok: {} — {n} file(s), every hash matches{}\n",
                dir.display(),
                if pubkey.is_some() {
                    "; the signature verifies"
                } else if v.signed {
                    "; signed (pass --pubkey to check the signature)"
                } else {
                    ""
                }
            ),
            ..Default::default()
        });
    }
    let mut lines = Vec::new();
    lines.extend(v.altered.iter().map(|f| format!("altered: {f}")));
    lines.extend(v.missing.iter().map(|f| format!("removed: {f}")));
    lines.extend(v.added.iter().map(|f| format!("added: {f}")));
    lines.extend(v.other.iter().cloned());
    bail!(
        "{}: the evidence bundle does not verify:\n  - {}",
        dir.display(),
        lines.join("\n  - ")
    )
}

pub(super) fn keygen(prefix: &Path) -> Result<Outcome> {
    let (secret, public) = evidence::keygen(prefix)?;
    Ok(Outcome {
        stdout: format!(
            "Wrote {} (secret: keep it out of the repository; unencrypted, mode 0600) and {} (public: give it to auditors).\n",
            secret.display(),
            public.display()
        ),
        ..Default::default()
    })
}
