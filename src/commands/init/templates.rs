//! The files `init` writes, as text: clerk-drift.toml, the starter policy layer, the attestations
//! template, the GitHub workflow and the GitLab CI snippet. Pure: the caller decides where they
//! go. Keys never appear here, only the names of the variables that hold them.

use std::fmt::Write as _;

/// The repository clerk-drift is installed from (Cargo.toml's `repository`).
pub(super) const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");
/// The version the CI files pin.
pub(super) const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Actions pinned by commit SHA (with the tag each was, for Dependabot and people).
const CHECKOUT: &str = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
/// The daily schedule of the live plan.
const CRON: &str = "17 6 * * *";

/// What the files are written from.
pub(super) struct Setup<'a> {
    pub name: &'a str,
    /// The publishable key (public).
    pub publishable_key: Option<&'a str>,
    pub app: Option<&'a str>,
    /// The APIs the first baseline was pulled from.
    pub backend: bool,
    pub platform: bool,
    /// The APIs set up without, each with why (`without = [...]`).
    pub without: Vec<(&'static str, String)>,
    pub today: jiff::civil::Date,
}

impl Setup<'_> {
    pub(super) fn baseline(&self) -> String {
        format!("baselines/{}.json", self.name)
    }
    pub(super) fn policy(&self) -> String {
        format!("policy/{}.toml", self.name)
    }
    pub(super) fn attestations(&self) -> String {
        format!("attestations/{}.toml", self.name)
    }
    /// The secrets a live plan needs, by the variable names clerk-drift reads.
    fn secrets(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if self.backend {
            out.push(("secret-key", "CLERK_SECRET_KEY"));
        }
        if self.platform {
            out.push(("platform-api-key", "CLERK_PLATFORM_API_KEY"));
        }
        out
    }
    fn days_ahead(&self, days: i64) -> jiff::civil::Date {
        self.today
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(self.today)
    }
}

/// The files, in the order they are written (the baseline comes from the pull, not from here).
pub(super) const WORKFLOW: &str = ".github/workflows/clerk-drift.yml";
pub(super) const GITLAB: &str = ".gitlab/clerk-drift.gitlab-ci.yml";
pub(super) const CONFIG: &str = "clerk-drift.toml";

/// Replaces every `@KEY@` of `template`.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in values {
        out = out.replace(&format!("@{key}@"), value);
    }
    out
}

pub(super) fn config(s: &Setup<'_>) -> String {
    let mut out = fill(
        "# clerk-drift.toml: the Clerk instance clerk-drift watches. Written by `clerk-drift init`
# (clerk-drift @VERSION@) on @TODAY@. It holds no secrets: the keys come from the environment (in
# CI, from the protected environment's secrets), never from this file. docs/pull.md describes
# every key; docs/ci.md the CI set-up.

[instances.@NAME@]
",
        &[
            ("VERSION", VERSION),
            ("TODAY", &s.today.to_string()),
            ("NAME", s.name),
        ],
    );
    if let Some(pk) = s.publishable_key {
        out.push_str(
            "# Public: the Frontend API host and the instance type (pk_live_ production, pk_test_\n# development).\n",
        );
        let _ = writeln!(out, "publishable_key = \"{pk}\"");
    }
    let upper = s.name.to_uppercase().replace('-', "_");
    let _ = writeln!(
        out,
        "# Backend API: the secret key from CLERK_SECRET_KEY (or CLERK_SECRET_KEY_FILE, or the OS keyring:
# `clerk-drift auth set --instance {name}`). With several instances, name each one's variable:
# secret_key_env = \"CLERK_SECRET_KEY_{upper}\"
# Platform API: the key from CLERK_PLATFORM_API_KEY (or CLERK_PLATFORM_API_KEY_FILE, or the OS
# keyring: `clerk-drift auth set --platform`), for this application.
# platform_api_key_env = \"CLERK_PLATFORM_API_KEY_{upper}\"",
        name = s.name
    );
    if let Some(app) = s.app {
        let _ = writeln!(out, "platform_application_id = \"{app}\"");
    }
    let _ = writeln!(
        out,
        "baseline = \"{}\"\npolicy = \"{}\"\nattestations = \"{}\"",
        s.baseline(),
        s.policy(),
        s.attestations()
    );
    out.push_str(
        "# The lowest severity of a failing rule that fails a plan (exit bit 4); none never does.\n# fail_on = \"high\"\n",
    );
    if !s.without.is_empty() {
        out.push_str("# Not in the first baseline:\n");
        for (api, why) in &s.without {
            let _ = writeln!(out, "#   {api}: {why}");
        }
        out.push_str(
            "# Once its key is in CI, take an API off this list and accept the new baseline\n# (`clerk-drift baseline accept --reason \"…\"`).\n",
        );
        let list: Vec<String> = s.without.iter().map(|(a, _)| format!("\"{a}\"")).collect();
        let _ = writeln!(out, "without = [{}]", list.join(", "));
    }
    out
}

