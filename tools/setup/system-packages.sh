#!/usr/bin/env bash
# Installs with apt what a fresh Debian 12 machine lacks for `npm test` and `npm run test:python`.
# Checks first and touches apt only when something is missing, so on a set-up machine it is a fast no-op.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
# Playwright's browser; CHROMIUM_PATH points at another one. The fonts make screenshots identical across machines.
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium fonts-dejavu-core)
fi
# The Python tests run on Debian's interpreter (the first python3 on PATH may be a pyenv build without torch).
# libopenblas0-pthread is named because python3-torch only recommends OpenBLAS: with --no-install-recommends apt
# would satisfy libblas.so.3 with the reference BLAS, many times slower.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || ! installed libopenblas0-pthread; then
  missing+=(python3-torch python3-numpy libopenblas0-pthread)
fi
# Linter for training/: Debian 12 has no ruff package, so pyflakes.
if ! /usr/bin/python3 -m pyflakes --version >/dev/null 2>&1; then
  missing+=(python3-pyflakes)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system-packages: nothing was missing"
  exit 0
fi
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system-packages: installed ${missing[*]}"
