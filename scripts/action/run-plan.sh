#!/usr/bin/env bash
# The plan step of the clerk-drift GitHub Action (action.yml at the repository root): one
# `clerk-drift plan` — one pull — for the log (text on standard output), SARIF
# (`--output sarif=FILE`) and the job summary (`--step-summary`); then the step's outputs and
# whether the step fails. The test suite runs it against a fake Clerk
# (tests/integration/action.rs).
#
# Environment (the Action sets it from its inputs; every one optional):
#   CLERK_DRIFT              the binary [default: clerk-drift on PATH]
#   INPUT_INSTANCE           --instance NAME (clerk-drift.toml)
#   INPUT_SNAPSHOT           plan this snapshot file or recording instead of pulling (offline)
#   INPUT_ARGS               more `plan` arguments, split on whitespace and newlines (no quoting)
#   INPUT_SARIF_FILE         SARIF file to write [default: clerk-drift.sarif]; empty: none
#   INPUT_STEP_SUMMARY       true|false: append the Markdown report to $GITHUB_STEP_SUMMARY [true]
#   INPUT_FAIL_ON_FINDINGS   true|false: fail the step on drift, violations or bad waivers (exit
#                            codes 2-14), not only on errors (exit 1) [true]
#   INPUT_SECRET_KEY         becomes CLERK_SECRET_KEY for the plan only (when not empty)
#   INPUT_PLATFORM_API_KEY   becomes CLERK_PLATFORM_API_KEY for the plan only (when not empty)
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY   as GitHub sets them
#
# Step outputs: exit-code (the plan's), drift (true|false; unknown when the plan failed: exit
# code 1), violations (the same for exit bit 4), sarif-file (its absolute path; empty when
# none was written or the plan exited 1, so that the upload step is skipped).
# Exit status: 0, or the plan's exit code when the step fails (always on 1; on the others when
# INPUT_FAIL_ON_FINDINGS is true).
set -uo pipefail

fail() {
  echo "::error title=clerk-drift::$1"
  echo "error: $1" >&2
  exit 1
}

boolean() { # NAME VALUE
  case "$2" in
    true | false) ;;
    *) fail "input $1 must be true or false, not '$2'" ;;
  esac
}

bin="${CLERK_DRIFT:-clerk-drift}"
output="${GITHUB_OUTPUT:-/dev/null}"
sarif="${INPUT_SARIF_FILE-clerk-drift.sarif}"
summary="${INPUT_STEP_SUMMARY:-true}"
fail_on_findings="${INPUT_FAIL_ON_FINDINGS:-true}"
boolean step-summary "$summary"
boolean fail-on-findings "$fail_on_findings"

args=(plan)
[ -n "${INPUT_INSTANCE:-}" ] && args+=(--instance "$INPUT_INSTANCE")
[ -n "${INPUT_SNAPSHOT:-}" ] && args+=(--snapshot "$INPUT_SNAPSHOT")
if [ -n "$sarif" ]; then
  # A SARIF file left by an earlier step must not be uploaded as this run's.
  rm -f -- "$sarif"
  args+=(--output "sarif=$sarif")
fi
[ "$summary" = true ] && args+=(--step-summary)
# Split on every run of whitespace, newlines included (a multi-line `args:` block); `read -d ''`
# returns 1 at the end of its input, which is expected here.
extra=()
read -r -d '' -a extra < <(printf '%s' "${INPUT_ARGS:-}") || true
args+=("${extra[@]}")

# Keys reach the plan only (never the install step, whose build scripts run third-party code),
# and the OS keyring is never consulted on a runner.
export CLERK_DRIFT_NO_KEYRING=1
[ -n "${INPUT_SECRET_KEY:-}" ] && export CLERK_SECRET_KEY="$INPUT_SECRET_KEY"
[ -n "${INPUT_PLATFORM_API_KEY:-}" ] && export CLERK_PLATFORM_API_KEY="$INPUT_PLATFORM_API_KEY"

echo "clerk-drift ${args[*]}"
"$bin" "${args[@]}"
code=$?

bit() { # MASK
  if [ "$code" -eq 1 ]; then
    echo unknown
  elif [ $((code & $1)) -ne 0 ]; then
    echo true
  else
    echo false
  fi
}
# An incomplete plan (exit 1) names no SARIF file: uploaded, it would close the alerts of
# settings it did not observe.
written=""
if [ "$code" -ne 1 ] && [ -n "$sarif" ] && [ -f "$sarif" ]; then
  written="$(cd "$(dirname -- "$sarif")" && pwd)/$(basename -- "$sarif")"
fi
{
  echo "exit-code=$code"
  echo "drift=$(bit 2)"
  echo "violations=$(bit 4)"
  echo "sarif-file=$written"
} >> "$output"

if [ "$code" -eq 0 ]; then
  exit 0
fi
if [ "$code" -eq 1 ]; then
  if [ "$summary" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '## clerk-drift\n\nThe plan did not complete (exit code 1: an error or incomplete data); the job log says why.\n' >> "$GITHUB_STEP_SUMMARY"
  fi
  echo "::error title=clerk-drift::the plan did not complete (exit code 1: an error or incomplete data)"
  exit 1
fi
found=()
[ $((code & 2)) -ne 0 ] && found+=("drift from the baseline")
[ $((code & 4)) -ne 0 ] && found+=("policy violations")
[ $((code & 8)) -ne 0 ] && found+=("expired or invalid waivers")
joined="$(IFS=,; echo "${found[*]}")"
message="${joined//,/, } (exit code $code)"
if [ "$fail_on_findings" = true ]; then
  echo "::error title=clerk-drift::$message"
  exit "$code"
fi
echo "::warning title=clerk-drift::$message"
exit 0
