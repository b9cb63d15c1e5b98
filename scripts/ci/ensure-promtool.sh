#!/usr/bin/env bash
# Makes sure promtool (Prometheus' checker, used by the /metrics tests) is installed, from Debian's prometheus package if not.
#
# Idempotent: a promtool on PATH (or at PROMTOOL_BIN) is left alone. Debian 12 ships 2.42.
set -euo pipefail

log() { printf 'ensure-promtool: %s\n' "$*"; }
die() { printf 'ensure-promtool: ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "root is needed for: $*"; fi
}

if [ -n "${PROMTOOL_BIN:-}" ] && [ -x "$PROMTOOL_BIN" ]; then
  log "using PROMTOOL_BIN=$PROMTOOL_BIN ($("$PROMTOOL_BIN" --version 2>&1 | head -n 1))"
  exit 0
fi
if command -v promtool >/dev/null 2>&1; then
  log "$(promtool --version 2>&1 | head -n 1) already installed"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "promtool not found and no apt-get to install it (set PROMTOOL_BIN)"
log "promtool not installed: apt-get update && apt-get install -y prometheus"
as_root apt-get -o DPkg::Lock::Timeout=120 update -q </dev/null >/dev/null || die "apt-get update failed"
# --no-install-recommends: only the binaries; the package's service is not needed (and not started in containers).
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends prometheus </dev/null \
  || die "apt-get install prometheus failed"
command -v promtool >/dev/null 2>&1 || die "promtool still missing after apt-get install"
log "installed $(promtool --version 2>&1 | head -n 1)"
