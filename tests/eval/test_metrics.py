"""Tests of geo_rep_tf.eval.metrics against hand-computed values."""

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.eval import metrics
from tests.geometry.random_rotations import random_rotation as _rotation




def test_mpjpe_after_root_centring():
  target = np.zeros((16, 3))
  # Every joint but the root off by (3, 4, 0): errors 0 and 15 x 5 mm.
  pred = target + [3.0, 4.0, 0.0]
  pred[0] = 0.0
  np.testing.assert_allclose(metrics.mpjpe(pred, target), 15 * 5.0 / 16)
  # Every joint, root included, off by (3, 4, 0): nothing left after
  # root-centring.
  np.testing.assert_allclose(metrics.mpjpe(target + [3.0, 4.0, 0.0], target),
                             0.0)


def _ramp():
  # Joint j off by 10 j mm along x: errors 0, 10, ..., 150 mm.
  target = np.zeros((16, 3))
  pred = np.zeros((16, 3))
  pred[:, 0] = 10.0 * np.arange(16)
  return pred, target


def test_pck_and_auc_on_hand_made_errors():
  pred, target = _ramp()
  np.testing.assert_allclose(metrics.mpjpe(pred, target), 75.0)
  # Strict `<`: 150 mm itself is not correct.
  np.testing.assert_allclose(metrics.pck3d(pred, target), 15 / 16)
  np.testing.assert_allclose(metrics.pck3d(pred, target, 100.0), 10 / 16)
  np.testing.assert_allclose(metrics.pck3d(pred, target, 0.0), 0.0)
  # At t = 10k - 5 and t = 10k (k = 1..15) k joints are below t, none at
  # t = 0: 2 * (1 + ... + 15) = 240 correct of 31 x 16.
  np.testing.assert_allclose(metrics.auc(pred, target), 240 / 496)
  np.testing.assert_allclose(metrics.auc(pred, target, [0.0, 1000.0]), 0.5)
  assert len(metrics.AUC_THRESHOLDS_MM) == 31
  np.testing.assert_allclose(metrics.auc(target, target), 30 / 31)


def test_two_joint_toy_all_metrics():
  target = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0]])
  pred = np.array([[0.0, 0.0, 0.0], [0.0, 10.0, 0.0]])
  # Errors 0 and sqrt(200); the best scale is p.t / p.p = 0, leaving
  # errors 0 and 10; a rotation makes them equal.
  np.testing.assert_allclose(metrics.mpjpe(pred, target), np.sqrt(200) / 2)
  np.testing.assert_allclose(metrics.n_mpjpe(pred, target), 5.0)
  np.testing.assert_allclose(metrics.p_mpjpe(pred, target), 0.0, atol=1e-9)


def test_aligned_metrics_vanish_for_their_transforms():
  rng = np.random.default_rng(0)
  target = rng.normal(0.0, 300.0, (4, 16, 3))
  similar = np.stack([1.3 * t @ _rotation(rng) + rng.normal(0, 500, 3)
                      for t in target])
  scaled = 0.8 * target + [100.0, -20.0, 3000.0]
  assert (metrics.mpjpe(similar, target).numpy() > 10.0).all()
  assert (metrics.mpjpe(scaled, target).numpy() > 10.0).all()
  np.testing.assert_allclose(metrics.p_mpjpe(similar, target), 0.0,
                             atol=1e-3)
  np.testing.assert_allclose(metrics.n_mpjpe(scaled, target), 0.0,
                             atol=1e-3)
  # A mirror image is not a similarity transform.
  mirrored = target * [-1.0, 1.0, 1.0]
  assert (metrics.p_mpjpe(mirrored, target).numpy() > 10.0).all()


def test_pose_metrics_shapes_and_consistency():
  rng = np.random.default_rng(1)
  pred = rng.normal(0.0, 300.0, (2, 3, 16, 3)).astype(np.float32)
  target = rng.normal(0.0, 300.0, (2, 3, 16, 3)).astype(np.float32)
  everything = metrics.pose_metrics(pred, target)
  assert sorted(everything) == ['auc', 'mpjpe', 'n_mpjpe', 'p_mpjpe', 'pck3d']
  for key, fn in [('mpjpe', metrics.mpjpe), ('p_mpjpe', metrics.p_mpjpe),
                  ('n_mpjpe', metrics.n_mpjpe), ('pck3d', metrics.pck3d),
                  ('auc', metrics.auc)]:
    value = fn(pred, target)
    assert value.shape == (2, 3) and everything[key].shape == (2, 3)
    np.testing.assert_allclose(value, everything[key], rtol=1e-5)


