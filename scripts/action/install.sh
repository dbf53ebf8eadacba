#!/usr/bin/env bash
# The install steps of the clerk-drift GitHub Action (action.yml at the repository root).
#
#   install.sh resolve   which version, where it goes, the cache key: step outputs `version`,
#                        `root`, `key`; puts ROOT/bin on the job's PATH (GITHUB_PATH)
#   install.sh install   `cargo install --locked` of that version into ROOT
#
# Environment (the Action sets it from its inputs):
#   INPUT_VERSION   a release (`0.1.0` or `v0.1.0`: the tag vX.Y.Z) or a 40-hex commit SHA;
#                   empty: the Action's own ref (ACTION_REF), which must then be one of those
#   ACTION_REF      github.action_ref
#   INSTALL_ROOT    where versions are installed (ROOT is INSTALL_ROOT/VERSION)
#   RUNNER_OS, RUNNER_ARCH, GITHUB_OUTPUT, GITHUB_PATH   as GitHub sets them
#
# A branch or "latest" is refused: the tool receives the live keys, so the version is pinned.
# The crate is not published on crates.io (publish = false): it is built from the repository's
# tag (or commit) with its Cargo.lock (--locked).
set -euo pipefail

REPOSITORY="https://github.com/clerk-drift/clerk-drift"

fail() {
  echo "::error title=clerk-drift::$1"
  echo "error: $1" >&2
  exit 1
}

version="${INPUT_VERSION:-}"
from="the version input"
if [ -z "$version" ]; then
  version="${ACTION_REF:-}"
  from="the Action's ref (${ACTION_REF:-none})"
fi
if [[ "$version" =~ ^v?([0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$ ]]; then
  label="${BASH_REMATCH[1]}"
  source_args=(--tag "v$label")
elif [[ "$version" =~ ^[0-9a-f]{40}$ ]]; then
  label="$version"
  source_args=(--rev "$version")
else
  fail "clerk-drift's version must be pinned: a release (0.1.0) or a commit SHA, not '$version' ($from)"
fi
root="${INSTALL_ROOT:?INSTALL_ROOT is not set}/$label"

case "${1:-}" in
  resolve)
    {
      echo "version=$label"
      echo "root=$root"
      echo "key=clerk-drift-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-$label"
    } >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
    echo "$root/bin" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
    ;;
  install)
    cargo install --locked --root "$root" --git "$REPOSITORY" "${source_args[@]}" clerk-drift
    installed="$("$root/bin/clerk-drift" --version)"
    if [ "${source_args[0]}" = "--tag" ] && [ "$installed" != "clerk-drift $label" ]; then
      fail "tag v$label installed '$installed', not clerk-drift $label"
    fi
    echo "$installed"
    ;;
  *)
    fail "usage: install.sh resolve|install"
    ;;
esac
