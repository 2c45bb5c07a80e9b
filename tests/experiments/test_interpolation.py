"""Latent interpolation (Fig. 4): library and tools/interpolate.py."""

import os
import subprocess
import sys

import numpy as np
import pytest

from geo_rep_tf.data import pipeline
from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.experiments import interpolation
from geo_rep_tf.runs.loading import load_regressor_run
from tests.eval import tiny_runs

REPO = tiny_runs.REPO
PNG = b'\x89PNG\r\n\x1a\n'


def test_interpolate_is_linear_with_both_ends():
  a, b = np.zeros((2, 3)), np.ones((2, 3))
  path = interpolation.interpolate(a, b, 5)
  assert path.shape == (5, 2, 3)
  np.testing.assert_allclose(path[:, 0, 0], [0, 0.25, 0.5, 0.75, 1])
  with pytest.raises(ArgumentError, match='steps'):
    interpolation.interpolate(a, b, 1)
  with pytest.raises(ArgumentError, match='differ'):
    interpolation.interpolate(a, np.ones(3), 3)


def test_most_different():
  poses = np.zeros((3, 16, 3))
  poses[1, 5] = 10.0
  poses[2, 5] = 30.0
  poses[2] += 500.0  # translation does not count
  assert interpolation.most_different(poses) == 2
  assert interpolation.most_different(poses, first=2) == 0


def _two_samples(protocol_dir):
  batch = next(iter(pipeline.sample_dataset(protocol_dir, 'test').take(
      50).batch(50)))
  kp = batch['keypoints_2d_px'].numpy()
  return kp[[0, interpolation.most_different(batch['pose_3d_mm'].numpy())]]


def test_interpolation_row_and_strip(tmp_path_factory, tmp_path):
  protocol_dir = tiny_runs.tiny_protocol(tmp_path_factory)
  reg = tiny_runs.regressor(tmp_path_factory, 'regression1', 'BL+DG+AUG')
  lifter, _ = load_regressor_run(reg)
  kp = _two_samples(protocol_dir)
  row = interpolation.interpolation_row(lifter.representation, kp, 4, lifter,
                                        'DG')
  assert row['maps'].shape == (4, 64, 64, 15)
  assert row['inputs'].shape == (2, 64, 64, 15)
  assert row['latents'].shape == (4, 8, 3) and row['poses_mm'].shape == (
      4, 16, 3)
  # The ends are the encodings of the inputs; the regressor on G_A gives
  # the lifter's own prediction for A.
  g = lifter.representation.encode(row['inputs'], training=False).numpy()
  np.testing.assert_allclose(row['latents'][[0, -1]], g, atol=1e-5)
  direct = lifter(kp, training=False)['pose_3d_mm'].numpy()
  np.testing.assert_allclose(row['poses_mm'][[0, -1]], direct, atol=1e-2)
  rows = [row, interpolation.interpolation_row(lifter.representation, kp, 4,
                                                label='no regressor')]
  interpolation.plot_interpolation(rows, str(tmp_path / 'strip.png'))
  assert (tmp_path / 'strip.png').read_bytes()[:8] == PNG
  lifter.uses_latent = False  # as a baseline1 lifter
  with pytest.raises(ArgumentError, match='does not read G'):
    interpolation.regress_latents(lifter, row['latents'])


@pytest.mark.slow
def test_interpolate_cli_two_rows(tmp_path_factory, tmp_path):
  """With and without the consistency loss; the first row has a regressor."""
  reg = tiny_runs.regressor(tmp_path_factory, 'regression1', 'BL+DG+AUG')
  dg = tiny_runs.representation(tmp_path_factory, 'BL+DG+AUG')
  sg = tiny_runs.representation(tmp_path_factory, 'BL+SG+AUG')
  out = tmp_path / 'fig4.png'
  tool = os.path.join(REPO, 'tools', 'interpolate.py')
  proc = subprocess.run(
      [sys.executable, tool, f'--representation_dirs={dg},{sg}',
       f'--regressor_dirs={reg},none', '--steps=5', '--search=100',
       f'--out={out}'], capture_output=True, text=True, cwd=REPO,
      timeout=600)
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert 'BL+DG+AUG (lambda=1)' in proc.stdout and 'BL+SG+AUG' in proc.stdout
  assert out.read_bytes()[:8] == PNG
  # A regressor trained on another representation is refused.
  proc = subprocess.run(
      [sys.executable, tool, f'--representation_dirs={sg}',
       f'--regressor_dirs={reg}', f'--out={tmp_path / "x.png"}'],
      capture_output=True, text=True, cwd=REPO, timeout=600)
  assert proc.returncode == 2 and 'not' in proc.stderr