pub(super) fn policy(s: &Setup<'_>) -> String {
    fill(
        "# Policy layer of instance `@NAME@`, on top of clerk-drift's built-in pack (`clerk-drift policy
# list` shows its rules). Written by `clerk-drift init`; docs/policy.md is the reference. Every
# example below is valid as it stands: uncomment it, edit it, and check it with
#   clerk-drift policy lint @POLICY@

# Tighten (or relax) a built-in rule: a new assertion, a new severity, or both.
# [[override]]
# rule = \"session.inactivity-timeout\"
# max = \"15m\"
# severity = \"high\"

# Turn a built-in rule off, saying why (`plan` and `policy list` show the reason).
# [[override]]
# rule = \"organizations.admin-delete\"
# disable = true
# reason = \"Organization admins are our own staff; deletion is audited in the application.\"

# A rule of your own: one assertion on one snapshot path (`clerk-drift schema` lists the paths).
# [[rule]]
# id = \"local.sign-up-allowlist\"
# title = \"Only allowlisted identifiers may sign up\"
# severity = \"high\"
# path = \"restrictions.allowlist.enabled\"
# equals = true
# rationale = \"Accounts are for invited staff only.\"
# remediation = \"Clerk Dashboard: Configure > Restrictions > Allowlist: turn it on.\"

# Accept a failing finding for a while: why, who approved it, until when (at most 90 days
# ahead, unless [governance] max_waiver_days in clerk-drift.toml says otherwise).
# [[waiver]]
# rule = \"session.inactivity-timeout\"
# reason = \"Kiosk sign-ins keep longer idle sessions until TICKET-123 ships\"
# approved_by = \"security@example.com\"
# expires = @EXPIRES@
",
        &[
            ("NAME", s.name),
            ("POLICY", &s.policy()),
            ("EXPIRES", &s.days_ahead(60).to_string()),
        ],
    )
}

pub(super) fn attestations(s: &Setup<'_>) -> String {
    let mut out = fill(
        "# Attestations of instance `@NAME@`: the settings no Clerk API exposes, vouched for by a
# person until a date (after it, the setting is `unknown` again). Until a setting is attested
# here, the built-in rules over it are `unknown`. Written by `clerk-drift init`;
# docs/policy.md#attestations is the reference. Uncomment an entry once it is true, with who
# checked it, when, and where the evidence is, and check the file with
#   clerk-drift policy lint --attestations @FILE@
",
        &[("NAME", s.name), ("FILE", &s.attestations())],
    );
    let until = s.days_ahead(365);
    for node in crate::snapshot::schema::NODES.iter().filter(|n| {
        n.pattern.starts_with("attested.") && n.kind == crate::snapshot::schema::Kind::Bool
    }) {
        let _ = write!(
            out,
            "
# {doc}
# [[attestation]]
# path = \"{path}\"
# value = true
# attested_by = \"you@example.com\"
# attested_at = {today}
# expires = {until}
# evidence = \"https://example.com/where-it-is-shown\"
",
            doc = node.doc,
            path = node.pattern,
            today = s.today,
        );
    }
    out
}

