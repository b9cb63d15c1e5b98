#!/usr/bin/env bash
# Makes sure everything the test suite needs is installed and running (PostgreSQL, NATS, promtool, Deno, OCI tools, kubectl,
# Chromium, nginx), with progress lines.
#
# Each scripts/ci/ensure-*.sh is idempotent and says what it found, installed or started; on a machine where all of
# it is there this takes a few seconds. Called by `npm test` (scripts/test.sh) and by .ci/run before its checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$SECONDS
echo "prepare-tests: PostgreSQL, NATS, promtool, Deno, OCI tools (buildah, podman, runc), kubectl, Chromium, nginx"
for need in postgres nats promtool deno oci kubectl chromium nginx; do
  bash "scripts/ci/ensure-$need.sh" </dev/null || {
    echo "prepare-tests: cannot run the suite: ensure-$need failed (its message is above)" >&2
    exit 1
  }
done
echo "prepare-tests: ready in $((SECONDS - started))s"