def test_eager_function_and_dataset_agree():
  rng = np.random.default_rng(2)
  pred = rng.normal(0.0, 300.0, (5, 16, 3)).astype(np.float32)
  target = rng.normal(0.0, 300.0, (5, 16, 3)).astype(np.float32)
  eager = metrics.pose_metrics(pred, target)
  graph = tf.function(metrics.pose_metrics)(pred, target)
  data = next(iter(tf.data.Dataset.from_tensor_slices((pred, target)).batch(
      5).map(metrics.pose_metrics)))
  for key in eager:
    np.testing.assert_allclose(eager[key], graph[key], rtol=1e-4)
    np.testing.assert_allclose(eager[key], data[key], rtol=1e-4)


def test_summarize_means_and_actions():
  per_example = {'mpjpe': np.array([1.0, 2.0, 3.0, 6.0]),
                 'pck3d': tf.constant([1.0, 0.5, 0.0, 0.5])}
  actions = [b'walk', b'walk', b'walk', b'sit']
  summary = metrics.summarize(per_example, actions)
  assert summary['count'] == 4
  assert summary['mean'] == {'mpjpe': 3.0, 'pck3d': 0.5}
  assert list(summary['per_action']) == ['sit', 'walk']
  assert summary['per_action']['walk'] == {
      'count': 3, 'mean': {'mpjpe': 2.0, 'pck3d': 0.5}}
  assert summary['per_action']['sit'] == {
      'count': 1, 'mean': {'mpjpe': 6.0, 'pck3d': 0.5}}
  assert summary['mean_over_actions'] == {'mpjpe': 4.0, 'pck3d': 0.5}
  assert 'per_action' not in metrics.summarize(per_example)


@pytest.mark.parametrize('per_example,actions,match', [
    ({}, None, 'empty'),
    ({'a': [1.0, 2.0], 'b': [1.0]}, None, 'length'),
    ({'a': [[1.0]]}, None, 'shape'),
    ({'a': [1.0, 2.0]}, ['x'], 'actions'),
])
def test_summarize_rejects_bad_input(per_example, actions, match):
  with pytest.raises(ArgumentError, match=match):
    metrics.summarize(per_example, actions)


def test_bad_shapes_raise():
  with pytest.raises(ArgumentError, match='pred'):
    metrics.mpjpe(np.zeros((16, 2)), np.zeros((16, 2)))
  with pytest.raises(ArgumentError, match='differ'):
    metrics.mpjpe(np.zeros((16, 3)), np.zeros((17, 3)))


def test_hand_computed_similarity_copy_and_partial_alignment():
  # A 3-joint pose, rotated 90 deg about z, scaled 2x and translated.
  target = np.array([[0.0, 0.0, 0.0], [100.0, 0.0, 0.0], [0.0, 50.0, 0.0]])
  rz = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
  pred = 2.0 * target @ rz.T + [10.0, 20.0, 30.0]
  # Root-centred, pred joints are (0, 200, 0) and (-100, 0, 0): errors 0,
  # |(-100, 200, 0)| = sqrt(50000) and |(-100, -50, 0)| = sqrt(12500).
  np.testing.assert_allclose(
      metrics.mpjpe(pred, target), (np.sqrt(50000) + np.sqrt(12500)) / 3,
      rtol=1e-6)
  np.testing.assert_allclose(metrics.p_mpjpe(pred, target), 0.0, atol=1e-3)
  # Scale only: p.t = 0 (the rotation makes pred orthogonal to target
  # joint by joint), so the best scale is 0 and the errors are |t_j|.
  np.testing.assert_allclose(metrics.n_mpjpe(pred, target), 150.0 / 3,
                             rtol=1e-6)
  # 3DPCK@150: root (0) and joint 2 (111.8 mm) in, joint 1 (223.6 mm) out.
  np.testing.assert_allclose(metrics.pck3d(pred, target), 2 / 3)
  # float64 inputs give the same zero.
  np.testing.assert_allclose(metrics.p_mpjpe(pred.astype(np.float64),
                                             target), 0.0, atol=1e-6)


def test_summarize_of_pose_metrics_per_action():
  target = np.zeros((4, 16, 3))
  pred = np.zeros((4, 16, 3))
  pred[:, 1:, 0] = [[10.0], [20.0], [200.0], [400.0]]
  per_example = {k: v.numpy() for k, v in
                 metrics.pose_metrics(pred, target).items()}
  summary = metrics.summarize(per_example, ['a', 'a', 'b', 'b'])
  np.testing.assert_allclose(summary['per_action']['a']['mean']['mpjpe'],
                             15.0 * 15 / 16)
  np.testing.assert_allclose(summary['per_action']['b']['mean']['pck3d'],
                             1 / 16)
  np.testing.assert_allclose(summary['mean']['pck3d'], (1 + 1 / 16) / 2)
