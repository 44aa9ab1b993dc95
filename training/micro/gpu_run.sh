#!/bin/bash
# The one prepared GPU call of kontext-micro training (device machine, python3 with CUDA torch):
# a 40-second smoke run through every path first, then the real run. Usage: gpu_run.sh OUT_DIR [SEED]
set -eo pipefail
out=$1
seed=${2:-11}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONUNBUFFERED=1
mkdir -p "$out"
nvidia-smi -L || true
python3 -m training.micro.train_gpu --out /tmp/kontext-smoke --seed "$seed" --budget-s 40 --ae-s 10 --final-s 12 \
  --workers 6 --chunk 64 --batch 64 --eval-s 5 --save-s 10 --bench-count 100 --pool 100000 --capacity 100000 \
  > "$out/smoke.log" 2>&1 || { tail -60 "$out/smoke.log"; exit 1; }
tail -4 "$out/smoke.log"
python3 -m training.micro.train_gpu --out "$out" --seed "$seed" --budget-s "${BUDGET_S:-450}" --ae-s 110 \
  --final-s 30 --ae-batch 128 --lr 8e-4 2>&1 | tee "$out/stdout.log"
