#!/usr/bin/env bash
# The main job: prepare the real motion-capture protocol, draw what the model
# sees, learn the representation G briefly (BL+DG+AUG on the coords medium,
# noisy 2D, no 3D labels), train Regression#1 on G (the committed
# representation's and the fresh one's) and Baseline#1 from 500 labelled
# samples, print their MPJPE table, then lift the people in the sample photo
# to 3D with BlazePose + the pretrained lifter (models/pretrained).
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
stamp "3/6 learn the representation G (BL+DG+AUG, coords medium, no 3D labels)"
rm -rf "$OUT/representation"
"$PY" tools/train_representation.py --flagfile=flags/main_job_representation.cfg \
  --protocol_dir="$OUT/protocol" --model_dir="$OUT/representation"
stamp "4/6 from 500 labels: Regression#1 on G (committed and fresh representation), Baseline#1 on 2D"
train_reg() {  # NAME REGRESSOR [REPRESENTATION_DIR]
  rm -rf "$OUT/$1"
  "$PY" tools/train_regressor.py --flagfile=flags/main_job_regressor.cfg \
    --regressor="$2" --protocol_dir="$OUT/protocol" --model_dir="$OUT/$1" \
    ${3:+--representation_dir="$3"}
}
train_reg regression1_committed_g regression1 models/pretrained/representation
train_reg regression1_fresh_g regression1 "$OUT/representation"
train_reg baseline1 baseline1
stamp "5/6 evaluate on the test split (noisy 2D)"
"$PY" tools/evaluate.py --inputs=noisy \
  --model_dirs="$OUT/regression1_committed_g,$OUT/regression1_fresh_g,$OUT/baseline1" \
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
