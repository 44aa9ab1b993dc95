#!/bin/bash
# The one prepared GPU call of kontext-micro training (device machine, python3 with CUDA torch):
# a 40-second smoke run through every path first, then the real run.
# Usage: gpu_run.sh OUT_DIR [SEED]. Environment: BUDGET_S (real run, default 450), BATCH (DiT batch, default
# 1024: gen 2 ran ~10 steps/s at 64 and at 256 alike, launch-bound), LR, and RESUME=<official folder> to keep
# that folder's AE and continue its DiT instead of fine-tuning the AE and starting the DiT afresh.
# Gen 3: AE_CONFIG=gen3 AE_S=200 trains the larger AE from scratch (lr AE_LR, default 1e-3), then the DiT afresh
# on it; if the new AE is not 0.5 dB better on bench inputs than the committed one, the run drops it and
# continues the committed DiT instead.
set -eo pipefail
out=$1
seed=${2:-11}
batch=${BATCH:-1024}
resume=()
[ -n "$RESUME" ] && resume=(--resume "$RESUME")
ae=(--ae-config "${AE_CONFIG:-committed}")
[ "${AE_CONFIG:-committed}" != committed ] && ae+=(--ae-lr "${AE_LR:-1e-3}")
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONUNBUFFERED=1
mkdir -p "$out"
nvidia-smi -L || true
python3 -m training.micro.train_gpu --out /tmp/kontext-smoke --seed "$seed" --budget-s 40 --ae-s 10 --final-s 12 \
  --workers 6 --chunk 64 --batch "$batch" --eval-s 5 --save-s 10 --bench-count 100 --pool 100000 --capacity 100000 \
  "${resume[@]}" "${ae[@]}" > "$out/smoke.log" 2>&1 || { tail -60 "$out/smoke.log"; exit 1; }
tail -4 "$out/smoke.log"
python3 -m training.micro.train_gpu --out "$out" --seed "$seed" --budget-s "${BUDGET_S:-450}" --ae-s "${AE_S:-110}" \
  --final-s 30 --ae-batch 128 --batch "$batch" --lr "${LR:-1e-3}" "${resume[@]}" "${ae[@]}" 2>&1 | tee "$out/stdout.log"
