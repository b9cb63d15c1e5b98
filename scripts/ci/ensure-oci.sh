#!/usr/bin/env bash
# Makes sure the offline OCI tools are installed (buildah builds the images, podman + runc run them in the image test), from Debian's packages if not.
#
# Idempotent: tools already on PATH are left alone. No Docker engine and no registry is involved; see
# scripts/image/build.ts and scripts/image/image.test.ts for how they are used (vfs storage, runc, cgroupfs).
set -euo pipefail
CI_SCRIPT=ensure-oci
# shellcheck source=scripts/ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

missing=()
for tool in buildah podman runc; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "not installed: ${missing[*]}"
  # --no-install-recommends: no rootless helpers (slirp4netns, fuse-overlayfs) or crun; the tests run as root with
  # --network=host on vfs storage and pick runc explicitly (crun is denied setrlimit in this kind of sandbox).
  apt_install --no-install-recommends "${missing[@]}"
  for tool in "${missing[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool still missing after apt-get install"
  done
fi
log "$(buildah --version), $(podman --version), $(runc --version | head -n 1)"
