//! The command line (clap derive). Parsing only: [`crate::commands`] does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  clean
  1  error (usage errors included), or incomplete data (a setting the baseline observed was not
     observed now, or a live pull could not read a required part)
  otherwise a bitset:
  2  drift from the baseline
  4  policy violations at or above --fail-on
  8  expired or invalid waivers (or unused ones, with --deny-unused-waivers)";

const ENVIRONMENT: &str = "\
Environment (Clerk's own names):
  CLERK_PUBLISHABLE_KEY    pk_live_… / pk_test_…: the Frontend API host and the instance type
  CLERK_SECRET_KEY         Backend API secret key (or CLERK_SECRET_KEY_FILE, or the OS keyring)
  CLERK_PLATFORM_API_KEY   Platform API key (or CLERK_PLATFORM_API_KEY_FILE, or the OS keyring)
  CLERK_APPLICATION_ID     Platform API application id (as --app)
  CLERK_FRONTEND_API_URL, CLERK_BACKEND_API_URL, CLERK_PLATFORM_API_URL   base-URL overrides
Only GET requests are sent. Plain http:// is refused except to loopback hosts.";

const INIT_FILES: &str = "\
Files written (NAME: --instance, else `production` or `development` from the publishable key):
  clerk-drift.toml                      the instance; key references by variable name, never keys
  baselines/NAME.json                   the first baseline, with its acceptance record
  policy/NAME.toml                      a policy layer of commented examples
  attestations/NAME.toml                a template for the settings no API exposes
  .github/workflows/clerk-drift.yml     scheduled and manual plans; offline checks on pull requests
  .gitlab/clerk-drift.gitlab-ci.yml     the same for GitLab CI
None is overwritten without --force; nothing is written when a check fails.
Exit codes: 0 done, 1 error (nothing written).";

/// Keeps a Clerk instance's security configuration honest: normalize its settings into a
/// snapshot, diff against a last-known-good baseline, and evaluate a hardening policy.
#[derive(Debug, Parser)]
#[command(name = "clerk-drift", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    /// Colour in human output: auto (a terminal, unless NO_COLOR is set), always, never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up a repository: check the credentials, pull the first baseline, and write
    /// clerk-drift.toml, a policy layer, an attestations template and the CI workflows.
    #[command(after_help = format!("{ENVIRONMENT}\n\n{INIT_FILES}"))]
    Init(InitArgs),
    /// Pull the live configuration from Clerk (read-only) and write a snapshot.
    #[command(after_help = format!("{ENVIRONMENT}\n\n{EXIT_CODES}"))]
    Pull(PullArgs),
    /// Normalize a recording directory of raw Clerk API responses into a snapshot.
    #[command(after_help = "The recording layout is documented in docs/snapshot.md.")]
    Snapshot(SnapshotArgs),
    /// Show the semantic drift between two snapshots (or recording directories).
    #[command(after_help = EXIT_CODES)]
    Diff(DiffArgs),
    /// Evaluate a policy against a snapshot (or recording directory, or the live instance).
    #[command(after_help = format!("{ENVIRONMENT}\n\n{EXIT_CODES}"))]
    Check(CheckArgs),
    /// The CI view: drift from the baseline, then policy findings, then a one-line verdict.
    #[command(after_help = format!("{ENVIRONMENT}\n\n{EXIT_CODES}"))]
    Plan(PlanArgs),
    /// Write the Platform config patch (RFC 7386) that restores the baseline or makes failing
    /// rules pass, and the requests and Dashboard pages for the rest. Sends nothing.
    #[command(after_help = FIX_HELP)]
    Fix(FixArgs),
    /// Print the snapshot schema (every path, its kind and meaning) as Markdown.
    Schema,
    /// Store, show or delete credentials in the OS keyring (service `clerk-drift`).
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Lint, list and explain policy rules.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Accept the current configuration as the new baseline; show or verify the baseline's history.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Quarterly audit: pull (or --snapshot), diff against the baseline, evaluate the policy, and
    /// write an evidence bundle (snapshot, baseline and its chain, diff, findings, the HTML report
    /// report.html and the Markdown report, controls.csv, the policy as used, manifest.json with
    /// SHA-256 of every file, SHA256SUMS).
    #[command(after_help = EXIT_CODES)]
    Audit(Box<AuditArgs>),
    /// Verify an evidence bundle: every hash, and which file was altered, added or removed.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Make a minisign key pair for signing evidence bundles: PREFIX.key (secret) and PREFIX.pub.
    Keygen {
        /// Path prefix of the two key files.
        prefix: PathBuf,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output.
    Man,
}

