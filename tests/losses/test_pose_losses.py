"""Tests of geo_rep_tf.losses.pose against hand-computed values."""

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.losses import pose


def _pair():
  target = np.zeros((2, 16, 3), np.float32)
  pred = np.zeros((2, 16, 3), np.float32)
  # Example 0: joint 1 off by (3, 4, 0), joint 2 off by (0, 0, 2).
  pred[0, 1] = [3.0, 4.0, 0.0]
  pred[0, 2] = [0.0, 0.0, 2.0]
  # Example 1: every joint off by (1, 0, 0).
  pred[1, :, 0] = 1.0
  return pred, target


def test_pose_l2_loss_hand_computed():
  pred, target = _pair()
  loss = pose.pose_l2_loss(pred, target).numpy()
  assert loss.shape == (2,)
  # (9 + 16 + 4) / 48 and 16 / 48.
  np.testing.assert_allclose(loss, [29.0 / 48, 1.0 / 3], rtol=1e-6)


def test_mpjpe_loss_hand_computed():
  pred, target = _pair()
  loss = pose.mpjpe_loss(pred, target).numpy()
  assert loss.shape == (2,)
  np.testing.assert_allclose(loss, [(5.0 + 2.0) / 16, 1.0], rtol=1e-6)


def test_mpjpe_gradient_finite_at_zero_error():
  pred, target = _pair()
  pred = tf.Variable(pred)
  with tf.GradientTape() as tape:
    loss = tf.reduce_sum(pose.mpjpe_loss(pred, target))
  grad = tape.gradient(loss, pred).numpy()
  assert np.all(np.isfinite(grad))
  np.testing.assert_array_equal(grad[0, 0], 0.0)  # Exact joint.
  # d|e|/de = e / |e|, divided by 16 joints.
  np.testing.assert_allclose(grad[0, 1], [0.6 / 16, 0.8 / 16, 0.0], rtol=1e-6)


def test_heatmap_mse_visibility_weights():
  pred = np.zeros((1, 2, 2, 3), np.float32)
  target = np.zeros((1, 2, 2, 3), np.float32)
  pred[0, 0, 0, 0] = 2.0  # Joint 0: mean over 4 pixels = 4 / 4 = 1.
  pred[0, :, :, 1] = 3.0  # Joint 1: 9.
  # Joint 2: exact, 0.
  np.testing.assert_allclose(pose.heatmap_mse(pred, target), [10.0 / 3],
                             rtol=1e-6)
  # Joint 1 invisible: weighted sum over the K = 3 joints.
  np.testing.assert_allclose(
      pose.heatmap_mse(pred, target, visibility=[[1.0, 0.0, 1.0]]),
      [1.0 / 3], rtol=1e-6)
  np.testing.assert_allclose(
      pose.heatmap_mse(pred, target, visibility=np.array([[True, False,
                                                           True]])),
      [1.0 / 3], rtol=1e-6)


def test_heatmap_mse_per_example_and_stacks():
  rng = np.random.default_rng(0)
  pred = rng.normal(size=(2, 4, 8, 8, 16)).astype(np.float32)  # [S, B, ...]
  target = rng.normal(size=(2, 4, 8, 8, 16)).astype(np.float32)
  loss = pose.heatmap_mse(pred, target).numpy()
  assert loss.shape == (2, 4)
  np.testing.assert_allclose(loss, ((pred - target)**2).mean(axis=(2, 3, 4)),
                             rtol=1e-5)


def test_losses_in_tf_function():
  pred, target = _pair()
  fn = tf.function(lambda p, t: (pose.pose_l2_loss(p, t),
                                 pose.mpjpe_loss(p, t)))
  l2, mpjpe = fn(tf.constant(pred), tf.constant(target))
  np.testing.assert_allclose(l2, pose.pose_l2_loss(pred, target))
  np.testing.assert_allclose(mpjpe, pose.mpjpe_loss(pred, target))


def test_rejected_shapes():
  with pytest.raises(ArgumentError, match='shapes differ'):
    pose.pose_l2_loss(np.zeros((2, 16, 3)), np.zeros((2, 15, 3)))
  with pytest.raises(ArgumentError, match='pred'):
    pose.mpjpe_loss(np.zeros((3,)), np.zeros((3,)))
  with pytest.raises(ArgumentError, match='visibility'):
    pose.heatmap_mse(np.zeros((1, 4, 4, 16)), np.zeros((1, 4, 4, 16)),
                     visibility=np.ones((1, 15)))
