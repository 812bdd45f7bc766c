#!/usr/bin/env bash
# Device side of scripts/device/pack.sh: run from the repository root on a GPU machine that has the NVIDIA driver
# but neither Node.js nor a Vulkan loader, with .gpu/ carried. Sets up Vulkan (Debian's loader + GLVND unpacked into
# /, the driver's ICD found with find), unpacks node and dawn.node, links the bundles' fixture folders, then runs
# "$@" with `node` on the PATH and the environment exported. Writes the set-up log to ${OUT:-/tmp}/setup.log.
#   source scripts/device/on-device.sh            # set up only (in the calling shell)
#   bash scripts/device/on-device.sh CMD ARGS...  # set up, then run CMD
set -uo pipefail
LOG=${OUT:-/tmp}/setup.log
{
  echo "== $(date -u +%FT%TZ) $(uname -r)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv,noheader 2>&1
  if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
    for f in .gpu/debs/*.deb; do dpkg-deb -x "$f" /; done
    ldconfig
  fi
  ldconfig -p | grep -E 'libvulkan.so.1 |libGLdispatch' | head -3
  if [[ -z ${VK_DRIVER_FILES:-} ]]; then
    icd=$(find /usr/local/nvidia /usr/share/vulkan /etc/vulkan -name 'nvidia_icd*.json' 2>/dev/null | head -1)
    if [[ -n $icd ]]; then export VK_DRIVER_FILES=$icd; fi
  fi
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-<none found>}"; [[ -n ${VK_DRIVER_FILES:-} ]] && cat "$VK_DRIVER_FILES"
  egl=$(find /usr/local/nvidia /usr/share/glvnd -name '10_nvidia.json' 2>/dev/null | head -1)
  [[ -n $egl ]] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
  mkdir -p /opt/massive-node/bin
  [[ -x /opt/massive-node/bin/node ]] || xz -dc .gpu/node.xz > /opt/massive-node/bin/node && chmod +x /opt/massive-node/bin/node
  D=.gpu/node_modules/webgpu/dist/linux-x64
  [[ -s $D/dawn.node ]] || xz -dc $D/dawn.node.xz > $D/dawn.node
  export PATH=/opt/massive-node/bin:$PATH
  node --version
  # Bundled tests resolve test/<stage>/../fixtures and ../../data from their own folder.
  [[ -d .gpu/js ]] || tar -xJf .gpu/js.tar.xz -C .gpu
  mkdir -p .gpu/js/test
  ln -sfn "$PWD/test/fixtures" .gpu/js/test/fixtures
  for d in test/*/fixtures; do [[ -d $d && -d .gpu/js/$(dirname "$d") ]] && ln -sfn "$PWD/$d" ".gpu/js/$d"; done
  if [[ -d data/mini-pythia/checkpoints ]]; then ln -sfn "$PWD/data" .gpu/js/data; else ln -sfn "$PWD/.gpu/data" .gpu/js/data; fi
} >>"$LOG" 2>&1
export PATH=/opt/massive-node/bin:$PATH NODE_PATH=$PWD/.gpu/node_modules
if [[ ${BASH_SOURCE[0]} == "$0" && $# -gt 0 ]]; then exec "$@"; fi