/// Where live data comes from: the instance and its credentials. Secrets are never flags.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Live pull")]
pub struct LiveArgs {
    /// Configuration file. Default: ./clerk-drift.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Instance from clerk-drift.toml ([instances.NAME]); the default when it has only one.
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// Write the snapshot even if required parts could not be read (gaps go into coverage;
    /// the exit code is still 1). Not when Clerk refused a key: that stops the pull.
    /// Also accepts a pull that skips a whole API for want of a credential (check, plan and
    /// audit refuse one otherwise); prefer `--without API`, which names the API.
    #[arg(long)]
    pub allow_partial: bool,
    /// Pull without this API (frontend, backend or platform), even when its credential is set,
    /// and accept that its settings stay unknown; repeatable. Also `without = [...]` in
    /// clerk-drift.toml.
    #[arg(long, value_enum, value_name = "API")]
    pub without: Vec<Api>,
    /// Requests in flight at once [default: 32].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Client-side budget in requests per 10 s [default: 500 production, 50 development].
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<usize>,
    /// Per-request timeout in seconds [default: 30].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// No progress indicator on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The instance's credentials, as every live command and `init` take them. Secrets are never
/// flags: only the files that hold them. No help heading of its own: the flags stand under the
/// command's ("Live pull", or init's options).
#[derive(Debug, Clone, Default, Args)]
pub struct CredentialArgs {
    /// Publishable key (pk_live_…/pk_test_…). Default: the instance's clerk-drift.toml entry
    /// (not for init, which writes it), then CLERK_PUBLISHABLE_KEY.
    #[arg(long, value_name = "KEY")]
    pub publishable_key: Option<String>,
    /// Platform API application id. Default: the instance's clerk-drift.toml entry (not for
    /// init, which writes it), then CLERK_APPLICATION_ID.
    #[arg(long, value_name = "APP_ID")]
    pub app: Option<String>,
    /// Read the secret key from this file [env: CLERK_SECRET_KEY_FILE].
    #[arg(long, value_name = "FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// Read the Platform API key from this file [env: CLERK_PLATFORM_API_KEY_FILE].
    #[arg(long, value_name = "FILE")]
    pub platform_key_file: Option<PathBuf>,
    /// Do not look credentials up in the OS keyring.
    #[arg(long, env = "CLERK_DRIFT_NO_KEYRING", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_keyring: bool,
}

/// One of Clerk's three APIs, as `--without` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Api {
    Frontend,
    Backend,
    Platform,
}

impl Api {
    pub fn source(self) -> crate::recording::Source {
        match self {
            Api::Frontend => crate::recording::Source::Fapi,
            Api::Backend => crate::recording::Source::Bapi,
            Api::Platform => crate::recording::Source::Plapi,
        }
    }
}

