#!/bin/bash
# `npm run bench:gpu` on a bare GPU machine from what tools/device/pack.sh packed into .devcarry/: Node and the
# bench's packages unpacked, Vulkan's loader where the machine has none, the NVIDIA Vulkan driver named, the
# Node runtime (onnxruntime-node's WebGPU EP; no Chromium there). Arguments go to the bench, e.g.
#   bash tools/device/bench-gpu.sh --budget-seconds 540 --depth 0.1
# Results: .cache/bench/gpu/results.json (copy it to $OUT). VK_ICD_FILENAMES overrides the driver (SwiftShader here).
set -uo pipefail
cd "$(dirname "$0")/../.."
carry=.devcarry
tools=/tmp/kontext-device
mkdir -p "$tools/bin"
[ -x "$tools/bin/node" ] || xz -dc "$carry/node.xz" > "$tools/bin/node" && chmod +x "$tools/bin/node"
[ -d node_modules/tsx ] || tar -xJf "$carry/node_modules.tar.xz"
if ! ldconfig -p | grep -q 'libvulkan.so.1 ' || ! ldconfig -p | grep -q 'libGLdispatch.so.0 '; then
  for deb in "$carry"/*.deb; do dpkg -x "$deb" "$tools/gl"; done
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$tools/gl/usr/lib/x86_64-linux-gnu"
fi
nvidia=/usr/local/nvidia
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f "$nvidia/share/vulkan/icd.d/nvidia_icd.json" ]; then
  export VK_ICD_FILENAMES="$nvidia/share/vulkan/icd.d/nvidia_icd.json"
  # The ICD names libGLX_nvidia.so.0 bare, and the mounted driver's folder is not in ld.so.cache. On the H200 the
  # adapter came with this and the X/GL libraries that library links (carried, above); with this alone, none.
  export LD_LIBRARY_PATH="$nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
export PATH="$tools/bin:$PATH" XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
export BENCH_PYTHON="${BENCH_PYTHON:-$(command -v python3)}"
echo "node $(node --version); vulkan ICD ${VK_ICD_FILENAMES:-none}; python ${BENCH_PYTHON:-none}"
nvidia-smi -L 2>/dev/null || true
# A minute's check before ten: without an adapter, say why (Vulkan's loader log) and stop.
node --import tsx tools/device/webgpuCheck.ts
if [ $? = 1 ]; then
  VK_LOADER_DEBUG=error,warn,driver node --import tsx tools/device/webgpuCheck.ts 2>&1 | grep -v '^DRIVER: *\(Searching\|In following\)' | head -n 60
  lib=/usr/local/nvidia/lib64/libGLX_nvidia.so.0
  [ -f "$lib" ] && ldd "$lib" | grep -i 'not found'
  exit 1
fi
exec node --import tsx tools/bench/gpu.ts --runtime node "$@"
