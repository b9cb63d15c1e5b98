#!/usr/bin/env bash
# Makes sure promtool (Prometheus' checker, used by the /metrics tests) is installed, from Debian's prometheus package if not.
#
# Idempotent: a promtool on PATH (or at PROMTOOL_BIN) is left alone. Debian 12 ships 2.42.
set -euo pipefail
CI_SCRIPT=ensure-promtool
# shellcheck source=scripts/ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ -n "${PROMTOOL_BIN:-}" ] && [ -x "$PROMTOOL_BIN" ]; then
  log "using PROMTOOL_BIN=$PROMTOOL_BIN ($("$PROMTOOL_BIN" --version 2>&1 | head -n 1))"
  exit 0
fi
if command -v promtool >/dev/null 2>&1; then
  log "$(promtool --version 2>&1 | head -n 1) already installed"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "promtool not found and no apt-get to install it (set PROMTOOL_BIN)"
log "promtool not installed"
# --no-install-recommends: only the binaries; the package's service is not needed (and not started in containers).
apt_install --no-install-recommends prometheus
command -v promtool >/dev/null 2>&1 || die "promtool still missing after apt-get install"
log "installed $(promtool --version 2>&1 | head -n 1)"
