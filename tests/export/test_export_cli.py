"""tools/export.py: one-line errors (exit 2) and, slow, a full export."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from tests.cli_errors import assert_one_line_error

REPO = pathlib.Path(__file__).resolve().parents[2]
TOOL = str(REPO / 'tools' / 'export.py')


def _run(*args, timeout=600):
  return subprocess.run([sys.executable, TOOL, *args], capture_output=True,
                        text=True, timeout=timeout, cwd=str(REPO),
                        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2'))


def _tiny_run(run_dir, regressor='baseline1'):
  """A regressor run directory (config.json + checkpoint), untrained."""
  import tensorflow as tf
  from geo_rep_tf.runs import model_state
  from geo_rep_tf.runs.configs import RegressorConfig
  from geo_rep_tf.runs.loading import build_pose_lifter
  cfg = RegressorConfig(protocol_dir='unused', regressor=regressor, hidden=32)
  model = build_pose_lifter(cfg)
  model(tf.random.uniform([1, 16, 2], 0, 100), training=False)
  os.makedirs(run_dir)
  with open(os.path.join(run_dir, 'config.json'), 'w') as fh:
    import dataclasses
    json.dump({'regressor': dataclasses.asdict(cfg), 'task': 'regressor'}, fh)
  ckpt = tf.train.Checkpoint(
      model_variables=model_state.variables_by_path(model))
  tf.train.CheckpointManager(ckpt, run_dir, max_to_keep=1).save()
  return model


def test_missing_model_dir(tmp_path):
  assert_one_line_error(
      _run(f'--model_dir={tmp_path}/nope', f'--out_dir={tmp_path}/out'),
      f'--model_dir={tmp_path}/nope: no such directory')


def test_not_a_run(tmp_path):
  assert_one_line_error(
      _run(f'--model_dir={tmp_path}', f'--out_dir={tmp_path}/out'),
      'not a training run (config.json missing)')


def test_required_and_invalid_flags(tmp_path):
  assert_one_line_error(_run(f'--out_dir={tmp_path}/out'), '--model_dir')
  assert_one_line_error(
      _run(f'--model_dir={tmp_path}', f'--out_dir={tmp_path}/o',
           '--precisions=fp32,fp64'), 'precisions')
  assert_one_line_error(
      _run(f'--model_dir={tmp_path}', f'--out_dir={tmp_path}/o', 'extra'),
      'unexpected positional arguments: extra')


def test_run_without_checkpoint_and_existing_out_dir(tmp_path):
  run = tmp_path / 'run'
  run.mkdir()
  (run / 'config.json').write_text(json.dumps({'regressor': {}}))
  out = tmp_path / 'out'
  out.mkdir()
  assert_one_line_error(_run(f'--model_dir={run}', f'--out_dir={out}'),
                         'already exists')
  assert_one_line_error(
      _run(f'--model_dir={run}', f'--out_dir={tmp_path}/new'),
      'regressor run has no checkpoint')


@pytest.mark.slow
def test_full_export_of_a_run(tmp_path):
  import numpy as np
  from geo_rep_tf.export import load_lifter, verify
  run = str(tmp_path / 'run')
  model = _tiny_run(run)
  out = str(tmp_path / 'export')
  proc = _run(f'--model_dir={run}', f'--out_dir={out}', '--precisions=fp32',
              '--num_check=8')
  assert proc.returncode == 0, proc.stderr
  assert 'verification.json: ok' in proc.stdout
  with open(os.path.join(out, 'export.json')) as fh:
    meta = json.load(fh)
  assert meta['regressor_type'] == 'baseline1'
  assert meta['source_run'] == run
  kp = verify.synthetic_keypoints(4, seed=5)
  want = model(kp, training=False)['pose_3d_mm'].numpy()
  want = want - want[:, :1]  # load_lifter's output is root-relative.
  np.testing.assert_allclose(load_lifter(out)(kp), want, atol=0.5)
  np.testing.assert_allclose(load_lifter(run)(kp), want, atol=1e-3)
