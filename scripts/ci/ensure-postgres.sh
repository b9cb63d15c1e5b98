#!/usr/bin/env bash
# Makes sure the test PostgreSQL answers on 127.0.0.1:5432 as postgres (trust), with headroom for concurrency tests and pgbench.
#
# Idempotent. A server that already lets postgres in on 127.0.0.1:5432 is left alone, except that a
# local Debian cluster with max_connections below CI_PG_MIN_CONNECTIONS (200) is raised and restarted
# once. Otherwise a stopped cluster is started, and a missing server is installed from Debian's
# packages (postgresql, postgresql-contrib: PostgreSQL 15 on Debian 12, with pgbench) and set up.
# When TEST_DATABASE_URL points somewhere other than this machine, only that database is waited for.
set -euo pipefail
CI_SCRIPT=ensure-postgres
# shellcheck source=scripts/ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

HOST=127.0.0.1
PORT=5432
MIN_CONNECTIONS="${CI_PG_MIN_CONNECTIONS:-200}"
WAIT_SECONDS="${CI_PG_WAIT_SECONDS:-30}"
CONF_FILE_NAME=95-project-ci.conf
HBA_MARK="# project-ci: trust loopback for local tests (scripts/ci/ensure-postgres.sh)"
DSN="host=$HOST port=$PORT user=postgres dbname=postgres connect_timeout=3"

can_login() { psql "$DSN" -w -Atqc 'select 1' >/dev/null 2>&1; }
query() { psql "$DSN" -w -Atqc "$1" 2>/dev/null || true; }