/// `init`: what to set up, and where.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Ask nothing: take every default (for scripts).
    #[arg(short, long)]
    pub yes: bool,
    /// Overwrite files that exist (a baseline is replaced through `baseline accept`: the old one
    /// is kept in history/).
    #[arg(long)]
    pub force: bool,
    /// Write into this directory (the repository's root) [default: the current directory].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The instance's name in clerk-drift.toml and the files' names [default: `production` or
    /// `development`, from the publishable key].
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// Set up without this API (frontend, backend or platform), even when its credential is
    /// set; repeatable. Written as `without = [...]` in clerk-drift.toml.
    #[arg(long, value_enum, value_name = "API")]
    pub without: Vec<Api>,
    /// Who accepts the first baseline. Default: as `baseline accept --by`.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// No progress indicator on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// Write the snapshot here (atomically) instead of to standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also save the raw responses (secrets redacted) in the recording layout, so that
    /// `snapshot --from-dir DIR` reproduces the snapshot offline.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Log every request (method, path, status, time) to standard error.
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub attest: AttestArgs,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Recompute every hash of a bundle (a directory, or the .tar.gz `audit --archive` wrote);
    /// exit 0 only when every file is as written.
    Verify {
        /// The bundle directory, or its .tar.gz archive (read in memory, never extracted).
        #[arg(value_name = "DIR|ARCHIVE")]
        dir: PathBuf,
        /// Also check the manifest's minisign signature with this public key.
        #[arg(long, value_name = "FILE")]
        pubkey: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// Write the evidence bundle to this directory (must not exist or be empty); with --all, one
    /// bundle per instance in DIR/NAME.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Audit every instance of clerk-drift.toml (each pulled, against its own baseline).
    #[arg(long)]
    pub all: bool,
    /// Earlier bundles for the posture trend (those of the same instance are its points)
    /// [default: the sibling directories of --out].
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Also write DIR.tar.gz (deterministic) next to the bundle.
    #[arg(long)]
    pub archive: bool,
    /// Sign manifest.json with this minisign secret key (`clerk-drift keygen`).
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
    /// The period audited, recorded in the manifest (e.g. 2026-Q4).
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// The current snapshot file or recording directory. Without it, pull the live configuration.
    #[arg(long, value_name = "PATH")]
    pub snapshot: Option<PathBuf>,
    /// The baseline. Default: the instance's `baseline` in clerk-drift.toml; none: no diff.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub attest: AttestArgs,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write the current snapshot (pulled, or --snapshot) as the new baseline, or only the paths
    /// matching --path; records who, when, why and the hash of the baseline it replaces, and keeps
    /// the replaced one in history/. An accept that changes nothing is refused (exit 1); with
    /// --fail-on, so is a configuration failing a rule at or above it (exit 4, nothing written).
    Accept(Box<BaselineAcceptArgs>),
    /// Show the baseline's acceptance history, newest first.
    Log(BaselineFileArgs),
    /// Check the hash chain: every replaced baseline present and unchanged, no hand edits.
    Verify(BaselineFileArgs),
}

