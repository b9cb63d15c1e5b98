#!/usr/bin/env bash
# Makes sure headless Chromium (Debian's chromium package, driven by playwright-core in the /docs page test) is installed.
#
# Idempotent: a chromium at CHROMIUM_BIN or /usr/bin/chromium is left alone. Playwright's own browser download is never
# used (it needs the internet); Debian's build is what the test drives.
set -euo pipefail
CI_SCRIPT=ensure-chromium
# shellcheck source=scripts/ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bin="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ -x "$bin" ]; then
  log "$("$bin" --version 2>/dev/null | head -n 1) already installed ($bin)"
  exit 0
fi
[ -n "${CHROMIUM_BIN:-}" ] && die "CHROMIUM_BIN=$CHROMIUM_BIN is not an executable"

log "chromium not installed (about 100 MB of packages; this takes a minute or two)"
# --no-install-recommends: the browser and its libraries, without the desktop extras (fonts come as dependencies).
apt_install --no-install-recommends chromium
[ -x "$bin" ] || die "$bin still missing after apt-get install"
log "installed $("$bin" --version 2>/dev/null | head -n 1)"