is_local_url() { [[ "$1" =~ ^postgres(ql)?://([^@/]*@)?(127\.0\.0\.1|localhost)(:5432)?(/|\?|$) ]]; }

# --- a database somewhere else: nothing to manage, only wait for it --------------------------------
if [ -n "${TEST_DATABASE_URL:-}" ] && ! is_local_url "$TEST_DATABASE_URL"; then
  command -v psql >/dev/null 2>&1 || apt_install postgresql-client
  ext_ok() { psql "$TEST_DATABASE_URL" -w -Atqc 'select 1' >/dev/null 2>&1; }
  wait_until "$WAIT_SECONDS" "external TEST_DATABASE_URL answers" ext_ok \
    || die "TEST_DATABASE_URL does not accept connections within ${WAIT_SECONDS}s"
  exit 0
fi

# --- the local Debian cluster ---------------------------------------------------------------------
newest() { # newest major version among paths like PREFIX/<version>/SUFFIX that exist
  local prefix=$1 suffix=$2 p v best=""
  for p in "$prefix"/*/"$suffix"; do
    [ -e "$p" ] || continue
    v=${p#"$prefix"/}; v=${v%%/*}
    if [ -z "$best" ] || [ "$(printf '%s\n' "$best" "$v" | sort -V | tail -n 1)" = "$v" ]; then best=$v; fi
  done
  printf '%s' "$best"
}
server_version() { newest /usr/lib/postgresql bin/postgres; }
cluster_version() { newest /etc/postgresql main/postgresql.conf; }
cluster_running() { pg_ctlcluster "$1" main status >/dev/null 2>&1; }
cluster_log() { echo "/var/log/postgresql/postgresql-$1-main.log"; }
ready() { pg_isready -h "$HOST" -p "$PORT" -t 2 -q; }

CONF_CHANGED=0
HBA_CHANGED=0
configure_cluster() { # loopback listener on 5432, max_connections, trust for 127.0.0.1/32 and ::1/128
  local ver=$1 dir="/etc/postgresql/$1/main" want tmp
  want="# Written by scripts/ci/ensure-postgres.sh for local tests; restart the cluster after changes.
listen_addresses = '127.0.0.1'
port = $PORT
max_connections = $MIN_CONNECTIONS"
  as_root mkdir -p "$dir/conf.d"
  if [ "$(cat "$dir/conf.d/$CONF_FILE_NAME" 2>/dev/null)" != "$want" ]; then
    printf '%s\n' "$want" | as_root tee "$dir/conf.d/$CONF_FILE_NAME" >/dev/null
    grep -Eq "^[[:space:]]*include_dir[[:space:]]*=[[:space:]]*'conf\.d'" "$dir/postgresql.conf" \
      || printf "include_dir = 'conf.d'\n" | as_root tee -a "$dir/postgresql.conf" >/dev/null
    CONF_CHANGED=1
    log "wrote $dir/conf.d/$CONF_FILE_NAME (listen 127.0.0.1:$PORT, max_connections $MIN_CONNECTIONS)"
  fi
  if ! grep -qF "$HBA_MARK" "$dir/pg_hba.conf"; then
    # pg_hba.conf is read top-down and the first match wins, so the trust lines go first.
    tmp=$(mktemp)
    { printf '%s\n' "$HBA_MARK" "host all all 127.0.0.1/32 trust" "host all all ::1/128 trust" ""
      cat "$dir/pg_hba.conf"; } >"$tmp"
    as_root cp "$tmp" "$dir/pg_hba.conf"
    rm -f "$tmp"
    HBA_CHANGED=1
    log "added trust for 127.0.0.1/32 and ::1/128 at the top of $dir/pg_hba.conf"
  fi
}

# Runs a command with only stdin, stdout and stderr open: the server it starts then holds no pipe of
# whoever ran this script (a CI runner waiting for its pipes to close would otherwise wait forever).
without_inherited_fds() {
  (
    for f in /proc/"$BASHPID"/fd/*; do
      fd=${f##*/}
      if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    "$@"
  )
}

start_cluster() {
  log "starting cluster $1/main"
  without_inherited_fds as_root pg_ctlcluster --skip-systemctl-redirect "$1" main start </dev/null \
    || { tail -n 20 "$(cluster_log "$1")" 2>/dev/null || true; die "pg_ctlcluster $1 main start failed"; }
}
restart_cluster() {
  log "restarting cluster $1/main"
  without_inherited_fds as_root pg_ctlcluster --skip-systemctl-redirect "$1" main restart -m fast </dev/null \
    || { tail -n 20 "$(cluster_log "$1")" 2>/dev/null || true; die "pg_ctlcluster $1 main restart failed"; }
}
wait_ready() {
  wait_until "$WAIT_SECONDS" "server accepts connections on $HOST:$PORT" ready || {
    [ -n "${1:-}" ] && { tail -n 20 "$(cluster_log "$1")" 2>/dev/null || true; }
    die "PostgreSQL did not accept connections on $HOST:$PORT within ${WAIT_SECONDS}s"
  }
}

# Client tools first: they are how everything below looks at the server.
if ! command -v psql >/dev/null 2>&1 || ! command -v pg_isready >/dev/null 2>&1; then
  apt_install postgresql-client
fi

if can_login; then
  log "PostgreSQL already accepts postgres@$HOST:$PORT"
  max_conn=$(query 'show max_connections')
  if [[ "$max_conn" =~ ^[0-9]+$ ]] && [ "$max_conn" -lt "$MIN_CONNECTIONS" ]; then
    ver=$(cluster_version)
    data_dir=$(query 'show data_directory')
    if [ -n "$ver" ] && [ -n "$data_dir" ] && [ "$data_dir" = "$(pg_conftool -s "$ver" main show data_directory 2>/dev/null)" ]; then
      log "max_connections is $max_conn, below $MIN_CONNECTIONS: raising it on local cluster $ver/main"
      configure_cluster "$ver"
      restart_cluster "$ver"
      wait_ready "$ver"
      wait_until "$WAIT_SECONDS" "postgres can log in" can_login || die "postgres cannot log in on $HOST:$PORT after the restart"
    else
      log "WARNING: max_connections is $max_conn (< $MIN_CONNECTIONS) on a server this script does not manage; concurrency tests may fail"
    fi
  fi
else
  ver=$(server_version)
  if [ -z "$ver" ]; then
    log "no PostgreSQL server installed"
    apt_install postgresql postgresql-contrib
    ver=$(server_version)
    [ -n "$ver" ] || die "PostgreSQL server still missing after apt-get install"
  fi
  cver=$(cluster_version)
  if [ -z "$cver" ]; then
    log "creating cluster $ver/main on port $PORT"
    as_root pg_createcluster "$ver" main --port "$PORT" </dev/null >/dev/null || die "pg_createcluster $ver main failed"
    cver=$ver
  fi
  configure_cluster "$cver"
  if cluster_running "$cver"; then
    if [ "$CONF_CHANGED" -eq 1 ]; then restart_cluster "$cver"
    elif [ "$HBA_CHANGED" -eq 1 ]; then
      log "reloading cluster $cver/main"; as_root pg_ctlcluster --skip-systemctl-redirect "$cver" main reload </dev/null
    else
      log "cluster $cver/main is running but postgres cannot log in on $HOST:$PORT; waiting"
    fi
  else
    start_cluster "$cver"
  fi
  wait_ready "$cver"
  wait_until "$WAIT_SECONDS" "postgres can log in" can_login || {
    tail -n 20 "$(cluster_log "$cver")" 2>/dev/null || true
    die "PostgreSQL answers on $HOST:$PORT but postgres cannot log in without a password (check pg_hba.conf of $cver/main)"
  }
fi

# pgbench: Debian 12 ships it in postgresql-15 (pulled in by postgresql-contrib); /usr/bin/pgbench is a wrapper.
if ! pgbench --version >/dev/null 2>&1; then
  log "pgbench missing"
  apt_install postgresql-contrib
  pgbench --version >/dev/null 2>&1 || die "pgbench still missing after installing postgresql-contrib"
fi

log "ready: $(query 'select version()' | cut -d, -f1), max_connections $(query 'show max_connections'), $(pgbench --version)"
