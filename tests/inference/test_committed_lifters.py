"""The lifters committed in models/: what they are, and that they lift real
motion capture (the committed Bandai-Namco sample seen by the Human3.6M rig)
to within a plausible error, through the same `load_lifter` as `infer`."""

import json
import os

import numpy as np
import pytest

from geo_rep_tf.runs import committed
from geo_rep_tf.runs import lifter as lifter_lib
from tests.eval import tiny_runs


def test_lifter_names_resolve_to_the_committed_directories(tmp_path,
                                                           monkeypatch):
  monkeypatch.chdir(tmp_path)
  assert committed.lifter_path(None) == committed.DEFAULT_LIFTER_DIR
  assert committed.lifter_path('full') == committed.DEFAULT_LIFTER_DIR
  assert committed.lifter_path('baseline1') == committed.BASELINE1_LIFTER_DIR
  assert committed.lifter_path('runs/x') == 'runs/x'
  (tmp_path / 'baseline1').mkdir()  # A folder of that name wins.
  assert committed.lifter_path('baseline1') == 'baseline1'


def _config(lifter_dir):
  with open(os.path.join(lifter_dir, 'config.json')) as fh:
    return json.load(fh)


def test_the_default_lifter_is_the_full_method():
  reg = _config(committed.DEFAULT_LIFTER_DIR)['regressor']
  # Regression#1 on G alone ("OursShallow"), trained on the noisy 2D.
  assert reg['regressor'] == 'regression1' and reg['noisy_2d']
  rep_dir = os.path.join(committed.DEFAULT_LIFTER_DIR,
                         reg['representation_dir'])
  rep = _config(rep_dir)
  # BL+DG+AUG on the coords medium, learnt from the noisy 2D: both
  # directions with the consistency loss, virtual cameras.
  assert rep['variant'] == 'BL+DG+AUG'
  assert rep['representation']['variant'] == 'dg'
  assert rep['representation']['medium'] == 'coords'
  assert rep['representation']['noisy_2d']
  assert rep['representation']['consistency_weight'] > 0
  assert rep['representation']['virtual_fraction'] > 0
  base = _config(committed.BASELINE1_LIFTER_DIR)['regressor']
  assert base['regressor'] == 'baseline1' and base['noisy_2d']


@pytest.fixture(scope='module')
def test_samples(tmp_path_factory):
  from geo_rep_tf.data import pipeline
  out = tiny_runs.tiny_protocol(tmp_path_factory)
  got = {'exact': [], 'noisy': []}
  for kind in got:
    for s in pipeline.sample_dataset(out, 'test', noisy_2d=kind == 'noisy'
                                     ).as_numpy_iterator():
      got[kind].append((s['keypoints_2d_px'], s['pose_3d_mm']))
  return {k: tuple(np.stack(x) for x in zip(*v)) for k, v in got.items()}


@pytest.mark.parametrize('name', ['full', 'baseline1'])
def test_committed_lifters_lift_real_motion_capture(name, test_samples):
  lifter = lifter_lib.load_lifter(name)
  for kind, (kp, pose) in test_samples.items():
    pred = lifter(kp)
    mpjpe = np.linalg.norm(pred - pose, axis=-1).mean()
    # Whole test split: 40-50 mm (README); this sample clip (an old man's
    # walk, 215 samples) measured 56-67 mm for the two committed lifters.
    assert mpjpe < 80.0, (name, kind, mpjpe)


def test_compiled_lift_matches_the_keras_model_for_any_count():
  from geo_rep_tf.runs.loading import load_regressor_run
  assert [lifter_lib._bucket(n) for n in (1, 2, 3, 4, 5, 17)] == [
      1, 2, 4, 4, 8, 32]
  model, _ = load_regressor_run(committed.DEFAULT_LIFTER_DIR)
  call = lifter_lib.compiled_lift(model)
  kp = np.random.default_rng(1).uniform(300, 700, [5, 16, 2]).astype(
      np.float32)
  want = model({'keypoints_2d_px': kp}, training=False)['pose_3d_mm']
  for n in (1, 3, 5):  # 3 and 5 are padded (to 4 and 8).
    got = call(kp[:n])
    assert got.shape == (n, 16, 3)
    np.testing.assert_allclose(got, np.asarray(want)[:n], atol=0.01)
