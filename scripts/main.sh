#!/usr/bin/env bash
# The main job: prepare the real motion-capture protocol, draw what the model
# sees, train the full method briefly (BL+DG+AUG, CPU-sized), train
# Regression#1 on G and Baseline#1, print their MPJPE table, then lift the
# people in the sample photo to 3D with BlazePose + the pretrained full-method
# lifter (models/pretrained: BL+DG+AUG encoder, Baseline#1 + G).
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
stamp "1/6 prepare the Bandai-H36M protocol"
"$PY" tools/prepare_data.py --out_dir="$OUT/protocol" "$@"
stamp "2/6 draw view pairs"
"$PY" tools/visualize_pairs.py --protocol_dir="$OUT/protocol" \
  --out="$OUT/pictures/view_pairs.png" --num_frames=2
stamp "3/6 learn the representation G (BL+DG+AUG, no 3D labels)"
rm -rf "$OUT/representation"
"$PY" tools/train_representation.py --flagfile=flags/main_job_representation.cfg \
  --protocol_dir="$OUT/protocol" --model_dir="$OUT/representation"
stamp "4/6 train Regression#1 on G and Baseline#1 on 2D"
for r in regression1 baseline1; do
  rm -rf "$OUT/$r"
  "$PY" tools/train_regressor.py --flagfile=flags/main_job_regressor.cfg \
    --regressor=$r --protocol_dir="$OUT/protocol" --model_dir="$OUT/$r" \
    --representation_dir="$OUT/representation"
done
stamp "5/6 evaluate on the test split"
"$PY" tools/evaluate.py --model_dirs="$OUT/regression1,$OUT/baseline1" \
  --out="$OUT/eval.json"
stamp "6/6 photo demo: BlazePose 2D + the pretrained full-method lifter"
PHOTOS=data/samples/000000000785.jpg
COCO="${GEO_REP_TF_DATA:-../shared/data}/images/coco"
if ls "$COCO"/*.jpg >/dev/null 2>&1; then PHOTOS="$PHOTOS,$COCO"; fi
if "$PY" tools/fetch_models.py; then
  "$PY" tools/infer.py --inputs="$PHOTOS" --output_dir="$OUT/infer"
else
  echo "[main] skipped the photo demo: the BlazePose models could not be fetched (no PyPI?)"
fi
stamp "done: pictures in $OUT/pictures and $OUT/infer, TensorBoard: tensorboard --logdir $OUT"
