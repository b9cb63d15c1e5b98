# shellcheck shell=bash
# Shared by the scripts/ci/ensure-*.sh scripts (sourced, not run): logging, root, installing Debian packages, waiting.
# The sourcing script sets CI_SCRIPT (its name, for the log prefix) first.

log() { printf '%s: %s\n' "$CI_SCRIPT" "$*"; }
die() { printf '%s: ERROR: %s\n' "$CI_SCRIPT" "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "root is needed for: $*"; fi
}

APT_UPDATED=0
# apt_install [apt options…] PACKAGE…: runs `apt-get update` once per script, then installs without prompts.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root apt-get -o DPkg::Lock::Timeout=120 update -q </dev/null >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q "$@" </dev/null \
    || die "apt-get install $* failed"
}

# wait_until SECONDS DESCRIPTION COMMAND...: retries COMMAND every second; logs how long it took, or returns 1.
wait_until() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 1
  done
  log "$what after $((limit - (deadline - SECONDS)))s"
}
