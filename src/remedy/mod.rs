//! Remediation, ready for a person to apply (`clerk-drift fix`): from the current snapshot and a
//! target (the baseline, or the current snapshot with failing rules made to pass: [`target`]),
//! the Platform config merge patch (RFC 7386, [`merge`]) that `clerk config patch` sends, and for
//! every other change the Backend API request or Dashboard page that makes it by hand
//! ([`manual`]), or a plain word that it cannot be restored. Pure: reads two snapshots (and a
//! policy's verdicts), sends nothing, never holds a secret.

pub mod manual;
pub mod merge;
pub mod target;

use serde_json::{Map, Value};

use crate::diff::{self, ChangeKind};
use crate::path::Path;
use crate::snapshot::normalize::platform::{self, View, provider_ptr, raw_field};
use crate::snapshot::schema::{self, Kind};
use crate::snapshot::{Snapshot, Source};
pub use manual::{Page, Request};

/// Whether each side's Platform config was observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observed {
    pub current: bool,
    pub target: bool,
}

/// Everything `fix` hands over.
#[derive(Debug, Clone)]
pub struct Remedy {
    /// The Platform config merge patch; `None`: nothing for the Platform config to change (or it
    /// was not observed on both sides).
    pub patch: Option<Value>,
    pub observed: Observed,
    /// JSON pointers the target holds as `null` where the current config has no such key: a
    /// patch's `null` clears a key, it cannot add one holding `null` (set them in the
    /// Dashboard). A `null` over a value is in the patch (sent with `--destructive`).
    pub unwritable: Vec<String>,
    /// JSON pointers of keys the current config has and the target's never had (keys Clerk added
    /// after the baseline was taken): left as they are, not deleted by the patch.
    pub added_since: Vec<String>,
    /// The current config's `config_version` (for `If-Match`), when known.
    pub config_version: Option<String>,
    /// One step per change (changes one request makes together are one step).
    pub steps: Vec<Step>,
}

/// One setting that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub path: String,
    pub kind: Option<Kind>,
    pub current: Option<Value>,
    pub target: Option<Value>,
}

impl Line {
    /// `current → target` as a person reads it.
    pub fn shown(&self) -> (String, String) {
        let show = |v: &Option<Value>| match v {
            Some(v) => schema::display_value(self.kind, v),
            None => "(none)".to_owned(),
        };
        (show(&self.current), show(&self.target))
    }
}

/// One change (or a group that one request makes) and how to make it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub lines: Vec<Line>,
    /// Ids of the rules that fail now and pass once this is applied.
    pub rules: Vec<String>,
    pub how: How,
}

/// How a change is made.
#[derive(Debug, Clone, PartialEq)]
pub enum How {
    /// By the Platform config patch: these JSON pointers of it.
    Patch { fields: Vec<String> },
    /// By hand: Backend API request(s), and the Dashboard page that does the same.
    Requests {
        requests: Vec<Request>,
        page: Option<Page>,
    },
    /// Only in the Dashboard (or not at all): why, and where.
    Dashboard { why: String, page: Option<Page> },
    /// The Platform config carries it (at `field`), but it was not observed.
    NotObserved { field: Option<String> },
    /// A key the target's config never had (added by Clerk since): left as it is.
    AddedSince,
    /// Follows from the patch: another reading of what it sets (the Frontend API's view, a value
    /// that applies only while a switch the patch sets is on).
    Follows,
}