pub(super) fn github_workflow(s: &Setup<'_>) -> String {
    let secrets = s.secrets();
    let mut with_secrets = String::new();
    for (input, var) in &secrets {
        let _ = write!(
            with_secrets,
            "\n          {input}: ${{{{ secrets.{var} }}}}"
        );
    }
    let names: Vec<&str> = secrets.iter().map(|(_, v)| *v).collect();
    let keys = if names.is_empty() {
        "No key is needed: only the Frontend API (public) is read.".to_owned()
    } else {
        format!("Put {} there as environment secrets.", names.join(" and "))
    };
    fill(
        "# clerk-drift: scheduled and manual plans of the Clerk instance `@NAME@` against its accepted
# baseline and policy, in the protected environment `clerk-drift`, which alone holds the keys.
# Pull requests (forks included) get the offline checks only, with no secrets.
# Written by `clerk-drift init` (clerk-drift @VERSION@); docs/ci.md explains every part.
# Pinned: clerk-drift and its Action at v@VERSION@, the other actions by commit SHA. To pin the
# Action by SHA too, use `clerk-drift/clerk-drift@<the tag's commit> # v@VERSION@`.
name: clerk-drift

on:
  pull_request:
  schedule:
    - cron: \"@CRON@\" # daily, to catch Dashboard edits
  workflow_dispatch:

permissions:
  contents: read

jobs:
  offline:
    # The accepted baseline planned against the policy, the policy layer and attestations
    # linted, the baseline's hash chain verified: no key, no request to Clerk.
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: @CHECKOUT@
        with:
          persist-credentials: false
      - name: Plan the accepted baseline (offline)
        id: offline
        # v@VERSION@ is a tag, which can be moved: pin it to the release's commit SHA
        # (clerk-drift/clerk-drift@<40-hex SHA> # v@VERSION@; docs/ci.md).
        uses: clerk-drift/clerk-drift@v@VERSION@
        with:
          version: \"@VERSION@\"
          instance: \"@NAME@\"
          snapshot: @BASELINE@
          upload-sarif: \"false\"
      - name: Lint the policy and attestations, verify the baseline's history
        # Also after drift or violations, but only once clerk-drift is installed (the plan set
        # its exit code).
        if: always() && steps.offline.outputs.exit-code != ''
        run: |
          clerk-drift policy lint @POLICY@ --attestations @ATTESTATIONS@
          clerk-drift baseline verify --instance @NAME@

  live:
    # Scheduled and manual runs only, in the environment `clerk-drift` (Settings > Environments):
    # limit its deployment branches to the default branch (and add required reviewers if you
    # like). @KEYS@
    if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
    environment: clerk-drift
    permissions:
      contents: read
      security-events: write # SARIF to code scanning
    steps:
      - uses: @CHECKOUT@
        with:
          persist-credentials: false
      - name: Plan (one pull for the log, SARIF and the job summary)
        id: plan
        # Pin to the release's commit SHA as above.
        uses: clerk-drift/clerk-drift@v@VERSION@
        with:
          version: \"@VERSION@\"
          instance: \"@NAME@\"@SECRETS@
",
        &[
            ("NAME", s.name),
            ("VERSION", VERSION),
            ("CRON", CRON),
            ("CHECKOUT", CHECKOUT),
            ("BASELINE", &s.baseline()),
            ("POLICY", &s.policy()),
            ("ATTESTATIONS", &s.attestations()),
            ("KEYS", &keys),
            ("SECRETS", &with_secrets),
        ],
    )
}