#[derive(Debug, Args)]
pub struct BaselineAcceptArgs {
    /// Why this configuration is the new last-known-good (required; recorded in the baseline).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who accepts it. Default: the CI actor ($GITHUB_ACTOR, $GITLAB_USER_LOGIN), else git's
    /// user.email, else the OS user.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// Accept only the changes under these path globs (repeatable); the rest stays as it was.
    /// Each must match at least one change.
    #[arg(long = "path", value_name = "GLOB")]
    pub paths: Vec<String>,
    /// The current snapshot file or recording directory. Without it, pull the live configuration.
    #[arg(long, value_name = "PATH")]
    pub snapshot: Option<PathBuf>,
    /// Accept the snapshot a `plan --save-plan FILE` saved, offline (no request, no credential),
    /// into the baseline it was planned against, judged with the plan's policy layers; refused
    /// when that baseline changed since, or when the plan exited 1 (incomplete data).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["snapshot", "paths", "attestations", "policy", "waivers", "no_builtin"])]
    pub from_plan: Option<PathBuf>,
    /// The baseline to write. Default: the instance's `baseline` in clerk-drift.toml (with
    /// --from-plan: the plan's, found from the plan file; a --baseline must name the same file
    /// or one with the plan's SHA-256).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub attest: AttestArgs,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Args)]
pub struct BaselineFileArgs {
    /// The baseline file. Default: the instance's `baseline` in clerk-drift.toml.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Configuration file. Default: ./clerk-drift.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Instance from clerk-drift.toml.
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Store a key in the OS keyring, read from a no-echo prompt or standard input.
    Set(AuthArgs),
    /// Show where each credential would come from (never its value).
    Status(AuthStatusArgs),
    /// Delete a stored key from the OS keyring.
    Delete(AuthArgs),
}

#[derive(Debug, Args)]
pub struct AuthArgs {
    /// Configuration file. Default: ./clerk-drift.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Instance the key belongs to (default: the config's only instance, else `default`).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// The Platform API key instead of the secret key.
    #[arg(long)]
    pub platform: bool,
}

#[derive(Debug, Args)]
pub struct AuthStatusArgs {
    /// Prove each credential with one GET (`GET /v1/instance` for the secret key, the Platform
    /// config for the Platform API key); exit 1 when one is refused or cannot be proven.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub live: LiveArgs,
}

/// Attested settings merged into the current snapshot.
#[derive(Debug, Clone, Default, Args)]
pub struct AttestArgs {
    /// Attestations file ([[attestation]]: path, value, attested_by, attested_at, expires):
    /// settings no API exposes. Default: the instance's `attestations` in clerk-drift.toml.
    #[arg(long, value_name = "FILE")]
    pub attestations: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Recording directory (fapi/, bapi/, plapi/ files; all optional).
    #[arg(long, value_name = "DIR")]
    pub from_dir: PathBuf,
    /// Write the snapshot here (atomically) instead of to standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub attest: AttestArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Last-known-good snapshot file or recording directory.
    pub baseline: PathBuf,
    /// Current snapshot file or recording directory.
    pub current: PathBuf,
    /// Do not track paths matching this glob (`*` one segment, `[*]` any key, `**` anything),
    /// a plan group's name (`fapi display_config`) or `cosmetic` (branding, theme, logos);
    /// repeatable, adds to `[[ignore]]` in clerk-drift.toml. Ignored changes are listed, not counted.
    #[arg(long, value_name = "GLOB")]
    pub ignore: Vec<String>,
    /// Configuration file (for `[[ignore]]`). Default: ./clerk-drift.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Report format and destination.
#[derive(Debug, Clone, Default, Args)]
pub struct ReportArgs {
    /// Report format: human text, the versioned JSON document, Markdown for a pull-request
    /// comment, JUnit XML, or SARIF 2.1.0 for code scanning (docs/output.md).
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub format: Format,
    /// FORMAT=FILE (FORMAT: text, json, markdown, junit, sarif): also write that format to FILE,
    /// atomically (text without styles); repeatable, all from one evaluation (one pull), every
    /// path checked before any request. A plain FILE takes the --format report instead of
    /// standard output (at most one). `./NAME=x` is a file whose name has an `=`.
    #[arg(short, long, value_name = "[FORMAT=]FILE", value_parser = parse_output)]
    pub output: Vec<Output>,
    /// Also append the Markdown report to the file named by $GITHUB_STEP_SUMMARY (when set).
    #[arg(long)]
    pub step_summary: bool,
    /// Keep the Markdown report within a limit: `summary`, GitHub's step summary (1,048,576
    /// bytes); `comment`, a pull-request comment (65,536 characters); `none`, no limit (the step
    /// summary still keeps within 1 MiB). Long lists are summarized, least important first, with
    /// a note saying what was left out (docs/output.md).
    #[arg(long, value_enum, default_value = "summary", value_name = "LIMIT")]
    pub markdown_limit: MarkdownLimit,
}

/// `--markdown-limit`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum MarkdownLimit {
    #[default]
    Summary,
    Comment,
    None,
}

impl MarkdownLimit {
    /// The budget of the Markdown report (`--format markdown`, a Markdown file).
    pub fn budget(self) -> crate::report::markdown::Budget {
        use crate::report::markdown::Budget;
        match self {
            MarkdownLimit::Summary => Budget::STEP_SUMMARY,
            MarkdownLimit::Comment => Budget::COMMENT,
            MarkdownLimit::None => Budget::NONE,
        }
    }

    /// The budget of the `--step-summary` copy: never over GitHub's 1 MiB.
    pub fn step_summary(self) -> crate::report::markdown::Budget {
        self.budget()
            .min(crate::report::markdown::Budget::STEP_SUMMARY)
    }
}

/// One `-o/--output` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A plain FILE: the `--format` report, instead of standard output.
    Plain(PathBuf),
    /// `FORMAT=FILE`: that format, in addition to standard output.
    Format(Format, PathBuf),
}

impl Output {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Output::Plain(p) | Output::Format(_, p) => p,
        }
    }

    /// The value as given on the command line, for messages.
    pub fn flag(&self) -> String {
        match self {
            Output::Plain(p) => format!("-o {}", p.display()),
            Output::Format(f, p) => format!("--output {}={}", f.name(), p.display()),
        }
    }
}

