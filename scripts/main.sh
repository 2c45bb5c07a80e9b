#!/usr/bin/env bash
# The main job: prepare the real motion-capture protocol and draw what the
# model will see. Data: --data_dir=DIR or $GEO_REP_TF_DATA (a folder laid out
# like ../shared/data), else the committed sample in data/samples/.
# Extra flags go to prepare_data (e.g. --data_dir=../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh
PY=${GEO_REP_TF_VENV:-.venv}/bin/python
OUT=${OUT:-work_dirs}
"$PY" tools/prepare_data.py --out_dir="$OUT/bandai_h36m" "$@"
"$PY" tools/visualize_pairs.py --protocol_dir="$OUT/bandai_h36m" \
  --out="$OUT/pictures/view_pairs.png" --num_frames=2
echo "[main] done: see $OUT/pictures/"
