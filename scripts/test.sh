#!/usr/bin/env bash
# The test suite (default: fast tests; `bash scripts/test.sh -m slow` for the
# slow ones). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh dev
exec "${GEO_REP_TF_VENV:-.venv}/bin/python" -m pytest "$@"
