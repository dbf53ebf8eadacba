//! What an audit's evidence bundle holds, file by file: the snapshot, the baseline with the hash
//! chain behind it, the JSON findings and diff, the Markdown and HTML reports, `controls.csv`,
//! the policy exactly as used and the attestations. [`super::write`] then writes it with its
//! manifest.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Error, Result};
use crate::report::html::TrendPoint;
use crate::report::{self, Report};
use crate::snapshot::{self, Snapshot};

/// The JSON report of the audit (also what the trend reads from earlier bundles).
pub const FINDINGS: &str = "findings.json";

/// Bundle-relative path → contents.
#[derive(Debug, Default)]
pub struct Files(pub BTreeMap<String, Vec<u8>>);

impl Files {
    fn put(&mut self, name: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.0.insert(name.into(), bytes.into());
    }

    /// The current snapshot, in canonical form.
    pub fn snapshot(&mut self, snap: &Snapshot) -> Result<()> {
        self.put("snapshot.json", snapshot::io::to_canonical(snap)?);
        Ok(())
    }

    /// The baseline at `path`, returned loaded: a baseline file as it is, with the hash chain
    /// behind it as accepted; a recording directory as its normalized snapshot.
    pub fn baseline(&mut self, path: &Path) -> Result<Snapshot> {
        if path.is_dir() {
            let snap = snapshot::io::load(path)?;
            self.put("baseline.json", snapshot::io::to_canonical(&snap)?);
            return Ok(snap);
        }
        self.put("baseline.json", read(path)?);
        for link in crate::baseline::chain(path)?.iter().skip(1) {
            if let (Ok(bytes), Some(name)) = (std::fs::read(&link.file), link.file.file_name()) {
                self.put(
                    format!("baseline-history/{}", name.to_string_lossy()),
                    bytes,
                );
            }
        }
        Ok(snapshot::io::load(path)?)
    }

    /// The reports of the run: `findings.json`, `diff.json` (with a baseline), `report.md`,
    /// `controls.csv`, and the self-contained `report.html` an auditor opens (or prints to PDF)
    /// with the posture trend (`earlier`, oldest first, then this run as `label`, last).
    pub fn reports(
        &mut self,
        r: &Report<'_>,
        run: &BTreeMap<String, serde_json::Value>,
        mut trend: Vec<TrendPoint>,
        label: &str,
    ) {
        let findings = report::json::document(r);
        let mut text = serde_json::to_string_pretty(&findings).unwrap_or_default();
        text.push('\n');
        self.put(FINDINGS, text);
        if r.drift.is_some() {
            let only_drift = Report {
                command: "diff",
                policy: None,
                ..*r
            };
            self.put("diff.json", report::json::render(&only_drift));
        }
        // The run header (who, what, when, under which policy) opens the Markdown report.
        let mut md = report::header::markdown(run);
        md.push_str(&report::markdown::render(r));
        self.put("report.md", md);
        self.put("controls.csv", report::controls::csv(r, FINDINGS));
        // This run replaces an earlier bundle of its own period; it is the latest, so last.
        trend.retain(|p| p.label != label);
        trend.extend(TrendPoint::from_findings(label, &findings));
        self.put("report.html", report::html::render(r, run, &trend));
    }

    /// The policy exactly as used: the built-in pack (when used) and every layer, in order.
    /// Returns the layers as the manifest's `run.policy_layers` records them: where each came
    /// from (`source`), its file in the bundle and its SHA-256.
    pub fn policy(
        &mut self,
        builtin: bool,
        layers: &[std::path::PathBuf],
    ) -> Result<Vec<serde_json::Value>> {
        let mut record = Vec::new();
        let mut add = |files: &mut Self, source: String, file: String, bytes: Vec<u8>| {
            record.push(serde_json::json!({
                "source": source,
                "file": file,
                "sha256": crate::baseline::sha256(&bytes),
            }));
            files.put(file, bytes);
        };
        if builtin {
            add(
                self,
                report::header::BUILTIN.to_owned(),
                "policy/clerk-hardening.toml".to_owned(),
                crate::policy::BUILTIN.as_bytes().to_vec(),
            );
        }
        for (i, layer) in layers.iter().enumerate() {
            let bytes = read(layer)?;
            let name = layer
                .file_name()
                .map_or_else(|| "layer.toml".into(), |n| n.to_string_lossy().into_owned());
            add(
                self,
                layer.display().to_string(),
                format!("policy/{}-{name}", i + 1),
                bytes,
            );
        }
        Ok(record)
    }

    /// The attestations file, as it is.
    pub fn attestations(&mut self, path: &Path) -> Result<()> {
        self.put("attestations.toml", read(path)?);
        Ok(())
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Io {
        what: format!("reading {}", path.display()),
        source,
    })
}
