"""Tests of geo_rep_tf.geometry.normalization."""

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import normalization as norm
from geo_rep_tf.geometry import skeleton_maps


def _keypoints(rng, batch=()):
  return rng.uniform(100.0, 600.0, batch + (16, 2)).astype(np.float32)


def test_hand_computed_case():
  kp = np.zeros((16, 2), np.float32)
  kp[0] = [10.0, 20.0]  # Pelvis.
  kp[1] = [30.0, 20.0]
  kp[2] = [10.0, 60.0]
  kp[3:] = [20.0, 40.0]
  # Box 20 x 40 px -> square side 40 * 1.2 = 48 px.
  out = norm.normalize_keypoints_2d(kp).numpy()
  np.testing.assert_allclose(out[0], [0.0, 0.0])
  np.testing.assert_allclose(out[1], [20.0 / 48, 0.0], rtol=1e-6)
  np.testing.assert_allclose(out[2], [0.0, 40.0 / 48], rtol=1e-6)
  np.testing.assert_allclose(out[5], [10.0 / 48, 20.0 / 48], rtol=1e-6)
  # Without margin the side is 40.
  np.testing.assert_allclose(
      norm.normalize_keypoints_2d(kp, margin=0.0)[2], [0.0, 1.0], rtol=1e-6)


def test_translation_and_scale_invariant_and_root_at_zero():
  rng = np.random.default_rng(0)
  kp = _keypoints(rng, (4,))
  base = norm.normalize_keypoints_2d(kp).numpy()
  np.testing.assert_array_equal(base[:, 0], 0.0)
  moved = 2.5 * kp + np.array([-300.0, 170.0], np.float32)
  np.testing.assert_allclose(norm.normalize_keypoints_2d(moved), base,
                             atol=1e-6)
  # Every joint is inside the square, so |x| < 1 (and < 1 / 1.2 + slack).
  assert np.abs(base).max() < 1.0 / 1.2 + 1e-6


def test_same_square_as_skeleton_maps():
  rng = np.random.default_rng(1)
  kp = _keypoints(rng, (3,))
  _, side = skeleton_maps.crop_square(kp, margin=0.3)
  expected = (kp - kp[:, :1]) / side.numpy()[:, None, None]
  np.testing.assert_allclose(norm.normalize_keypoints_2d(kp, margin=0.3),
                             expected, rtol=1e-6)


def test_eager_tf_function_and_tf_data_agree():
  rng = np.random.default_rng(2)
  kp = _keypoints(rng, (5,))
  eager = norm.normalize_keypoints_2d(kp).numpy()
  traced = tf.function(norm.normalize_keypoints_2d)(tf.constant(kp)).numpy()
  ds = tf.data.Dataset.from_tensor_slices(kp).map(norm.normalize_keypoints_2d)
  per_example = np.stack([x.numpy() for x in ds])
  np.testing.assert_allclose(traced, eager, atol=1e-7)
  np.testing.assert_allclose(per_example, eager, atol=1e-7)


def test_collapsed_skeleton_is_zero_not_nan():
  kp = np.full((16, 2), 50.0, np.float32)
  np.testing.assert_array_equal(norm.normalize_keypoints_2d(kp), 0.0)


def test_int_input_is_cast():
  kp = np.arange(32, dtype=np.int32).reshape(16, 2)
  out = norm.normalize_keypoints_2d(kp)
  assert out.dtype == tf.float32


@pytest.mark.parametrize('shape', [(16, 3), (15, 2), (2,)])
def test_rejects_bad_2d_shapes(shape):
  with pytest.raises(ArgumentError, match='keypoints_px'):
    norm.normalize_keypoints_2d(np.zeros(shape, np.float32))


def test_pose_target_round_trip_and_units():
  rng = np.random.default_rng(3)
  pose = rng.normal(0.0, 400.0, (2, 16, 3)).astype(np.float32)
  target = norm.pose_to_target(pose).numpy()
  np.testing.assert_array_equal(target[:, 0], 0.0)
  # Root-centred mm divided by 1000.
  np.testing.assert_allclose(target, (pose - pose[:, :1]) / 1000.0,
                             rtol=1e-6, atol=1e-7)
  back = norm.target_to_pose(target).numpy()
  np.testing.assert_allclose(back, pose - pose[:, :1], atol=1e-3)
  assert norm.POSE_SCALE_MM == 1000.0
  with pytest.raises(ArgumentError, match='pose_3d_mm'):
    norm.pose_to_target(np.zeros((16, 2)))
  with pytest.raises(ArgumentError, match='y'):
    norm.target_to_pose(np.zeros((4, 3)))


def test_normalize_points_unit_norm_and_zero_guard():
  g = np.random.default_rng(0).normal(size=(3, 8, 3)).astype(np.float32)
  n = norm.normalize_points(g).numpy()
  np.testing.assert_allclose(np.linalg.norm(n.reshape(3, -1), axis=1), 1.0,
                             rtol=1e-6)
  # Direction kept: n(g) is a positive multiple of g.
  np.testing.assert_allclose(n * np.linalg.norm(g.reshape(3, -1), axis=1)[
      :, None, None], g, rtol=1e-5)
  zero = tf.zeros([2, 4, 3])
  with tf.GradientTape() as tape:
    tape.watch(zero)
    out = norm.normalize_points(zero)
  np.testing.assert_array_equal(out, 0.0)
  assert np.all(np.isfinite(tape.gradient(out, zero)))


def test_normalize_points_centred_removes_the_centroid():
  g = np.random.default_rng(1).normal(size=(2, 8, 3)).astype(np.float32)
  n = norm.normalize_points(g + [10.0, -4.0, 2.0], centre=True).numpy()
  np.testing.assert_allclose(n.mean(axis=1), 0.0, atol=1e-6)
  np.testing.assert_allclose(np.linalg.norm(n.reshape(2, -1), axis=1), 1.0,
                             rtol=1e-6)
  np.testing.assert_allclose(n, norm.normalize_points(g, centre=True),
                             atol=1e-5)