/// The remediation that turns `current` into `target`.
pub fn remedy(current: &Snapshot, target: &Snapshot) -> Remedy {
    let cur = platform::view(current);
    let tgt = platform::view(target);
    let observed = Observed {
        current: cur.is_some(),
        target: tgt.is_some(),
    };
    let lists: Vec<String> = [&cur, &tgt]
        .into_iter()
        .flatten()
        .flat_map(|v| v.lists.iter().cloned())
        .collect();
    let (patch, unwritable, added_since) = match (&cur, tgt) {
        (Some(c), Some(mut t)) => {
            let off = providers_off(c, &mut t, target);
            let added_since = keep_added(c, &mut t, &off);
            let unwritable = merge::unwritable(&c.config, &t.config);
            let mut patch = merge::diff(&c.config, &t.config);
            // The current block's `enabled` may be absent (read as off): say it.
            if !off.is_empty() {
                let doc = patch.get_or_insert_with(|| Value::Object(Map::new()));
                for ptr in off {
                    platform::set(doc, &format!("{ptr}/enabled"), Value::Bool(false));
                }
            }
            secrets(c, &t, &mut patch);
            (patch, unwritable, added_since)
        }
        _ => (None, Vec::new(), Vec::new()),
    };
    let leaves = patch.as_ref().map(merge::leaves).unwrap_or_default();
    let drift = diff::diff(target, current);
    let mut steps: Vec<Step> = Vec::new();
    for change in drift.changes.iter().filter(|c| c.kind.is_drift()) {
        let line = Line {
            path: change.path.to_string(),
            kind: schema::kind_of(&change.path),
            current: change.after.clone(),
            target: change.before.clone(),
        };
        let added = platform_ptr(&setting_of(&change.path), current, target).is_some_and(|p| {
            added_since
                .iter()
                .any(|a| p == *a || p.starts_with(&format!("{a}/")))
        });
        let how = if added {
            How::AddedSince
        } else {
            how(
                &change.path,
                change.kind,
                (current, target),
                observed,
                &leaves,
                &lists,
            )
        };
        // Changes one request makes (a JWT template, the instance's settings) are one step, as
        // are the elements of one set the patch writes whole.
        let same_set = |last: &Step| {
            let setting = setting_of(&change.path);
            setting != change.path
                && last
                    .lines
                    .iter()
                    .all(|l| Path::parse(&l.path).is_ok_and(|p| setting_of(&p) == setting))
        };
        if let Some(last) = steps.last_mut()
            && last.how == how
            && (!matches!(
                how,
                How::Patch { .. } | How::NotObserved { .. } | How::Dashboard { .. }
            ) || (matches!(how, How::Patch { .. }) && same_set(last)))
        {
            last.lines.push(line);
            continue;
        }
        steps.push(Step {
            lines: vec![line],
            rules: Vec::new(),
            how,
        });
    }
    Remedy {
        patch,
        observed,
        unwritable,
        added_since,
        config_version: current.meta.config_version.clone(),
        steps,
    }
}

impl Remedy {
    /// Attaches to each step the rules (`(rule id, path judged)`) that fail now and pass in the
    /// target, where the path judged is the step's setting or inside it (or holds it).
    pub fn attach_rules(&mut self, fixed: &[(String, String)]) {
        for step in &mut self.steps {
            for (id, judged) in fixed {
                let Ok(j) = Path::parse(judged) else {
                    continue;
                };
                let hit = step.lines.iter().any(|l| {
                    Path::parse(&l.path).is_ok_and(|p| p.starts_with(&j) || j.starts_with(&p))
                });
                if hit && !step.rules.contains(id) {
                    step.rules.push(id.clone());
                }
            }
        }
    }

    /// Whether the patch holds a `null` (it clears keys: `clerk config patch` needs
    /// `--destructive` then, on the dry run and on the apply).
    pub fn deletes(&self) -> bool {
        fn any_null(v: &Value) -> bool {
            match v {
                Value::Null => true,
                Value::Object(o) => o.values().any(any_null),
                _ => false,
            }
        }
        self.patch.as_ref().is_some_and(any_null)
    }
}

