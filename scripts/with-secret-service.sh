#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring Secret Service,
# keeping its keyring files in a throwaway directory: for the keyring integration test.
# Usage: scripts/with-secret-service.sh COMMAND [ARGS...]   (needs dbus-run-session, gnome-keyring)
set -euo pipefail
if [ -z "${CLERK_DRIFT_IN_SECRET_SERVICE:-}" ]; then
  keyrings=$(mktemp -d)
  trap 'rm -rf "$keyrings"' EXIT
  XDG_DATA_HOME="$keyrings" CLERK_DRIFT_IN_SECRET_SERVICE=1 dbus-run-session -- "$0" "$@"
  exit $?
fi
# Inside the session: start the daemon with an empty-password login keyring, unlocked.
eval "$(printf '\n' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
export GNOME_KEYRING_CONTROL
"$@"