/// `FORMAT=FILE` when the text before the first `=` is a format's name; a word that only looks
/// like one (letters, digits, `-`, `_`: `html=x`, `SARIF=x`) is refused, so that a typo never
/// becomes a file named `sarf=x.sarif`; anything else (a path: `./a=b`, `out/x=1.json`) is a
/// plain FILE.
fn parse_output(value: &str) -> Result<Output, String> {
    let Some((prefix, file)) = value.split_once('=') else {
        return Ok(Output::Plain(PathBuf::from(value)));
    };
    if let Some(format) = Format::ALL.iter().find(|f| f.name() == prefix) {
        if file.is_empty() {
            return Err(format!("`{value}`: name a file after `{prefix}=`"));
        }
        return Ok(Output::Format(*format, PathBuf::from(file)));
    }
    let word = !prefix.is_empty()
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if word {
        let names = Format::ALL.iter().map(|f| f.name());
        let hint = crate::diag::closest(&prefix.to_ascii_lowercase(), names)
            .map(|n| format!(" (did you mean `{n}={file}`?)"))
            .unwrap_or_default();
        return Err(format!(
            "`{prefix}` is not a report format: FORMAT=FILE takes text, json, markdown, junit or sarif{hint}; for a file named `{value}`, write `./{value}`"
        ));
    }
    Ok(Output::Plain(PathBuf::from(value)))
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
    Markdown,
    Junit,
    Sarif,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Text,
        Format::Json,
        Format::Markdown,
        Format::Junit,
        Format::Sarif,
    ];

    /// The name `--format` and `FORMAT=FILE` take.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
        }
    }
}

/// Which policy: the built-in pack, layered with files (rules, overrides, waivers).
#[derive(Debug, Clone, Default, Args)]
pub struct PolicySource {
    /// A policy layer on top of the built-in pack: more rules, [[override]]s, [[waiver]]s.
    /// Repeatable, applied in order. Default: the instance's `policy` in clerk-drift.toml.
    #[arg(long, value_name = "FILE")]
    pub policy: Vec<PathBuf>,
    /// Start from an empty policy instead of the built-in pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// A file of [[waiver]]s (repeatable). Default: the instance's `waivers` in clerk-drift.toml.
    #[arg(long, value_name = "FILE")]
    pub waivers: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    #[command(flatten)]
    pub source: PolicySource,
    /// Lowest severity of a failing finding that sets exit bit 4 [default: the instance's
    /// `fail_on` in clerk-drift.toml, else high].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Count findings on unobserved settings (`unknown`) as failures (also `require_observed`
    /// per instance in clerk-drift.toml).
    #[arg(long)]
    pub require_observed: bool,
    /// A waiver that matched no finding sets exit bit 8 (default: a warning).
    #[arg(long)]
    pub deny_unused_waivers: bool,
    /// Also list passing and not-applicable findings (and, when pulling, log every request).
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate the built-in pack, the given layers and attestations files; report every problem
    /// at once.
    Lint(PolicyLintArgs),
    /// List every rule as in effect, with its severity and title, each override under it (file:line,
    /// before → after), and the disabled ones with their reason and what they were.
    List(PolicyListArgs),
    /// Show one rule as in effect: its overrides (file:line, before → after) or what disabled it,
    /// rationale, remediation, controls, what it reads and expects.
    Explain(PolicyExplainArgs),
}

#[derive(Debug, Args)]
pub struct PolicyLintArgs {
    /// Policy layers or waiver files to validate on top of the built-in pack.
    pub files: Vec<PathBuf>,
    /// Validate the files alone, without the built-in pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// An attestations file to validate too (repeatable); with --no-builtin and no layers, only
    /// these.
    #[arg(long, value_name = "FILE")]
    pub attestations: Vec<PathBuf>,
    /// Configuration file, for its `[governance]` limits. Default: ./clerk-drift.toml when it
    /// exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PolicyListArgs {
    #[command(flatten)]
    pub source: PolicySource,
}

