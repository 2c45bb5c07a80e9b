"""The binaries' user errors: one line on stderr, exit code 2."""

import os
import subprocess
import sys

from tests.inference.conftest import REPO, SAMPLE_PHOTO


def _run(tool, *args, env=None):
  return subprocess.run(
      [sys.executable, str(REPO / 'tools' / tool), *args], cwd=str(REPO),
      capture_output=True, text=True, timeout=300,
      env=dict(os.environ, **(env or {})))


def test_missing_lifter_is_one_line(tmp_path):
  # The lifter loads before the 2D backend.
  proc = _run('infer.py', f'--inputs={SAMPLE_PHOTO}',
              f'--lifter_dir={tmp_path / "no_lifter"}',
              f'--output_dir={tmp_path / "out"}',
              f'--models_dir={tmp_path / "no_models"}')
  assert proc.returncode == 2, proc.stderr
  lines = proc.stderr.strip().splitlines()
  assert lines[-1].startswith('error: ') and 'Traceback' not in proc.stderr
  assert 'not found' in lines[-1]


def test_missing_input_and_bad_wheel_are_one_line(tmp_path):
  # (A missing model cache: test_model_store, in process.)
  proc = _run('infer.py', f'--inputs={tmp_path / "nope.jpg"}', '--nolift',
              f'--output_dir={tmp_path / "out"}')
  assert proc.returncode == 2
  assert 'input not found' in proc.stderr.strip().splitlines()[-1]
  proc = _run('fetch_models.py', f'--wheel={tmp_path / "x.whl"}',
              f'--models_dir={tmp_path / "m"}')
  assert proc.returncode == 2
  assert 'not a wheel' in proc.stderr.strip().splitlines()[-1]