/// A provider the current document lists that the target's does not (every field of its block
/// was read into the snapshot, so nothing of it was kept) is off in the target: switched off,
/// not deleted, so that the document keeps listing providers. Returns the blocks switched off.
fn providers_off(current: &View, target: &mut View, t: &Snapshot) -> Vec<String> {
    if t.source_of(&Path::root().field("oauth_providers")) != Some(Source::Plapi) {
        return Vec::new();
    }
    let Some(cur) = current.config.as_object() else {
        return Vec::new();
    };
    let mut off = Vec::new();
    for (k, v) in cur {
        if k.starts_with("connection_oauth_") && v.is_object() && target.config.get(k).is_none() {
            off.push(format!("/{}", platform::escape(k)));
        }
    }
    let custom = |v: &View| {
        v.config
            .get("connections_oauth_custom")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let theirs: Map<String, Value> = custom(target);
    for (name, v) in custom(current) {
        if v.is_object() && !theirs.contains_key(&name) {
            off.push(format!(
                "/connections_oauth_custom/{}",
                platform::escape(&name)
            ));
        }
    }
    for ptr in &off {
        platform::set(
            &mut target.config,
            ptr,
            serde_json::json!({"enabled": false}),
        );
    }
    off
}

/// Keys of the current config that the target's does not have at all (Clerk added them after
/// the target was taken): copied into the target, so that the patch leaves them as they are
/// (their secrets too). Providers switched off (`off`) are not looked into, nor objects whose
/// keys are the owner's (session claims: one the target lacks was added by hand and is
/// removed). Returns their JSON pointers.
fn keep_added(current: &View, target: &mut View, off: &[String]) -> Vec<String> {
    fn walk(c: &Value, t: &mut Value, ptr: &str, skip: &[String], out: &mut Vec<String>) {
        // A provider switched off keeps its own rule (`providers_off`).
        if skip.iter().any(|o| o == ptr) {
            return;
        }
        let (Value::Object(c), Value::Object(t)) = (c, t) else {
            return;
        };
        for (k, cv) in c {
            let p = format!("{ptr}/{}", platform::escape(k));
            match t.get_mut(k) {
                Some(tv) => walk(cv, tv, &p, skip, out),
                None => {
                    t.insert(k.clone(), cv.clone());
                    out.push(p);
                }
            }
        }
    }
    let skip: Vec<String> = off.iter().cloned().chain(platform::free_form()).collect();
    let mut out = Vec::new();
    walk(&current.config, &mut target.config, "", &skip, &mut out);
    for (ptr, state) in &current.secrets {
        let under = out.iter().any(|a| ptr.starts_with(&format!("{a}/")));
        if under && !target.secrets.contains_key(ptr) {
            target.secrets.insert(ptr.clone(), state.clone());
        }
    }
    out
}

/// Secret fields, whose values the snapshots never held: the patch clears one the target does
/// not have (`null` where the target has none, `""` where it is `absent`); one the target has
/// (`present`) cannot be written and is left to the Dashboard.
fn secrets(current: &View, target: &View, patch: &mut Option<Value>) {
    let mut ops: Vec<(&String, Value)> = Vec::new();
    for (ptr, state) in &current.secrets {
        match target.secrets.get(ptr).map(String::as_str) {
            None => ops.push((ptr, Value::Null)),
            Some("absent") if state != "absent" => ops.push((ptr, Value::from(""))),
            _ => {}
        }
    }
    for (ptr, state) in &target.secrets {
        if state == "absent" && !current.secrets.contains_key(ptr) {
            ops.push((ptr, Value::from("")));
        }
    }
    for (ptr, value) in ops {
        // Not inside a member the patch deletes or replaces by a non-object.
        let parent = ptr.rsplit_once('/').map_or("", |(p, _)| p);
        let doc = patch.get_or_insert_with(|| Value::Object(Map::new()));
        let blocked = (1..=parent.len())
            .filter(|&i| i == parent.len() || parent.as_bytes()[i] == b'/')
            .any(|i| doc.pointer(&parent[..i]).is_some_and(|v| !v.is_object()));
        if value.is_null() && target.config.pointer(parent).is_none() && !blocked {
            // The target has no such block: the block's own deletion (if any) says it all.
            if doc.pointer(parent).is_none() {
                continue;
            }
        }
        if !blocked {
            platform::set(doc, ptr, value);
        }
    }
    if patch
        .as_ref()
        .is_some_and(|p| p.as_object().is_some_and(Map::is_empty))
    {
        *patch = None;
    }
}

/// How one changed path is made.
fn how(
    path: &Path,
    kind: ChangeKind,
    (current, target): (&Snapshot, &Snapshot),
    observed: Observed,
    leaves: &[String],
    lists: &[String],
) -> How {
    let text = path.to_string();
    let (setting, element) = element_of(path).map_or((path.clone(), None), |(s, e)| (s, Some(e)));
    let secret = text.ends_with(".client_secret") || text.ends_with(".signing_key");
    if secret && target.get(path) != Some(&Value::from("present")) && !leaves.is_empty() {
        return How::Follows;
    }
    if secret {
        return How::Dashboard {
            why: "a secret: clerk-drift never holds one; re-enter it in the Dashboard".into(),
            page: manual::page_of(&text),
        };
    }
    let Some(ptr) = platform_ptr(&setting, current, target) else {
        let fapi_reading = text.starts_with("observed.fapi")
            || [current, target]
                .iter()
                .all(|s| s.source_of(path).is_none_or(|src| src == Source::Fapi));
        // Another reading follows from the patch only where the patch sets the Platform key it
        // reflects.
        if fapi_reading
            && platform::reflected_keys(path).iter().any(|k| {
                leaves
                    .iter()
                    .any(|l| l == k || l.starts_with(&format!("{k}/")))
            })
        {
            return How::Follows;
        }
        if !(observed.current && observed.target)
            && let Some(field) = raw_field(&setting.pattern())
        {
            return How::NotObserved {
                field: Some(field.to_owned()),
            };
        }
        return manual::how(path, kind, current, target);
    };
    if !(observed.current && observed.target) {
        return How::NotObserved { field: Some(ptr) };
    }
    if lists.iter().any(|l| text.starts_with(l.as_str())) {
        return How::Dashboard {
            why: "a list of objects in the Platform config: the snapshot keeps it keyed by \
                  identity, so the patch cannot write it back; set it in the Dashboard"
                .into(),
            page: manual::page_of(&text),
        };
    }
    let inside: Vec<String> = [current.get(&setting), target.get(&setting)]
        .into_iter()
        .flatten()
        .filter(|v| v.is_object())
        .flat_map(merge::leaves)
        .collect();
    let fields: Vec<String> = leaves
        .iter()
        // Exact keys only: this member, a parent the patch writes whole, or a key inside the
        // member's value (on either side); not a sibling that shares its prefix.
        .filter(|l| {
            *l == &ptr
                || ptr.starts_with(&format!("{l}/"))
                || inside.iter().any(|i| format!("{ptr}{i}") == **l)
                // A curated setting: the raw keys its value (or this element) is written to.
                || platform::writes(&setting.pattern(), element.as_deref(), l)
                // A provider held or not: its whole block (its switch with it).
                || (path.pattern() == "oauth_providers[*]" && l.starts_with(&format!("{ptr}/")))
        })
        .cloned()
        .collect();
    if fields.is_empty() {
        return How::Follows;
    }
    How::Patch { fields }
}

/// The curated setting a changed path is of: itself, or the set it is an element of or the
/// free-form object (session claims) it is a member of — written with its setting, under its
/// setting's raw field.
fn setting_of(path: &Path) -> Path {
    element_of(path).map_or_else(|| path.clone(), |(setting, _)| setting)
}

/// The setting and the element, when `path` is an element of a set or a member of a free-form
/// object that the Platform config carries.
fn element_of(path: &Path) -> Option<(Path, String)> {
    if raw_field(&path.pattern()).is_some() {
        return None;
    }
    let (last, parent) = path.0.split_last()?;
    let (crate::path::Seg::Key(k) | crate::path::Seg::Field(k)) = last;
    let parent = Path(parent.to_vec());
    let shaped = matches!(schema::kind_of(&parent), Some(Kind::StrSet | Kind::Json));
    (shaped && raw_field(&parent.pattern()).is_some()).then(|| (parent, k.clone()))
}

/// The Platform config field a path is written to, when the Platform config reported it (on
/// either side), as a JSON pointer.
fn platform_ptr(path: &Path, current: &Snapshot, target: &Snapshot) -> Option<String> {
    let root = crate::snapshot::normalize::observed::prefix(
        crate::recording::endpoints::PLATFORM_CONFIG.file,
    );
    if path.starts_with(&root) {
        if path.starts_with(&root.field("config_schema")) {
            return None;
        }
        let rest = &path.0[root.0.len()..];
        let mut ptr = String::new();
        for seg in rest {
            let (crate::path::Seg::Field(k) | crate::path::Seg::Key(k)) = seg;
            ptr.push('/');
            ptr.push_str(&platform::escape(k));
        }
        return Some(ptr);
    }
    let by_plapi = |s: &Snapshot| s.source_of(path) == Some(Source::Plapi);
    if !(by_plapi(current) || by_plapi(target)) {
        return None;
    }
    if let Some(crate::path::Seg::Key(k)) = path.0.get(1)
        && path.0.first() == Some(&crate::path::Seg::Field("oauth_providers".into()))
    {
        return Some(provider_ptr(k));
    }
    raw_field(&path.to_string()).map(str::to_owned)
}
