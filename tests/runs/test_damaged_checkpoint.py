"""Loading a run whose newest checkpoint is damaged: the previous one, or a
one-line error naming the file."""

import os
import subprocess
import sys

import numpy as np
import pytest

from geo_rep_tf.errors import DataError
from geo_rep_tf.runs.loading import load_regressor_run
from tests.eval import tiny_runs

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def _damage(path):
  data = bytearray(open(path, 'rb').read())
  for i in range(len(data) // 3, len(data) // 3 + 16):
    data[i] ^= 0xFF
  open(path, 'wb').write(bytes(data))


@pytest.fixture
def two_checkpoints(tmp_path_factory, tmp_path):
  protocol = tiny_runs.tiny_protocol(tmp_path_factory)
  run = str(tmp_path / 'run')
  tiny_runs.train_regressor(run, protocol, steps=2)
  earlier, _ = load_regressor_run(run)
  weights = [w.copy() for w in earlier.get_weights()]
  tiny_runs.train_regressor(run, protocol, steps=4)  # resumes: ckpt-4
  assert os.path.exists(os.path.join(run, 'ckpt-4.index'))
  return run, weights


def test_a_damaged_newest_checkpoint_falls_back(two_checkpoints):
  run, step2_weights = two_checkpoints
  newest, _ = load_regressor_run(run)
  assert any(not np.array_equal(a, b) for a, b in
             zip(newest.get_weights(), step2_weights))
  _damage(os.path.join(run, 'ckpt-4.index'))
  model, _ = load_regressor_run(run)
  for a, b in zip(model.get_weights(), step2_weights):
    np.testing.assert_array_equal(a, b)


def test_no_readable_checkpoint_names_the_file(two_checkpoints):
  run, _ = two_checkpoints
  for step in (2, 4):
    _damage(os.path.join(run, f'ckpt-{step}.index'))
  with pytest.raises(DataError, match=r'ckpt-4\.index.*damaged'):
    load_regressor_run(run)
  proc = subprocess.run(
      [sys.executable, os.path.join(REPO, 'tools', 'export.py'),
       f'--model_dir={run}', f'--out_dir={run}_export'],
      capture_output=True, text=True, timeout=300)
  assert proc.returncode == 2, proc.stderr[-2000:]
  assert 'Traceback' not in proc.stderr
  errors = [l for l in proc.stderr.splitlines() if l.startswith('error:')]
  assert len(errors) == 1 and 'ckpt-4.index' in errors[0], proc.stderr[-2000:]
  assert not os.path.exists(f'{run}_export')