pub(super) fn gitlab(s: &Setup<'_>) -> String {
    let names: Vec<&str> = s.secrets().iter().map(|(_, v)| *v).collect();
    let keys = if names.is_empty() {
        "No key is needed: only the Frontend API (public) is read.".to_owned()
    } else {
        format!(
            "Put {} in CI/CD variables that are masked,\n# protected (protected branches only: merge requests never see them) and scoped to the\n# environment `clerk-drift/{}` (only the plan job gets them: not the job that builds).",
            names.join(" and "),
            s.name
        )
    };
    fill(
        "# clerk-drift for GitLab CI. Include it from .gitlab-ci.yml:
#   include:
#     - local: .gitlab/clerk-drift.gitlab-ci.yml
# Scheduled pipelines (Build > Pipeline schedules) and manual ones plan the live instance
# `@NAME@`; merge requests get the offline checks only.
# @KEYS@
# Written by `clerk-drift init` (clerk-drift @VERSION@); docs/ci.md explains every part.

.clerk-drift:
  image: rust:1 # Rust 1.88 or later; pin it by digest (rust:1@sha256:…) if you like
  variables:
    CLERK_DRIFT_VERSION: \"@VERSION@\"
    CLERK_DRIFT_NO_KEYRING: \"1\"

# Builds the pinned clerk-drift in a job that holds no key, and passes the binary on as an
# artifact of this pipeline. Its cache is keyed by protection: a merge request's job cannot
# write the binary that a protected branch's plan runs.
clerk-drift:install:
  extends: .clerk-drift
  rules:
    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"
    - if: $CI_PIPELINE_SOURCE == \"schedule\"
    - if: $CI_PIPELINE_SOURCE == \"web\"
  cache:
    key: clerk-drift-$CLERK_DRIFT_VERSION-protected-$CI_COMMIT_REF_PROTECTED
    paths:
      - .clerk-drift/
  script:
    - >-
      .clerk-drift/bin/clerk-drift --version 2>/dev/null | grep -qx \"clerk-drift $CLERK_DRIFT_VERSION\" ||
      cargo install --locked --root .clerk-drift --git @REPOSITORY@
      --tag \"v$CLERK_DRIFT_VERSION\" clerk-drift
  artifacts:
    paths:
      - .clerk-drift/bin/clerk-drift
    expire_in: 1 day

# The jobs below run the binary of this pipeline's install job; they build nothing.
.clerk-drift:run:
  extends: .clerk-drift
  needs:
    - job: clerk-drift:install
      artifacts: true
  before_script:
    - export PATH=\"$CI_PROJECT_DIR/.clerk-drift/bin:$PATH\"
    - clerk-drift --version | grep -qx \"clerk-drift $CLERK_DRIFT_VERSION\"

clerk-drift:offline:
  extends: .clerk-drift:run
  rules:
    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"
  script:
    # The plan first, so that the JUnit report exists even when the lint fails; its exit code
    # decides the job after the lint and the history check.
    - status=0
    - clerk-drift plan --instance @NAME@ --snapshot @BASELINE@ --output junit=clerk-drift.xml || status=$?
    - clerk-drift policy lint @POLICY@ --attestations @ATTESTATIONS@
    - clerk-drift baseline verify --instance @NAME@
    - exit \"$status\"
  artifacts:
    when: always
    reports:
      junit: clerk-drift.xml

clerk-drift:plan:
  extends: .clerk-drift:run
  rules:
    - if: $CI_PIPELINE_SOURCE == \"schedule\"
    - if: $CI_PIPELINE_SOURCE == \"web\"
  environment:
    name: clerk-drift/@NAME@
    action: access # reads the environment's variables (the keys); not a deployment
  script:
    - clerk-drift plan --instance @NAME@ --output junit=clerk-drift.xml --output markdown=clerk-drift.md
  artifacts:
    when: always
    paths:
      - clerk-drift.md
    reports:
      junit: clerk-drift.xml
",
        &[
            ("NAME", s.name),
            ("VERSION", VERSION),
            ("REPOSITORY", REPOSITORY),
            ("BASELINE", &s.baseline()),
            ("POLICY", &s.policy()),
            ("ATTESTATIONS", &s.attestations()),
            ("KEYS", &keys),
        ],
    )
}
