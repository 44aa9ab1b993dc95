#!/bin/bash
# The device tool sends the checkout (tracked files) plus .devcarry, 64 MiB in all; the tree (28 MB) plus the
# carry (44 MB) is over. `slim` untracks kontext-micro's weights (18 MB; bench:gpu does not use them) and hides
# them from git for the call, leaving the files where they are; `restore` tracks them again. Run in the checkout
# the session started in, around the device call only (commit nothing between the two).
set -euo pipefail
cd "$(dirname "$0")/../.."
exclude="$(git rev-parse --git-common-dir)/info/exclude"
weights=(training/checkpoints/kontext-micro/flux1-kontext-dev.safetensors training/checkpoints/kontext-micro/ae.safetensors)
case "${1:-}" in
  slim)
    git rm -q --cached "${weights[@]}"
    for f in "${weights[@]}"; do echo "/$f" >> "$exclude"; done
    ;;
  restore)
    for f in "${weights[@]}"; do grep -vxF "/$f" "$exclude" > "$exclude.new" || true; mv "$exclude.new" "$exclude"; done
    git add "${weights[@]}"
    ;;
  *) echo "usage: tools/device/tree.sh slim|restore" >&2; exit 2 ;;
esac
git status --short
