#!/bin/bash
# Packs what `npm run bench:gpu` needs on a bare GPU machine (no Node, no npm, no network) into .devcarry/
# (git-excluded), small enough to travel beside the repository (the device tool carries 64 MiB in all):
# Node itself and the few packages the Node runtime of the bench imports, xz-compressed; Vulkan's loader
# (libvulkan1) and libGLdispatch (libglvnd0, which NVIDIA's Vulkan driver links), which onnxruntime-node's WebGPU EP
# (Dawn) needs and a CUDA image may lack.
# Run here after `npm ci`; tools/device/bench-gpu.sh unpacks and runs it there.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.devcarry
grep -qx "/$out/" .git/info/exclude 2>/dev/null || echo "/$out/" >> "$(git rev-parse --git-common-dir)/info/exclude"
rm -rf "$out" && mkdir -p "$out"
xz -T2 -9 -c "$(readlink -f "$(command -v node)")" > "$out/node.xz"
# The Node runtime's imports (the converter CLI, the engine's session code, onnxruntime-node), and tsx to run them.
modules=(tsx esbuild @esbuild/linux-x64 get-tsconfig resolve-pkg-maps onnxruntime-node onnxruntime-common
  @huggingface/tokenizers idb-keyval)
ort=node_modules/onnxruntime-node/bin/napi-v6
# onnxruntime-web only as Node loads it: the converter fits the preview decoder on its WASM CPU build.
web=node_modules/onnxruntime-web
tar -c --exclude="$ort/darwin" --exclude="$ort/win32" --exclude="$ort/linux/arm64" \
  $(for m in "${modules[@]}"; do echo "node_modules/$m"; done) \
  $web/package.json $web/dist/ort.node.min.mjs $web/dist/ort-wasm-simd-threaded.mjs $web/dist/ort-wasm-simd-threaded.wasm |
  xz -T2 -9 > "$out/node_modules.tar.xz"
# Vulkan's loader, glvnd and the X/GL libraries NVIDIA's driver (libGLX_nvidia) links, for an image without them.
gl_packages='libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libopengl0 libgles2 libx11-6 libxext6 libxcb1 libxau6
  libxdmcp6 libbsd0 libmd0'
mkdir -p /tmp/amd64-lists/partial
(cd "$out" && apt-get -q -oDir::State::Lists=/tmp/amd64-lists -oAPT::Architecture=amd64 update > /dev/null &&
  apt-get -q -oDir::State::Lists=/tmp/amd64-lists -oAPT::Architecture=amd64 download $gl_packages > /dev/null) ||
  echo "no .deb fetched: the GPU machine must have Vulkan's loader and libGLdispatch itself"
du -ch "$out"/* | tail -n 20
