#!/usr/bin/env bash
# `npm test`: installs or starts what the suite needs (scripts/prepare-tests.sh), then runs `bun test` with the arguments given.
#
# On a fresh machine of this project's kind (Node.js, npm, PostgreSQL and NATS) this is the whole setup.
# `npm test -- services/orders` runs one folder; TEST_SKIP_PREPARE=1 skips the preparation.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export TEST_NATS_URL="${TEST_NATS_URL:-nats://127.0.0.1:4222}"

if [ ! -x node_modules/.bin/bun ]; then
  echo "test: node_modules/.bin/bun is missing: run \`npm install\` first" >&2
  exit 1
fi
[ "${TEST_SKIP_PREPARE:-}" = 1 ] || bash scripts/prepare-tests.sh
exec node_modules/.bin/bun test "$@"
