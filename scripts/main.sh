#!/usr/bin/env bash
# The main job: prepare the real motion-capture protocol, draw what the model
# sees, train the full method briefly (BL+DG+AUG, CPU-sized), train
# Regression#1 on G and Baseline#1, and print their MPJPE table.
# Data: --data_dir=DIR or $GEO_REP_TF_DATA (a folder laid out like
# ../shared/data), else the committed sample in data/samples/.
# Extra flags go to prepare_data (e.g. --data_dir=../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh
PY=${GEO_REP_TF_VENV:-.venv}/bin/python
OUT=${OUT:-work_dirs/main}
START=$(date +%s)
stamp() { echo "[main] $1 ($(( $(date +%s) - START )) s)"; }
stamp "1/5 prepare the Bandai-H36M protocol"
"$PY" tools/prepare_data.py --out_dir="$OUT/protocol" "$@"
stamp "2/5 draw view pairs"
"$PY" tools/visualize_pairs.py --protocol_dir="$OUT/protocol" \
  --out="$OUT/pictures/view_pairs.png" --num_frames=2
stamp "3/5 learn the representation G (BL+DG+AUG, no 3D labels)"
rm -rf "$OUT/representation"
"$PY" tools/train_representation.py --flagfile=flags/main_job_representation.cfg \
  --protocol_dir="$OUT/protocol" --model_dir="$OUT/representation"
stamp "4/5 train Regression#1 on G and Baseline#1 on 2D"
for r in regression1 baseline1; do
  rm -rf "$OUT/$r"
  "$PY" tools/train_regressor.py --flagfile=flags/main_job_regressor.cfg \
    --regressor=$r --protocol_dir="$OUT/protocol" --model_dir="$OUT/$r" \
    --representation_dir="$OUT/representation"
done
stamp "5/5 evaluate on the test split"
"$PY" tools/evaluate.py --model_dirs="$OUT/regression1,$OUT/baseline1" \
  --out="$OUT/eval.json"
stamp "done: pictures in $OUT/pictures, TensorBoard: tensorboard --logdir $OUT"
