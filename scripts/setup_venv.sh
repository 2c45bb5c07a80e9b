#!/usr/bin/env bash
# Creates .venv (once) and installs the pinned requirements and the package.
# Re-runs are cheap: installation is skipped while the requirement files are
# unchanged. Usage: source-free; `bash scripts/setup_venv.sh [dev]`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${GEO_REP_TF_VENV:-.venv}
PY=${PYTHON:-python3}
REQ=requirements.txt
[ "${1:-}" = dev ] && REQ=requirements-dev.txt
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV with $($PY --version)"
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.installed-$(cat requirements.txt "$REQ" setup.py | sha1sum | cut -c1-12)-$(basename "$REQ" .txt)"
if [ ! -f "$STAMP" ]; then
  echo "[setup] installing $REQ into $VENV (first run: a few minutes)"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$REQ"
  "$VENV/bin/python" -m pip install --quiet --no-deps -e .
  touch "$STAMP"
fi