#[derive(Debug, Args)]
pub struct PolicyExplainArgs {
    /// Rule id, e.g. `session.inactivity-timeout`.
    pub rule: String,
    #[command(flatten)]
    pub source: PolicySource,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Snapshot file or recording directory. Without it, pull the live configuration first.
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub attest: AttestArgs,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Plan every instance of clerk-drift.toml (each pulled, against its own baseline),
    /// concurrently; one section each and a combined exit code.
    #[arg(long)]
    pub all: bool,
    /// Also save the plan to FILE (JSON, atomically): the current snapshot, the baseline's and
    /// the policy layers' SHA-256, the drift; `baseline accept --from-plan FILE` accepts exactly
    /// that snapshot later, offline (docs/output.md). Not with --all.
    #[arg(long, value_name = "FILE", conflicts_with = "all")]
    pub save_plan: Option<PathBuf>,
    /// Current snapshot file or recording directory. Without it, pull the live configuration.
    #[arg(long, value_name = "PATH")]
    pub snapshot: Option<PathBuf>,
    /// Last-known-good snapshot file or recording directory. Default: the instance's `baseline`
    /// in clerk-drift.toml.
    #[arg(long, value_name = "PATH")]
    pub baseline: Option<PathBuf>,
    /// Do not track paths matching this glob (`*` one segment, `[*]` any key, `**` anything),
    /// a plan group's name (`fapi display_config`) or `cosmetic` (branding, theme, logos);
    /// repeatable, adds to `[[ignore]]` in clerk-drift.toml. Ignored changes are listed, not counted.
    #[arg(long, value_name = "GLOB")]
    pub ignore: Vec<String>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub attest: AttestArgs,
    #[command(flatten)]
    pub live: LiveArgs,
}

const FIX_HELP: &str = "fix reads files only and sends nothing: pull first (`clerk-drift pull -o current.json`), \
then preview and apply the patch with Clerk's CLI: `clerk config patch --file patch.json --dry-run`, \
then without --dry-run. docs/fix.md has a worked example.\n\nExit codes: 0 written (with or without changes), 1 error.";

/// `fix`: the remediation of the current snapshot towards a target.
#[derive(Debug, Clone, Args)]
pub struct FixArgs {
    /// Current snapshot file or recording directory (required: fix never pulls).
    #[arg(long, value_name = "PATH")]
    pub snapshot: Option<PathBuf>,
    /// Last-known-good snapshot file or recording directory. Default: the instance's `baseline`
    /// in clerk-drift.toml.
    #[arg(long, value_name = "PATH")]
    pub baseline: Option<PathBuf>,
    /// What to restore: the baseline's values, or values that make the failing rules pass.
    #[arg(long, value_enum, default_value = "baseline", value_name = "TARGET")]
    pub to: FixTarget,
    /// Write the merge patch (JSON, the body of `clerk config patch`) to this file, atomically.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Standard output: the human plan of changes, or a JSON document (patch and steps).
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub format: FixFormat,
    #[command(flatten)]
    pub policy: PolicySource,
    /// Configuration file. Default: ./clerk-drift.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Instance from clerk-drift.toml (its baseline and policy).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FixTarget {
    Baseline,
    Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FixFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never set bit 4.
    None,
}

impl PlanArgs {
    /// These arguments for one instance of `--all`.
    pub fn clone_for(&self, instance: &str) -> PlanArgs {
        let mut one = self.clone();
        one.all = false;
        one.live.instance = Some(instance.to_owned());
        one
    }
}

impl Cli {
    /// `(quiet, verbose)` for the progress indicator and the request log on standard error.
    pub fn stderr_flags(&self) -> (bool, bool) {
        match &self.command {
            Command::Pull(a) => (a.live.quiet, a.verbose),
            Command::Init(a) => (a.quiet, false),
            Command::Check(a) if a.snapshot.is_none() => (a.live.quiet, a.policy.verbose),
            Command::Plan(a) if a.snapshot.is_none() => (a.live.quiet, a.policy.verbose),
            Command::Audit(a) if a.snapshot.is_none() => (a.live.quiet, a.policy.verbose),
            Command::Baseline(BaselineCommand::Accept(a))
                if a.snapshot.is_none() && a.from_plan.is_none() =>
            {
                (a.live.quiet, a.policy.verbose)
            }
            _ => (true, false),
        }
    }
}
