#!/usr/bin/env bash
# Makes sure a NATS server with JetStream answers on 127.0.0.1:4222, starting one from deploy/nats/nats-ci.conf if not.
#
# Idempotent. A server whose INFO line says "jetstream":true is left alone. Otherwise Debian's
# nats-server (2.9.10) is installed when missing, the config is tested with `nats-server -t`, and the
# server is started in the background (detached from this script's output) and waited for.
# When TEST_NATS_URL points somewhere other than this machine, only that server is waited for.
set -euo pipefail
CI_SCRIPT=ensure-nats
# shellcheck source=scripts/ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONF="$ROOT/deploy/nats/nats-ci.conf"
RUN_DIR=/tmp/nats-ci                 # pid_file, log_file and store_dir in the config live here
PID_FILE="$RUN_DIR/nats-server.pid"
LOG_FILE="$RUN_DIR/nats-server.log"
HOST=127.0.0.1
PORT=4222
WAIT_SECONDS="${CI_NATS_WAIT_SECONDS:-30}"

# The first line a NATS server sends: INFO {...}. Empty when nothing answers.
info_line() { # info_line HOST PORT
  timeout 4 bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r -t 3 line <&3 && printf "%s\n" "$line"' _ "$1" "$2" 2>/dev/null || true
}
has_jetstream() { [[ "$(info_line "$1" "$2")" == INFO*'"jetstream":true'* ]]; }

version_of() { info_line "$1" "$2" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p'; }

# --- a server somewhere else: nothing to manage, only wait for it ---------------------------------
if [ -n "${TEST_NATS_URL:-}" ]; then
  if [[ "$TEST_NATS_URL" =~ ^nats://([^@/]*@)?([^:/]+)(:([0-9]+))?/?$ ]]; then
    ext_host=${BASH_REMATCH[2]} ext_port=${BASH_REMATCH[4]:-4222}
  else
    die "cannot read host and port from TEST_NATS_URL=$TEST_NATS_URL"
  fi
  if ! { [ "$ext_host" = 127.0.0.1 ] || [ "$ext_host" = localhost ]; } || [ "$ext_port" != "$PORT" ]; then
    wait_until "$WAIT_SECONDS" "NATS with JetStream answers at $ext_host:$ext_port" has_jetstream "$ext_host" "$ext_port" \
      || die "no NATS server with JetStream at $ext_host:$ext_port (TEST_NATS_URL) within ${WAIT_SECONDS}s"
    exit 0
  fi
fi

# --- the local server -----------------------------------------------------------------------------
if has_jetstream "$HOST" "$PORT"; then
  log "NATS $(version_of "$HOST" "$PORT") with JetStream already answers on $HOST:$PORT"
  exit 0
fi

if [ -n "$(info_line "$HOST" "$PORT")" ]; then
  # Something speaks NATS on the port but without JetStream. Only a server this script started may be replaced.
  pid=$(cat "$PID_FILE" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = nats-server ]; then
    log "stopping our nats-server (pid $pid): it answers without JetStream"
    kill "$pid"
    gone() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
    wait_until 15 "old nats-server stopped" gone "$pid" || die "nats-server pid $pid did not stop"
  else
    die "a NATS server without JetStream holds $HOST:$PORT; stop it (or restart it with -js) and run again"
  fi
fi

NATS_BIN=$(command -v nats-server || true)
[ -z "$NATS_BIN" ] && [ -x /usr/sbin/nats-server ] && NATS_BIN=/usr/sbin/nats-server
if [ -z "$NATS_BIN" ]; then
  log "nats-server not installed"
  apt_install nats-server
  NATS_BIN=$(command -v nats-server || echo /usr/sbin/nats-server)
  [ -x "$NATS_BIN" ] || die "nats-server still missing after apt-get install"
fi

mkdir -p "$RUN_DIR/jetstream"
"$NATS_BIN" -c "$CONF" -t >/dev/null 2>&1 || { "$NATS_BIN" -c "$CONF" -t || true; die "config test failed: $CONF"; }

log "starting $("$NATS_BIN" --version) from ${CONF#"$ROOT"/} (log $LOG_FILE)"
if command -v start-stop-daemon >/dev/null 2>&1; then
  # --background closes our stdout/stderr in the child, so no pipe of the caller stays open.
  start-stop-daemon --start --oknodo --background --pidfile "$PID_FILE" --exec "$NATS_BIN" -- -c "$CONF" </dev/null
else
  ( # close every inherited descriptor past stderr, so the server holds no pipe of our caller
    for f in /proc/"$BASHPID"/fd/*; do
      fd=${f##*/}
      if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid "$NATS_BIN" -c "$CONF" </dev/null >>"$RUN_DIR/stdout.log" 2>&1
  ) &
fi

wait_until "$WAIT_SECONDS" "NATS with JetStream answers on $HOST:$PORT" has_jetstream "$HOST" "$PORT" || {
  tail -n 20 "$LOG_FILE" 2>/dev/null || true
  die "NATS with JetStream did not come up on $HOST:$PORT within ${WAIT_SECONDS}s"
}
log "ready: NATS $(version_of "$HOST" "$PORT"), JetStream store $RUN_DIR/jetstream, monitoring http://127.0.0.1:8222"
