"""Tests of geo_rep_tf.geometry.procrustes."""

import numpy as np
import pytest
import tensorflow as tf

from geo_rep_tf.errors import ArgumentError
from geo_rep_tf.geometry import procrustes
from tests.geometry.random_rotations import random_rotation as _rotation




def _similar_copy(rng, pred, scale=1.7):
  rotation = _rotation(rng)
  translation = rng.normal(0.0, 300.0, 3)
  return scale * pred @ rotation + translation, rotation, translation


def test_similarity_copy_aligns_to_zero_error():
  rng = np.random.default_rng(0)
  pred = rng.normal(0.0, 400.0, (16, 3))
  target, rotation, translation = _similar_copy(rng, pred)
  aligned = procrustes.procrustes_align(pred, target).numpy()
  assert np.abs(aligned - target).max() < 1e-3  # mm, float64.
  scale, rot, trans = procrustes.procrustes_transform(pred, target)
  np.testing.assert_allclose(scale, 1.7, rtol=1e-9)
  np.testing.assert_allclose(rot, rotation, atol=1e-9)
  np.testing.assert_allclose(trans, translation, atol=1e-6)
  # float32 keeps it to a small fraction of a mm.
  aligned32 = procrustes.procrustes_align(
      pred.astype(np.float32), target.astype(np.float32)).numpy()
  assert aligned32.dtype == np.float32
  assert np.abs(aligned32 - target).max() < 0.05


def test_reflected_copy_does_not_align():
  rng = np.random.default_rng(1)
  pred = rng.normal(0.0, 400.0, (16, 3))
  target = pred * [-1.0, 1.0, 1.0]  # A mirror image.
  aligned = procrustes.procrustes_align(pred, target).numpy()
  assert np.linalg.norm(aligned - target, axis=-1).mean() > 50.0
  _, rotation, _ = procrustes.procrustes_transform(pred, target)
  np.testing.assert_allclose(np.linalg.det(rotation), 1.0, atol=1e-9)


def test_batched_shapes():
  rng = np.random.default_rng(2)
  pred = rng.normal(0.0, 400.0, (2, 3, 16, 3))
  target = np.stack([np.stack([_similar_copy(rng, p)[0] for p in row])
                     for row in pred])
  aligned = procrustes.procrustes_align(pred, target)
  assert aligned.shape == (2, 3, 16, 3)
  np.testing.assert_allclose(aligned, target, atol=1e-3)
  scale, rotation, translation = procrustes.procrustes_transform(pred, target)
  assert scale.shape == (2, 3) and rotation.shape == (2, 3, 3, 3)
  assert translation.shape == (2, 3, 3)


def test_degenerate_inputs_stay_finite():
  rng = np.random.default_rng(3)
  target = rng.normal(0.0, 400.0, (16, 3)).astype(np.float32)
  aligned = procrustes.procrustes_align(np.zeros((16, 3), np.float32), target)
  np.testing.assert_allclose(
      aligned, np.broadcast_to(target.mean(0), (16, 3)), atol=1e-3)
  aligned = procrustes.procrustes_align(target, np.zeros((16, 3), np.float32))
  np.testing.assert_allclose(aligned, 0.0, atol=1e-3)
  zeros = np.zeros((16, 3), np.float32)
  np.testing.assert_array_equal(procrustes.procrustes_align(zeros, zeros), 0.0)
  np.testing.assert_array_equal(procrustes.scale_align(zeros, target), 0.0)


def test_gradients_are_finite():
  rng = np.random.default_rng(4)
  pred = tf.constant(rng.normal(0.0, 400.0, (4, 16, 3)), tf.float32)
  target = tf.constant(rng.normal(0.0, 400.0, (4, 16, 3)), tf.float32)
  with tf.GradientTape(persistent=True) as tape:
    tape.watch([pred, target])
    loss = tf.reduce_sum(
        tf.norm(procrustes.procrustes_align(pred, target) - target, axis=-1))
    loss_s = tf.reduce_sum(tf.square(procrustes.scale_align(pred, target)))
  for grad in tape.gradient(loss, [pred, target]) + tape.gradient(
      loss_s, [pred, target]):
    assert grad is not None and np.isfinite(grad.numpy()).all()
    assert np.abs(grad.numpy()).max() > 0


def test_scale_align_hand_values():
  pred = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
  target = np.array([[3.0, 0.0, 0.0], [0.0, 4.0, 5.0]])
  # sum(p * t) = 3 + 8 = 11, sum(p * p) = 1 + 4 = 5.
  np.testing.assert_allclose(procrustes.scale_align(pred, target),
                             pred * 11.0 / 5.0)
  np.testing.assert_allclose(procrustes.scale_align(pred, 2.5 * pred),
                             2.5 * pred)


def test_eager_function_and_dataset_agree():
  rng = np.random.default_rng(5)
  pred = rng.normal(0.0, 400.0, (6, 16, 3)).astype(np.float32)
  target = rng.normal(0.0, 400.0, (6, 16, 3)).astype(np.float32)
  eager = procrustes.procrustes_align(pred, target).numpy()
  graph = tf.function(procrustes.procrustes_align)(pred, target).numpy()
  data = np.stack(list(tf.data.Dataset.from_tensor_slices((pred, target)).map(
      procrustes.procrustes_align).as_numpy_iterator()))
  np.testing.assert_allclose(eager, graph, atol=1e-3)
  np.testing.assert_allclose(eager, data, atol=1e-3)


@pytest.mark.parametrize('pred,target', [
    (np.zeros((16, 2)), np.zeros((16, 2))),
    (np.zeros((16, 3)), np.zeros((15, 3))),
    (np.zeros((3,)), np.zeros((3,))),
])
def test_bad_shapes_raise(pred, target):
  with pytest.raises(ArgumentError, match='pred'):
    procrustes.procrustes_align(pred, target)


def test_xla_agrees():
  rng = np.random.default_rng(6)
  pred = rng.normal(0.0, 400.0, (3, 16, 3)).astype(np.float32)
  target = rng.normal(0.0, 400.0, (3, 16, 3)).astype(np.float32)
  fn = tf.function(procrustes.procrustes_align, jit_compile=True)
  np.testing.assert_allclose(fn(pred, target),
                             procrustes.procrustes_align(pred, target),
                             atol=1e-2)
