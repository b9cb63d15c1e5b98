#!/usr/bin/env bash
# Reads a `bun test` log and prints "tests: N passed, N failed"; exits 1 when it finds no test at all.
#
# Bun closes each run with lines like " 12 pass" and " 0 fail"; every such pair in the log is
# added up, so a test script that runs `bun test` more than once is counted whole.
set -euo pipefail

log_file=${1:?usage: summarize-bun-test.sh LOG_FILE}
[ -r "$log_file" ] || { echo "summarize-bun-test: cannot read $log_file" >&2; exit 1; }

# Strip colour codes and carriage returns, then add up Bun's count lines.
read -r passed failed < <(
  sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/\r$//' "$log_file" |
    awk '/^ *[0-9]+ pass$/ { p += $1 } /^ *[0-9]+ fail$/ { f += $1 } END { printf "%d %d\n", p, f }'
)

echo "tests: ${passed} passed, ${failed} failed"
[ $((passed + failed)) -gt 0 ] || { echo "summarize-bun-test: no test ran" >&2; exit 1; }
