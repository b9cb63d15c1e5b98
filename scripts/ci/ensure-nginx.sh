#!/usr/bin/env bash
# Makes sure nginx (Debian's package) is installed for the tests that put it in front of services; installs it only when missing.
#
# Idempotent; no server is started here: each test runs its own nginx in the foreground with a config it writes
# (lib/testing/nginx.ts). The package's own service is kept from starting (policy-rc.d), so it holds no port.
set -euo pipefail
CI_SCRIPT=ensure-nginx
# shellcheck source=scripts/ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

nginx_bin() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }

if [ -n "$(nginx_bin)" ]; then
  log "$("$(nginx_bin)" -v 2>&1) already installed"
  exit 0
fi
log "nginx not installed"
# policy-rc.d 101: the package's post-install does not start a system nginx on port 80 (we run our own per test).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
  created_policy=1
fi
apt_install --no-install-recommends nginx
[ "$created_policy" -eq 1 ] && as_root rm -f "$policy"
[ -n "$(nginx_bin)" ] || die "nginx still missing after apt-get install"
log "ready: $("$(nginx_bin)" -v 2>&1)"
