"""The probe of a representation run (experiments.probe) and its tool."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from geo_rep_tf.experiments import probe
from geo_rep_tf.models.pose_lifter import pose_latent
from geo_rep_tf.training.regressor_task import load_representation
from tests.eval import tiny_runs

REPO = tiny_runs.REPO
SMALL = probe.ProbeConfig(train_samples=120, train_stride=2, test_samples=60,
                          test_stride=2, map_pairs=8, encode_batch=32)


def test_samples_and_latents(tmp_path_factory):
  protocol_dir = tiny_runs.tiny_protocol(tmp_path_factory)
  kp, pose = probe.samples(protocol_dir, 'test', 30, 3)
  assert kp.shape == (30, 16, 2) and pose.shape == (30, 16, 3)
  np.testing.assert_allclose(pose[:, 0], 0.0, atol=1e-3)  # root-relative
  rep = load_representation(tiny_runs.representation(tmp_path_factory))
  g = probe.latents(rep, kp, batch=7)  # batches that do not divide 30
  assert g.shape == (30, 8, 3)
  np.testing.assert_allclose(g[:5], pose_latent(rep, kp[:5]).numpy(),
                             atol=1e-5)


def test_probe_representation(tmp_path_factory):
  protocol_dir = tiny_runs.tiny_protocol(tmp_path_factory)
  run = tiny_runs.representation(tmp_path_factory)
  out = probe.probe_representation(run, protocol_dir, SMALL)
  keys = ('probe_G_mpjpe', 'probe_2D_mpjpe', 'probe_G_2D_mpjpe')
  assert set(out) == set(keys) | {'noisy', 'rec_mse', 'meanmap_mse',
                                  'explained', 'syn_var_over_tgt_var',
                                  'diagnostics'}
  d = out['diagnostics']
  assert sum(d['axis_variance_share']) == pytest.approx(1.0)
  assert d['rotation_consistent_share'] <= 1.0 and d['deviation_rms'] > 0
  assert set(out['noisy']) == set(keys)
  for value in [out[k] for k in keys] + [out['noisy'][k] for k in keys]:
    assert 0 < value < 1000  # mm
  assert out['explained'] == pytest.approx(
      1 - out['rec_mse'] / out['meanmap_mse'])
  assert all(math.isfinite(out[k]) for k in ('rec_mse', 'meanmap_mse',
                                             'syn_var_over_tgt_var'))
  json.dumps(out)  # plain floats


@pytest.mark.slow
def test_probe_representation_cli(tmp_path_factory, tmp_path):
  protocol_dir = tiny_runs.tiny_protocol(tmp_path_factory)
  run = tiny_runs.representation(tmp_path_factory)
  out = tmp_path / 'probe.json'
  proc = subprocess.run(
      [sys.executable, os.path.join(REPO, 'tools', 'probe_representation.py'),
       f'--representation_dir={run}', f'--protocol_dir={protocol_dir}',
       '--train_samples=100', '--test_samples=50', f'--out={out}'],
      capture_output=True, text=True, cwd=REPO, timeout=600)
  assert proc.returncode == 0, proc.stderr[-3000:]
  printed = json.loads(proc.stdout.strip().splitlines()[-1])
  assert printed == json.loads(out.read_text())
  assert printed['probe_2D_mpjpe'] > 0 and 'noisy' in printed
  proc = subprocess.run(
      [sys.executable, os.path.join(REPO, 'tools', 'probe_representation.py'),
       f'--representation_dir={tmp_path / "absent"}',
       f'--protocol_dir={protocol_dir}'],
      capture_output=True, text=True, cwd=REPO, timeout=600)
  assert proc.returncode == 2
  assert proc.stderr.strip().splitlines()[-1].startswith('error:')
  assert 'not a representation run' in proc.stderr
