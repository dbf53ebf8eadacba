//! The current snapshot of `check`, `plan`, `audit` and `baseline accept`: a snapshot file or
//! recording, else a live pull; then the attestations merged in.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};

use super::{governance, live, process_env, today};
use crate::cli::{AttestArgs, LiveArgs};
use crate::config::{Config, Governance, Instance};
use crate::{Ui, clerk, snapshot};

/// The current snapshot and where it came from.
pub(super) struct Current {
    pub snapshot: snapshot::Snapshot,
    /// How reports name it.
    pub label: String,
    pub instance: Option<Instance>,
    /// A live pull with gaps (`--allow-partial`).
    pub incomplete: bool,
    /// A live pull's HTTP calls per endpoint (null for a file).
    pub calls: serde_json::Value,
    /// The limits on waivers and attestations (clerk-drift.toml's `[governance]`).
    pub governance: Governance,
}

/// The snapshot at `path`, else a live pull; with the attestations merged in.
pub(super) fn current(
    path: Option<&Path>,
    config: Option<&Config>,
    args: &LiveArgs,
    attestations: &AttestArgs,
    ui: &Arc<dyn Ui>,
) -> Result<Current> {
    let mut current = match path {
        Some(p) => {
            // The config still names the baseline and policy when it exists; with several
            // instances and no --instance, none applies (the paths must then be given).
            let instance = match config {
                Some(c) if args.instance.is_none() && c.instances.len() > 1 => None,
                Some(c) => c.instance(args.instance.as_deref())?.cloned(),
                None => None,
            };
            Current {
                snapshot: snapshot::io::load(p)?,
                label: p.display().to_string(),
                instance,
                incomplete: false,
                calls: serde_json::Value::Null,
                governance: governance(config),
            }
        }
        None => {
            let pulled = pull(args, config, ui, None, true)?;
            let label = match &pulled.instance {
                Some(i) => format!("live pull of instance `{}`", i.name),
                None => "live pull".to_owned(),
            };
            Current {
                snapshot: pulled.snapshot,
                label,
                instance: pulled.instance,
                incomplete: !pulled.gaps.is_empty(),
                calls: pulled.calls,
                governance: governance(config),
            }
        }
    };
    attest(
        &mut current.snapshot,
        attestations,
        current.instance.as_ref(),
        current.governance,
        ui,
    )?;
    Ok(current)
}

/// `--attestations FILE`, else the instance's `attestations`.
pub(super) fn attestations_file(
    args: &AttestArgs,
    instance: Option<&Instance>,
) -> Option<std::path::PathBuf> {
    args.attestations
        .clone()
        .or_else(|| instance.and_then(|i| i.attestations.clone()))
}

/// Reads and validates an attestations file, judged as of today with the `governance` limit.
pub(super) fn read_attestations(
    path: &Path,
    governance: Governance,
) -> Result<snapshot::attest::Attestations> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let limits = snapshot::attest::Limits {
        today: today()?,
        max_days: governance.max_attestation_days,
    };
    Ok(snapshot::attest::Attestations::parse(
        &text,
        &path.display().to_string(),
        limits,
    )?)
}

/// Merges the attestations (see [`attestations_file`]) into `snap`.
pub(super) fn attest(
    snap: &mut snapshot::Snapshot,
    args: &AttestArgs,
    instance: Option<&Instance>,
    governance: Governance,
    ui: &Arc<dyn Ui>,
) -> Result<()> {
    let Some(path) = attestations_file(args, instance) else {
        return Ok(());
    };
    let att = read_attestations(&path, governance)?;
    for notice in att.apply(snap, today()?)? {
        ui.warn(&notice);
    }
    Ok(())
}

/// Pulls live data; gaps (with `--allow-partial`) become warnings. `whole`: refuse to skip an
/// API nobody said to go without (`check`, `plan`, `audit`; see `live::refuse_missing`).
pub(super) fn pull(
    args: &LiveArgs,
    config: Option<&Config>,
    ui: &Arc<dyn Ui>,
    record: Option<&Path>,
    whole: bool,
) -> Result<live::Live> {
    let log = Arc::new(CallLog {
        inner: ui.clone(),
        calls: Mutex::new(BTreeMap::new()),
    });
    let observer: Arc<dyn clerk::Observer> = log.clone();
    let warn = |m: &str| ui.warn(m);
    let keyring = live::keyring_for(&args.credentials);
    ui.pulling();
    let pulled = live::pull(
        args,
        config,
        &process_env,
        &keyring,
        observer,
        &warn,
        record,
        whole,
    );
    ui.pulled();
    let mut pulled = pulled?;
    for gap in &pulled.gaps {
        ui.warn(&format!("incomplete: {gap}"));
    }
    pulled.calls = log.summary();
    Ok(pulled)
}

/// Calls to one endpoint: count, count per status, total milliseconds.
type Tally = (u32, BTreeMap<String, u32>, u64);

/// Forwards pull events to the terminal and tallies the HTTP calls per endpoint (for the
/// evidence manifest).
struct CallLog {
    inner: Arc<dyn Ui>,
    calls: Mutex<BTreeMap<String, Tally>>,
}

impl clerk::Observer for CallLog {
    fn event(&self, event: &clerk::Event) {
        if let clerk::Event::Call {
            request,
            status,
            millis,
        } = event
        {
            let endpoint = request.split('?').next().unwrap_or(request).to_owned();
            let status = status.map_or_else(|| "no response".to_owned(), |s| s.to_string());
            if let Ok(mut calls) = self.calls.lock() {
                let e = calls.entry(endpoint).or_default();
                e.0 += 1;
                *e.1.entry(status).or_default() += 1;
                e.2 += millis;
            }
        }
        self.inner.event(event);
    }
}

impl CallLog {
    fn summary(&self) -> serde_json::Value {
        let calls = self.calls.lock().map(|c| c.clone()).unwrap_or_default();
        serde_json::Value::Array(
            calls
                .into_iter()
                .map(|(endpoint, (count, statuses, ms))| {
                    serde_json::json!({ "request": endpoint, "count": count, "statuses": statuses, "total_ms": ms })
                })
                .collect(),
        )
    }
}
