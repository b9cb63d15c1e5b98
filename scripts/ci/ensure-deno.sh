#!/usr/bin/env bash
# Makes sure Deno (the gateway's second runtime, used by services/gateway/deno.test.ts) is at hand: DENO_BIN, deno on
# PATH, or the copy under .tools/deno, which it installs from npm when none of them exists. The test would install it
# itself; doing it here keeps the download out of the timed test run.
set -euo pipefail
CI_SCRIPT=ensure-deno
# shellcheck source=scripts/ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

deno_bin=$(node_modules/.bin/bun -e 'import { denoBinary } from "./lib/testing/deno.ts"; console.log(await denoBinary())') \
  || die "could not provide deno (see the message above)"
log "$("$deno_bin" --version | head -n 1) at $deno_bin"
